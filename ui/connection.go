package ui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/client/identity"
	"lockbox/client/sites"
	"lockbox/client/trace"
	"lockbox/client/transfer"
	"lockbox/ui/queueview"
)

// connectPrefs is what a saved site (or the demo) adds to a target.
type connectPrefs struct {
	// site holds what a saved site sets (sites.Site.Apply: extra CA roots,
	// TLS minimum, PASV only, transfer mode); nil for the quick-connect bar.
	site *client.Options
	// mode is the quick-connect bar's transfer mode; "" leaves Settings'
	// (or the site's).
	mode client.DataMode
	// identity is the site's client certificate; noIdentity says the site
	// never sends one (so the user is not asked).
	identity   *identity.Identity
	noIdentity bool
	// preselectIdentity names the saved identity to offer first when the
	// server asks (the site's, when it could not be opened unattended).
	preselectIdentity string
	// demo marks the built-in demo, whose own identity is offered.
	demo bool
	// siteName is the saved site's name ("" for the quick-connect bar):
	// it selects the CAs trusted for that site only.
	siteName string
	// localDir is the local folder to open once connected.
	localDir string
	// verify checks every transfer with the server's hash (the site's
	// Verify setting).
	verify bool
	// plainOK records that the user agreed to send the password unencrypted.
	plainOK bool
	// leaveOK records that the current connection may be closed (its
	// transfers were idle or the user agreed to cancel them).
	leaveOK bool
	// rememberIdentity saves the identity a user chose for this site (nil
	// for quick connect, where there is no site to remember it for).
	rememberIdentity func(savedName string)
}

// isAnonymous says whether a user name is the anonymous login.
func isAnonymous(user string) bool {
	return user == "" || strings.EqualFold(user, "anonymous") || strings.EqualFold(user, "ftp")
}

// Connect logs in to what the quick-connect bar names. An https:// target
// is inspected instead (there is nothing to browse); its file can then be
// downloaded. It must be called on the UI goroutine.
func (w *MainWindow) Connect() {
	t, err := w.top.quick.target()
	if err != nil {
		w.setStatus(err.Error(), widget.DangerImportance)
		return
	}
	w.connectTo(t, connectPrefs{mode: w.top.quick.dataMode()})
}

// connectTo connects to t with a site's preferences.
func (w *MainWindow) connectTo(t client.Target, p connectPrefs) {
	if w.ctl.running {
		return
	}
	if t.Scheme == client.HTTPS || t.Scheme == client.TLS {
		w.inspectTarget(t, p)
		return
	}
	if t.Scheme == client.FTP && !p.plainOK {
		w.confirmPlaintext(t, func() {
			p.plainOK = true
			w.connectTo(t, p)
		})
		return
	}
	if !p.leaveOK && w.ctl.conn != nil {
		w.whenIdle("Connect", func() {
			p.leaveOK = true
			w.connectTo(t, p)
		})
		return
	}
	w.closeConnection()

	at := w.beginAttempt(t)
	w.ctl.site = p.siteName
	if p.localDir != "" {
		w.local.SetDir(p.localDir)
	}

	opts := w.options(at.ctx, at.gen, t.Host, p)
	opts.AllowPlaintext = p.plainOK
	size := w.settings.Connections
	do := w.do
	go func() {
		r := connectResult{attempt: at, target: t, prefs: p}
		r.pool, r.report, r.err = client.OpenPool(at.ctx, t, opts, client.PoolOptions{Size: size})
		if r.err == nil {
			r.dir = startDir(at.ctx, r.pool, t)
		}
		do(func() { w.connected(r) })
	}()
}

