package sitesui

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/secrets"
	"lockbox/client/secrets/secretstest"
	"lockbox/client/sites"
	"lockbox/ui/internal/uitest"
)

const (
	sitePassword   = "S1te-Pa55-word"
	importPassword = "Imp0rted-Pa55" // in sampleSiteManager
)

// harness is a site manager whose UI work from background goroutines is
// queued for the test goroutine, which drains it while it waits, so widgets
// only ever see one goroutine, as in the application.
type harness struct {
	m     *Manager
	win   fyne.Window
	queue uitest.Queue
	store *sites.Store
	sec   *secrets.Memory
	dir   string
}

func newHarness(t *testing.T, keyringErr error, seed ...sites.Site) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	h := &harness{queue: uitest.NewQueue(), dir: t.TempDir(), sec: secrets.NewMemory()}
	var err error
	h.store, err = sites.Open(filepath.Join(h.dir, sites.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range seed {
		if err := h.store.Put(s); err != nil {
			t.Fatal(err)
		}
		if err := sites.SavePassword(h.sec, s.Name, sitePassword); err != nil {
			t.Fatal(err)
		}
	}
	h.win = a.NewWindow("Sites")
	h.m = New(h.win, h.store, h.sec, keyringErr, h.queue.Do)
	h.win.SetContent(h.m.Content())
	h.win.Resize(DialogSize)
	h.win.Show()
	t.Cleanup(h.win.Close)
	return h
}

// settle runs queued UI work until no background operation is left.
func (h *harness) settle(t *testing.T) {
	t.Helper()
	h.queue.Pump(t, "the site manager's background work", func() bool { return h.m.pending == 0 })
}

// selectSite selects the saved site called name in the list.
func (h *harness) selectSite(t *testing.T, name string) {
	t.Helper()
	for i, s := range h.m.items {
		if s.Name == name {
			h.m.list.Select(i + 1)
			h.settle(t)
			return
		}
	}
	t.Fatalf("no site %q in the list", name)
}

// setEntry replaces an entry's text as a user would.
func setEntry(e *widget.Entry, text string) {
	e.SetText("")
	test.Type(e, text)
}

// overlayTexts returns every label and button text of the top overlay.
func (h *harness) overlayTexts() string {
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	var b strings.Builder
	uitest.Walk(top, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *widget.Button:
			b.WriteString("[" + w.Text + "]\n")
		}
	})
	return b.String()
}

// tapOverlayButton taps the button with text in the top overlay.
func (h *harness) tapOverlayButton(t *testing.T, text string) {
	t.Helper()
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog is open to press %q in", text)
	}
	found := uitest.Button(top, text)
	if found == nil {
		t.Fatalf("the dialog has no %q button:\n%s", text, h.overlayTexts())
	}
	test.Tap(found)
}

