// Package ui is Lockbox's window: a URL to inspect, the handshake as it
// happens, the certificate chain with every problem it has, and the trust
// question asked when the chain cannot be verified.
//
// Threading: every network call runs on its own goroutine (the engine's);
// widgets are only ever touched on the UI goroutine, through fyne.Do when the
// engine reports something.
package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/assets"
	"lockbox/certview"
	"lockbox/client"
	"lockbox/client/configfile"
	"lockbox/client/demo"
	"lockbox/client/identity"
	"lockbox/client/secrets"
	"lockbox/client/sites"
	"lockbox/client/trust"
	"lockbox/client/verify"
	"lockbox/ui/browser"
	"lockbox/ui/identityui"
	"lockbox/ui/queueview"
	"lockbox/ui/settings"
)

// InspectFunc is the engine call the window makes; client.Inspect is the
// real one.
type InspectFunc func(ctx context.Context, t client.Target, o client.Options) (*client.Report, error)

// Deps is what the window needs from the outside world, so that tests can
// replace the network and the pin store.
type Deps struct {
	// Inspect runs one inspection; nil means client.Inspect.
	Inspect InspectFunc
	// Pins is the store "Always accept" writes to; nil disables that choice.
	Pins *trust.Store
	// TLSSeen records the servers that spoke TLS, to flag a later plain
	// ftp:// inspection of one as a possible downgrade; nil disables that.
	TLSSeen *trust.SeenStore
	// Now is the clock used for certificate validity checks; nil means time.Now.
	Now func() time.Time
	// StartDemo starts the built-in local demo server; nil means the
	// in-process FTPS servers of client/demo.
	StartDemo func() (*demo.Local, error)
	// Settings are the user's preferences; the zero value means
	// settings.Defaults().
	Settings settings.Settings
	// SettingsPath is where the settings page saves; "" disables saving.
	SettingsPath string
	// Notify shows a desktop notification; nil means the app's.
	Notify func(*fyne.Notification)
	// Do runs a function on the UI goroutine; nil means fyne.Do. Tests
	// queue the functions and run them on the test goroutine.
	Do func(func())
	// LocalSource is what the local pane browses; nil means the disk.
	LocalSource browser.Source
	// LocalDir is the folder the local pane opens at; "" means the home folder.
	LocalDir string
	// Sites are the saved sites; nil disables the site manager's saving.
	Sites *sites.Store
	// TrustedCAs are the CAs trusted beyond the system's (for all sites or
	// one); nil disables "Trust the issuing CA" and the trust manager's
	// CA list.
	TrustedCAs *trust.CAStore
	// Identities are the saved client identities; nil offers none.
	Identities *identity.Store
	// Secrets keep the sites' and identities' passwords: the system
	// keyring, or memory when KeyringErr says why there is none.
	Secrets    secrets.Store
	KeyringErr error
	// SyncDir is the folder of sync-state.json and sync-profiles.json;
	// "" keeps no synchronisation state and lists no profiles.
	SyncDir string
}

// DefaultSize is the size the main window opens at.
var DefaultSize = fyne.NewSize(1200, 800)

// CertificateWindowSize is the size a window showing a certificate file
// opens at.
var CertificateWindowSize = fyne.NewSize(1000, 700)

// The window's keyboard shortcuts (Ctrl on Linux and Windows, Cmd on macOS).
var (
	// OpenShortcut opens a certificate file: Ctrl+O.
	OpenShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}
	// ConnectShortcut connects to what the quick-connect bar names: Ctrl+Enter.
	ConnectShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault}
	// RefreshShortcut lists both panes again: Ctrl+R.
	RefreshShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}
	// DisconnectShortcut closes the connection: Ctrl+D.
	DisconnectShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyD, Modifier: fyne.KeyModifierShortcutDefault}
	// QuitShortcut closes the window and ends Lockbox: Ctrl+Q.
	QuitShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault}
	// SitesShortcut opens the site manager: Ctrl+S.
	SitesShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}
	// IdentitiesShortcut opens the client identity manager: Ctrl+I.
	IdentitiesShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyI, Modifier: fyne.KeyModifierShortcutDefault}
	// SettingsShortcut opens the settings page: Ctrl+Comma.
	SettingsShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyComma, Modifier: fyne.KeyModifierShortcutDefault}
)

// URLPlaceholder is the hint shown in the empty URL entry.
const URLPlaceholder = "ftpes://host:21, ftps://host, https://host"