// startDir is the remote folder to show first. A site's remote folder (or
// its URL's path) is absolute, as in FileZilla; a quick-connect URL's path
// is under the login folder unless it starts with "%2F" or "//" (RFC 1738,
// as curl: see client.Target.RemotePath). Without a path it is where the
// server put us, else the root (a server without PWD).
func startDir(ctx context.Context, pool *client.Pool, t client.Target) string {
	if !t.LoginRelative && t.Path != "" && t.Path != "/" {
		return t.Path
	}
	var home string
	err := pool.Do(ctx, func(s *client.Session) (err error) {
		home, err = s.CurrentDir()
		return err
	})
	if err != nil {
		home = ""
	}
	dir := home
	if t.LoginRelative {
		dir = t.RemotePath(home)
	}
	switch {
	case dir == "":
		return "/"
	case !strings.HasPrefix(dir, "/"):
		// No PWD to say where the login folder is: the path from the root
		// is the best guess the pane can show.
		return "/" + dir
	}
	return dir
}

// stepBatch hands steps to the UI goroutine in batches: a step arriving
// while a batch waits for the UI goroutine joins it, so that a burst (a
// data connection's handshake per file, thousands of files) costs one
// redraw per batch, not one per step, and the window keeps up.
type stepBatch struct {
	do   func(func())
	show func([]trace.Step)

	mu        sync.Mutex
	steps     []trace.Step
	scheduled bool
}

func newStepBatch(do func(func()), show func([]trace.Step)) *stepBatch {
	return &stepBatch{do: do, show: show}
}

// Step implements trace.Observer; it may be called from any goroutine.
func (b *stepBatch) Step(s trace.Step) {
	b.mu.Lock()
	b.steps = append(b.steps, s)
	schedule := !b.scheduled
	b.scheduled = true
	b.mu.Unlock()
	if schedule {
		b.do(b.flush)
	}
}

// flush runs on the UI goroutine.
func (b *stepBatch) flush() {
	b.mu.Lock()
	steps := b.steps
	b.steps, b.scheduled = nil, false
	b.mu.Unlock()
	b.show(steps)
}

// quickProxy is the settings' proxy for a connection that is not a saved
// site's (the quick-connect bar, Inspect), nil for a direct one.
func (w *MainWindow) quickProxy(host string) *client.Proxy {
	px, err := sites.Site{URL: "https://" + net.JoinHostPort(host, "443")}.ResolveProxy(
		sites.GlobalProxy{URL: w.settings.Proxy, NoProxy: w.settings.NoProxy, Password: w.proxyPassword}, nil)
	if err != nil {
		return nil // the settings form refuses a proxy it cannot read
	}
	return px
}

// options are the engine options of connection attempt gen to host: the
// user's settings, the site's preferences, and the window's observers and
// questions. The questions end unanswered when attempt ends.
func (w *MainWindow) options(attempt context.Context, gen int, host string, p connectPrefs) client.Options {
	do := w.do
	opts := client.Options{
		Pins:       w.deps.Pins,
		TLSSeen:    w.deps.TLSSeen,
		Now:        w.deps.Now,
		Timeout:    w.settings.Timeout(),
		MinVersion: w.settings.MinVersion(),
		Mode:       w.settings.DataMode(),
		Active:     w.settings.ActiveOptions(),
		Identity:   p.identity,
		MDTMWrite:  true, // vsftpd keeps upload times
		TrustedCAs: w.deps.TrustedCAs,
		Site:       p.siteName,
		Observer: newStepBatch(do, func(steps []trace.Step) {
			if w.ctl.current(gen) {
				w.tabs.timeline.addAll(steps)
				w.tabs.protoLog.addAll(steps)
			}
		}),
		Decide: func(ctx context.Context, d client.Decision) client.Choice {
			ctx, stop := context.WithCancel(ctx)
			defer context.AfterFunc(attempt, stop)()
			defer stop()
			return w.decide(ctx, do, gen, d)
		},
	}
	if site := p.site; site != nil {
		opts.ExtraRoots = site.ExtraRoots
		opts.DisableEPSV = site.DisableEPSV
		opts.Proxy = site.Proxy
		opts.ExpectedFingerprints = site.ExpectedFingerprints
		if site.MinVersion != 0 {
			opts.MinVersion = site.MinVersion
		}
		if site.Mode != "" {
			opts.Mode = site.Mode
		}
	}
	if p.mode != "" {
		opts.Mode = p.mode
	}
	if p.site == nil && !p.demo {
		// The built-in demo runs inside Lockbox, on 127.0.0.1: a proxy
		// elsewhere could not reach it.
		opts.Proxy = w.quickProxy(host)
	}
	if p.identity == nil && !p.noIdentity {
		opts.ChooseIdentity = func(ctx context.Context, r client.IdentityRequest) *identity.Identity {
			ctx, stop := context.WithCancel(ctx)
			defer context.AfterFunc(attempt, stop)()
			defer stop()
			return w.chooseIdentity(ctx, do, gen, r, p)
		}
	}
	return opts
}