func TestCreateAndSaveSite(t *testing.T) {
	h := newHarness(t, nil)
	h.m.Identities = func() []string { return []string{"work cert", "home cert"} }
	test.Tap(h.m.newBtn)
	if h.m.name.Text != "New site" || h.m.deleteBtn.Disabled() == false {
		t.Fatalf("a new site shows name %q, Delete enabled %t", h.m.name.Text, !h.m.deleteBtn.Disabled())
	}
	setEntry(h.m.name, "Example")
	h.m.protocol.SetSelected("FTPS (implicit TLS)")
	test.Type(h.m.host, "ftp.example.com")
	setEntry(h.m.port, "")
	test.Type(h.m.user, "alice")
	test.Type(h.m.password, sitePassword)
	h.m.mode.SetSelected("Auto")
	h.m.passive.SetSelected("PASV only")
	h.m.minTLS.SetSelected("TLS 1.3 only")
	h.m.addCAFile("/etc/lockbox/ca.pem")
	h.m.addCAFile("/etc/lockbox/other.pem")
	h.m.caList.Select(1)
	test.Tap(h.m.removeCA)
	if !reflect.DeepEqual(h.m.identity.Options, []string{identityAskLabel, identityNeverLabel, "work cert", "home cert"}) {
		t.Errorf("identity options %q", h.m.identity.Options)
	}
	h.m.identity.SetSelected("work cert")
	test.Type(h.m.localDir, "/home/alice/up")
	test.Type(h.m.remoteDir, "/pub")
	test.Tap(h.m.saveBtn)
	h.settle(t)

	want := sites.Site{Name: "Example", URL: "ftps://ftp.example.com:990", User: "alice", Passive: sites.PassivePASV, Mode: sites.ModeAuto, MinTLS: sites.MinTLS13,
		CAFiles: []string{"/etc/lockbox/ca.pem"}, Identity: "work cert", LocalDir: "/home/alice/up", RemoteDir: "/pub"}
	got, ok := h.store.Get("Example")
	if !ok || !reflect.DeepEqual(got, want) {
		t.Fatalf("saved %+v (%t)\nwant %+v", got, ok, want)
	}
	if pw, err := sites.Password(h.sec, "Example"); err != nil || pw != sitePassword {
		t.Errorf("the password did not land in the secrets store: %v", err)
	}
	secretstest.AssertNotOnDisk(t, h.dir, sitePassword)
	if h.m.status.Text != "The site and its password were saved." {
		t.Errorf("status %q", h.m.status.Text)
	}
	if h.m.password.Text != "" || !strings.HasPrefix(h.m.passwordNote.Text, "A password is saved") || !h.m.forget.Visible() {
		t.Errorf("after saving, password %q, note %q", h.m.password.Text, h.m.passwordNote.Text)
	}
	if len(h.m.items) != 1 || h.m.current != 1 || h.m.editing != "Example" || h.m.deleteBtn.Disabled() {
		t.Errorf("the saved site is not the one selected: current %d editing %q", h.m.current, h.m.editing)
	}
}

// A site's proxy and expected fingerprint are saved with it; the proxy
// password goes to the keyring under the site's name, never to a file.
func TestSaveSiteProxyAndFingerprint(t *testing.T) {
	const proxyPassword = "Pr0xy-Pa55-word"
	const fp = "SHA256:3eKu8SnHcEFTc/lF49FCeVg8tGDCAq8xwVy5eSfhC4E"
	h := newHarness(t, nil)
	test.Tap(h.m.newBtn)
	setEntry(h.m.name, "Behind a proxy")
	test.Type(h.m.host, "ftp.example.com")
	test.Type(h.m.proxy, "socks5h://alice@proxy.example:1080")
	test.Type(h.m.proxyPass, proxyPassword)
	test.Type(h.m.fingerprint, fp)
	test.Tap(h.m.saveBtn)
	h.settle(t)
	got, ok := h.store.Get("Behind a proxy")
	if !ok || got.Proxy != "socks5h://alice@proxy.example:1080" || got.Fingerprint != fp {
		t.Fatalf("saved %+v (%t)", got, ok)
	}
	if pw, err := sites.ProxyPassword(h.sec, sites.ProxyPasswordKey("Behind a proxy")); err != nil || pw != proxyPassword {
		t.Errorf("proxy password in the keyring: %q, %v", pw, err)
	}
	secretstest.AssertNotOnDisk(t, h.dir, proxyPassword)
	h.selectSite(t, "Behind a proxy")
	if h.m.proxy.Text != got.Proxy || h.m.proxyPass.Text != "" || h.m.fingerprint.Text != fp {
		t.Errorf("shown again: proxy %q, proxy password %q, fingerprint %q", h.m.proxy.Text, h.m.proxyPass.Text, h.m.fingerprint.Text)
	}
}