// MainWindow is the Lockbox window: its widgets, grouped by area, and the
// wiring between them and the controller that holds the connection state.
// Its fields are only used on the UI goroutine.
type MainWindow struct {
	// Window is the underlying Fyne window.
	Window fyne.Window

	app      fyne.App
	deps     Deps
	settings settings.Settings
	// proxyPassword is the settings' proxy password, read from the keyring
	// off the UI goroutine once it answers (see openStores), for the
	// quick-connect bar; sites read theirs when they connect.
	proxyPassword string
	ctl           *controller

	top    *topBar       // quick-connect bar and the buttons under it
	status *widget.Label // the status line under the buttons
	// statusDetails, beside the status line, shows the technical reason
	// behind a one-sentence status (the keyring's D-Bus error, say); it is
	// hidden while the status has none.
	statusDetails *widget.Button
	local         *browser.Pane
	remote        *remotePane
	tabs          *lowerTabs  // handshake, protocol log, certificate, transfers
	padlock       *padlockBar // the status bar at the bottom
	dlg           openDialogs // the questions open, if any
	demo          demoState   // the built-in demo, once started
	sync          *syncBar    // compare, synchronise, watch (syncbar.go)
	stores        storeProblems

	// do runs a function on the UI goroutine: fyne.Do, or in tests a queue
	// the test goroutine drains, so that widgets see one goroutine only.
	do    func(func())
	hooks testHooks
}

// topBar is the top of the window: the quick-connect bar, the buttons
// that start and stop attempts, and the tools.
type topBar struct {
	quick      *quickConnect
	connect    *widget.Button
	disconnect *widget.Button
	inspect    *widget.Button
	cancel     *widget.Button
	demo       *widget.Button
	demoCert   *widget.Button
	demoMenu   *fyne.Menu
	sites      *widget.Button
	openCert   *widget.Button
}

// lowerTabs are the tabs under the panes and the split that sizes them.
type lowerTabs struct {
	*container.AppTabs
	split     *container.Split // the panes above, the tabs below
	timeline  *timeline
	protoLog  *protoLog
	cert      *certPane
	queueView *queueview.View
}

// openDialogs are the window's open questions, closed when their attempt
// ends.
type openDialogs struct {
	trust    *trustDialog
	identity *identityui.RequestDialog
	plain    *dialog.ConfirmDialog
	leave    *dialog.ConfirmDialog // "cancel transfers?" before leaving a busy connection
}

// demoState is the built-in demo server and the identity it offers.
type demoState struct {
	server  *demo.Local
	ids     *identity.Store // the demo's own identity, offered by the demo
	secrets secrets.Store
}

// storeProblems say why a store could not be opened.
type storeProblems struct {
	identities error
	sites      error
}

// testHooks let tests watch the window; all are nil in production.
type testHooks struct {
	// Called on the UI goroutine.
	onDialog   func(*trustDialog)
	onIdentity func(*identityui.RequestDialog)
	onDone     func(*client.Report, error)
	// closed, when set, receives a value each time a connection has
	// finished closing.
	closed chan struct{}
}

// Run creates the main window, shows it and runs the application until the
// window is closed. It opens the user's pin store; if that fails the window
// still works, without "Always accept".
func Run(a fyne.App) {
	w := openMain(a)
	w.Window.Show()
	a.Run()
}

// openMain builds the application's main window with the user's stores.
func openMain(a fyne.App) *MainWindow {
	a.SetIcon(assets.Icon)
	pins, err := trust.OpenDefault()
	seen, _ := trust.OpenSeenDefault() // nil when unreadable: no downgrade warning, as without it
	var warnings []string
	setPath, _ := settings.DefaultPath()
	prefs, serr := settings.Load(setPath)
	if serr != nil {
		warnings = append(warnings, "Settings: "+serr.Error())
	}
	settings.ApplyTheme(a, prefs)
	syncDir, _ := trust.ConfigDir()
	cas, caErr := trust.OpenCAsDefault()
	if caErr != nil {
		warnings = append(warnings, "Trusted CAs: "+caErr.Error())
	}
	w := NewMainWindow(a, Deps{Pins: pins, TLSSeen: seen, TrustedCAs: cas, Settings: prefs, SettingsPath: setPath, SyncDir: syncDir})
	warnings = append(warnings, w.openStores()...)
	var ce *configfile.CorruptError
	switch {
	case errors.As(err, &ce):
		warnings = append(warnings, "The pin store was damaged and has been set aside: "+err.Error())
	case err != nil:
		warnings = append(warnings, "Accepted certificates cannot be saved ("+err.Error()+"): \"Always accept\" is disabled.")
	}
	if len(warnings) > 0 {
		w.setStatus(strings.Join(warnings, " "), widget.WarningImportance)
	}
	w.Window.SetMaster()
	return w
}

