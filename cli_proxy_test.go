//go:build linux

package main

import (
	"net"
	"os"
	"strings"
	"testing"

	"lockbox/client"
	"lockbox/client/certgen"
	"lockbox/client/servertest"
)

// TestProxyFor follows curl: --proxy, else the scheme's variable (lower
// case first), else ALL_PROXY; --noproxy, else NO_PROXY, names the hosts
// that go direct; --proxy "" means none.
func TestProxyFor(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		url   string
		want  string // the proxy's String(), "" for none
		usage bool
	}{
		{"nothing set", nil, nil, "https://h", "", false},
		{"ALL_PROXY", nil, map[string]string{"ALL_PROXY": "socks5h://p:1080"}, "https://h", "socks5h://p:1080", false},
		{"all_proxy before ALL_PROXY", nil, map[string]string{"all_proxy": "socks5://a:1", "ALL_PROXY": "socks5://b:2"}, "ftpes://h", "socks5://a:1", false},
		{"HTTPS_PROXY before ALL_PROXY for https", nil, map[string]string{"HTTPS_PROXY": "http://web:3128", "ALL_PROXY": "socks5://p:1080"}, "https://h", "http://web:3128", false},
		{"HTTPS_PROXY is not for ftp", nil, map[string]string{"HTTPS_PROXY": "http://web:3128", "ALL_PROXY": "socks5://p:1080"}, "ftpes://h", "socks5://p:1080", false},
		{"FTP_PROXY for ftpes", nil, map[string]string{"FTP_PROXY": "http://f:8080", "ALL_PROXY": "socks5://p:1080"}, "ftpes://h", "http://f:8080", false},
		{"NO_PROXY matches a subdomain", nil, map[string]string{"ALL_PROXY": "socks5://p:1080", "NO_PROXY": "example.com"}, "https://www.example.com", "", false},
		{"NO_PROXY misses", nil, map[string]string{"ALL_PROXY": "socks5://p:1080", "NO_PROXY": "example.com"}, "https://example.org", "socks5://p:1080", false},
		{"NO_PROXY star", nil, map[string]string{"ALL_PROXY": "socks5://p:1080", "NO_PROXY": "*"}, "https://h", "", false},
		{"--proxy over the environment", []string{"--proxy", "http://u:pw@q:8080"}, map[string]string{"ALL_PROXY": "socks5://p:1080"}, "https://h", "http://u@q:8080", false},
		{"--proxy empty means none", []string{"--proxy", ""}, map[string]string{"ALL_PROXY": "socks5://p:1080"}, "https://h", "", false},
		{"NO_PROXY applies to --proxy", []string{"--proxy", "socks5://q:1"}, map[string]string{"NO_PROXY": "h"}, "https://h", "", false},
		{"--noproxy over NO_PROXY", []string{"--noproxy", "other"}, map[string]string{"ALL_PROXY": "socks5://p:1080", "NO_PROXY": "h"}, "https://h", "socks5://p:1080", false},
		{"--noproxy star", []string{"--noproxy", "*"}, map[string]string{"ALL_PROXY": "socks5://p:1080"}, "https://h", "", false},
		{"bad proxy URL", []string{"--proxy", "gopher://p"}, nil, "https://h", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f cliFlags
			fs := newFlagSet(&f, os.Stderr)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			target, err := client.ParseURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			px, err := f.proxyFor(target, func(k string) string { return tt.env[k] })
			if tt.usage {
				if _, ok := err.(usageError); !ok {
					t.Fatalf("err %v, want a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if px != nil {
				got = px.String()
			}
			if got != tt.want {
				t.Errorf("proxy %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCLIThroughRealProxies runs inspect https:// through Dante and
// tinyproxy as a user would: with --proxy, ALL_PROXY and NO_PROXY.
func TestCLIThroughRealProxies(t *testing.T) {
	t.Setenv("LOCKBOX_CONFIG_DIR", t.TempDir())
	for _, k := range []string{"all_proxy", "ALL_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"} {
		t.Setenv(k, "")
	}
	root := certgen.Must(t, certgen.Spec{CommonName: "CLI Proxy Test Root", IsCA: true}, nil)
	leaf := certgen.Must(t, certgen.Spec{CommonName: "127.0.0.1", DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}, root)
	caFile := writeFile(t, t.TempDir(), "root.pem", root.CertPEM())
	srv := servertest.StartNginx(t, servertest.NginxConfig{ServerCert: leaf})
	socks := servertest.StartDante(t, servertest.ProxyConfig{Auth: true})
	web := servertest.StartTinyproxy(t, servertest.ProxyConfig{Auth: true})
	wrong := strings.Replace(web.URL(), web.Password, "wrong-password", 1)
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		code       int
		stdout     []string
		stderr     []string
		noProxyHop bool
	}{
		{"--proxy socks5", nil, []string{"--proxy", socks.URL()}, 0, []string{"proxy_connect", "SOCKS5 request granted", "Result: trusted (verified)"}, nil, false},
		{"ALL_PROXY http", map[string]string{"ALL_PROXY": web.URL()}, nil, 0, []string{"proxy_connect", "200 Connection established", "Result: trusted (verified)"}, nil, false},
		{"NO_PROXY goes direct", map[string]string{"ALL_PROXY": web.URL(), "NO_PROXY": "localhost,127.0.0.1"}, nil, 0, []string{"Result: trusted (verified)"}, nil, true},
		{"JSON through the proxy", nil, []string{"--json", "--proxy", socks.URL()}, 0, []string{`"step": "proxy_connect"`, `"trusted": true`}, nil, false},
		{"wrong proxy password", nil, []string{"--proxy", wrong}, 1, []string{"proxy_connect"}, []string{"refused the user name or password", "--proxy"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			args := append([]string{"inspect", "--ca", caFile, "--timeout", "30s"}, tt.args...)
			r := run(t, append(args, srv.URL+"/")...)
			r.check(t, tt.code, tt.stdout, tt.stderr)
			if got := strings.Contains(r.stdout, "proxy_connect"); got == tt.noProxyHop {
				t.Errorf("proxy_connect shown: %v, want %v:\n%s", got, !tt.noProxyHop, r.stdout)
			}
			for _, pw := range []string{socks.Password, web.Password} {
				if strings.Contains(r.stdout+r.stderr, pw) {
					t.Errorf("a proxy password was printed")
				}
			}
		})
	}
}
