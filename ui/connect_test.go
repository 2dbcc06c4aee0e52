package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"lockbox/client"
	"lockbox/client/demo"
	"lockbox/client/secrets"
	"lockbox/client/sites"
	"lockbox/client/transfer"
	"lockbox/ui/browser"
	"lockbox/ui/internal/uitest"
	"lockbox/ui/sitesui"
)

// startedDemo starts the demo servers for a test and returns them.
func startedDemo(t *testing.T) *demo.Local {
	t.Helper()
	l, err := demo.StartLocal()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// A saved site connects with its password from the keyring, opens its
// local folder, and a queue that ran long enough ends with a desktop
// notification.
func TestConnectSavedSiteAndNotify(t *testing.T) {
	l := startedDemo(t)
	store, err := sites.Open(filepath.Join(t.TempDir(), "sites.json"))
	if err != nil {
		t.Fatal(err)
	}
	sec := secrets.NewMemory()
	site := sites.Site{Name: "Demo", URL: strings.Replace(l.URL(), "demo@", "", 1), User: demo.DemoUser, Passive: sites.PassivePASV, Identity: sites.IdentityNever}
	if err := store.Put(site); err != nil {
		t.Fatal(err)
	}
	if err := sites.SavePassword(sec, "Demo", demo.DemoPassword); err != nil {
		t.Fatal(err)
	}
	local := t.TempDir()
	h := newHarness(t, Deps{LocalDir: t.TempDir(), Sites: store, Secrets: sec})
	saved := notifyMinDuration
	notifyMinDuration = 0
	t.Cleanup(func() { notifyMinDuration = saved })
	h.w.settings.Notify = true
	h.w.settings.Connections = 3

	got, _ := store.Get("Demo")
	got.LocalDir = local
	pw, err := sites.Password(sec, "Demo")
	if err != nil {
		t.Fatal(err)
	}
	h.w.ConnectSite(got, pw)
	test.Tap(h.waitDialog(t).once)
	if r := h.waitDone(t); r.err != nil {
		t.Fatal(r.err)
	}
	if n := h.w.ctl.conn.pool.Size(); n != 3 {
		t.Errorf("the pool has %d connections; the settings say 3", n)
	}
	remote := h.w.remote.pane
	h.pump(t, "the listing", func() bool { return !remote.Loading() && len(remote.Entries()) > 0 && h.w.local.Dir() == local })
	if log := h.w.tabs.protoLog.text(); !strings.Contains(log, "> PASV") || strings.Contains(log, "> EPSV") {
		t.Errorf("the site's PASV-only mode was not used:\n%s", log)
	}
	h.w.download([]browser.Entry{{Name: "README.txt", Size: -1}})
	h.pump(t, "the notification", func() bool { return len(h.notes) > 0 })
	if n := h.notes[0]; n.Title != "Lockbox" || !strings.Contains(n.Content, "1 file") {
		t.Errorf("notification %q: %q", n.Title, n.Content)
	}
	if _, err := os.Stat(filepath.Join(local, "README.txt")); err != nil {
		t.Error(err)
	}
}

// Plain FTP asks before anything is sent; cancelling sends nothing.
func TestPlaintextWarning(t *testing.T) {
	h := newHarness(t, Deps{})
	plain, _ := sitesui.ProtocolLabel(client.FTP)
	h.w.top.quick.protocol.SetSelected(plain)
	h.w.top.quick.host.SetText("127.0.0.1:1")
	h.w.top.quick.user.SetText("alice")
	h.w.top.quick.password.SetText("secret")
	test.Tap(h.w.top.connect)
	if h.w.dlg.plain == nil || h.w.ctl.running {
		t.Fatal("plain FTP connected without asking")
	}
	h.w.dlg.plain.Dismiss()
	if h.w.ctl.running || !strings.Contains(h.w.status.Text, "plain FTP was refused") {
		t.Errorf("after Cancel: running %v, status %q", h.w.ctl.running, h.w.status.Text)
	}
	if h.w.tabs.timeline.len() != 0 {
		t.Error("something was sent after the warning was refused")
	}
}

// An https:// URL is inspected, then its resource downloads from the
// remote pane with the certificate accepted once, not asked again.
func TestHTTPSInspectAndDownload(t *testing.T) {
	body := strings.Repeat("lockbox ", 4096)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "report.txt", goldenDay, strings.NewReader(body))
	}))
	t.Cleanup(srv.Close)
	local := t.TempDir()
	h := newHarness(t, Deps{LocalDir: local})
	h.w.top.quick.host.SetText(srv.URL + "/files/report.txt")
	test.Tap(h.w.top.connect)
	test.Tap(h.waitDialog(t).once)
	if r := h.waitDone(t); r.err != nil {
		t.Fatal(r.err)
	}
	remote := h.w.remote.pane
	h.pump(t, "the resource", func() bool { return len(remote.Entries()) == 1 && h.w.local.Dir() == local })
	if e := remote.Entries()[0]; e.Name != "report.txt" {
		t.Fatalf("remote pane shows %+v", e)
	}
	h.w.download(remote.Entries())
	id := httpsJobIDs + 1
	h.pump(t, "the download", func() bool {
		p, _, _, ok := h.w.tabs.queueView.Job(id)
		return ok && (p.State == transfer.StateDone || p.State == transfer.StateFailed)
	})
	if p, bar, _, _ := h.w.tabs.queueView.Job(id); p.State != transfer.StateDone || bar != 1 {
		t.Fatalf("job %+v", p)
	}
	if len(h.dialogs) != 0 {
		t.Error("the download asked about the certificate again")
	}
	got, err := os.ReadFile(filepath.Join(local, "report.txt"))
	if err != nil || string(got) != body {
		t.Fatalf("downloaded %d bytes: %v", len(got), err)
	}
	// Retry runs the same download again: the file is there with the
	// server's size, so the resume policy leaves it alone.
	h.w.tabs.queueView.OnRetry(id)
	h.pump(t, "the retried download", func() bool {
		p, _, _, _ := h.w.tabs.queueView.Job(id)
		return p.Skipped && p.State == transfer.StateDone
	})
}

