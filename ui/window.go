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
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/assets"
	"lockbox/certview"
	"lockbox/client"
	"lockbox/client/demo"
	"lockbox/client/trace"
	"lockbox/client/trust"
	"lockbox/client/verify"
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
	// StartDemo starts the built-in local demo server and returns the URL to
	// inspect; nil means the in-process FTPS server of client/demo.
	StartDemo func() (string, error)
}

// DefaultSize is the size the main window opens at.
var DefaultSize = fyne.NewSize(1000, 700)

// CertificateWindowSize is the size a window showing a certificate file
// opens at.
var CertificateWindowSize = fyne.NewSize(1000, 700)

// OpenShortcut opens a certificate file: Ctrl+O (Cmd+O on macOS).
var OpenShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}

// URLPlaceholder is the hint shown in the empty URL entry.
const URLPlaceholder = "ftpes://host:21, ftps://host, https://host"

// MainWindow is the Lockbox window. Its fields are only used on the UI
// goroutine.
type MainWindow struct {
	// Window is the underlying Fyne window.
	Window fyne.Window

	app  fyne.App
	deps Deps

	url      *widget.Entry
	demo     *widget.Button
	openCert *widget.Button
	inspect  *widget.Button
	cancel   *widget.Button
	status   *widget.Label
	tabs     *container.AppTabs
	timeline *timeline
	cert     *certPane

	gen       int                // number of the current (or last) inspection
	dialed    string             // host of the current (or last) inspection's URL
	running   bool               // an inspection is under way
	cancelled bool               // the user cancelled the running inspection
	stop      context.CancelFunc // cancels the running inspection
	trustDlg  *trustDialog       // the open trust question, if any

	// do runs a function on the UI goroutine: fyne.Do, or in tests a queue
	// the test goroutine drains, so that widgets see one goroutine only.
	do func(func())
	// Test hooks, called on the UI goroutine; nil in production.
	onDialog func(*trustDialog)
	onDone   func(*client.Report, error)
}

// Run creates the main window, shows it and runs the application until the
// window is closed. It opens the user's pin store; if that fails the window
// still works, without "Always accept".
func Run(a fyne.App) {
	w := openMain(a)
	w.Window.Show()
	a.Run()
}

// openMain builds the application's main window with the user's pin store.
func openMain(a fyne.App) *MainWindow {
	a.SetIcon(assets.Icon)
	pins, err := trust.OpenDefault()
	seen, _ := trust.OpenSeenDefault() // nil when unreadable: no downgrade warning, as without it
	w := NewMainWindow(a, Deps{Pins: pins, TLSSeen: seen})
	var ce *trust.CorruptError
	switch {
	case errors.As(err, &ce):
		w.setStatus("The pin store was damaged and has been set aside: "+err.Error(), widget.WarningImportance)
	case err != nil:
		w.setStatus("Accepted certificates cannot be saved ("+err.Error()+"): \"Always accept\" is disabled.", widget.WarningImportance)
	}
	w.Window.SetMaster()
	return w
}

// NewMainWindow builds the Lockbox window without showing it.
func NewMainWindow(a fyne.App, deps Deps) *MainWindow {
	if deps.Inspect == nil {
		deps.Inspect = client.Inspect
	}
	var local *demo.Local
	if deps.StartDemo == nil {
		deps.StartDemo = func() (string, error) {
			var err error
			if local == nil {
				local, err = demo.StartLocal()
			}
			if err != nil {
				return "", err
			}
			return local.URL(), nil
		}
	}
	w := &MainWindow{deps: deps, app: a, Window: a.NewWindow("Lockbox"), do: fyne.Do}
	w.Window.SetIcon(assets.Icon)

	w.url = widget.NewEntry()
	w.url.SetPlaceHolder(URLPlaceholder)
	w.url.OnSubmitted = func(string) { w.Start() }
	w.inspect = widget.NewButtonWithIcon("Inspect", theme.SearchIcon(), w.Start)
	w.inspect.Importance = widget.HighImportance
	w.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), w.Cancel)
	w.cancel.Disable()
	w.demo = widget.NewButtonWithIcon("Local demo", theme.ComputerIcon(), w.StartDemo)
	w.openCert = widget.NewButtonWithIcon("Open certificate…", theme.FileIcon(), w.OpenCertificate)
	w.status = widget.NewLabel("Enter a URL and press Inspect to see what the TLS connection does.")
	w.status.Wrapping = fyne.TextWrapWord

	w.timeline = newTimeline()
	w.cert = newCertPane(w.Window)
	w.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Handshake", theme.ListIcon(), w.timeline.scroll),
		container.NewTabItemWithIcon("Certificate", theme.DocumentIcon(), w.cert.content),
	)

	bar := container.NewBorder(nil, nil, widget.NewLabel("URL"), container.NewHBox(w.inspect, w.cancel, w.demo, w.openCert), w.url)
	top := container.NewVBox(bar, w.status)
	w.Window.SetContent(container.NewBorder(top, nil, nil, nil, w.tabs))
	w.Window.Resize(DefaultSize)
	w.Window.Canvas().Focus(w.url)
	w.Window.Canvas().AddShortcut(OpenShortcut, func(fyne.Shortcut) { w.OpenCertificate() })
	w.Window.SetOnClosed(func() {
		if w.stop != nil {
			w.stop()
		}
		if local != nil {
			local.Close()
		}
	})
	return w
}

