package identityui

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/certview"
	"lockbox/client/identity"
	"lockbox/client/secrets"
	"lockbox/client/verify"
)

// ManagerWindowSize is the size the identity manager's window opens at.
var ManagerWindowSize = fyne.NewSize(1000, 700)

// ManagerOptions is what the manager needs besides the stores.
type ManagerOptions struct {
	// Now is the clock expiry is judged by; nil means time.Now.
	Now func() time.Time
	// Do runs a function on the UI goroutine; nil means fyne.Do.
	Do func(func())
}

// Manager lists the saved client identities (name, subject, issuer,
// expiry: red when expired, in the warning colour within ExpiringSoon),
// adds one from files, removes one after asking, and shows the selected
// one's certificate in the certificate inspector. Its methods must be
// called on the UI goroutine.
type Manager struct {
	win   fyne.Window
	store *identity.Store
	sec   secrets.Store
	opts  ManagerOptions

	items    []identity.Saved
	selected string // name of the selected identity, "" for none

	list        *widget.List
	add, remove *widget.Button
	status      *widget.Label
	top         *fyne.Container // the buttons and the status
	detail      *fyne.Container
	panel       *certview.Panel
	content     fyne.CanvasObject

	addForm *addForm       // the open Add form, if any
	confirm *removeConfirm // the open question before removing, if any
}

// ShowManager opens the identity manager in a window of its own
// ("Client certificates") and returns it; Window() is that window.
func ShowManager(a fyne.App, store *identity.Store, sec secrets.Store, opts ManagerOptions) *Manager {
	w := a.NewWindow("Client certificates")
	m := NewManager(w, store, sec, opts)
	w.SetContent(m.Content())
	w.Resize(ManagerWindowSize)
	w.Show()
	return m
}