func TestEditRenameKeepsPassword(t *testing.T) {
	h := newHarness(t, nil, sites.Site{Name: "Old", URL: "ftpes://old.example.com:2121/start", User: "bob", Identity: sites.IdentityNever})
	h.selectSite(t, "Old")
	fields := map[string]string{"name": h.m.name.Text, "host": h.m.host.Text, "port": h.m.port.Text, "user": h.m.user.Text,
		"remote": h.m.remoteDir.Text, "protocol": h.m.protocol.Selected, "identity": h.m.identity.Selected}
	wantFields := map[string]string{"name": "Old", "host": "old.example.com", "port": "2121", "user": "bob",
		"remote": "/start", "protocol": "FTPES (explicit TLS)", "identity": identityNeverLabel}
	if !reflect.DeepEqual(fields, wantFields) {
		t.Errorf("form shows %v, want %v", fields, wantFields)
	}
	if !strings.HasPrefix(h.m.passwordNote.Text, "A password is saved") {
		t.Errorf("password note %q", h.m.passwordNote.Text)
	}
	setEntry(h.m.name, "Renamed")
	setEntry(h.m.user, "robert")
	test.Tap(h.m.saveBtn)
	h.settle(t)
	if _, ok := h.store.Get("Old"); ok {
		t.Error("the old name is still saved")
	}
	got, ok := h.store.Get("Renamed")
	if !ok || got.User != "robert" || got.RemoteDir != "/start" {
		t.Errorf("saved %+v", got)
	}
	if pw, err := sites.Password(h.sec, "Renamed"); err != nil || pw != sitePassword {
		t.Errorf("the password did not move with the site: %v", err)
	}
	if ok, _ := sites.HasPassword(h.sec, "Old"); ok {
		t.Error("the password is still under the old name")
	}
	if h.m.status.Text != "The site was saved." {
		t.Errorf("status %q", h.m.status.Text)
	}
}

func TestValidationErrorsShownInline(t *testing.T) {
	tests := []struct {
		name    string
		fill    func(m *Manager)
		wantErr string
		// connectOK: Connect does not save, so a name taken does not stop it.
		connectOK bool
	}{
		{"no host", func(m *Manager) { setEntry(m.host, "") }, "Host: enter the server's host name or address", false},
		{"URL as host", func(m *Manager) { setEntry(m.host, "ftps://x") }, "Host: enter only the host name; choose the protocol above", false},
		{"host with a slash", func(m *Manager) { setEntry(m.host, "a/b") }, `Host: "a/b" is not a host name`, false},
		{"bad port", func(m *Manager) { setEntry(m.port, "99999") }, "Port: use a number from 1 to 65535", false},
		{"no name", func(m *Manager) { setEntry(m.name, "  ") }, "Name: a site needs a name", false},
		{"name taken", func(m *Manager) { setEntry(m.name, "Taken") }, "Name: another site has this name", true},
		{"proxy with its password", func(m *Manager) { setEntry(m.proxy, "socks5://u:pw@p:1080") },
			"Proxy: the proxy URL must not hold a password: it has its own field and goes to the keyring", false},
		{"bad fingerprint", func(m *Manager) { setEntry(m.fingerprint, "AB:CD") }, "Expected fingerprint: ", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil, sites.Site{Name: "Taken", URL: "ftps://t.example.com:990"})
			test.Tap(h.m.newBtn)
			test.Type(h.m.host, "ftp.example.com")
			tc.fill(h.m)
			test.Tap(h.m.saveBtn)
			h.settle(t)
			// A wantErr ending in ": " names the field; the engine words the rest.
			matches := h.m.errLabel.Text == tc.wantErr ||
				strings.HasSuffix(tc.wantErr, ": ") && strings.HasPrefix(h.m.errLabel.Text, tc.wantErr) && len(h.m.errLabel.Text) > len(tc.wantErr)
			if !h.m.errLabel.Visible() || !matches {
				t.Errorf("error label %q (visible %t), want %q", h.m.errLabel.Text, h.m.errLabel.Visible(), tc.wantErr)
			}
			if n := len(h.store.List()); n != 1 {
				t.Errorf("%d sites saved, want the one there was", n)
			}
			// Connect refuses the same form.
			called := false
			h.m.OnConnect = func(sites.Site, string) { called = true }
			test.Tap(h.m.connectBtn)
			h.settle(t)
			if called != tc.connectOK {
				t.Errorf("Connect went ahead: %t, want %t", called, tc.connectOK)
			}
			// Fixing the form clears the message.
			test.Tap(h.m.newBtn)
			if h.m.errLabel.Visible() {
				t.Error("the error stays after starting afresh")
			}
		})
	}
}

