package sitesui

import (
	"errors"
	"fmt"
	"image/color"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/client/secrets"
	"lockbox/client/sites"
	"lockbox/ui/pick"
)

// DemoName is the list's fixed first entry: the built-in local demo server,
// which cannot be edited or deleted. Connecting to it calls OnDemo.
const DemoName = "Local demo"

// DialogSize is the size the site manager dialog opens at.
var DialogSize = fyne.NewSize(940, 640)

// Manager is the site manager. Its fields and methods are for the UI
// goroutine only.
type Manager struct {
	// OnConnect is called, on the UI goroutine, when Connect is pressed for
	// a site: the site as the form shows it (saved or not) and its password,
	// typed or from the keyring ("" when none is known: ask). The caller
	// resolves site.Identity and applies site.Apply to its options.
	OnConnect func(site sites.Site, password string)
	// OnDemo is called, on the UI goroutine, when Connect is pressed with
	// the Local demo entry selected.
	OnDemo func()
	// Identities lists the names of the saved client identities offered
	// besides "Ask when requested" and "Never send"; nil offers none. It is
	// called on the UI goroutine each time a site is shown.
	Identities func() []string

	win        fyne.Window
	store      *sites.Store
	sec        secrets.Store
	keyringErr error
	do         func(func())

	content fyne.CanvasObject
	dlg     *dialog.CustomDialog

	list    *widget.List
	items   []sites.Site // the saved sites; list row i+1 is items[i]
	current int          // selected row: 0 the demo, -1 a new site
	editing string       // name of the saved site in the form; "" for a new one

	form     *fyne.Container
	demoNote *widget.Label

	name, host, port, user, password, localDir, remoteDir *widget.Entry
	protocol, passive, minTLS, identity                   *widget.Select

	caFiles    []string
	caList     *widget.List
	caSelected int

	passwordNote *widget.Label
	keyringNote  *widget.Label
	forget       *widget.Button
	errLabel     *widget.Label
	status       *widget.Label

	newBtn, importBtn, deleteBtn, saveBtn, connectBtn *widget.Button
	addCA, removeCA, browseLocal                      *widget.Button

	// gen counts the sites shown, so that a keyring answer for an earlier
	// one is dropped.
	gen int
	// pending counts background operations not yet reported back.
	pending int
	// lastScheme remembers the protocol the port default was for.
	lastScheme client.Scheme
}

// New builds the site manager for the sites in store and the passwords in
// sec. keyringErr is why the system keyring cannot be used (from
// secrets.Open), nil when it can; the password field then says passwords
// will not be saved and why, and sec (an in-memory store) keeps them only
// until Lockbox exits. do runs a function on the UI goroutine; nil means
// fyne.Do.
func New(win fyne.Window, store *sites.Store, sec secrets.Store, keyringErr error, do func(func())) *Manager {
	if do == nil {
		do = fyne.Do
	}
	if sec == nil {
		sec = secrets.NewMemory()
	}
	m := &Manager{win: win, store: store, sec: sec, keyringErr: keyringErr, do: do, current: -1, caSelected: -1}
	m.build()
	m.reloadList("")
	m.newSite()
	return m
}

// Content returns the manager's widgets, to put in a window or a dialog.
func (m *Manager) Content() fyne.CanvasObject { return m.content }

// Show opens the manager as a dialog over its window; connecting closes it.
func (m *Manager) Show() {
	if m.dlg == nil {
		m.dlg = dialog.NewCustom("Sites", "Close", m.content, m.win)
	}
	m.dlg.Resize(DialogSize)
	m.dlg.Show()
}

