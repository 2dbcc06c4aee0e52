package sites

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockbox/client"
	"lockbox/client/secrets"
	"lockbox/client/secrets/secretstest"
)

func TestResolveProxy(t *testing.T) {
	sec := secrets.NewMemory()
	if err := SaveProxyPassword(sec, ProxyPasswordKey("own"), "site-proxy-pw"); err != nil {
		t.Fatal(err)
	}
	global := GlobalProxy{URL: "socks5h://g@gproxy:1080", NoProxy: "intranet.example", Password: "global-pw"}
	tests := []struct {
		name string
		site Site
		want string // String() and password, "" for direct
	}{
		{"settings' proxy", Site{Name: "a", URL: "ftpes://ftp.example.com:21"}, "socks5h://g@gproxy:1080 global-pw"},
		{"settings' no-proxy list", Site{Name: "b", URL: "ftpes://ftp.intranet.example:21"}, ""},
		{"none", Site{Name: "c", URL: "ftpes://ftp.example.com:21", Proxy: ProxyNone}, ""},
		{"site's own, password from the keyring", Site{Name: "own", URL: "https://h:443", Proxy: "http://u@web:3128"}, "http://u@web:3128 site-proxy-pw"},
		{"site's own, no password saved", Site{Name: "nopw", URL: "https://h:443", Proxy: "socks5://p:1080"}, "socks5://p:1080 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			px, err := tt.site.ResolveProxy(global, sec)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if px != nil {
				got = px.String() + " " + px.Password
			}
			if got != tt.want {
				t.Errorf("proxy %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSiteProxyAndFingerprintFields(t *testing.T) {
	sum := sha256.Sum256([]byte("x"))
	fp := hex.EncodeToString(sum[:])
	tests := []struct {
		name    string
		site    Site
		wantErr string
	}{
		{"proxy URL", Site{Name: "a", URL: "ftpes://h:21", Proxy: "socks5://u@p:1080"}, ""},
		{"proxy with a password", Site{Name: "a", URL: "ftpes://h:21", Proxy: "socks5://u:pw@p:1080"}, "must not hold a password"},
		{"bad proxy scheme", Site{Name: "a", URL: "ftpes://h:21", Proxy: "gopher://p"}, "unsupported scheme"},
		{"fingerprint", Site{Name: "a", URL: "ftpes://h:21", Fingerprint: "SHA256:" + strings.ToUpper(fp)}, ""},
		{"bad fingerprint", Site{Name: "a", URL: "ftpes://h:21", Fingerprint: "abc"}, "fingerprint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.site.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				var o client.Options
				if err := tt.site.Apply(&o); err != nil {
					t.Fatal(err)
				}
				if tt.site.Fingerprint != "" && (len(o.ExpectedFingerprints) != 1 || o.ExpectedFingerprints[0] != fp) {
					t.Errorf("ExpectedFingerprints %v, want [%s]", o.ExpectedFingerprints, fp)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// TestProxyPasswordFollowsTheSite checks that the proxy password moves
// with a renamed site, goes with a deleted one, and never reaches a file.
func TestProxyPasswordFollowsTheSite(t *testing.T) {
	dir := t.TempDir()
	store, err := Open(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	sec := secrets.NewMemory()
	if err := store.Put(Site{Name: "old", URL: "ftpes://h:21", Proxy: "socks5://u@p:1080"}); err != nil {
		t.Fatal(err)
	}
	const pw = "proxy-secret-4711"
	if err := SaveProxyPassword(sec, ProxyPasswordKey("old"), pw); err != nil {
		t.Fatal(err)
	}
	if err := store.Rename("old", "new", sec); err != nil {
		t.Fatal(err)
	}
	if got, _ := ProxyPassword(sec, ProxyPasswordKey("new")); got != pw {
		t.Errorf("after rename: %q", got)
	}
	if got, _ := ProxyPassword(sec, ProxyPasswordKey("old")); got != "" {
		t.Errorf("the old name keeps the proxy password")
	}
	secretstest.AssertNotOnDisk(t, dir, pw)
	if err := store.Delete("new", sec); err != nil {
		t.Fatal(err)
	}
	if got, _ := ProxyPassword(sec, ProxyPasswordKey("new")); got != "" {
		t.Errorf("after delete: %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Fatal(err)
	}
}