// confirmPlaintext warns before anything is sent over plain FTP, where the
// password crosses the network readable by anyone on the path.
func (w *MainWindow) confirmPlaintext(t client.Target, ok func()) {
	msg := fmt.Sprintf("%s is plain FTP: nothing is encrypted. ", t.Address())
	if t.HasPassword && !isAnonymous(t.User) {
		msg += fmt.Sprintf("The password of %q will cross the network in clear text, readable by anyone on the way, and no certificate proves who the server is.", t.User)
	} else {
		msg += "Everything, including the files, crosses the network readable by anyone on the way, and no certificate proves who the server is."
	}
	msg += "\n\nUse FTPES (explicit TLS) if the server offers it."
	d := dialog.NewConfirm("Connect without encryption?", msg, func(yes bool) {
		if yes {
			ok()
		} else {
			w.setStatus("Not connected: plain FTP was refused.", widget.WarningImportance)
		}
	}, w.Window)
	d.SetConfirmText("Send unencrypted")
	d.SetDismissText("Cancel")
	w.dlg.plain = d
	d.Show()
}

// beginAttempt starts a new attempt at t (a connection or an inspection)
// and resets the views.
func (w *MainWindow) beginAttempt(t client.Target) attempt {
	at := w.ctl.begin(t.Host)
	w.setStatus("Connecting to "+t.String()+" …", widget.MediumImportance)
	w.tabs.timeline.clear()
	w.tabs.protoLog.clear()
	w.tabs.cert.showPending(t.String())
	w.tabs.SelectIndex(0)
	w.top.setAttemptRunning(true)
	w.setPadlock(nil, t)
	return at
}

// endAttempt re-enables the bar after an attempt, whatever its outcome.
func (w *MainWindow) endAttempt() {
	w.ctl.end()
	if w.dlg.trust != nil {
		w.dlg.trust.dismiss()
		w.dlg.trust = nil
	}
	w.dismissIdentityDialog()
	w.top.setAttemptRunning(false)
}

// connected shows the outcome of a connection attempt and, on success,
// makes the connection current: the remote pane browses it and the queue
// runs over its pool.
func (w *MainWindow) connected(r connectResult) {
	if !w.ctl.accept(r) {
		return
	}
	rep, t := r.report, r.target
	w.showOutcome(rep, r.err)
	if r.err != nil {
		r.stop()
		w.setPadlock(nil, t)
		w.failed(rep, r.err)
		if w.hooks.onDone != nil {
			w.hooks.onDone(rep, r.err)
		}
		return
	}
	c := w.ctl.newConnection(r)
	do := w.do
	q, qerr := transfer.NewQueue(r.pool, transfer.QueueOptions{
		Exists: w.settings.ExistsPolicy(),
		Verify: r.prefs.verify,
		Observer: func(pr transfer.Progress) {
			do(func() {
				if w.ctl.conn == c {
					pr.ID += c.idBase
					w.showProgress(pr)
				}
			})
		},
	})
	if qerr != nil {
		w.ctl.discard(r)
		w.setStatus("Connected, but transfers cannot run: "+qerr.Error(), widget.DangerImportance)
		return
	}
	q.Start(r.ctx)
	c.queue = q
	w.ctl.use(c)
	w.top.disconnect.Enable()
	w.setPadlock(rep, t)
	w.remote.connect(c, r.dir)
	w.setStatus(fmt.Sprintf("Connected to %s as %s. %s", t.Address(), userName(t), Summary(rep)), verdictImportance(rep))
	if w.hooks.onDone != nil {
		w.hooks.onDone(rep, nil)
	}
}