func (m *Manager) build() {
	m.list = widget.NewList(
		func() int { return len(m.items) + 1 },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, widget.NewIcon(theme.ComputerIcon()), nil, widget.NewLabel("site name"))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			label := c.Objects[0].(*widget.Label)
			icon := c.Objects[1].(*widget.Icon)
			if id == 0 {
				label.SetText(DemoName)
				icon.SetResource(theme.ComputerIcon())
				return
			}
			if id-1 < len(m.items) {
				s := m.items[id-1]
				label.SetText(s.Name)
				icon.SetResource(schemeIcon(s.Scheme()))
			}
		})
	m.list.OnSelected = m.selectRow

	m.name = widget.NewEntry()
	m.host = widget.NewEntry()
	m.host.SetPlaceHolder("ftp.example.com")
	m.port = widget.NewEntry()
	m.user = widget.NewEntry()
	m.password = widget.NewPasswordEntry()
	m.localDir = widget.NewEntry()
	m.localDir.SetPlaceHolder("the default download folder")
	m.remoteDir = widget.NewEntry()
	m.remoteDir.SetPlaceHolder("the server's home folder")
	for _, e := range []*widget.Entry{m.name, m.host, m.port, m.user, m.localDir, m.remoteDir} {
		e.AlwaysShowValidationError = true
		e.OnChanged = func(string) { e.SetValidationError(nil) }
	}
	m.protocol = widget.NewSelect(protocols.Labels(), m.protocolChanged)
	m.passive = widget.NewSelect(passiveModes.Labels(), nil)
	m.minTLS = widget.NewSelect(tlsMinimums.Labels(), nil)
	m.identity = widget.NewSelect(nil, nil)

	m.passwordNote = widget.NewLabel("")
	m.passwordNote.Wrapping = fyne.TextWrapWord
	var keyringRow fyne.CanvasObject
	m.keyringNote, _, keyringRow = keyringNotice(m.win, m.keyringErr)
	m.forget = widget.NewButtonWithIcon("Forget saved password", theme.DeleteIcon(), m.forgetPassword)
	m.forget.Hide()

	m.caList = widget.NewList(
		func() int { return len(m.caFiles) },
		func() fyne.CanvasObject { return widget.NewLabel("ca.pem") },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(m.caFiles) {
				o.(*widget.Label).SetText(m.caFiles[id])
			}
		})
	m.caList.OnSelected = func(id widget.ListItemID) { m.caSelected = id; m.removeCA.Enable() }
	m.caList.OnUnselected = func(widget.ListItemID) { m.caSelected = -1; m.removeCA.Disable() }
	m.addCA = widget.NewButtonWithIcon("Add CA file…", theme.ContentAddIcon(), m.chooseCAFile)
	m.removeCA = widget.NewButtonWithIcon("Remove", theme.ContentRemoveIcon(), m.removeSelectedCA)
	m.removeCA.Disable()
	caHeight := canvas.NewRectangle(color.Transparent)
	caHeight.SetMinSize(fyne.NewSize(0, 72))
	m.browseLocal = widget.NewButtonWithIcon("", theme.FolderOpenIcon(), m.chooseLocalDir)

	passwordBox := container.NewVBox(m.password, m.passwordNote, keyringRow, container.NewHBox(m.forget))
	caBox := container.NewBorder(nil, container.NewHBox(m.addCA, m.removeCA), nil, nil, container.NewStack(caHeight, m.caList))
	formWidget := widget.NewForm(
		widget.NewFormItem("Name", m.name),
		widget.NewFormItem("Protocol", m.protocol),
		widget.NewFormItem("Host", m.host),
		widget.NewFormItem("Port", m.port),
		widget.NewFormItem("User", m.user),
		widget.NewFormItem("Password", passwordBox),
		widget.NewFormItem("Passive mode", m.passive),
		widget.NewFormItem("TLS minimum", m.minTLS),
		widget.NewFormItem("Extra CA roots", caBox),
		widget.NewFormItem("Client certificate", m.identity),
		widget.NewFormItem("Local folder", container.NewBorder(nil, nil, nil, m.browseLocal, m.localDir)),
		widget.NewFormItem("Remote folder", m.remoteDir),
	)
	m.demoNote = widget.NewLabel("The built-in demo: an FTPS server inside Lockbox, on 127.0.0.1, with a fresh self-signed " +
		"certificate, so you can watch a whole handshake and the trust question without a server of your own. " +
		"It cannot be edited or deleted; press Connect to start it.")
	m.demoNote.Wrapping = fyne.TextWrapWord
	m.demoNote.Hide()
	m.form = container.NewVBox(formWidget)

	m.errLabel = widget.NewLabel("")
	m.errLabel.Wrapping = fyne.TextWrapWord
	m.errLabel.Importance = widget.DangerImportance
	m.errLabel.Hide()
	m.status = widget.NewLabel("")
	m.status.Wrapping = fyne.TextWrapWord

	m.newBtn = widget.NewButtonWithIcon("New site", theme.ContentAddIcon(), func() {
		m.newSite()
		m.win.Canvas().Focus(m.host)
	})
	m.importBtn = widget.NewButtonWithIcon("Import from FileZilla…", theme.DownloadIcon(), m.ChooseImport)
	m.deleteBtn = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), m.confirmDelete)
	m.saveBtn = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), m.save)
	m.connectBtn = widget.NewButtonWithIcon("Connect", theme.LoginIcon(), m.connect)
	m.connectBtn.Importance = widget.HighImportance

	left := container.NewBorder(nil, container.NewVBox(m.newBtn, m.importBtn), nil, nil, m.list)
	buttons := container.NewHBox(m.deleteBtn, m.saveBtn, m.connectBtn)
	right := container.NewBorder(m.demoNote, container.NewVBox(m.errLabel, m.status, buttons), nil, nil,
		container.NewVScroll(m.form))
	split := container.NewHSplit(left, right)
	split.Offset = 0.28
	m.content = split
}