// NewMainWindow builds the Lockbox window without showing it.
func NewMainWindow(a fyne.App, deps Deps) *MainWindow {
	if deps.Inspect == nil {
		deps.Inspect = client.Inspect
	}
	if deps.StartDemo == nil {
		deps.StartDemo = demo.StartLocal
	}
	if deps.Settings == (settings.Settings{}) {
		deps.Settings = settings.Defaults()
	}
	if deps.Notify == nil {
		deps.Notify = a.SendNotification
	}
	if deps.Do == nil {
		deps.Do = fyne.Do
	}
	w := &MainWindow{deps: deps, app: a, settings: deps.Settings, Window: a.NewWindow("Lockbox"), do: deps.Do, ctl: newController()}
	w.Window.SetIcon(assets.Icon)

	w.top = w.newTopBar()
	w.status = widget.NewLabel("Connect to a server, or press Local demo to try Lockbox with its built-in FTPS server.")
	w.status.Wrapping = fyne.TextWrapWord
	w.statusDetails = widget.NewButtonWithIcon("Details…", theme.InfoIcon(), nil)
	w.statusDetails.Hide()
	w.tabs = w.newLowerTabs()

	if deps.LocalSource == nil {
		deps.LocalSource = browser.Local{}
	}
	w.local = browser.New("Local computer", w.Window, deps.LocalSource, w.runUI)
	w.local.SetTransferLabel("Upload")
	w.local.OnTransfer = w.upload
	w.local.OnActivate = w.upload
	w.remote = newRemotePane(w)
	if deps.LocalDir == "" {
		deps.LocalDir, _ = os.UserHomeDir()
	}
	if deps.LocalDir != "" {
		w.local.SetDir(deps.LocalDir)
	}

	b := w.top
	w.sync = w.newSyncBar()
	tools := container.NewHBox(b.sites, b.demo, b.demoCert, b.openCert)
	actions := container.NewHBox(b.inspect, b.cancel, b.disconnect)
	w.sync.toolsRow = container.NewBorder(nil, nil, tools, actions, w.sync.buttons)
	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, b.connect, b.quick.content),
		w.sync.toolsRow,
		container.NewBorder(nil, nil, nil, w.statusDetails, w.status),
	)
	panes := container.NewBorder(nil, w.sync.content, nil, nil, container.NewHSplit(w.local.Content, w.remote.pane.Content))
	w.sync.frame = panes
	main := container.NewVSplit(panes, w.tabs.AppTabs)
	w.tabs.split = main
	main.Offset = 0.6
	w.Window.SetContent(container.NewBorder(top, w.newStatusBar(), nil, nil, main))
	w.setPadlock(nil, client.Target{})
	w.Window.SetMainMenu(w.mainMenu())
	w.Window.SetOnDropped(w.dropped)
	w.Window.Resize(DefaultSize)
	w.Window.Canvas().Focus(b.quick.host)
	w.addShortcuts()
	w.Window.SetCloseIntercept(w.Quit)
	w.Window.SetOnClosed(func() {
		w.ctl.shutdown()
		w.closeConnection()
		if w.demo.server != nil {
			w.demo.server.Close()
		}
	})
	return w
}

// newTopBar builds the quick-connect bar and the buttons under it.
func (w *MainWindow) newTopBar() *topBar {
	b := &topBar{quick: newQuickConnect(w.Connect)}
	b.connect = widget.NewButtonWithIcon("Connect", theme.LoginIcon(), w.Connect)
	b.connect.Importance = widget.HighImportance
	b.inspect = widget.NewButtonWithIcon("Inspect", theme.SearchIcon(), w.Start)
	b.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), w.Cancel)
	b.cancel.Disable()
	b.disconnect = widget.NewButtonWithIcon("Disconnect", theme.LogoutIcon(), w.Disconnect)
	b.disconnect.Disable()
	b.demo = widget.NewButtonWithIcon("Local demo", theme.ComputerIcon(), func() { w.StartDemo(false) })
	b.demoCert = widget.NewButtonWithIcon("Demo with client certificate", theme.AccountIcon(), func() { w.StartDemo(true) })
	b.sites = widget.NewButtonWithIcon("Sites…", theme.StorageIcon(), w.ShowSiteManager)
	b.openCert = widget.NewButtonWithIcon("Open certificate…", theme.FileIcon(), w.OpenCertificate)
	return b
}