func userName(t client.Target) string {
	if t.User == "" {
		return "anonymous"
	}
	return t.User
}

// failed says why a connection attempt or inspection ended in an error.
func (w *MainWindow) failed(rep *client.Report, err error) {
	switch {
	case w.ctl.cancelled || errors.Is(err, context.Canceled):
		w.setStatus("Cancelled.", widget.WarningImportance)
	case err != nil && client.IsTrustFailure(err):
		w.setStatus(withAdvice(Summary(rep)+" — the connection was refused.", err), widget.DangerImportance)
	default:
		w.setStatus(withAdvice("Failed: "+err.Error(), err), widget.DangerImportance)
	}
}

// Disconnect closes the current connection: its transfers are cancelled
// (their partial files stay, to be resumed) and its sessions end with QUIT.
// It must be called on the UI goroutine.
func (w *MainWindow) Disconnect() {
	if w.ctl.running {
		w.Cancel()
		return
	}
	if w.ctl.conn == nil {
		return
	}
	addr := w.ctl.conn.target.Address()
	w.whenIdle("Disconnect", func() {
		w.closeConnection()
		w.setStatus("Disconnected from "+addr+".", widget.MediumImportance)
	})
}

// whenIdle runs leave at once when no transfer of the current connection
// is queued or running; otherwise it first asks whether to cancel them
// (their partial files stay, to be resumed later).
func (w *MainWindow) whenIdle(action string, leave func()) {
	active := w.ctl.activeJobs()
	if active == 0 {
		leave()
		return
	}
	d := dialog.NewConfirm(action+" and cancel transfers?",
		fmt.Sprintf("%d transfers of %s are queued or running. They will be cancelled; partly downloaded files stay as .lockbox-part and resume next time.",
			active, w.ctl.conn.target.Address()),
		func(yes bool) {
			if yes {
				leave()
			}
		}, w.Window)
	d.SetConfirmText(action)
	d.SetDismissText("Keep transferring")
	w.dlg.leave = d
	d.Show()
}

// closeConnection drops the current connection, if any, closing it off the
// UI goroutine.
func (w *MainWindow) closeConnection() {
	c := w.ctl.drop()
	if c == nil {
		return
	}
	watchDone := w.sync.watchDone // stopped by disconnect, below
	w.remote.disconnect()
	w.top.disconnect.Disable()
	w.setPadlock(nil, client.Target{})
	done := w.hooks.closed
	go func() {
		if watchDone != nil {
			<-watchDone // the watch ends before its connections close
		}
		c.close()
		if done != nil {
			done <- struct{}{}
		}
	}()
}

// Refresh lists both panes again. It must be called on the UI goroutine.
func (w *MainWindow) Refresh() {
	w.local.Refresh()
	if w.ctl.conn != nil {
		w.remote.Refresh()
	}
}

// notifyMinDuration is how long a queue must have run for its end to be
// announced with a desktop notification.
var notifyMinDuration = 10 * time.Second

// showProgress hands a job's progress to the transfer list, noting when
// the queue goes from idle to busy.
func (w *MainWindow) showProgress(p transfer.Progress) {
	w.ctl.queueBusy(w.tabs.queueView.Totals().Active() == 0, time.Now())
	w.tabs.queueView.Update(p)
	if p.State == transfer.StateFailed && Advice(p.Err) != "" {
		w.setStatus(withAdvice("A transfer failed: "+p.Err.Error(), p.Err), widget.DangerImportance)
	}
}

// queueFinished is called when the queue has no more work: the panes are
// listed again and, after a long queue, the desktop is told.
func (w *MainWindow) queueFinished(t queueview.Totals, took time.Duration) {
	w.Refresh()
	if !w.settings.Notify || took < notifyMinDuration {
		return
	}
	w.deps.Notify(fyne.NewNotification("Lockbox", t.Message()))
}