// StartDemo starts the built-in demo server (an FTPS server inside Lockbox,
// on 127.0.0.1, with a self-signed certificate) and inspects it, so that a
// newcomer sees the whole flow with no server of their own. It must be
// called on the UI goroutine.
func (w *MainWindow) StartDemo() {
	if w.running {
		return
	}
	w.demo.Disable()
	w.setStatus("Starting the local demo server …", widget.MediumImportance)
	start, do := w.deps.StartDemo, w.do
	go func() {
		url, err := start()
		do(func() {
			w.demo.Enable()
			if err != nil {
				w.setStatus("The local demo server could not start: "+err.Error(), widget.DangerImportance)
				return
			}
			w.url.SetText(url)
			w.Start()
		})
	}()
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

// SetURL fills the URL entry, e.g. from the command line.
func (w *MainWindow) SetURL(u string) { w.url.SetText(u) }

// Start inspects the URL in the entry. It does nothing while an inspection
// is already running. It must be called on the UI goroutine.
func (w *MainWindow) Start() {
	if w.running {
		return
	}
	raw := strings.TrimSpace(w.url.Text)
	if raw == "" {
		w.setStatus("Enter a URL first: "+URLPlaceholder+".", widget.WarningImportance)
		return
	}
	target, err := client.ParseURL(raw)
	if err != nil {
		w.setStatus(err.Error(), widget.DangerImportance)
		return
	}

	w.gen++
	gen := w.gen
	w.dialed = target.Host
	ctx, stop := context.WithCancel(context.Background())
	w.stop = stop
	w.running = true
	w.cancelled = false
	w.timeline.clear()
	w.cert.showPending(target.String())
	w.tabs.SelectIndex(0)
	w.inspect.Disable()
	w.url.Disable()
	w.cancel.Enable()
	w.setStatus("Connecting to "+target.String()+" …", widget.MediumImportance)

	do := w.do // the engine goroutines reach the UI only through do
	opts := client.Options{
		Pins:    w.deps.Pins,
		TLSSeen: w.deps.TLSSeen,
		Now:     w.deps.Now,
		Observer: trace.ObserverFunc(func(s trace.Step) {
			do(func() {
				if w.gen == gen {
					w.timeline.add(s)
				}
			})
		}),
		Decide: func(ctx context.Context, d client.Decision) client.Choice {
			return w.decide(ctx, do, gen, d)
		},
	}
	inspect := w.deps.Inspect
	go func() {
		defer stop()
		rep, err := inspect(ctx, target, opts)
		do(func() { w.finish(gen, rep, err) })
	}()
}

// Cancel stops the running inspection, answering Reject to an open trust
// question. It must be called on the UI goroutine.
func (w *MainWindow) Cancel() {
	if !w.running || w.stop == nil {
		return
	}
	w.cancelled = true
	w.stop()
	w.cancel.Disable()
	w.setStatus("Cancelling …", widget.WarningImportance)
}

// decide runs on the engine goroutine: it shows the trust question on the UI
// goroutine and waits for the answer (or for the inspection to end).
func (w *MainWindow) decide(ctx context.Context, do func(func()), gen int, d client.Decision) client.Choice {
	answer := make(chan client.Choice, 1)
	do(func() {
		if w.gen != gen {
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
			if w.trustDlg != nil && w.gen == gen {
				w.trustDlg.dismiss()
				w.trustDlg = nil
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
	dlg = newTrustDialog(w.Window, d, w.dialed, w.now(), canPin, w.deps.Pins != nil, func(c client.Choice) {
		if w.trustDlg == dlg {
			w.trustDlg = nil
		}
		select {
		case answer <- c:
		default: // already answered
		}
	})
	w.trustDlg = dlg
	dlg.show()
	if w.onDialog != nil {
		w.onDialog(dlg)
	}
}

// finish shows the outcome of inspection gen.
func (w *MainWindow) finish(gen int, rep *client.Report, err error) {
	if gen != w.gen {
		return
	}
	w.running = false
	w.stop = nil
	if w.trustDlg != nil {
		w.trustDlg.dismiss()
		w.trustDlg = nil
	}
	w.inspect.Enable()
	w.url.Enable()
	w.cancel.Disable()
	if rep != nil && w.timeline.len() == 0 {
		for _, s := range rep.Steps {
			w.timeline.add(s)
		}
	}
	w.cert.show(rep, err, w.dialed, w.now())

	switch {
	case w.cancelled || errors.Is(err, context.Canceled):
		w.setStatus("Cancelled.", widget.WarningImportance)
	case err != nil && client.IsTrustFailure(err):
		w.setStatus(Summary(rep)+" — the connection was refused.", widget.DangerImportance)
	case err != nil:
		w.setStatus("Failed: "+err.Error(), widget.DangerImportance)
	default:
		imp := widget.SuccessImportance
		switch verdictColor(rep) {
		case theme.ColorNameError:
			imp = widget.DangerImportance
		case theme.ColorNameWarning:
			imp = widget.WarningImportance
		}
		w.setStatus(Summary(rep), imp)
	}
	if w.onDone != nil {
		w.onDone(rep, err)
	}
}

func (w *MainWindow) setStatus(msg string, imp widget.Importance) {
	w.status.Importance = imp
	w.status.SetText(msg)
}

// Summary says in one line whether a connection was trusted and why:
// "Trusted: verified chain", "Not trusted: self_signed, hostname_mismatch".
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
			errs = append(errs, p.Code)
		} else {
			warns = append(warns, p.Code)
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