// schemeIcon marks plain FTP sites as unprotected in the list.
func schemeIcon(s client.Scheme) fyne.Resource {
	if s == client.FTP {
		return theme.WarningIcon()
	}
	return theme.StorageIcon()
}

// reloadList shows the store's sites and selects the one called name ("" =
// leave the selection to the caller).
func (m *Manager) reloadList(name string) {
	m.items = m.store.List()
	m.list.Refresh()
	if name == "" {
		return
	}
	for i, s := range m.items {
		if s.Name == name {
			m.current = -2 // force selectRow to load it
			m.list.Select(i + 1)
			if m.current != i+1 {
				m.selectRow(i + 1)
			}
			return
		}
	}
}

// selectRow shows the demo (row 0) or a saved site.
func (m *Manager) selectRow(id widget.ListItemID) {
	if id == m.current {
		return
	}
	m.current = id
	m.clearErrors()
	m.status.SetText("")
	if id == 0 {
		m.editing = ""
		m.gen++
		m.form.Hide()
		m.demoNote.Show()
		m.deleteBtn.Disable()
		m.saveBtn.Disable()
		return
	}
	if id-1 >= len(m.items) {
		return
	}
	m.demoNote.Hide()
	m.form.Show()
	m.deleteBtn.Enable()
	m.saveBtn.Enable()
	m.load(m.items[id-1], true)
}

// newSite empties the form for a site that is not saved yet.
func (m *Manager) newSite() {
	m.list.UnselectAll()
	m.current = -1
	m.demoNote.Hide()
	m.form.Show()
	m.deleteBtn.Disable()
	m.saveBtn.Enable()
	m.clearErrors()
	m.status.SetText("")
	taken := map[string]bool{}
	for _, s := range m.items {
		taken[s.Name] = true
	}
	name := "New site"
	for n := 2; taken[name]; n++ {
		name = fmt.Sprintf("New site %d", n)
	}
	m.load(sites.Site{Name: name, URL: string(client.FTPES) + "://"}, false)
}

// load shows site in the form; for a saved site it asks the keyring, off
// the UI goroutine, whether a password is saved.
func (m *Manager) load(site sites.Site, saved bool) {
	m.editing = ""
	if saved {
		m.editing = site.Name
	}
	m.name.SetText(site.Name)
	scheme := site.Scheme()
	m.lastScheme = scheme
	m.protocol.SetSelected(protocols.Label(string(scheme)))
	host, port, path := "", "", ""
	if t, err := client.ParseURL(site.URL); err == nil {
		host, port, path = t.Host, strconv.Itoa(t.Port), t.Path
	}
	m.host.SetText(host)
	m.port.SetText(port)
	m.user.SetText(site.User)
	m.password.SetText("")
	m.passive.SetSelected(passiveModes.Label(site.Passive))
	m.minTLS.SetSelected(tlsMinimums.Label(site.MinTLS))
	m.caFiles = append([]string(nil), site.CAFiles...)
	m.caList.UnselectAll()
	m.caList.Refresh()
	m.setIdentityOptions(site.Identity)
	m.localDir.SetText(site.LocalDir)
	remote := site.RemoteDir
	if remote == "" {
		remote = path
	}
	m.remoteDir.SetText(remote)
	m.clearErrors()
	m.gen++
	m.passwordNote.SetText("")
	m.forget.Hide()
	if saved {
		m.checkPassword(site.Name)
	}
}