// The padlock opens the connection's security window; the protocol log
// copies what it shows; the menu names every shortcut, and the shortcuts
// act.
func TestPadlockLogAndShortcuts(t *testing.T) {
	h := newHarness(t, Deps{LocalDir: t.TempDir()})
	if h.w.ShowSecurity() != nil || !h.w.padlock.button.Disabled() {
		t.Error("the padlock acts with no connection")
	}
	h.w.StartDemo(false)
	test.Tap(h.waitDialog(t).once)
	if r := h.waitDone(t); r.err != nil {
		t.Fatal(r.err)
	}
	sw := h.w.ShowSecurity()
	if sw == nil || !strings.HasPrefix(sw.Title(), "Connection security — 127.0.0.1:") {
		t.Fatalf("security window: %v", sw)
	}
	sw.Close()
	test.Tap(h.w.tabs.protoLog.copyBtn)
	if clip := h.w.app.Clipboard().Content(); !strings.Contains(clip, "PASS ****") || strings.Contains(clip, "PASS "+demo.DemoPassword) {
		t.Errorf("copied log:\n%s", clip)
	}

	shortcuts := map[string]fyne.Shortcut{}
	for _, m := range h.w.Window.MainMenu().Items {
		for _, it := range m.Items {
			if it.Shortcut != nil {
				shortcuts[it.Label] = it.Shortcut
			}
		}
	}
	for _, label := range []string{"Connect", "Refresh", "Disconnect", "Quit", "Site manager…", "Open certificate…", "Settings…", "Client identities…"} {
		if shortcuts[label] == nil {
			t.Errorf("menu item %q has no shortcut", label)
		}
	}
	h.w.Window.Canvas().(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut(DisconnectShortcut)
	<-h.w.hooks.closed
	if h.w.ctl.conn != nil || !strings.HasPrefix(h.w.status.Text, "Disconnected") {
		t.Errorf("Ctrl+D: conn %v, status %q", h.w.ctl.conn, h.w.status.Text)
	}
}

// Leaving a connection whose transfers are running asks first: "Keep
// transferring" keeps it, "Disconnect" cancels them and closes it.
func TestDisconnectAsksWhileTransferring(t *testing.T) {
	h := newHarness(t, Deps{LocalDir: t.TempDir()})
	h.w.StartDemo(false)
	test.Tap(h.waitDialog(t).once)
	if r := h.waitDone(t); r.err != nil {
		t.Fatal(r.err)
	}
	c := h.w.ctl.conn
	for _, name := range []string{"a.bin", "b.bin", "c.bin", "d.bin"} {
		c.queue.Add(transfer.JobSpec{Kind: transfer.KindDownload, Remote: "/" + demo.LargeFile, Local: name, LocalRoot: h.w.local.Dir()})
	}
	h.w.Quit()
	if h.w.dlg.leave == nil || h.w.ctl.conn != c {
		t.Fatal("Quit closed a busy connection without asking")
	}
	h.w.dlg.leave.Dismiss()
	h.w.dlg.leave = nil
	h.w.Disconnect()
	if h.w.dlg.leave == nil || h.w.ctl.conn != c {
		t.Fatal("Disconnect closed a busy connection without asking")
	}
	h.w.dlg.leave.Dismiss() // Keep transferring
	if h.w.ctl.conn != c {
		t.Fatal("Keep transferring closed the connection")
	}
	h.w.dlg.leave = nil
	h.w.Disconnect()
	if h.w.dlg.leave == nil {
		// The transfers may all have ended meanwhile; then there is nothing to ask.
		if h.w.ctl.conn != nil {
			t.Fatal("neither asked nor disconnected")
		}
	} else {
		h.w.dlg.leave.Confirm()
	}
	select {
	case <-h.w.hooks.closed:
	case <-time.After(uitest.Timeout):
		t.Fatal("the connection did not close")
	}
	if h.w.ctl.conn != nil {
		t.Error("still connected after Disconnect was confirmed")
	}
	for _, p := range c.queue.Jobs() {
		if p.State == transfer.StateQueued || p.State == transfer.StateRunning {
			t.Errorf("job %d is still %s after disconnecting", p.ID, p.State)
		}
	}
}

// A URL typed or pasted into the host field shows its protocol in the
// bar; a scheme Lockbox does not speak leaves the choice alone.
func TestQuickConnectFollowsURL(t *testing.T) {
	h := newHarness(t, Deps{})
	for _, tc := range []struct {
		typed string
		want  client.Scheme
	}{
		{"ftps://files.example.test", client.FTPS},
		{"HTTPS://files.example.test/a.txt", client.HTTPS},
		{"sftp://files.example.test", client.HTTPS},
		{"ftpes://files.example.test", client.FTPES},
	} {
		h.w.top.quick.host.SetText(tc.typed)
		if got := h.w.top.quick.scheme(); got != tc.want {
			t.Errorf("after %q the bar says %s, want %s", tc.typed, got, tc.want)
		}
	}
	if tg, err := h.w.top.quick.target(); err != nil || tg.Scheme != client.FTPES || tg.Host != "files.example.test" {
		t.Errorf("target %#v, %v", tg, err)
	}
}

// The bar's transfer mode choice is what a quick connect asks of the
// engine; its default leaves Settings' mode.
func TestQuickConnectMode(t *testing.T) {
	h := newHarness(t, Deps{})
	h.w.settings.Mode = string(client.ModeAuto)
	for _, tc := range []struct {
		label string
		want  client.DataMode
	}{
		{"Default", client.ModeAuto},
		{"Passive", client.ModePassive},
		{"Active", client.ModeActive},
		{"Auto", client.ModeAuto},
	} {
		t.Run(tc.label, func(t *testing.T) {
			h.w.top.quick.mode.SetSelected(tc.label)
			if h.w.top.quick.mode.Selected != tc.label {
				t.Fatalf("the bar has no %q choice", tc.label)
			}
			o := h.w.options(context.Background(), 0, "127.0.0.1", connectPrefs{mode: h.w.top.quick.dataMode()})
			if o.Mode != tc.want {
				t.Errorf("mode %q, want %q", o.Mode, tc.want)
			}
		})
	}
	h.w.top.setAttemptRunning(true)
	if !h.w.top.quick.mode.Disabled() {
		t.Error("the mode can be changed while connecting")
	}
	h.w.top.setAttemptRunning(false)
	if h.w.top.quick.mode.Disabled() {
		t.Error("the mode stays off after the attempt")
	}
}