func TestDeleteNeedsConfirmation(t *testing.T) {
	h := newHarness(t, nil, sites.Site{Name: "Doomed", URL: "ftps://d.example.com:990"}, sites.Site{Name: "Kept", URL: "ftps://k.example.com:990"})
	h.selectSite(t, "Doomed")

	test.Tap(h.m.deleteBtn)
	if texts := h.overlayTexts(); !strings.Contains(texts, `Delete the site "Doomed" and its saved password?`) {
		t.Fatalf("no confirmation was asked:\n%s", texts)
	}
	h.tapOverlayButton(t, "Cancel")
	h.settle(t)
	if _, ok := h.store.Get("Doomed"); !ok {
		t.Fatal("Cancel deleted the site")
	}

	test.Tap(h.m.deleteBtn)
	h.tapOverlayButton(t, "Delete")
	h.settle(t)
	if _, ok := h.store.Get("Doomed"); ok {
		t.Error("the site is still saved")
	}
	if ok, _ := sites.HasPassword(h.sec, "Doomed"); ok {
		t.Error("its password is still saved")
	}
	if _, ok := h.store.Get("Kept"); !ok {
		t.Error("the other site was deleted")
	}
	if len(h.m.items) != 1 || h.m.editing != "" || h.m.status.Text != `The site "Doomed" was deleted.` {
		t.Errorf("after deleting: %d sites listed, editing %q, status %q", len(h.m.items), h.m.editing, h.m.status.Text)
	}
}

// sampleSiteManager is a FileZilla sitemanager.xml with a base64 and a
// plain password, an active-mode site, an encrypted password and a site of
// a protocol Lockbox lacks; the CLI's tests import it too.
var sampleSiteManager = filepath.Join("..", "..", "client", "sites", "testdata", "sitemanager-frontends.xml")

func TestImportFromFileZilla(t *testing.T) {
	unavailable := &secrets.UnavailableError{Reason: "no Secret Service (gnome-keyring or KWallet) is running on the D-Bus session bus, so passwords cannot be saved; you will be asked for them each time"}
	tests := []struct {
		name        string
		keyringErr  error
		wantSummary []string
	}{
		{"keyring works", nil, []string{"3 sites were imported.", "2 passwords were saved in the system keyring."}},
		{"no keyring", unavailable, []string{"3 sites were imported.", "2 passwords were not saved: no Secret Service (gnome-keyring or KWallet) is running", "kept only until Lockbox closes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.keyringErr)
			h.m.Import(sampleSiteManager)
			h.settle(t)
			if got := names(h.store.List()); !reflect.DeepEqual(got, []string{"Implicit", "Old", "Work/Prod"}) {
				t.Fatalf("imported %v", got)
			}
			prod, _ := h.store.Get("Work/Prod")
			if prod.URL != "ftpes://ftp.work.example:21" || prod.User != "alice" || prod.RemoteDir != "/home/alice" || prod.Mode != sites.ModeActive {
				t.Errorf("imported %+v", prod)
			}
			if pw, err := sites.Password(h.sec, "Work/Prod"); err != nil || pw != importPassword {
				t.Errorf("the imported password is not in the secrets store: %v", err)
			}
			secretstest.AssertNotOnDisk(t, h.dir, importPassword)
			summary := h.overlayTexts()
			for _, want := range append(tc.wantSummary,
				`site "Old": the password is encrypted with FileZilla's master password`,
				`site "SFTP": skipped: Lockbox does not speak SFTP`) {
				if !strings.Contains(summary, want) {
					t.Errorf("summary lacks %q:\n%s", want, summary)
				}
			}
			if h.m.editing != "Work/Prod" {
				t.Errorf("the first imported site is not shown: %q", h.m.editing)
			}
		})
	}
}

