// Package trustui is the "Trusted servers and CAs" window: every pinned
// certificate and every CA Lockbox trusts beyond the system's, with what
// can be done to each (show it in the inspector, export it, check a pin
// against the server now, remove it after asking).
//
// Threading: exported methods run on the UI goroutine; "Check now" runs
// off it and comes back through the injectable Do (fyne.Do by default).
package trustui

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/certview"
	"lockbox/client/sites"
	"lockbox/client/trust"
	"lockbox/client/workshop"
)

// WindowSize is the size the window opens at.
var WindowSize = fyne.NewSize(900, 560)

// Options are what the manager needs besides the stores.
type Options struct {
	// Do runs a function on the UI goroutine; nil means fyne.Do.
	Do func(func())
	// Now is the clock dates are judged by; nil means time.Now.
	Now func() time.Time
	// Check connects to a pinned server and says whether it still shows
	// the pinned certificate; nil hides "Check now".
	Check func(ctx context.Context, hostPort string) (string, error)
	// SiteCAs lists the CA files of saved sites, shown beside the trusted
	// CAs (they are changed in the site manager); nil lists none.
	SiteCAs func() []sites.SiteCA
}

// entry is one row: a pin or a trusted CA.
type entry struct {
	pin  *trust.Pin
	ca   *trust.TrustedCA
	site *sites.SiteCA
}

func (e entry) cert() (*x509.Certificate, error) {
	if e.site != nil {
		if e.site.Err != nil {
			return nil, e.site.Err
		}
		return e.site.Cert, nil
	}
	if e.ca != nil {
		return e.ca.Cert()
	}
	if len(e.pin.Certificate) == 0 {
		return nil, fmt.Errorf("the pin of %s was saved by an older Lockbox, without its certificate: connect again to see it", e.pin.HostPort)
	}
	return x509.ParseCertificate(e.pin.Certificate)
}

// Manager is the trust store manager.
type Manager struct {
	win  fyne.Window
	pins *trust.Store
	cas  *trust.CAStore
	opts Options

	entries                     []entry
	selected                    int
	list                        *widget.List
	show, export, check, remove *widget.Button
	status                      *widget.Label
	content                     fyne.CanvasObject
	// confirm is the open "remove?" question, for tests.
	confirm *dialog.ConfirmDialog
}

// Show opens the manager in a window of its own.
func Show(a fyne.App, pins *trust.Store, cas *trust.CAStore, opts Options) *Manager {
	w := a.NewWindow("Trusted servers and CAs")
	m := New(w, pins, cas, opts)
	w.SetContent(m.Content())
	w.Resize(WindowSize)
	w.Show()
	return m
}