// NewManager builds the manager for win, whose content the caller sets to
// Content(). store holds the identities (nil shows that none can be saved),
// sec their passwords (nil: passwords are asked each time).
func NewManager(win fyne.Window, store *identity.Store, sec secrets.Store, opts ManagerOptions) *Manager {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Do == nil {
		opts.Do = fyne.Do
	}
	m := &Manager{win: win, store: store, sec: sec, opts: opts}

	m.add = widget.NewButtonWithIcon("Add…", theme.ContentAddIcon(), m.showAdd)
	m.remove = widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), m.askRemove)
	m.status = wrapped("")
	m.status.Hide()

	header := container.NewGridWithColumns(4, heading("Name"), heading("Subject"), heading("Issuer"), heading("Expires"))
	m.list = widget.NewList(
		func() int { return len(m.items) },
		func() fyne.CanvasObject {
			name := truncated("name")
			name.TextStyle = fyne.TextStyle{Bold: true}
			return container.NewGridWithColumns(4, name, truncated("subject"), truncated("issuer"), truncated("expires"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { m.updateRow(i, o) },
	)
	m.list.OnSelected = func(i widget.ListItemID) {
		if i >= 0 && i < len(m.items) {
			m.selected = m.items[i].Name
			m.showDetail()
		}
	}
	m.list.OnUnselected = func(widget.ListItemID) {
		m.selected = ""
		m.showDetail()
	}

	m.detail = container.NewStack()
	split := container.NewVSplit(container.NewBorder(header, nil, nil, nil, m.list), m.detail)
	split.SetOffset(0.35)
	m.top = container.NewVBox(container.NewHBox(m.add, m.remove), m.status)
	m.content = container.NewBorder(m.top, nil, nil, nil, split)

	if store == nil {
		m.add.Disable()
		m.setStatus("Saved identities are not available: the file that keeps them could not be opened.", widget.WarningImportance)
	}
	m.Reload()
	return m
}

// Content is what the manager shows, for the window's SetContent.
func (m *Manager) Content() fyne.CanvasObject { return m.content }

// Window is the window the manager belongs to.
func (m *Manager) Window() fyne.Window { return m.win }

// Reload shows the store's identities again, keeping the selection when it
// still exists.
func (m *Manager) Reload() {
	keep := m.selected
	m.list.UnselectAll()
	m.selected = ""
	m.items = nil
	if m.store != nil {
		m.items = m.store.List()
	}
	m.list.Refresh()
	if !m.Select(keep) {
		m.showDetail()
	}
}

// Select selects the identity saved as name and reports whether there is
// one.
func (m *Manager) Select(name string) bool {
	for i, sv := range m.items {
		if sv.Name == name && name != "" {
			m.list.Select(i)
			return true
		}
	}
	return false
}

// setStatus shows msg above the list ("" hides it).
func (m *Manager) setStatus(msg string, imp widget.Importance) {
	setStatus(m.status, msg, imp)
	m.top.Refresh()
}

// Selected returns the name of the selected identity, "" for none.
func (m *Manager) Selected() string { return m.selected }

func (m *Manager) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	if i < 0 || i >= len(m.items) {
		return
	}
	sv := m.items[i]
	cells := o.(*fyne.Container).Objects
	cells[0].(*widget.Label).SetText(sv.Name)
	cells[1].(*widget.Label).SetText(sv.Subject)
	cells[2].(*widget.Label).SetText(sv.Issuer)
	text, imp := expiryText(sv.NotAfter, m.opts.Now())
	expires := cells[3].(*widget.Label)
	expires.Importance = imp
	expires.SetText(text)
}

// selectedSaved returns the selected identity.
func (m *Manager) selectedSaved() (identity.Saved, bool) {
	for _, sv := range m.items {
		if sv.Name == m.selected && m.selected != "" {
			return sv, true
		}
	}
	return identity.Saved{}, false
}

// showDetail shows the selected identity: where it comes from, where its
// password is, and its certificate in the inspector.
func (m *Manager) showDetail() {
	sv, ok := m.selectedSaved()
	if ok {
		m.remove.Enable()
	} else {
		m.remove.Disable()
	}
	m.detail.RemoveAll()
	if !ok {
		msg := "Select an identity to see its certificate."
		if len(m.items) == 0 {
			msg = "No client certificates are saved. Press Add… to save one: Lockbox keeps where its files are, " +
				"and its password in the system keyring, never the private key itself."
		}
		m.detail.Add(container.NewVBox(wrapped(msg)))
		m.panel = nil
		return
	}
	password := "none needed"
	switch {
	case sv.HasPassword:
		password = "saved in the system keyring"
	case sv.NeedsPassword:
		password = "not saved: asked each time the identity is used"
	}
	info := widget.NewForm(
		widget.NewFormItem("Name", heading(sv.Name)),
		widget.NewFormItem("Files", wrapped(sv.Files.String())),
		widget.NewFormItem("Password", widget.NewLabel(password)),
	)
	model, err := detailModel(sv, m.opts.Now())
	if err != nil {
		l := wrapped(err.Error())
		l.Importance = widget.DangerImportance
		m.detail.Add(container.NewBorder(info, nil, nil, nil, l))
		m.panel = nil
		return
	}
	m.panel = certview.NewPanel(model, m.win)
	m.detail.Add(container.NewBorder(info, nil, nil, nil, m.panel))
}

// detailModel is the inspector's model of a saved identity: its
// certificates as saved, judged as a client certificate (only its
// validity: the server is the one that checks the rest).
func detailModel(sv identity.Saved, now time.Time) (*certview.Model, error) {
	chain, err := sv.Chain()
	if err != nil {
		return nil, err
	}
	leaf := chain[0]
	date := func(t time.Time) string { return t.In(now.Location()).Format(dateLayout) }
	verdict := fmt.Sprintf("Client certificate %q, valid until %s.", sv.Name, date(leaf.NotAfter))
	advice := ""
	var problems []verify.Problem
	switch left := leaf.NotAfter.Sub(now); {
	case now.Before(leaf.NotBefore):
		verdict = fmt.Sprintf("Client certificate %q is not valid before %s.", sv.Name, date(leaf.NotBefore))
		problems = append(problems, verify.Problem{Level: 0, Field: verify.FieldValidity, Code: verify.CodeNotYetValid,
			Severity: verify.SeverityError, Message: "Servers will refuse this certificate until " + date(leaf.NotBefore) + "."})
	case left < 0:
		verdict = fmt.Sprintf("Client certificate %q expired on %s, %s ago.", sv.Name, date(leaf.NotAfter), verify.HumanDuration(left))
		advice = "Servers will refuse it: ask its issuer for a new one."
		problems = append(problems, verify.Problem{Level: 0, Field: verify.FieldValidity, Code: verify.CodeExpired,
			Severity: verify.SeverityError, Message: "This certificate has expired; servers will refuse it."})
	case left < ExpiringSoon:
		verdict = fmt.Sprintf("Client certificate %q expires on %s, in %s.", sv.Name, date(leaf.NotAfter), verify.HumanDuration(left))
		advice = "Ask its issuer for a new one soon."
		problems = append(problems, verify.Problem{Level: 0, Field: verify.FieldValidity, Code: verify.CodeExpiresSoon,
			Severity: verify.SeverityWarning, Message: "This certificate expires in " + verify.HumanDuration(left) + "."})
	}
	// No Source: the files are listed above the inspector already.
	model := certview.Build(chain, problems, certview.ModelOptions{Now: now})
	// certview judges server chains; for a client certificate only its own
	// validity is Lockbox's business, so the summary says just that.
	model.Verdict, model.Advice = verdict, advice
	model.Trusted = !now.Before(leaf.NotBefore) && !now.After(leaf.NotAfter)
	model.Summary = strings.TrimSpace(verdict + " " + advice)
	return model, nil
}

// removeConfirm asks before an identity is removed.
type removeConfirm struct {
	dlg     *dialog.CustomDialog
	yes, no *widget.Button
	name    string
}

// askRemove asks whether to remove the selected identity.
func (m *Manager) askRemove() {
	sv, ok := m.selectedSaved()
	if !ok || m.store == nil {
		return
	}
	rc := &removeConfirm{name: sv.Name}
	msg := fmt.Sprintf("Remove the client certificate %q? Lockbox forgets it", sv.Name)
	if sv.HasPassword {
		msg += " and deletes its password from the keyring"
	}
	msg += ". The files stay where they are:\n" + sv.Files.String()
	rc.no = widget.NewButton("Cancel", func() { rc.dlg.Hide() })
	rc.yes = widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() {
		rc.dlg.Hide()
		m.removeNow(rc.name)
	})
	rc.yes.Importance = widget.DangerImportance
	rc.dlg = dialog.NewCustomWithoutButtons("Remove "+sv.Name+"?", wrapped(msg), m.win)
	rc.dlg.SetButtons([]fyne.CanvasObject{rc.no, rc.yes})
	rc.dlg.SetOnClosed(func() {
		if m.confirm == rc {
			m.confirm = nil
		}
	})
	rc.dlg.Resize(fyne.NewSize(520, rc.dlg.MinSize().Height))
	m.confirm = rc
	rc.dlg.Show()
}