func TestImportBadFileShowsError(t *testing.T) {
	h := newHarness(t, nil)
	path := filepath.Join(t.TempDir(), "notes.xml")
	if err := os.WriteFile(path, []byte("<rss/>"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.m.Import(path)
	h.settle(t)
	if texts := h.overlayTexts(); !strings.Contains(texts, "not a FileZilla sitemanager.xml") {
		t.Errorf("dialog:\n%s", texts)
	}
	if len(h.store.List()) != 0 {
		t.Error("sites were saved from a bad file")
	}
}

// The import's errors read as they did before the file handling moved to
// sites.ImportFileZillaFile.
func TestImportFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "none.xml")
	notFZ := filepath.Join(dir, "notes.xml")
	if err := os.WriteFile(notFZ, []byte("<rss/>"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, wantPrefix, wantText string
	}{
		{"missing", missing, "import from FileZilla: open " + missing + ": ", "no such file"},
		{"not FileZilla's", notFZ, "import " + notFZ + ": FileZilla site list: ", "not a FileZilla sitemanager.xml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store, err := sites.Open(filepath.Join(t.TempDir(), sites.FileName))
			if err != nil {
				t.Fatal(err)
			}
			_, err = importFile(store, secrets.NewMemory(), tc.path)
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantPrefix) || !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("importFile: %v; want %q… saying %q", err, tc.wantPrefix, tc.wantText)
			}
		})
	}
}

func names(list []sites.Site) []string {
	var out []string
	for _, s := range list {
		out = append(out, s.Name)
	}
	return out
}

func TestKeyringUnavailableIsVisible(t *testing.T) {
	reason := "no Secret Service (gnome-keyring or KWallet) is running on the D-Bus session bus, so passwords cannot be saved; you will be asked for them each time"
	tests := []struct {
		name       string
		keyringErr error
		wantNote   string // "" = hidden
		wantStatus string
	}{
		{"keyring works", nil, "", "The site and its password were saved."},
		{"no keyring", &secrets.UnavailableError{Reason: reason}, secrets.UnavailableSummary + " A password typed here is kept only until Lockbox closes.", "The site was saved. Its password is kept only until Lockbox closes."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.keyringErr)
			if tc.wantNote == "" {
				if h.m.keyringNote.Visible() {
					t.Errorf("keyring note shown: %q", h.m.keyringNote.Text)
				}
			} else if !h.m.keyringNote.Visible() || !strings.HasPrefix(h.m.keyringNote.Text, tc.wantNote) {
				t.Errorf("keyring note %q (visible %t), want %q", h.m.keyringNote.Text, h.m.keyringNote.Visible(), tc.wantNote)
			}
			test.Type(h.m.host, "h.example.com")
			test.Type(h.m.password, sitePassword)
			test.Tap(h.m.saveBtn)
			h.settle(t)
			if h.m.status.Text != tc.wantStatus {
				t.Errorf("status %q, want %q", h.m.status.Text, tc.wantStatus)
			}
			secretstest.AssertNotOnDisk(t, h.dir, sitePassword)
		})
	}
}