// checkPassword shows whether a password is saved for the site called name.
func (m *Manager) checkPassword(name string) {
	m.gen++
	gen := m.gen
	m.passwordNote.SetText("")
	m.forget.Hide()
	sec := m.sec
	m.background(func() func() {
		has, err := sites.HasPassword(sec, name)
		return func() {
			if gen != m.gen {
				return
			}
			switch {
			case err != nil:
				m.passwordNote.SetText("Whether a password is saved cannot be told: " + err.Error())
			case has:
				m.passwordNote.SetText("A password is saved. Type a new one to replace it, or leave this empty to keep it.")
				m.forget.Show()
			default:
				m.passwordNote.SetText("No password is saved; you will be asked when you connect, unless you type one here.")
			}
		}
	})
}

func (m *Manager) setIdentityOptions(value string) {
	opts := []string{identityAskLabel, identityNeverLabel}
	if m.Identities != nil {
		for _, n := range m.Identities() {
			if n != sites.IdentityAsk && n != sites.IdentityNever && n != identityAskLabel && n != identityNeverLabel {
				opts = append(opts, n)
			}
		}
	}
	selected := identityAskLabel
	switch value {
	case sites.IdentityAsk:
	case sites.IdentityNever:
		selected = identityNeverLabel
	default:
		found := false
		for _, o := range opts[2:] {
			found = found || o == value
		}
		if !found {
			// A saved identity since removed: keep showing what the site says.
			opts = append(opts, value)
		}
		selected = value
	}
	m.identity.SetOptions(opts)
	m.identity.SetSelected(selected)
}

func (m *Manager) identityValue() string {
	switch m.identity.Selected {
	case identityAskLabel, "":
		return sites.IdentityAsk
	case identityNeverLabel:
		return sites.IdentityNever
	}
	return m.identity.Selected
}

// protocolChanged moves the port along with the protocol when it was the
// old protocol's default.
func (m *Manager) protocolChanged(label string) {
	scheme := client.Scheme(protocols.Value(label))
	if m.lastScheme != "" && strings.TrimSpace(m.port.Text) == strconv.Itoa(m.lastScheme.DefaultPort()) {
		m.port.SetText(strconv.Itoa(scheme.DefaultPort()))
	}
	m.port.SetPlaceHolder(strconv.Itoa(scheme.DefaultPort()))
	m.lastScheme = scheme
	if scheme.IsFTP() {
		m.passive.Enable()
	} else {
		m.passive.Disable()
	}
	if scheme.UsesTLS() {
		m.minTLS.Enable()
	} else {
		m.minTLS.Disable()
	}
}

// formSite builds the site the form describes. The error is a
// *sites.FieldError, with Field "host" or "port" for those entries.
func (m *Manager) formSite() (sites.Site, error) {
	name := strings.TrimSpace(m.name.Text)
	fail := func(field, problem string) (sites.Site, error) {
		return sites.Site{}, &sites.FieldError{Site: name, Field: field, Problem: problem}
	}
	scheme := client.Scheme(protocols.Value(m.protocol.Selected))
	host := strings.TrimSpace(m.host.Text)
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	switch {
	case host == "":
		return fail("host", "enter the server's host name or address")
	case strings.Contains(host, "://"):
		return fail("host", "enter only the host name; choose the protocol above")
	case strings.ContainsAny(host, "/@ ") || (strings.Contains(host, ":") && net.ParseIP(host) == nil):
		return fail("host", fmt.Sprintf("%q is not a host name", host))
	}
	port := scheme.DefaultPort()
	if p := strings.TrimSpace(m.port.Text); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return fail("port", "use a number from 1 to 65535")
		}
		port = n
	}
	site := sites.Site{
		Name:      name,
		URL:       sites.MakeURL(scheme, host, port, ""),
		User:      strings.TrimSpace(m.user.Text),
		Passive:   passiveModes.Value(m.passive.Selected),
		MinTLS:    tlsMinimums.Value(m.minTLS.Selected),
		CAFiles:   append([]string(nil), m.caFiles...),
		Identity:  m.identityValue(),
		LocalDir:  strings.TrimSpace(m.localDir.Text),
		RemoteDir: strings.TrimSpace(m.remoteDir.Text),
	}
	if len(site.CAFiles) == 0 {
		site.CAFiles = nil
	}
	if err := site.Validate(); err != nil {
		return sites.Site{}, err
	}
	return site, nil
}

