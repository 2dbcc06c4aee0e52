package sitesui

import (
	"errors"
	"image/color"

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
	protocol, mode, passive, minTLS, identity             *widget.Select
	// proxy is the site's proxy URL ("" for the settings', "none");
	// proxyPass its password, for the keyring; fingerprint the one
	// certificate to trust.
	proxy, proxyPass, fingerprint *widget.Entry
	// verify checks each transfer with the server's hash.
	verify *widget.Check

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
	m.proxy = widget.NewEntry()
	m.proxy.SetPlaceHolder("the settings' proxy; none; or socks5://user@host:1080")
	m.proxyPass = widget.NewPasswordEntry()
	m.proxyPass.SetPlaceHolder("kept in the system keyring")
	m.fingerprint = widget.NewEntry()
	m.fingerprint.SetPlaceHolder("SHA-256, to trust exactly one certificate")
	m.verify = widget.NewCheck("Check each transferred file's checksum with the server", nil)
	for _, e := range []*widget.Entry{m.name, m.host, m.port, m.user, m.localDir, m.remoteDir, m.proxy, m.fingerprint} {
		e.AlwaysShowValidationError = true
		e.OnChanged = func(string) { e.SetValidationError(nil) }
	}
	m.protocol = widget.NewSelect(protocols.Labels(), m.protocolChanged)
	m.mode = widget.NewSelect(transferModes.Labels(), func(string) { m.enableFTPChoices() })
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
		&widget.FormItem{Text: "Transfer mode", Widget: m.mode, HintText: pick.TransferModeHint},
		widget.NewFormItem("Passive mode", m.passive),
		widget.NewFormItem("TLS minimum", m.minTLS),
		widget.NewFormItem("Extra CA roots", caBox),
		widget.NewFormItem("Client certificate", m.identity),
		widget.NewFormItem("Local folder", container.NewBorder(nil, nil, nil, m.browseLocal, m.localDir)),
		widget.NewFormItem("Remote folder", m.remoteDir),
		widget.NewFormItem("Proxy", m.proxy),
		widget.NewFormItem("Proxy password", m.proxyPass),
		widget.NewFormItem("Expected fingerprint", m.fingerprint),
		widget.NewFormItem("Verify transfers", m.verify),
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
	old, pw, proxyPW := m.editing, m.password.Text, m.proxyPass.Text
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
		if err == nil && proxyPW != "" && pwErr == nil {
			pwErr = sites.SaveProxyPassword(sec, sites.ProxyPasswordKey(site.Name), proxyPW)
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
	if proxyPW := m.proxyPass.Text; proxyPW != "" {
		// The connection reads the proxy password from the keyring:
		// one typed here is saved first, for the site's name.
		connect, sec := finish, m.sec
		finish = func(pw string) {
			m.background(func() func() {
				err := sites.SaveProxyPassword(sec, sites.ProxyPasswordKey(site.Name), proxyPW)
				return func() {
					if err != nil {
						m.status.SetText(err.Error())
						return
					}
					connect(pw)
				}
			})
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

// pickFile asks for a file as f says and hands its path to use; a failing
// dialog is shown as an error.
func (m *Manager) pickFile(f pick.File, use func(path string)) {
	pick.OpenFile(m.win, f, func(path string, _ error) { use(path) },
		func(err error) { dialog.ShowError(err, m.win) })
}
