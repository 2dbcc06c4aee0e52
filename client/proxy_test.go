//go:build linux

package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"lockbox/client/certgen"
	"lockbox/client/servertest"
)

// proxies starts each real proxy of the tests (Dante for SOCKS5 with
// username/password, tinyproxy for HTTP CONNECT with Basic auth) with cfg.
var proxies = []struct {
	name  string
	start func(testing.TB, servertest.ProxyConfig) *servertest.Proxy
}{
	{"SOCKS5 (Dante)", servertest.StartDante},
	{"HTTP CONNECT (tinyproxy)", servertest.StartTinyproxy},
}

// proxyOf parses a test proxy's URL.
func proxyOf(t *testing.T, p *servertest.Proxy) *Proxy {
	t.Helper()
	px, err := ParseProxy(p.URL())
	if err != nil {
		t.Fatal(err)
	}
	return px
}

// sawProxy checks that the server's log shows a client at the proxies'
// outgoing address and none at Lockbox's own.
func sawProxy(t *testing.T, logPath, marker string) {
	t.Helper()
	want := []byte(fmt.Sprintf(marker, servertest.ProxyOutgoing))
	b, err := servertest.WaitForLog(logPath, want, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, want) {
		t.Errorf("the server's log shows no client at %s:\n%s", servertest.ProxyOutgoing, b)
	}
	if bytes.Contains(b, []byte(fmt.Sprintf(marker, "127.0.0.1"))) {
		t.Errorf("the server saw Lockbox directly (127.0.0.1), not the proxy:\n%s", b)
	}
}

// TestFTPThroughProxies logs in, lists, downloads and uploads against
// vsftpd (require_ssl_reuse=YES) through each real proxy, and checks that
// vsftpd saw the proxy's address, not Lockbox's.
func TestFTPThroughProxies(t *testing.T) {
	p := newPKI(t)
	for _, pc := range proxies {
		t.Run(pc.name, func(t *testing.T) {
			px := pc.start(t, servertest.ProxyConfig{Auth: true})
			srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{
				ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter},
				Files: map[string][]byte{"readme.txt": []byte("hello through a proxy\n")},
			})
			var log bytes.Buffer
			sess, report := vsftpdLogin(t, srv, "ftpes", Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true, Proxy: proxyOf(t, px)})
			if report.Trust != TrustVerified {
				t.Fatalf("trust %s", report.Trust)
			}
			entries, err := sess.List("/")
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			if len(entries) != 1 || entries[0].Name != "readme.txt" {
				t.Fatalf("list = %+v", entries)
			}
			var got bytes.Buffer
			if _, err := sess.Download(bg, "/readme.txt", 0, &got, nil, nil); err != nil {
				t.Fatalf("get: %v", err)
			}
			if got.String() != "hello through a proxy\n" {
				t.Errorf("get = %q", got.String())
			}
			if _, err := sess.Upload(bg, "/up.txt", strings.NewReader("uploaded through a proxy"), 0, nil, nil); err != nil {
				t.Fatalf("put: %v", err)
			}
			if b, err := os.ReadFile(srv.Root + "/up.txt"); err != nil || string(b) != "uploaded through a proxy" {
				t.Errorf("uploaded file = %q, %v", b, err)
			}
			steps := sess.Report().Steps
			for _, conn := range []string{"control", "data 1", "data 2", "data 3"} {
				s, ok := find(steps, conn, "proxy_connect")
				if !ok || s.Failed || !strings.Contains(s.Summary, px.Addr) {
					t.Errorf("%s: proxy_connect %+v (found %v)", conn, s, ok)
				}
				if done, ok := find(steps, conn, "handshake_done"); conn != "control" && (!ok || !strings.Contains(done.Summary, "resumed: yes")) {
					t.Errorf("%s did not resume the control session: %q", conn, done.Summary)
				}
			}
			js, _ := json.Marshal(sess.Report())
			log.Write(js)
			assertNoSecret(t, "the report", px.Password, log.String())
			sawProxy(t, srv.LogPath, `OK LOGIN: Client "%s"`)
			sawProxy(t, srv.LogPath, `OK UPLOAD: Client "%s"`)
		})
	}
}

// TestInspectHTTPSThroughProxies inspects nginx through each real proxy.
func TestInspectHTTPSThroughProxies(t *testing.T) {
	p := newPKI(t)
	for _, pc := range proxies {
		t.Run(pc.name, func(t *testing.T) {
			px := pc.start(t, servertest.ProxyConfig{Auth: true})
			srv := servertest.StartNginx(t, servertest.NginxConfig{ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter}})
			report, err := Inspect(bg, mustTarget(t, srv.URL+"/"), Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true, Proxy: proxyOf(t, px)})
			if err != nil || !report.Trusted {
				t.Fatalf("inspect: %v (trust %s)", err, report.Trust)
			}
			if s, ok := find(report.Steps, "https", "proxy_connect"); !ok || s.Failed {
				t.Errorf("proxy_connect %+v (found %v)", s, ok)
			}
			sawProxy(t, srv.AccessLogPath, "%s - ")
		})
	}
}