// showError shows err under the form and marks the field it is about.
func (m *Manager) showError(err error) {
	m.errLabel.SetText(err.Error())
	var fe *sites.FieldError
	if errors.As(err, &fe) {
		m.errLabel.SetText(fieldLabel(fe.Field) + ": " + fe.Problem)
		if e := m.fieldEntry(fe.Field); e != nil {
			e.SetValidationError(errors.New(fe.Problem))
		}
	}
	m.errLabel.Show()
}

func (m *Manager) clearErrors() {
	m.errLabel.SetText("")
	m.errLabel.Hide()
	for _, e := range []*widget.Entry{m.name, m.host, m.port, m.user, m.localDir, m.remoteDir} {
		e.SetValidationError(nil)
	}
}

func (m *Manager) fieldEntry(field string) *widget.Entry {
	switch field {
	case "name":
		return m.name
	case "host", "url":
		return m.host
	case "port":
		return m.port
	case "user":
		return m.user
	case "local_dir":
		return m.localDir
	case "remote_dir":
		return m.remoteDir
	}
	return nil
}

func fieldLabel(field string) string {
	switch field {
	case "name":
		return "Name"
	case "host", "url":
		return "Host"
	case "port":
		return "Port"
	case "user":
		return "User"
	case "passive":
		return "Passive mode"
	case "min_tls":
		return "TLS minimum"
	case "ca_files":
		return "Extra CA roots"
	case "identity":
		return "Client certificate"
	case "local_dir":
		return "Local folder"
	case "remote_dir":
		return "Remote folder"
	}
	return field
}

// background runs work off the UI goroutine and then, on the UI goroutine,
// the function it returns.
func (m *Manager) background(work func() func()) {
	m.pending++
	do := m.do
	go func() {
		done := work()
		do(func() {
			m.pending--
			done()
		})
	}()
}