func TestConnect(t *testing.T) {
	saved := sites.Site{Name: "Saved", URL: "ftps://s.example.com:990", User: "alice", MinTLS: sites.MinTLS13}
	type call struct {
		site     sites.Site
		password string
	}
	tests := []struct {
		name   string
		action func(t *testing.T, h *harness)
		want   call
	}{
		{"saved password from the keyring", func(t *testing.T, h *harness) { h.selectSite(t, "Saved") }, call{saved, sitePassword}},
		{"typed password wins", func(t *testing.T, h *harness) {
			h.selectSite(t, "Saved")
			test.Type(h.m.password, "typed")
		}, call{saved, "typed"}},
		{"unsaved edits are used", func(t *testing.T, h *harness) {
			h.selectSite(t, "Saved")
			setEntry(h.m.user, "bob")
		}, call{sites.Site{Name: "Saved", URL: "ftps://s.example.com:990", User: "bob", MinTLS: sites.MinTLS13}, sitePassword}},
		{"new site without password", func(t *testing.T, h *harness) {
			test.Tap(h.m.newBtn)
			h.m.protocol.SetSelected("HTTPS")
			test.Type(h.m.host, "example.com")
		}, call{sites.Site{Name: "New site", URL: "https://example.com:443"}, ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil, saved)
			var calls []call
			h.m.OnConnect = func(s sites.Site, pw string) { calls = append(calls, call{s, pw}) }
			h.m.OnDemo = func() { t.Error("OnDemo called") }
			tc.action(t, h)
			test.Tap(h.m.connectBtn)
			h.settle(t)
			if len(calls) != 1 || !reflect.DeepEqual(calls[0], tc.want) {
				t.Errorf("OnConnect calls %+v, want %+v", calls, tc.want)
			}
		})
	}
}

func TestLocalDemoEntry(t *testing.T) {
	h := newHarness(t, nil, sites.Site{Name: "A", URL: "ftps://a.example.com:990"})
	if h.m.list.Length() != 2 {
		t.Fatalf("list has %d rows, want the demo and one site", h.m.list.Length())
	}
	h.m.list.Select(0)
	h.settle(t)
	if !h.m.demoNote.Visible() || h.m.form.Visible() || !h.m.saveBtn.Disabled() || !h.m.deleteBtn.Disabled() {
		t.Error("the demo entry can be edited")
	}
	demo := 0
	h.m.OnDemo = func() { demo++ }
	h.m.OnConnect = func(sites.Site, string) { t.Error("OnConnect called for the demo") }
	test.Tap(h.m.connectBtn)
	if demo != 1 {
		t.Errorf("OnDemo called %d times", demo)
	}
	test.Tap(h.m.deleteBtn)
	if h.win.Canvas().Overlays().Top() != nil {
		t.Error("Delete asked to delete the demo")
	}
	h.selectSite(t, "A")
	if h.m.demoNote.Visible() || !h.m.form.Visible() {
		t.Error("a saved site is not editable after the demo")
	}
}

func TestForgetPassword(t *testing.T) {
	h := newHarness(t, nil, sites.Site{Name: "A", URL: "ftps://a.example.com:990"})
	h.selectSite(t, "A")
	if !h.m.forget.Visible() {
		t.Fatal("no Forget button for a saved password")
	}
	test.Tap(h.m.forget)
	h.settle(t)
	if ok, _ := sites.HasPassword(h.sec, "A"); ok {
		t.Error("the password is still saved")
	}
	if h.m.forget.Visible() || !strings.HasPrefix(h.m.passwordNote.Text, "No password is saved") {
		t.Errorf("note %q", h.m.passwordNote.Text)
	}
}

func TestProtocolMovesDefaultPort(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct {
		protocol, port, want string
	}{
		{"FTPS (implicit TLS)", "21", "990"},
		{"HTTPS", "990", "443"},
		{"FTP (not encrypted)", "8021", "8021"},
	}
	for _, tc := range tests {
		setEntry(h.m.port, tc.port)
		h.m.protocol.SetSelected(tc.protocol)
		if h.m.port.Text != tc.want {
			t.Errorf("%s with port %s: port %q, want %q", tc.protocol, tc.port, h.m.port.Text, tc.want)
		}
	}
	if !h.m.minTLS.Disabled() || h.m.passive.Disabled() {
		t.Error("plain FTP: the TLS minimum should be off and the passive mode on")
	}
	h.m.protocol.SetSelected("HTTPS")
	if h.m.minTLS.Disabled() || !h.m.passive.Disabled() {
		t.Error("HTTPS: the TLS minimum should be on and the passive mode off")
	}
}

