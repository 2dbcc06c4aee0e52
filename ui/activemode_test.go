//go:build linux

package ui

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/client/secrets"
	"lockbox/client/servertest"
	"lockbox/client/sites"
	"lockbox/client/trace"
	"lockbox/client/transfer"
	"lockbox/ui/browser"
	"lockbox/ui/internal/uitest"
)

// activeOnlyVsftpd is a real vsftpd that refuses passive mode (502 to
// PASV and EPSV) and connects to the client for every data connection,
// with require_ssl_reuse=YES as vsftpd's TLS default.
func activeOnlyVsftpd(t *testing.T, files map[string][]byte) *servertest.Vsftpd {
	t.Helper()
	return servertest.StartVsftpd(t, servertest.VsftpdConfig{Files: files, Extra: map[string]string{
		"pasv_enable": "NO", "port_enable": "YES", "connect_from_port_20": "NO",
	}})
}

// savedSite saves site, with password in the keyring, for a window test.
func savedSite(t *testing.T, site sites.Site, password string) (*sites.Store, secrets.Store) {
	t.Helper()
	store, err := sites.Open(filepath.Join(t.TempDir(), sites.FileName))
	if err != nil {
		t.Fatal(err)
	}
	sec := secrets.NewMemory()
	if err := store.Put(site); err != nil {
		t.Fatal(err)
	}
	if err := sites.SavePassword(sec, site.Name, password); err != nil {
		t.Fatal(err)
	}
	return store, sec
}

// connectFromSiteManager opens the site manager, selects the first saved
// site and taps Connect, as the user does.
func connectFromSiteManager(t *testing.T, h *harness) {
	t.Helper()
	m := h.w.siteManager()
	m.Show()
	var list *widget.List
	var connect *widget.Button
	uitest.Walk(m.Content(), func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.List:
			if list == nil {
				list = o
			}
		case *widget.Button:
			if o.Text == "Connect" {
				connect = o
			}
		}
	})
	if list == nil || connect == nil {
		t.Fatal("the site manager has no site list or no Connect button")
	}
	list.Select(1) // row 0 is the demo
	test.Tap(connect)
}

// A site set to active mode in the site manager connects to a server that
// refuses passive mode, lists its folder and downloads a file byte for
// byte; the trace shows the server connecting back (eprt, tcp_accept).
func TestActiveModeSiteConnectsListsDownloads(t *testing.T) {
	data := make([]byte, 3<<20+17)
	r := rand.New(rand.NewPCG(13, 13))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	srv := activeOnlyVsftpd(t, map[string][]byte{"pub/data.bin": data, "pub/notes.txt": []byte("active\n")})
	site := sites.Site{Name: "Active only", URL: "ftpes://" + srv.Addr, User: srv.User, Mode: sites.ModeActive,
		RemoteDir: "/pub", Identity: sites.IdentityNever}
	store, sec := savedSite(t, site, srv.Password)
	local := t.TempDir()
	h := newHarness(t, Deps{LocalDir: local, Sites: store, Secrets: sec})
	if h.w.settings.DataMode() != client.ModePassive {
		t.Fatalf("the settings' mode is %q: the site's own mode would not be tested", h.w.settings.DataMode())
	}

	connectFromSiteManager(t, h)
	test.Tap(h.waitDialog(t).once) // vsftpd's certificate is self-signed
	if res := h.waitDone(t); res.err != nil {
		t.Fatalf("connect: %v\nvsftpd log: %s", res.err, srv.LogPath)
	}
	if got := h.w.top.quick.mode.Selected; got != "Active" {
		t.Errorf("the quick-connect bar shows mode %q, want the site's Active", got)
	}
	remote := h.w.remote.pane
	h.pump(t, "the listing", func() bool { return !remote.Loading() && len(remote.Entries()) > 0 })
	if remote.Dir() != "/pub" {
		t.Errorf("the remote pane shows %q, want the site's folder /pub", remote.Dir())
	}
	sizes := map[string]int64{}
	for _, e := range remote.Entries() {
		sizes[e.Name] = e.Size
	}
	if len(sizes) != 2 || sizes["data.bin"] != int64(len(data)) || sizes["notes.txt"] != 7 {
		t.Errorf("listing %+v", remote.Entries())
	}

	h.w.download([]browser.Entry{{Name: "data.bin", Size: int64(len(data))}})
	// The transfer list hears of the end after the steps before it.
	id := h.w.ctl.conn.idBase + 1
	var job transfer.Progress
	h.pump(t, "the download", func() bool {
		job, _, _, _ = h.w.tabs.queueView.Job(id)
		return job.State == transfer.StateDone || job.State == transfer.StateFailed
	})
	if job.State != transfer.StateDone {
		t.Fatalf("download: %+v", job)
	}
	got, err := os.ReadFile(filepath.Join(local, "data.bin"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the downloaded file differs (%d bytes, %v)", len(got), err)
	}

	steps := h.w.tabs.timeline.steps
	if s, ok := trace.Find(steps, "control", "eprt"); !ok || s.Failed {
		t.Errorf("no eprt step on the control connection: %+v", s)
	}
	accepted := 0
	for _, s := range steps {
		if s.Name == "tcp_accept" && strings.HasPrefix(s.Conn, "data") && !s.Failed {
			accepted++
		}
	}
	if accepted < 2 { // the listing and the download
		t.Errorf("%d tcp_accept steps, want one per data connection", accepted)
	}
	if log := h.w.tabs.protoLog.text(); strings.Contains(log, "> EPSV") || strings.Contains(log, "> PASV") {
		t.Errorf("active mode sent a passive command:\n%s", log)
	}
}

// In passive mode (Settings' default, the site choosing none) a server
// that refuses passive mode fails the listing, and the status line says
// where to choose active mode.
func TestPassiveRefusedShowsAdvice(t *testing.T) {
	srv := activeOnlyVsftpd(t, map[string][]byte{"a.txt": []byte("a\n")})
	site := sites.Site{Name: "Passive refused", URL: "ftpes://" + srv.Addr, User: srv.User, Identity: sites.IdentityNever}
	store, sec := savedSite(t, site, srv.Password)
	h := newHarness(t, Deps{LocalDir: t.TempDir(), Sites: store, Secrets: sec})

	connectFromSiteManager(t, h)
	test.Tap(h.waitDialog(t).once)
	if res := h.waitDone(t); res.err != nil {
		t.Fatalf("connect: %v", res.err)
	}
	h.pump(t, "the failed listing", func() bool { return strings.HasPrefix(h.w.status.Text, "Could not list") })
	want := reasonAdvice(client.ReasonPassiveRefused)
	if !strings.HasSuffix(h.w.status.Text, want) || !strings.Contains(h.w.status.Text, "refused passive mode") {
		t.Errorf("status %q, want the server's refusal and then %q", h.w.status.Text, want)
	}
	if h.w.status.Importance != widget.DangerImportance {
		t.Errorf("status importance %v", h.w.status.Importance)
	}
}

// The transfer mode reaches the engine: a site's own mode over Settings',
// the quick-connect bar's over both; Settings' port range and addresses
// always.
func TestTransferModeOptions(t *testing.T) {
	h := newHarness(t, Deps{})
	h.w.settings.Mode, h.w.settings.ActivePorts, h.w.settings.ExternalIP = "auto", "50000-50010", "203.0.113.7"
	tests := []struct {
		name  string
		prefs connectPrefs
		want  client.DataMode
	}{
		{"quick connect, Settings' mode", connectPrefs{}, client.ModeAuto},
		{"site with no mode", connectPrefs{site: &client.Options{}}, client.ModeAuto},
		{"site in active mode", connectPrefs{site: &client.Options{Mode: client.ModeActive}}, client.ModeActive},
		{"site in passive mode", connectPrefs{site: &client.Options{Mode: client.ModePassive}}, client.ModePassive},
		{"quick connect in passive mode", connectPrefs{mode: client.ModePassive}, client.ModePassive},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := h.w.options(context.Background(), 0, "127.0.0.1", tc.prefs)
			if o.Mode != tc.want {
				t.Errorf("mode %q, want %q", o.Mode, tc.want)
			}
			if o.Active.PortMin != 50000 || o.Active.PortMax != 50010 || o.Active.ExternalAddr.String() != "203.0.113.7" {
				t.Errorf("active options %+v", o.Active)
			}
		})
	}
}