// setAttemptRunning switches the bar between "an attempt runs" (only
// Cancel works) and idle.
func (b *topBar) setAttemptRunning(running bool) {
	if running {
		b.inspect.Disable()
		b.connect.Disable()
		b.cancel.Enable()
	} else {
		b.inspect.Enable()
		b.connect.Enable()
		b.cancel.Disable()
	}
	b.quick.setEnabled(!running)
}

// newLowerTabs builds the tabs under the panes; the transfer list's
// buttons go to the controller.
func (w *MainWindow) newLowerTabs() *lowerTabs {
	t := &lowerTabs{
		timeline:  newTimeline(),
		protoLog:  newProtoLog(func() fyne.Clipboard { return w.app.Clipboard() }),
		cert:      newCertPane(w.Window),
		queueView: queueview.New(),
	}
	t.queueView.OnCancel = func(id int) { w.ctl.cancelJob(id) }
	t.queueView.OnRetry = func(id int) { w.ctl.retryJob(id) }
	t.queueView.OnCancelAll = func() { w.ctl.cancelAll() }
	t.queueView.OnFinished = func(tot queueview.Totals) { w.queueFinished(tot, w.ctl.queueTook(time.Now())) }
	t.AppTabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Handshake", theme.ListIcon(), t.timeline.scroll),
		container.NewTabItemWithIcon("Protocol log", theme.DocumentIcon(), t.protoLog.content),
		// Scrolled, so that the inspector's height never squeezes the panes.
		container.NewTabItemWithIcon("Certificate", assets.PadlockClosed, container.NewVScroll(t.cert.content)),
		container.NewTabItemWithIcon("Transfers", theme.DownloadIcon(), t.queueView.Content),
	)
	return t
}

// runUI is the pane's way to the UI goroutine: w.do, read at call time so
// that tests can swap it after the window is built.
func (w *MainWindow) runUI(f func()) { w.do(f) }

// StartDemo starts the built-in demo servers (FTPS inside Lockbox, on
// 127.0.0.1, with a self-signed certificate; a second port requires a
// client certificate) and connects to one as the demo user, so that a
// newcomer sees the whole flow with no server of their own. It must be
// called on the UI goroutine.
func (w *MainWindow) StartDemo(clientCert bool) {
	if w.ctl.running {
		return
	}
	if w.demo.server != nil {
		w.connectDemo(clientCert)
		return
	}
	w.top.demo.Disable()
	w.top.demoCert.Disable()
	w.setStatus("Starting the local demo server …", widget.MediumImportance)
	start, do := w.deps.StartDemo, w.do
	go func() {
		l, err := start()
		var ids *identity.Store
		var sec secrets.Store
		var idErr error
		if err == nil {
			ids, sec, idErr = demoIdentities(l)
		}
		do(func() {
			w.top.demo.Enable()
			w.top.demoCert.Enable()
			if err != nil {
				w.setStatus("The local demo server could not start: "+err.Error(), widget.DangerImportance)
				return
			}
			w.demo.server = l
			w.demo.ids, w.demo.secrets = ids, sec
			if idErr != nil {
				w.setStatus("The demo identity could not be prepared: "+idErr.Error(), widget.WarningImportance)
			}
			w.connectDemo(clientCert)
		})
	}()
}

// connectDemo connects to the running demo server.
func (w *MainWindow) connectDemo(clientCert bool) {
	raw := w.demo.server.URL()
	if clientCert {
		raw = w.demo.server.ClientCertURL()
	}
	t, err := client.ParseURL(raw)
	if err != nil {
		w.setStatus(err.Error(), widget.DangerImportance)
		return
	}
	t.User, t.Password, t.HasPassword = demo.DemoUser, demo.DemoPassword, true
	w.top.quick.fill(t)
	w.top.quick.setMode("") // the demo runs in Settings' mode
	w.connectTo(t, connectPrefs{demo: true, localDir: w.demoDownloads()})
}