// New builds the manager for win; either store may be nil (nothing of
// that kind is listed).
func New(win fyne.Window, pins *trust.Store, cas *trust.CAStore, opts Options) *Manager {
	if opts.Do == nil {
		opts.Do = fyne.Do
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := &Manager{win: win, pins: pins, cas: cas, opts: opts, selected: -1}
	m.list = widget.NewList(func() int { return len(m.entries) }, func() fyne.CanvasObject {
		title := widget.NewLabel("host:port")
		title.TextStyle = fyne.TextStyle{Bold: true}
		detail := widget.NewLabel("detail")
		return container.NewVBox(title, detail)
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		box := o.(*fyne.Container)
		title, detail := m.describe(m.entries[id])
		box.Objects[0].(*widget.Label).SetText(title)
		box.Objects[1].(*widget.Label).SetText(detail)
	})
	m.list.OnSelected = func(id widget.ListItemID) { m.selected = id; m.updateButtons() }
	m.list.OnUnselected = func(widget.ListItemID) { m.selected = -1; m.updateButtons() }
	m.show = widget.NewButtonWithIcon("Show in inspector", theme.VisibilityIcon(), m.showSelected)
	m.export = widget.NewButtonWithIcon("Export PEM…", theme.DocumentSaveIcon(), m.exportSelected)
	m.check = widget.NewButtonWithIcon("Check now", theme.ViewRefreshIcon(), m.checkSelected)
	m.remove = widget.NewButtonWithIcon("Remove…", theme.DeleteIcon(), m.askRemove)
	if opts.Check == nil {
		m.check.Hide()
	}
	m.status = widget.NewLabel("")
	m.status.Wrapping = fyne.TextWrapWord
	intro := widget.NewLabel("Servers whose certificate you chose to always accept (pinned), and CAs trusted beyond the system's, for every server or one site. Remove one and Lockbox asks again.")
	intro.Wrapping = fyne.TextWrapWord
	buttons := container.NewHBox(m.show, m.export, m.check, m.remove)
	m.content = container.NewBorder(intro, container.NewVBox(buttons, m.status), nil, nil, m.list)
	m.Reload()
	return m
}

// Content is the manager's widget tree.
func (m *Manager) Content() fyne.CanvasObject { return m.content }

// Reload lists the stores again.
func (m *Manager) Reload() {
	m.entries = nil
	if m.pins != nil {
		for _, p := range m.pins.All() {
			p := p
			m.entries = append(m.entries, entry{pin: &p})
		}
	}
	if m.cas != nil {
		for _, c := range m.cas.All() {
			c := c
			m.entries = append(m.entries, entry{ca: &c})
		}
	}
	if m.opts.SiteCAs != nil {
		for _, sc := range m.opts.SiteCAs() {
			sc := sc
			m.entries = append(m.entries, entry{site: &sc})
		}
	}
	m.selected = -1
	m.list.UnselectAll()
	m.list.Refresh()
	if len(m.entries) == 0 {
		m.setStatus("Nothing is pinned and no CA is trusted beyond the system's.")
	}
	m.updateButtons()
}

// describe is the two lines of a row.
func (m *Manager) describe(e entry) (string, string) {
	date := func(t time.Time) string { return t.In(time.UTC).Format("2006-01-02") }
	if e.pin != nil {
		p := e.pin
		return fmt.Sprintf("%s — pinned: %s", p.HostPort, p.Subject),
			fmt.Sprintf("issued by %s · SHA-256 %s · accepted %s · expires %s", p.Issuer, trust.ShortFingerprint(p.SHA256), date(p.AcceptedAt), date(p.NotAfter))
	}
	if sc := e.site; sc != nil {
		if sc.Err != nil {
			return fmt.Sprintf("CA file of site %s: %s", sc.Site, sc.File), "unreadable: " + sc.Err.Error()
		}
		return fmt.Sprintf("CA for site %s (file %s): %s", sc.Site, sc.File, sc.Cert.Subject),
			fmt.Sprintf("SHA-256 %s · expires %s · change it in the site manager", trust.ShortFingerprint(trust.Fingerprint(sc.Cert.Raw)), date(sc.Cert.NotAfter))
	}
	c := e.ca
	return fmt.Sprintf("CA for %s: %s", c.Scope(), c.Subject),
		fmt.Sprintf("SHA-256 %s · added %s · expires %s", trust.ShortFingerprint(c.SHA256), date(c.AddedAt), date(c.NotAfter))
}

func (m *Manager) current() (entry, bool) {
	if m.selected < 0 || m.selected >= len(m.entries) {
		return entry{}, false
	}
	return m.entries[m.selected], true
}

func (m *Manager) updateButtons() {
	e, ok := m.current()
	for _, b := range []*widget.Button{m.show, m.export, m.remove} {
		if ok {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if ok && e.site != nil {
		m.remove.Disable() // the site manager owns its CA files
	}
	if ok && e.pin != nil {
		m.check.Enable()
	} else {
		m.check.Disable()
	}
}

func (m *Manager) setStatus(s string) {
	m.status.SetText(s)
}

// Select selects row i (for tests and keyboard users).
func (m *Manager) Select(i int) { m.list.Select(i) }

func (m *Manager) showSelected() {
	e, ok := m.current()
	if !ok {
		return
	}
	cert, err := e.cert()
	if err != nil {
		m.setStatus(err.Error())
		return
	}
	title, _ := m.describe(e)
	now := m.opts.Now()
	problems, chain, err := certview.OfflineProblems([]*x509.Certificate{cert}, nil, false, now)
	if err != nil {
		chain = []*x509.Certificate{cert}
	}
	model := certview.Build(chain, problems, certview.ModelOptions{Now: now, Source: title})
	w := fyne.CurrentApp().NewWindow(title)
	w.SetContent(certview.NewPanel(model, w))
	w.Resize(fyne.NewSize(1000, 700))
	w.Show()
}

// ExportTo writes the selected certificate as PEM to path.
func (m *Manager) ExportTo(path string) error {
	e, ok := m.current()
	if !ok {
		return fmt.Errorf("nothing is selected")
	}
	cert, err := e.cert()
	if err != nil {
		return err
	}
	return os.WriteFile(path, workshop.CertificatePEM(cert), 0o644)
}

func (m *Manager) exportSelected() {
	if _, ok := m.current(); !ok {
		return
	}
	dialog.ShowFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		path := wc.URI().Path()
		wc.Close()
		if err := m.ExportTo(path); err != nil {
			m.setStatus("Not exported: " + err.Error())
			return
		}
		m.setStatus("Exported to " + path + ".")
	}, m.win)
}

func (m *Manager) checkSelected() {
	e, ok := m.current()
	if !ok || e.pin == nil || m.opts.Check == nil {
		return
	}
	hp := e.pin.HostPort
	m.setStatus("Connecting to " + hp + " …")
	m.check.Disable()
	do := m.opts.Do
	go func() {
		msg, err := m.opts.Check(context.Background(), hp)
		do(func() {
			m.updateButtons()
			if err != nil {
				m.setStatus(hp + ": " + err.Error())
				return
			}
			m.setStatus(msg)
		})
	}()
}

func (m *Manager) askRemove() {
	e, ok := m.current()
	if !ok {
		return
	}
	if e.site != nil {
		m.setStatus("This CA is one of the site's CA files: remove it in File › Site manager….")
		return
	}
	var q string
	if e.pin != nil {
		q = fmt.Sprintf("Forget the certificate pinned for %s? Lockbox will ask again the next time it connects.", e.pin.HostPort)
	} else {
		q = fmt.Sprintf("Stop trusting %s for %s? Servers it vouches for will no longer be verified.", e.ca.Subject, e.ca.Scope())
	}
	m.confirm = dialog.NewConfirm("Remove?", q, func(yes bool) {
		m.confirm = nil
		if yes {
			m.RemoveSelected()
		}
	}, m.win)
	m.confirm.Show()
}

// RemoveSelected removes the selected pin or CA without asking (the
// Remove… button asks first).
func (m *Manager) RemoveSelected() {
	e, ok := m.current()
	if !ok {
		return
	}
	if e.site != nil {
		return
	}
	var err error
	var done string
	if e.pin != nil {
		err = m.pins.Remove(e.pin.HostPort)
		done = "The pin of " + e.pin.HostPort + " was removed."
	} else {
		err = m.cas.Remove(e.ca.SHA256, e.ca.Site)
		done = e.ca.Subject + " is no longer trusted."
	}
	if err != nil {
		m.setStatus("Not removed: " + err.Error())
		return
	}
	m.Reload()
	m.setStatus(done)
}