// removeNow removes name off the UI goroutine (the keyring may be slow).
func (m *Manager) removeNow(name string) {
	m.remove.Disable()
	m.setStatus("Removing "+name+" …", widget.MediumImportance)
	store, sec := m.store, m.sec
	go func() {
		err := store.Remove(name, sec)
		m.opts.Do(func() {
			switch {
			case errors.Is(err, identity.ErrPasswordNotDeleted):
				m.setStatus(err.Error(), widget.WarningImportance)
			case err != nil:
				m.setStatus("Not removed: "+err.Error(), widget.DangerImportance)
			default:
				m.setStatus(fmt.Sprintf("Removed %q; its files were left where they are.", name), widget.SuccessImportance)
			}
			m.Reload()
		})
	}()
}

// addForm saves a new identity: its file or files, its password and a name.
type addForm struct {
	m        *Manager
	dlg      *dialog.CustomDialog
	content  *fyne.Container
	name     *widget.Entry
	files    *fileChooser
	password *widget.Entry
	status   *widget.Label
	save     *widget.Button
	cancel   *widget.Button

	chosen   identity.Files
	complete bool // chosen is a whole identity
	busy     bool // the store is saving it
	closed   bool
}

// showAdd opens the Add form.
func (m *Manager) showAdd() {
	if m.store == nil || m.addForm != nil {
		return
	}
	f := &addForm{m: m}
	f.name = widget.NewEntry()
	f.name.SetPlaceHolder("e.g. Work, Bank, Partner FTP")
	f.name.OnChanged = func(string) { f.update() }
	f.files = newFileChooser(m.win, m.opts.Do, f.filesChanged)
	f.password = newPasswordEntry()
	f.password.SetPlaceHolder("for a PKCS#12 file")
	f.password.OnSubmitted = func(string) { f.submit() }
	// The status line is always there, empty or not, so that a message
	// does not need a dialog that grows.
	f.status = wrapped("")
	form := widget.NewForm(
		widget.NewFormItem("File", f.files.box),
		widget.NewFormItem("Password", f.password),
		widget.NewFormItem("Name", f.name),
	)
	note := wrapped("Lockbox saves where the files are and puts the password in the system keyring; " +
		"the private key itself is read from the files each time it is used.")
	note.Importance = widget.LowImportance

	f.cancel = widget.NewButton("Cancel", func() { f.dlg.Hide() })
	f.save = widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), f.submit)
	f.save.Importance = widget.HighImportance
	f.content = container.NewVBox(form, f.status, note)
	f.dlg = dialog.NewCustomWithoutButtons("Add a client certificate", f.content, m.win)
	f.dlg.SetButtons([]fyne.CanvasObject{f.cancel, f.save})
	f.dlg.SetOnClosed(func() {
		f.closed = true
		f.password.SetText("")
		if m.addForm == f {
			m.addForm = nil
		}
	})
	f.dlg.Resize(fyne.NewSize(640, f.dlg.MinSize().Height))
	m.addForm = f
	f.update()
	f.dlg.Show()
}