// demoDownloads is a fresh folder the demo downloads into, so that trying
// the demo writes nothing into the user's own folders.
func (w *MainWindow) demoDownloads() string {
	d := filepath.Join(w.demo.server.Root, "..", "downloads")
	if err := os.MkdirAll(d, 0o700); err != nil {
		return ""
	}
	return filepath.Clean(d)
}

// OpenCertificate asks for a certificate file (PEM, DER, PKCS#12, PKCS#7)
// and shows it, judged offline, in a window of its own. Errors are shown
// in an error dialog. It must be called on the UI goroutine.
func (w *MainWindow) OpenCertificate() {
	// certview shows errors with dialog.ShowError itself; nothing more to do.
	certview.OpenFileDialog(w.Window, func(m *certview.Model) { w.ShowCertificate(m) }, nil)
}

// ShowCertificate opens a window ("Certificate — NAME") holding the
// certificate inspector for m, typically a file loaded by OpenCertificate,
// and returns it. It must be called on the UI goroutine.
func (w *MainWindow) ShowCertificate(m *certview.Model) fyne.Window {
	cw := w.app.NewWindow("Certificate — " + certificateName(m))
	cw.SetIcon(assets.Icon)
	cw.SetContent(certview.NewPanel(m, cw))
	cw.Resize(CertificateWindowSize)
	cw.Show()
	return cw
}

// certificateName names the certificate a model is about: its level 0,
// else the file it came from.
func certificateName(m *certview.Model) string {
	switch {
	case m == nil:
		return "(none)"
	case len(m.Levels) > 0 && m.Levels[0].Title != "":
		return m.Levels[0].Title
	case m.Source != "":
		return m.Source
	}
	return "(none)"
}

// now is the clock certificates are judged by.
func (w *MainWindow) now() time.Time {
	if w.deps.Now != nil {
		return w.deps.Now()
	}
	return time.Now()
}

// Start inspects what the quick-connect bar names: the handshake, the
// certificate and its problems, without logging in. It does nothing while
// an attempt is already running. It must be called on the UI goroutine.
func (w *MainWindow) Start() {
	if w.ctl.running {
		return
	}
	target, err := w.top.quick.target()
	if err != nil {
		w.setStatus(err.Error(), widget.DangerImportance)
		return
	}
	w.inspectTarget(target, connectPrefs{})
}

// inspectTarget inspects target (see Start) with a saved site's
// preferences, if any (its proxy, CA roots, expected fingerprint).
func (w *MainWindow) inspectTarget(target client.Target, p connectPrefs) {
	if w.ctl.running {
		return
	}
	at := w.beginAttempt(target)
	w.ctl.site = p.siteName

	opts := w.options(at.ctx, at.gen, target.Host, p)
	// An inspection never logs in: the password stays here.
	target.Password, target.HasPassword = "", false
	inspect, do := w.deps.Inspect, w.do
	go func() {
		defer at.stop()
		rep, err := inspect(at.ctx, target, opts)
		do(func() { w.finish(at.gen, target, rep, err) })
	}()
}

// Cancel stops the running inspection, answering Reject to an open trust
// question. It must be called on the UI goroutine.
func (w *MainWindow) Cancel() {
	if !w.ctl.cancel() {
		return
	}
	w.top.cancel.Disable()
	w.setStatus("Cancelling …", widget.WarningImportance)
}

// decide runs on the engine goroutine: it shows the trust question on the UI
// goroutine and waits for the answer (or for the inspection to end).
func (w *MainWindow) decide(ctx context.Context, do func(func()), gen int, d client.Decision) client.Choice {
	answer := make(chan client.Choice, 1)
	do(func() {
		if !w.ctl.current(gen) {
			answer <- client.Reject
			return
		}
		w.showTrust(d, answer)
	})
	select {
	case c := <-answer:
		return c
	case <-ctx.Done():
		do(func() {
			if w.dlg.trust != nil && w.ctl.current(gen) {
				w.dlg.trust.dismiss()
				w.dlg.trust = nil
			}
		})
		return client.Reject
	}
}

