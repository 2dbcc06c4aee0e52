//go:build linux

package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"lockbox/client"
	"lockbox/client/demo"
	"lockbox/client/secrets"
	"lockbox/client/secrets/secretstest"
	"lockbox/client/servertest"
	"lockbox/client/sites"
)

// A saved site with a SOCKS5 proxy (a real Dante asking for a user name
// and password, the password in the keyring) connects and lists through
// it, with the real engine; the proxy password reaches no file.
func TestSiteThroughSOCKS5Proxy(t *testing.T) {
	l := startedDemo(t)
	px := servertest.StartDante(t, servertest.ProxyConfig{Auth: true})
	dir := t.TempDir()
	store, err := sites.Open(filepath.Join(dir, "sites.json"))
	if err != nil {
		t.Fatal(err)
	}
	sec := secrets.NewMemory()
	site := sites.Site{Name: "Demo via SOCKS5", URL: strings.Replace(l.URL(), "demo@", "", 1), User: demo.DemoUser,
		Identity: sites.IdentityNever, Proxy: "socks5://" + px.User + "@" + px.Addr}
	if err := store.Put(site); err != nil {
		t.Fatal(err)
	}
	if err := sites.SaveProxyPassword(sec, sites.ProxyPasswordKey(site.Name), px.Password); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Deps{LocalDir: t.TempDir(), Sites: store, Secrets: sec})
	got, _ := store.Get(site.Name)
	h.w.ConnectSite(got, demo.DemoPassword)
	test.Tap(h.waitDialog(t).once)
	if r := h.waitDone(t); r.err != nil {
		t.Fatal(r.err)
	}
	remote := h.w.remote.pane
	h.pump(t, "the listing", func() bool { return !remote.Loading() && len(remote.Entries()) > 0 })
	var names []string
	for _, e := range remote.Entries() {
		names = append(names, e.Name)
	}
	if !strings.Contains(strings.Join(names, ","), "README.txt") {
		t.Errorf("listing %v", names)
	}
	var proxied []string
	for _, s := range h.w.tabs.timeline.steps {
		if s.Name == "proxy_connect" && !s.Failed {
			proxied = append(proxied, s.Conn)
		}
		if strings.Contains(s.Summary, px.Password) {
			t.Errorf("a step shows the proxy password: %q", s.Summary)
		}
	}
	if len(proxied) < 2 || proxied[0] != "control" || !strings.HasPrefix(proxied[1], "data") {
		t.Errorf("proxy_connect on %v, want the control and a data connection", proxied)
	}
	secretstest.AssertNotOnDisk(t, dir, px.Password)
}

// Inspect takes a tls:// URL: the handshake and the chain of a TLS
// service that speaks no HTTP (openssl s_server), with no login.
func TestInspectTLSURL(t *testing.T) {
	srv := servertest.StartSServer(t, servertest.SServerConfig{})
	h := newHarness(t, Deps{})
	h.inspect("tls://" + srv.Addr)
	test.Tap(h.waitDialog(t).once)
	r := h.waitDone(t)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(r.rep.Chain) == 0 || r.rep.TLS == nil {
		t.Fatalf("report without chain or TLS: %+v", r.rep)
	}
	for _, s := range r.rep.Steps {
		if s.Conn != "tls" || s.Name == "http_response" || s.Name == "user" {
			t.Errorf("step %s on %s: tls:// must speak only TLS", s.Name, s.Conn)
		}
	}
}

// A saved site's expected fingerprint trusts exactly that certificate
// without asking, and refuses any other without asking either.
func TestSiteExpectedFingerprint(t *testing.T) {
	l := startedDemo(t)
	rep, _ := client.Inspect(context.Background(), mustParse(t, l.URL()), client.Options{})
	if rep == nil || len(rep.Chain) == 0 {
		t.Fatal("the demo showed no certificate")
	}
	tests := []struct {
		name        string
		fingerprint string
		wantTrust   client.Trust
		wantErr     bool
	}{
		{"matches", "SHA256:" + rep.Chain[0].SHA256, client.TrustPinned, false},
		{"another certificate's", strings.Repeat("ab", 32), client.TrustUntrusted, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Deps{LocalDir: t.TempDir(), Secrets: secrets.NewMemory()})
			site := sites.Site{Name: "Demo", URL: strings.Replace(l.URL(), "demo@", "", 1), User: demo.DemoUser,
				Identity: sites.IdentityNever, Fingerprint: tt.fingerprint}
			h.w.ConnectSite(site, demo.DemoPassword)
			r := h.waitDone(t)
			if len(h.dialogs) != 0 {
				t.Error("the trust question was asked")
			}
			if (r.err != nil) != tt.wantErr || r.rep == nil || r.rep.Trust != tt.wantTrust {
				t.Fatalf("err %v, report %+v; want trust %s", r.err, r.rep, tt.wantTrust)
			}
		})
	}
}

func mustParse(t *testing.T, raw string) client.Target {
	t.Helper()
	tg, err := client.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}
