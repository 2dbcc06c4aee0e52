package sitesui

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/client/sites"
	"lockbox/ui/pick"
)

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
	m.mode.SetSelected(transferModes.Label(site.Mode))
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
	m.proxy.SetText(site.Proxy)
	m.proxyPass.SetText("")
	m.fingerprint.SetText(site.Fingerprint)
	m.verify.SetChecked(site.Verify)
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
	m.enableFTPChoices()
	if scheme.UsesTLS() {
		m.minTLS.Enable()
	} else {
		m.minTLS.Disable()
	}
}

// enableFTPChoices offers the transfer mode for FTP only, and the passive
// commands unless the site is in active mode, where they are not sent.
func (m *Manager) enableFTPChoices() {
	ftp := client.Scheme(protocols.Value(m.protocol.Selected)).IsFTP()
	if ftp {
		m.mode.Enable()
	} else {
		m.mode.Disable()
	}
	if ftp && transferModes.Value(m.mode.Selected) != sites.ModeActive {
		m.passive.Enable()
	} else {
		m.passive.Disable()
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
		Name:        name,
		URL:         sites.MakeURL(scheme, host, port, ""),
		User:        strings.TrimSpace(m.user.Text),
		Passive:     passiveModes.Value(m.passive.Selected),
		Mode:        transferModes.Value(m.mode.Selected),
		MinTLS:      tlsMinimums.Value(m.minTLS.Selected),
		CAFiles:     append([]string(nil), m.caFiles...),
		Identity:    m.identityValue(),
		LocalDir:    strings.TrimSpace(m.localDir.Text),
		RemoteDir:   strings.TrimSpace(m.remoteDir.Text),
		Proxy:       strings.TrimSpace(m.proxy.Text),
		Fingerprint: strings.TrimSpace(m.fingerprint.Text),
		Verify:      m.verify.Checked,
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
	for _, e := range []*widget.Entry{m.name, m.host, m.port, m.user, m.localDir, m.remoteDir, m.proxy, m.fingerprint} {
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
	case "proxy":
		return m.proxy
	case "fingerprint":
		return m.fingerprint
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
	case "mode":
		return "Transfer mode"
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
	case "proxy":
		return "Proxy"
	case "fingerprint":
		return "Expected fingerprint"
	}
	return field
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

func (m *Manager) chooseCAFile() {
	m.pickFile(pick.File{Extensions: []string{".pem", ".crt", ".cer", ".der", ".p7b", ".p7c"}}, m.addCAFile)
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