func (m *Manager) setBusy(busy bool) {
	for _, b := range []*widget.Button{m.newBtn, m.importBtn, m.saveBtn, m.deleteBtn, m.connectBtn} {
		if busy {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if !busy && m.current == 0 {
		m.saveBtn.Disable()
		m.deleteBtn.Disable()
	}
	if !busy && m.editing == "" {
		m.deleteBtn.Disable()
	}
}

// save writes the form's site (renaming the saved one when the name
// changed) and, when one was typed, its password to the keyring.
func (m *Manager) save() {
	m.clearErrors()
	site, err := m.formSite()
	if err != nil {
		m.showError(err)
		return
	}
	if site.Name != m.editing {
		if _, taken := m.store.Get(site.Name); taken {
			m.showError(&sites.FieldError{Site: site.Name, Field: "name", Problem: "another site has this name"})
			return
		}
	}
	old, pw := m.editing, m.password.Text
	store, sec, keyringErr := m.store, m.sec, m.keyringErr
	m.setBusy(true)
	m.status.SetText("Saving …")
	m.background(func() func() {
		var err, pwErr error
		if old != "" && old != site.Name {
			err = store.Rename(old, site.Name, sec)
		}
		if err == nil {
			err = store.Put(site)
		}
		if err == nil && pw != "" {
			pwErr = sites.SavePassword(sec, site.Name, pw)
		}
		return func() {
			m.setBusy(false)
			if err != nil {
				m.status.SetText("")
				m.showError(err)
				return
			}
			m.reloadList(site.Name)
			switch {
			case pwErr != nil:
				m.status.SetText("The site was saved, but its password was not: " + pwErr.Error())
			case pw != "" && keyringErr != nil:
				m.status.SetText("The site was saved. Its password is kept only until Lockbox closes.")
			case pw != "":
				m.status.SetText("The site and its password were saved.")
			default:
				m.status.SetText("The site was saved.")
			}
		}
	})
}

// confirmDelete asks before deleting the selected site and its password.
func (m *Manager) confirmDelete() {
	name := m.editing
	if name == "" || m.current <= 0 {
		return
	}
	d := dialog.NewConfirm("Delete site", fmt.Sprintf("Delete the site %q and its saved password?", name), func(ok bool) {
		if ok {
			m.delete(name)
		}
	}, m.win)
	d.SetConfirmText("Delete")
	d.SetDismissText("Cancel")
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

func (m *Manager) delete(name string) {
	store, sec := m.store, m.sec
	m.setBusy(true)
	m.background(func() func() {
		err := store.Delete(name, sec)
		return func() {
			m.setBusy(false)
			m.reloadList("")
			if _, still := store.Get(name); still {
				m.showError(err)
				return
			}
			m.newSite()
			if err != nil && !errors.Is(err, sites.ErrNotFound) {
				m.showError(err)
				return
			}
			m.status.SetText(fmt.Sprintf("The site %q was deleted.", name))
		}
	})
}

// forgetPassword removes the shown site's saved password.
func (m *Manager) forgetPassword() {
	name := m.editing
	if name == "" {
		return
	}
	sec := m.sec
	m.background(func() func() {
		err := sites.DeletePassword(sec, name)
		return func() {
			if err != nil {
				m.showError(err)
				return
			}
			if m.editing == name {
				m.checkPassword(name)
			}
		}
	})
}

// connect hands the form's site and its password to OnConnect, or starts
// the demo.
func (m *Manager) connect() {
	m.clearErrors()
	if m.current == 0 {
		if m.dlg != nil {
			m.dlg.Hide()
		}
		if m.OnDemo != nil {
			m.OnDemo()
		}
		return
	}
	site, err := m.formSite()
	if err != nil {
		m.showError(err)
		return
	}
	finish := func(pw string) {
		if m.dlg != nil {
			m.dlg.Hide()
		}
		if m.OnConnect != nil {
			m.OnConnect(site, pw)
		}
	}
	if pw := m.password.Text; pw != "" || m.editing == "" {
		finish(pw)
		return
	}
	// The saved password is under the saved name, even if the form's name
	// was changed and not saved yet.
	name, sec := m.editing, m.sec
	m.background(func() func() {
		pw, err := sites.Password(sec, name)
		return func() {
			if err != nil && !errors.Is(err, secrets.ErrNotFound) {
				m.status.SetText("The saved password could not be read (" + err.Error() + "); you will be asked for it.")
			}
			finish(pw)
		}
	})
}

func (m *Manager) chooseCAFile() {
	m.pickFile(pick.File{Extensions: []string{".pem", ".crt", ".cer", ".der", ".p7b", ".p7c"}}, m.addCAFile)
}

// pickFile asks for a file as f says and hands its path to use; a failing
// dialog is shown as an error.
func (m *Manager) pickFile(f pick.File, use func(path string)) {
	pick.OpenFile(m.win, f, func(path string, _ error) { use(path) },
		func(err error) { dialog.ShowError(err, m.win) })
}

// addCAFile adds path to the form's CA files, once.
func (m *Manager) addCAFile(path string) {
	for _, f := range m.caFiles {
		if f == path {
			return
		}
	}
	m.caFiles = append(m.caFiles, path)
	m.caList.Refresh()
}

func (m *Manager) removeSelectedCA() {
	i := m.caSelected
	if i < 0 || i >= len(m.caFiles) {
		return
	}
	m.caFiles = append(m.caFiles[:i:i], m.caFiles[i+1:]...)
	m.caList.UnselectAll()
	m.caList.Refresh()
}

func (m *Manager) chooseLocalDir() {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil {
			dialog.ShowError(err, m.win)
			return
		}
		if u != nil {
			m.localDir.SetText(u.Path())
		}
	}, m.win)
	d.Show()
}

// ChooseImport asks for FileZilla's sitemanager.xml, starting in
// FileZilla's configuration folder when there is one, and imports it.
func (m *Manager) ChooseImport() {
	m.pickFile(pick.File{Extensions: []string{".xml"}, Dir: fileZillaDir()}, m.Import)
}

// fileZillaDir is where FileZilla 3 keeps sitemanager.xml, "" when absent.
func fileZillaDir() string {
	var candidates []string
	if dir, err := os.UserConfigDir(); err == nil {
		candidates = append(candidates, filepath.Join(dir, "filezilla"), filepath.Join(dir, "FileZilla"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".filezilla"))
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
	}
	return ""
}

// Import reads FileZilla's sitemanager.xml at path, off the UI goroutine,
// saves its sites and their passwords (to the keyring only), and shows a
// summary with every warning. Call it on the UI goroutine.
func (m *Manager) Import(path string) {
	store, sec, keyringErr := m.store, m.sec, m.keyringErr
	m.setBusy(true)
	m.status.SetText("Importing " + path + " …")
	m.background(func() func() {
		res, err := importFile(store, sec, path)
		return func() {
			m.setBusy(false)
			m.status.SetText("")
			if err != nil {
				dialog.ShowError(err, m.win)
				return
			}
			first := ""
			if len(res.Added) > 0 {
				first = res.Added[0]
			}
			m.reloadList(first)
			m.showSummary(ImportSummary(res, keyringErr))
		}
	})
}

// importFile imports the sitemanager.xml at path into store, its
// passwords into sec (kept only in memory when the keyring cannot be used).
func importFile(store *sites.Store, sec secrets.Store, path string) (sites.ImportResult, error) {
	res, err := store.ImportFileZillaFile(path, func() (secrets.Store, error) { return sec, nil })
	var fe *sites.ImportFileError
	switch {
	case errors.As(err, &fe) && fe.Op == "open":
		return res, fmt.Errorf("import from FileZilla: %w", err)
	case errors.As(err, &fe):
		return res, fmt.Errorf("import %w", err) // "import PATH: …"
	}
	return res, err
}

// ImportSummary is the text shown after an import: how many sites and
// passwords were saved, why any password was not, and every warning.
// keyringErr is why the system keyring is unavailable, nil when it works.
func ImportSummary(res sites.ImportResult, keyringErr error) string {
	var b strings.Builder
	switch len(res.Added) {
	case 0:
		b.WriteString("No sites were imported.")
	case 1:
		b.WriteString("1 site was imported.")
	default:
		fmt.Fprintf(&b, "%d sites were imported.", len(res.Added))
	}
	switch {
	case res.PasswordsSaved > 0 && keyringErr != nil:
		fmt.Fprintf(&b, "\n%d passwords were not saved: %v. They are kept only until Lockbox closes.", res.PasswordsSaved, keyringErr)
	case res.PasswordsSaved > 0:
		fmt.Fprintf(&b, "\n%d passwords were saved in the system keyring.", res.PasswordsSaved)
	}
	if len(res.PasswordsNotSaved) > 0 {
		fmt.Fprintf(&b, "\nThe passwords of %s were not saved: %v.", strings.Join(quoteAll(res.PasswordsNotSaved), ", "), res.PasswordError)
		if !res.KeyringUnavailable() {
			// An unavailable keyring's reason already says so.
			b.WriteString(" You will be asked for them when you connect.")
		}
	}
	if len(res.Warnings) > 0 {
		b.WriteString("\n\nWarnings:")
		for _, w := range res.Warnings {
			b.WriteString("\n• " + w)
		}
	}
	return b.String()
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strconv.Quote(n)
	}
	return out
}

func (m *Manager) showSummary(text string) {
	label := widget.NewLabel(text)
	label.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(label)
	scroll.SetMinSize(fyne.NewSize(560, 320))
	d := dialog.NewCustom("Import from FileZilla", "OK", scroll, m.win)
	d.Show()
}
