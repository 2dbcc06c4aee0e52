package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/client/identity"
	"lockbox/client/trace"
	"lockbox/ui/queueview"
)

// connectPrefs is what a saved site (or the demo) adds to a target.
type connectPrefs struct {
	// site holds what a saved site sets (sites.Site.Apply: extra CA roots,
	// TLS minimum, PASV only); nil for the quick-connect bar.
	site *client.Options
	// identity is the site's client certificate; noIdentity says the site
	// never sends one (so the user is not asked).
	identity   *identity.Identity
	noIdentity bool
	// preselectIdentity names the saved identity to offer first when the
	// server asks (the site's, when it could not be opened unattended).
	preselectIdentity string
	// demo marks the built-in demo, whose own identity is offered.
	demo bool
	// localDir is the local folder to open once connected.
	localDir string
	// plainOK records that the user agreed to send the password unencrypted.
	plainOK bool
	// leaveOK records that the current connection may be closed (its
	// transfers were idle or the user agreed to cancel them).
	leaveOK bool
	// rememberIdentity saves the identity a user chose for this site (nil
	// for quick connect, where there is no site to remember it for).
	rememberIdentity func(savedName string)
}

// connection is one logged-in FTP site: its pool of control connections
// (each with its own TLS session cache, one trust decision for all), its
// transfer queue, and the report of its first handshake.
type connection struct {
	target client.Target
	prefs  connectPrefs
	pool   *client.Pool
	queue  *client.Queue
	report *client.Report
	ctx    context.Context
	stop   context.CancelFunc
	// idBase is added to the queue's job numbers in the transfer list, so
	// that the jobs of successive connections never share a number.
	idBase int
}

// jobIDsPerConnection is the span of transfer-list numbers a connection's
// queue gets.
const jobIDsPerConnection = 1 << 20

// queueID turns a transfer-list number back into the current queue's job
// number; ok is false for a job of an earlier connection (or HTTPS).
func (w *MainWindow) queueID(id int) (int, bool) {
	c := w.conn
	if c == nil || id <= c.idBase || id > c.idBase+jobIDsPerConnection {
		return 0, false
	}
	return id - c.idBase, true
}

// close ends the connection's transfers and sessions. It may block on the
// network, so it runs off the UI goroutine.
func (c *connection) close() {
	c.stop()
	if c.queue != nil {
		c.queue.CancelAll()
		c.queue.Close()
	}
	c.pool.Close()
}

// isAnonymous says whether a user name is the anonymous login.
func isAnonymous(user string) bool {
	return user == "" || strings.EqualFold(user, "anonymous") || strings.EqualFold(user, "ftp")
}

// Connect logs in to what the quick-connect bar names. An https:// target
// is inspected instead (there is nothing to browse); its file can then be
// downloaded. It must be called on the UI goroutine.
func (w *MainWindow) Connect() {
	t, err := w.quick.target()
	if err != nil {
		w.setStatus(err.Error(), widget.DangerImportance)
		return
	}
	w.connectTo(t, connectPrefs{})
}

// connectTo connects to t with a site's preferences.
func (w *MainWindow) connectTo(t client.Target, p connectPrefs) {
	if w.running {
		return
	}
	if t.Scheme == client.HTTPS {
		w.inspectTarget(t)
		return
	}
	if t.Scheme == client.FTP && !p.plainOK {
		w.confirmPlaintext(t, func() {
			p.plainOK = true
			w.connectTo(t, p)
		})
		return
	}
	if !p.leaveOK && w.conn != nil {
		w.whenIdle("Connect", func() {
			p.leaveOK = true
			w.connectTo(t, p)
		})
		return
	}
	w.closeConnection()

	ctx, stop, gen := w.beginAttempt(t)
	if p.localDir != "" {
		w.local.SetDir(p.localDir)
	}

	opts := w.options(ctx, gen, p)
	opts.AllowPlaintext = p.plainOK
	size := w.settings.Connections
	do := w.do
	go func() {
		pool, rep, err := client.OpenPool(ctx, t, opts, client.PoolOptions{Size: size})
		var dir string
		if err == nil {
			dir = startDir(ctx, pool, t)
		}
		do(func() { w.connected(gen, t, p, ctx, stop, pool, rep, dir, err) })
	}()
}