func TestImportSummary(t *testing.T) {
	unavailable := &secrets.UnavailableError{Reason: "no Secret Service is running, so passwords cannot be saved; you will be asked for them each time"}
	tests := []struct {
		name       string
		res        sites.ImportResult
		keyringErr error
		want       string
	}{
		{"nothing", sites.ImportResult{}, nil, "No sites were imported."},
		{"one site, saved", sites.ImportResult{Added: []string{"a"}, PasswordsSaved: 1}, nil,
			"1 site was imported.\n1 passwords were saved in the system keyring."},
		{"kept in memory", sites.ImportResult{Added: []string{"a", "b"}, PasswordsSaved: 2}, unavailable,
			"2 sites were imported.\n2 passwords were not saved: " + unavailable.Reason + ". They are kept only until Lockbox closes."},
		{"keyring failed", sites.ImportResult{Added: []string{"a", "b"}, PasswordsNotSaved: []string{"a", "b"}, PasswordError: unavailable}, nil,
			"2 sites were imported.\nThe passwords of \"a\", \"b\" were not saved: " + unavailable.Reason + "."},
		{"one password refused", sites.ImportResult{Added: []string{"a"}, PasswordsNotSaved: []string{"a"}, PasswordError: errors.New("too long")}, nil,
			"1 site was imported.\nThe passwords of \"a\" were not saved: too long. You will be asked for them when you connect."},
		{"warnings", sites.ImportResult{Added: []string{"a"}, Warnings: []string{"w1", "w2"}}, nil,
			"1 site was imported.\n\nWarnings:\n• w1\n• w2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ImportSummary(tc.res, tc.keyringErr); got != tc.want {
				t.Errorf("ImportSummary =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// The transfer mode is offered for FTP only, and the passive commands are
// not offered for a site in active mode, which never sends them; a saved
// site's mode shows when it is loaded.
func TestTransferModeChoice(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct {
		protocol, mode    string
		modeOn, passiveOn bool
		saved             string
	}{
		{"FTPES (explicit TLS)", "Default (from Settings)", true, true, sites.ModeDefault},
		{"FTPES (explicit TLS)", "Passive", true, true, sites.ModePassive},
		{"FTPES (explicit TLS)", "Active", true, false, sites.ModeActive},
		{"FTP (not encrypted)", "Auto", true, true, sites.ModeAuto},
		{"HTTPS", "Active", false, false, sites.ModeActive},
	}
	for _, tc := range tests {
		t.Run(tc.protocol+"/"+tc.mode, func(t *testing.T) {
			test.Tap(h.m.newBtn)
			h.m.protocol.SetSelected(tc.protocol)
			h.m.mode.SetSelected(tc.mode)
			if on := !h.m.mode.Disabled(); on != tc.modeOn {
				t.Errorf("transfer mode enabled %t, want %t", on, tc.modeOn)
			}
			if on := !h.m.passive.Disabled(); on != tc.passiveOn {
				t.Errorf("passive mode enabled %t, want %t", on, tc.passiveOn)
			}
			test.Type(h.m.host, "ftp.example.com")
			site, err := h.m.formSite()
			if err != nil {
				t.Fatal(err)
			}
			if site.Mode != tc.saved {
				t.Errorf("the form's site has mode %q, want %q", site.Mode, tc.saved)
			}
			h.m.load(sites.Site{Name: "x", URL: "ftpes://h:21"}, false)
			h.m.load(site, false)
			if h.m.mode.Selected != tc.mode {
				t.Errorf("loaded back, the form shows %q", h.m.mode.Selected)
			}
		})
	}
}