// Each place the mode is chosen reaches a server that refuses passive
// mode: the site manager, Settings (for a site that chooses none, and for
// the quick-connect bar's default) and the quick-connect bar.
func TestActiveModeChosenEachWay(t *testing.T) {
	srv := activeOnlyVsftpd(t, map[string][]byte{"a.txt": []byte("a\n")})
	tests := []struct {
		name       string
		settings   string // Settings' transfer mode
		siteMode   string // "" with quick: the site's mode
		quick      bool   // connect from the quick-connect bar instead
		quickMode  string // the bar's Mode choice
		wantSteps  []string
		wantNoStep string
	}{
		{"site manager: Active", "passive", sites.ModeActive, false, "", []string{"eprt"}, "mode_fallback"},
		{"site manager: Auto", "passive", sites.ModeAuto, false, "", []string{"eprt", "mode_fallback"}, ""},
		{"Settings: Active, site Default", "active", sites.ModeDefault, false, "", []string{"eprt"}, "mode_fallback"},
		{"Settings: Auto, quick-connect Default", "auto", "", true, "Default", []string{"eprt", "mode_fallback"}, ""},
		{"quick-connect: Active", "passive", "", true, "Active", []string{"eprt"}, "mode_fallback"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			site := sites.Site{Name: "Server", URL: "ftpes://" + srv.Addr, User: srv.User, Mode: tc.siteMode, Identity: sites.IdentityNever}
			store, sec := savedSite(t, site, srv.Password)
			h := newHarness(t, Deps{LocalDir: t.TempDir(), Sites: store, Secrets: sec})
			h.w.settings.Mode = tc.settings
			if tc.quick {
				h.w.top.quick.host.SetText("ftpes://" + srv.User + "@" + srv.Addr)
				h.w.top.quick.password.SetText(srv.Password)
				h.w.top.quick.mode.SetSelected(tc.quickMode)
				test.Tap(h.w.top.connect)
			} else {
				connectFromSiteManager(t, h)
			}
			test.Tap(h.waitDialog(t).once)
			h.pump(t, "the client certificate question", func() bool { return h.w.dlg.identity != nil || len(h.results) > 0 })
			if h.w.dlg.identity != nil {
				h.w.dlg.identity.Dismiss()
			}
			if res := h.waitDone(t); res.err != nil {
				t.Fatalf("connect: %v", res.err)
			}
			remote := h.w.remote.pane
			h.pump(t, "the listing", func() bool { return !remote.Loading() && remote.Dir() != "" })
			if es := remote.Entries(); len(es) != 1 || es[0].Name != "a.txt" {
				t.Fatalf("listing %+v; status %q", es, h.w.status.Text)
			}
			steps := h.w.tabs.timeline.steps
			for _, name := range tc.wantSteps {
				if _, ok := trace.Find(steps, "control", name); !ok {
					t.Errorf("no %s step", name)
				}
			}
			if tc.wantNoStep != "" {
				if _, ok := trace.Find(steps, "control", tc.wantNoStep); ok {
					t.Errorf("a %s step: passive mode was tried", tc.wantNoStep)
				}
			}
		})
	}
}