// startDir is the remote folder to show first: the URL's (a site's
// remote folder is its URL's path), else where the server put us, else
// the root (a server without PWD).
func startDir(ctx context.Context, pool *client.Pool, t client.Target) string {
	if t.Path != "" && t.Path != "/" {
		return t.Path
	}
	var dir string
	err := pool.Do(ctx, func(s *client.Session) (err error) {
		dir, err = s.CurrentDir()
		return err
	})
	if err != nil || dir == "" {
		return "/"
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

// options are the engine options of connection attempt gen: the user's
// settings, the site's preferences, and the window's observers and
// questions. The questions end unanswered when attempt ends.
func (w *MainWindow) options(attempt context.Context, gen int, p connectPrefs) client.Options {
	do := w.do
	opts := client.Options{
		Pins:       w.deps.Pins,
		TLSSeen:    w.deps.TLSSeen,
		Now:        w.deps.Now,
		Timeout:    w.settings.Timeout(),
		MinVersion: w.settings.MinVersion(),
		Identity:   p.identity,
		Observer: newStepBatch(do, func(steps []trace.Step) {
			if w.gen == gen {
				w.timeline.addAll(steps)
				w.protoLog.addAll(steps)
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
		if site.MinVersion != 0 {
			opts.MinVersion = site.MinVersion
		}
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
	w.plainDlg = d
	d.Show()
}

// beginAttempt starts attempt number gen at t (a connection or an
// inspection): ctx ends it, stop cancels it, and the views are reset.
func (w *MainWindow) beginAttempt(t client.Target) (ctx context.Context, stop context.CancelFunc, gen int) {
	w.gen++
	w.dialed = t.Host
	ctx, stop = context.WithCancel(context.Background())
	w.stop = stop
	w.running = true
	w.cancelled = false
	w.setStatus("Connecting to "+t.String()+" …", widget.MediumImportance)
	w.timeline.clear()
	w.protoLog.clear()
	w.cert.showPending(t.String())
	w.tabs.SelectIndex(0)
	w.inspect.Disable()
	w.connectBtn.Disable()
	w.quick.setEnabled(false)
	w.cancel.Enable()
	w.setPadlock(nil, t)
	return ctx, stop, w.gen
}

// endAttempt re-enables the bar after an attempt, whatever its outcome.
func (w *MainWindow) endAttempt() {
	w.running = false
	w.stop = nil
	if w.trustDlg != nil {
		w.trustDlg.dismiss()
		w.trustDlg = nil
	}
	w.dismissIdentityDialog()
	w.inspect.Enable()
	w.connectBtn.Enable()
	w.quick.setEnabled(true)
	w.cancel.Disable()
}

// connected shows the outcome of connection attempt gen and, on success,
// makes the connection current: the remote pane browses it and the queue
// runs over its pool.
func (w *MainWindow) connected(gen int, t client.Target, p connectPrefs, ctx context.Context, stop context.CancelFunc,
	pool *client.Pool, rep *client.Report, dir string, err error) {
	if gen != w.gen {
		if pool != nil {
			go pool.Close()
		}
		stop()
		return
	}
	w.showOutcome(rep, err)
	if err != nil {
		stop()
		w.setPadlock(nil, t)
		w.failed(rep, err)
		if w.onDone != nil {
			w.onDone(rep, err)
		}
		return
	}
	w.connections++
	c := &connection{target: t, prefs: p, pool: pool, report: rep, ctx: ctx, stop: stop,
		idBase: (w.connections - 1) * jobIDsPerConnection}
	do := w.do
	q, qerr := client.NewQueue(pool, client.QueueOptions{
		Exists: w.settings.ExistsPolicy(),
		Observer: func(pr client.Progress) {
			do(func() {
				if w.conn == c {
					pr.ID += c.idBase
					w.showProgress(pr)
				}
			})
		},
	})
	if qerr != nil {
		stop()
		go pool.Close()
		w.setStatus("Connected, but transfers cannot run: "+qerr.Error(), widget.DangerImportance)
		return
	}
	q.Start(ctx)
	c.queue = q
	w.conn = c
	w.disconnectBtn.Enable()
	w.setPadlock(rep, t)
	w.remote.connect(c, dir)
	w.setStatus(fmt.Sprintf("Connected to %s as %s. %s", t.Address(), userName(t), Summary(rep)), verdictImportance(rep))
	if w.onDone != nil {
		w.onDone(rep, nil)
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
	case w.cancelled || errors.Is(err, context.Canceled):
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
	if w.running {
		w.Cancel()
		return
	}
	if w.conn == nil {
		return
	}
	addr := w.conn.target.Address()
	w.whenIdle("Disconnect", func() {
		w.closeConnection()
		w.setStatus("Disconnected from "+addr+".", widget.MediumImportance)
	})
}

// whenIdle runs leave at once when no transfer of the current connection
// is queued or running; otherwise it first asks whether to cancel them
// (their partial files stay, to be resumed later).
func (w *MainWindow) whenIdle(action string, leave func()) {
	active := 0
	if w.conn != nil {
		for _, p := range w.conn.queue.Jobs() {
			if p.State == client.StateQueued || p.State == client.StateRunning {
				active++
			}
		}
	}
	if active == 0 {
		leave()
		return
	}
	d := dialog.NewConfirm(action+" and cancel transfers?",
		fmt.Sprintf("%d transfers of %s are queued or running. They will be cancelled; partly downloaded files stay as .lockbox-part and resume next time.",
			active, w.conn.target.Address()),
		func(yes bool) {
			if yes {
				leave()
			}
		}, w.Window)
	d.SetConfirmText(action)
	d.SetDismissText("Keep transferring")
	w.leaveDlg = d
	d.Show()
}

// closeConnection drops the current connection, if any, closing it off the
// UI goroutine.
func (w *MainWindow) closeConnection() {
	c := w.conn
	if c == nil {
		return
	}
	w.conn = nil
	w.remote.disconnect()
	w.disconnectBtn.Disable()
	w.setPadlock(nil, client.Target{})
	done := w.closed
	go func() {
		c.close()
		if done != nil {
			done <- struct{}{}
		}
	}()
}

// Refresh lists both panes again. It must be called on the UI goroutine.
func (w *MainWindow) Refresh() {
	w.local.Refresh()
	if w.conn != nil {
		w.remote.Refresh()
	}
}

// notifyMinDuration is how long a queue must have run for its end to be
// announced with a desktop notification.
var notifyMinDuration = 10 * time.Second

// showProgress hands a job's progress to the transfer list, noting when
// the queue goes from idle to busy.
func (w *MainWindow) showProgress(p client.Progress) {
	if w.queueView.Totals().Active() == 0 {
		w.queueStart = time.Now()
	}
	w.queueView.Update(p)
	if p.State == client.StateFailed && Advice(p.Err) != "" {
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