// TestProxyRefusals checks that a wrong proxy password, a target the proxy
// refuses by rule, a target that refuses the proxy and a proxy that is not
// there each fail at once with the matching reason.
func TestProxyRefusals(t *testing.T) {
	closed := closedPort(t)
	for _, pc := range proxies {
		t.Run(pc.name, func(t *testing.T) {
			good := pc.start(t, servertest.ProxyConfig{Auth: true, BlockHost: "127.0.0.3"})
			wrong := proxyOfURL(t, good)
			wrong.Password = "not-the-password"
			gone := proxyOfURL(t, good)
			gone.Port = mustPort(t, closed)
			tests := []struct {
				name   string
				proxy  *Proxy
				target string
				want   Reason
				words  string
			}{
				{"wrong password", wrong, "ftpes://127.0.0.1:21", ReasonProxyAuthFailed, "refused the user name or password"},
				{"target blocked by rule", proxyOfURL(t, good), "ftpes://127.0.0.3:21", ReasonProxyTargetRefused, "could not or would not connect to 127.0.0.3:21"},
				{"target closed", proxyOfURL(t, good), "ftpes://" + closed, ReasonProxyTargetRefused, "could not or would not connect"},
				{"no proxy there", gone, "ftpes://127.0.0.1:21", ReasonProxyUnreachable, "cannot be reached"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					report, err := Inspect(bg, mustTarget(t, tt.target), Options{Proxy: tt.proxy})
					if err == nil {
						t.Fatal("inspect succeeded")
					}
					if got := ReasonOf(err); got != tt.want {
						t.Errorf("reason %v, want %v (%v)", got, tt.want, err)
					}
					var se *StepError
					if !errors.As(err, &se) || se.Step != "proxy_connect" || !strings.Contains(err.Error(), tt.words) {
						t.Errorf("error %q, want step proxy_connect saying %q", err, tt.words)
					}
					s, ok := find(report.Steps, "control", "proxy_connect")
					if !ok || !s.Failed || !strings.Contains(s.Summary, tt.words) {
						t.Errorf("proxy_connect step %+v (found %v)", s, ok)
					}
					for _, st := range report.Steps {
						assertNoSecret(t, "a step", good.Password, st.Summary)
					}
				})
			}
		})
	}
}

func proxyOfURL(t *testing.T, p *servertest.Proxy) *Proxy { return proxyOf(t, p) }

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func mustPort(t *testing.T, addr string) int {
	t.Helper()
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return a.Port
}

// TestHTTPSGetThroughProxies downloads from nginx through each real proxy
// with HTTPSClient, as get https:// does.
func TestHTTPSGetThroughProxies(t *testing.T) {
	p := newPKI(t)
	for _, pc := range proxies {
		t.Run(pc.name, func(t *testing.T) {
			px := pc.start(t, servertest.ProxyConfig{Auth: true})
			srv := servertest.StartNginx(t, servertest.NginxConfig{ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter},
				Files: map[string][]byte{"file.txt": []byte("fetched through a proxy")}})
			c := NewHTTPSClient(mustTarget(t, srv.URL+"/file.txt"), Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true, Proxy: proxyOf(t, px)})
			defer c.Close()
			resp, err := c.Do(bg, "GET", nil)
			if err != nil {
				t.Fatal(err)
			}
			var body bytes.Buffer
			body.ReadFrom(resp.Body)
			resp.Body.Close()
			if body.String() != "fetched through a proxy" {
				t.Errorf("body %q", body.String())
			}
			if s, ok := find(c.Finish(nil).Steps, "https", "proxy_connect"); !ok || s.Failed {
				t.Errorf("proxy_connect %+v (found %v)", s, ok)
			}
			sawProxy(t, srv.AccessLogPath, "%s - ")
		})
	}
}

// TestActiveModeThroughProxyRefused: through a real proxy, active mode is
// refused before Lockbox listens or sends EPRT, and auto mode, facing a
// server that refuses passive mode, does not fall back to it; both say why,
// with the reason the front ends word as "use passive mode or no proxy".
func TestActiveModeThroughProxyRefused(t *testing.T) {
	srv, base := activeOnlyVsftpd(t, servertest.VsftpdConfig{Files: map[string][]byte{"a.txt": []byte("a\n")}})
	px := servertest.StartDante(t, servertest.ProxyConfig{Auth: true})
	for _, mode := range []DataMode{ModeActive, ModeAuto} {
		t.Run(string(mode), func(t *testing.T) {
			opts := base
			opts.Mode, opts.Proxy = mode, proxyOf(t, px)
			sess, _ := vsftpdLogin(t, srv, "ftpes", opts)
			_, err := sess.List("/")
			var ae *ActiveThroughProxyError
			if !errors.As(err, &ae) || ReasonOf(err) != ReasonActiveThroughProxy {
				t.Fatalf("list: %v (reason %v), want ActiveThroughProxyError", err, ReasonOf(err))
			}
			if strings.Contains(err.Error(), px.Password) {
				t.Errorf("the error shows the proxy password: %v", err)
			}
			for _, s := range sess.Report().Steps {
				if s.Name == "eprt" || s.Name == "port" || (s.Name == "tcp_listen" && !s.Failed) {
					t.Errorf("active mode went ahead through the proxy: step %+v", s)
				}
			}
		})
	}
}