// say shows msg in the form's status line.
func (f *addForm) say(msg string, imp widget.Importance) {
	f.status.Importance = imp
	f.status.SetText(msg)
}

func (f *addForm) update() {
	if f.complete && !f.busy && strings.TrimSpace(f.name.Text) != "" {
		f.save.Enable()
	} else {
		f.save.Disable()
	}
}

// filesChanged follows the file chooser; the name defaults to the file's.
func (f *addForm) filesChanged(files identity.Files, complete bool, msg string, isErr bool) {
	f.chosen, f.complete = files, complete
	imp := widget.MediumImportance
	if isErr {
		imp = widget.DangerImportance
	}
	f.say(msg, imp)
	if complete && strings.TrimSpace(f.name.Text) == "" {
		base := filesLabel(identity.Files{CertFile: files.CertFile, PKCS12: files.PKCS12})
		f.name.SetText(strings.TrimSuffix(base, filepath.Ext(base)))
	}
	f.update()
}

// submit saves the identity off the UI goroutine: the store reads the
// files (a PKCS#12 key derivation takes a moment) and the keyring.
func (f *addForm) submit() {
	if f.busy || !f.complete || f.closed {
		return
	}
	f.busy = true
	f.update()
	f.say("Checking and saving "+filesLabel(f.chosen)+" …", widget.MediumImportance)
	m, name, files, password := f.m, f.name.Text, f.chosen, f.password.Text
	go func() {
		sv, err := m.store.Add(name, files, password, m.sec)
		m.opts.Do(func() { f.done(sv, err, password == "") })
	}()
}

// done shows the outcome of submit: the form stays open to fix a mistake.
func (f *addForm) done(sv identity.Saved, err error, noPassword bool) {
	f.busy = false
	m := f.m
	var w *identity.Warning
	switch {
	case err == nil || errors.As(err, &w):
		if !f.closed {
			f.dlg.Hide()
		}
		if w != nil {
			m.setStatus(w.Error(), widget.WarningImportance)
		} else {
			m.setStatus(fmt.Sprintf("Saved %q.", sv.Name), widget.SuccessImportance)
		}
		m.Reload()
		m.Select(sv.Name)
		return
	case f.closed:
		// The form was cancelled while saving: nothing was saved.
	case errors.Is(err, identity.ErrWrongPassword) && noPassword:
		f.say(filesLabel(f.chosen)+" is protected by a password: type it, then press Add.", widget.WarningImportance)
		m.win.Canvas().Focus(f.password)
	case errors.Is(err, identity.ErrWrongPassword):
		f.say("That password does not open "+filesLabel(f.chosen)+"; try again.", widget.DangerImportance)
		m.win.Canvas().Focus(f.password)
	case errors.Is(err, identity.ErrNameTaken):
		f.say(err.Error(), widget.DangerImportance)
		m.win.Canvas().Focus(f.name)
	default:
		f.say(err.Error(), widget.DangerImportance)
	}
	f.update()
}