// showTrust opens the trust question; the user's answer goes to answer.
func (w *MainWindow) showTrust(d client.Decision, answer chan<- client.Choice) {
	w.setStatus("The certificate of "+d.HostPort+" is not trusted: your decision is needed.", widget.WarningImportance)
	canPin := d.CanPin() && w.deps.Pins != nil
	var dlg *trustDialog
	offer := issuerOffer{canStore: w.deps.TrustedCAs != nil, site: w.ctl.site}
	dlg = newTrustDialogFor(w.Window, d, offer, w.ctl.dialed, w.now(), canPin, w.deps.Pins != nil, func(c client.Choice) {
		if w.dlg.trust == dlg {
			w.dlg.trust = nil
		}
		select {
		case answer <- c:
		default: // already answered
		}
	})
	w.dlg.trust = dlg
	dlg.show()
	if w.hooks.onDialog != nil {
		w.hooks.onDialog(dlg)
	}
}

// showOutcome ends an attempt: the bar is usable again, the timeline has
// every step (an engine that reported none live gave them in rep), and the
// Certificate tab shows the report.
func (w *MainWindow) showOutcome(rep *client.Report, err error) {
	w.endAttempt()
	if rep != nil && w.tabs.timeline.len() == 0 {
		w.tabs.timeline.addAll(rep.Steps)
		w.tabs.protoLog.addAll(rep.Steps)
	}
	w.tabs.cert.show(rep, err, w.ctl.dialed, w.now())
}

// verdictImportance colours a status line by the report's verdict.
func verdictImportance(rep *client.Report) widget.Importance {
	switch verdictColor(rep) {
	case theme.ColorNameError:
		return widget.DangerImportance
	case theme.ColorNameWarning:
		return widget.WarningImportance
	}
	return widget.SuccessImportance
}

// finish shows the outcome of inspection gen.
func (w *MainWindow) finish(gen int, t client.Target, rep *client.Report, err error) {
	if !w.ctl.current(gen) {
		return
	}
	w.showOutcome(rep, err)
	if w.ctl.conn == nil {
		w.setPadlock(nil, client.Target{})
	}
	if t.Scheme == client.HTTPS && err == nil {
		w.remote.showHTTPS(t, rep)
	}
	switch {
	case err != nil:
		w.failed(rep, err)
	default:
		w.setStatus(Summary(rep), verdictImportance(rep))
	}
	if w.hooks.onDone != nil {
		w.hooks.onDone(rep, err)
	}
}

func (w *MainWindow) setStatus(msg string, imp widget.Importance) {
	w.statusDetails.Hide()
	w.statusDetails.OnTapped = nil
	w.status.Importance = imp
	w.status.SetText(msg)
}

// setStatusDetails sets the status line to one plain sentence and offers
// the technical detail behind it in a Details… button, which opens a
// dialog titled title. The next setStatus hides the button again.
func (w *MainWindow) setStatusDetails(msg string, imp widget.Importance, title, detail string) {
	w.setStatus(msg, imp)
	w.statusDetails.OnTapped = func() { dialog.ShowInformation(title, detail, w.Window) }
	w.statusDetails.Show()
}

// Summary says in one line whether a connection was trusted and why:
// "Trusted: verified chain", "Not trusted: self-signed, wrong host name".
func Summary(rep *client.Report) string {
	if rep == nil {
		return "No report."
	}
	if len(rep.Chain) == 0 {
		if rep.TLS == nil && strings.HasPrefix(rep.URL, string(client.FTP)+"://") {
			return "Not encrypted: plain FTP has no certificate."
		}
		return "No certificate was received."
	}
	var errs, warns []string
	for _, p := range rep.Problems {
		if p.Severity == verify.SeverityError {
			errs = append(errs, verify.Title(p.Code))
		} else {
			warns = append(warns, verify.Title(p.Code))
		}
	}
	join := func(prefix string, codes []string) string {
		if len(codes) == 0 {
			return prefix
		}
		return prefix + ": " + strings.Join(dedupe(codes), ", ")
	}
	var s string
	switch rep.Trust {
	case client.TrustVerified:
		s = "Trusted: verified chain"
	case client.TrustPinned:
		s = "Trusted: the certificate you pinned for " + rep.Address
		if len(errs) > 0 {
			s += fmt.Sprintf(" (despite %s)", strings.Join(dedupe(errs), ", "))
		}
	case client.TrustAcceptedOnce:
		s = join("Accepted once, not verified", errs)
	case client.TrustPinChanged:
		s = join("Not trusted, the pinned certificate changed", errs)
	default:
		s = join("Not trusted", errs)
	}
	if len(warns) > 0 {
		s += "; warnings: " + strings.Join(dedupe(warns), ", ")
	}
	return s
}

func dedupe(codes []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range codes {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}
