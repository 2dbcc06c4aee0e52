package demo_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"lockbox/client"
	"lockbox/client/configfile"
	"lockbox/client/demo"
	"lockbox/client/identity"
)

func startLocal(t *testing.T) *demo.Local {
	t.Helper()
	l, err := demo.StartLocal()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// clientCertTarget is the demo's client-certificate port with the demo
// account.
func clientCertTarget(t *testing.T, l *demo.Local) client.Target {
	t.Helper()
	tg, err := client.ParseURL(l.ClientCertURL())
	if err != nil {
		t.Fatal(err)
	}
	tg.User, tg.Password, tg.HasPassword = demo.DemoUser, demo.DemoPassword, true
	return tg
}

// acceptOnce trusts the demo's self-signed server certificate.
func acceptOnce(context.Context, client.Decision) client.Choice { return client.AcceptOnce }

func TestClientCertPortRefusesConnectionsWithoutIdentity(t *testing.T) {
	l := startLocal(t)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			_, report, err := client.Connect(context.Background(), clientCertTarget(t, l),
				client.Options{Decide: acceptOnce, MaxVersion: v})
			var cr *client.ClientCertRequiredError
			if !errors.As(err, &cr) {
				t.Fatalf("err = %v, want a ClientCertRequiredError", err)
			}
			if len(cr.AcceptableCAs) != 1 || !strings.Contains(cr.AcceptableCAs[0], "CN="+demo.ClientCAName) {
				t.Errorf("acceptable CAs = %q, want the demo client CA", cr.AcceptableCAs)
			}
			if !report.ClientCertificate.Requested || report.ClientCertificate.Sent != nil {
				t.Errorf("client certificate = %+v", report.ClientCertificate)
			}
		})
	}
}

func TestClientCertPortAcceptsTheDemoIdentity(t *testing.T) {
	l := startLocal(t)
	fromP12 := func(t *testing.T) *identity.Identity {
		id, err := identity.LoadPKCS12(l.IdentityPKCS12(), demo.IdentityPassword)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	fromPEM := func(t *testing.T) *identity.Identity {
		id, err := identity.LoadPEM(l.IdentityPEM())
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	tests := []struct {
		name    string
		version uint16
		load    func(*testing.T) *identity.Identity
		choose  bool // offer it through ChooseIdentity instead of Identity
	}{
		{"PKCS#12, TLS 1.3", tls.VersionTLS13, fromP12, false},
		{"PKCS#12, TLS 1.2", tls.VersionTLS12, fromP12, false},
		{"PEM, TLS 1.3", tls.VersionTLS13, fromPEM, false},
		{"chosen, TLS 1.3", tls.VersionTLS13, fromP12, true},
		{"chosen, TLS 1.2", tls.VersionTLS12, fromP12, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.load(t)
			if id.Subject() != "CN="+demo.ClientIdentityName+",O=Lockbox demo" {
				t.Errorf("identity subject = %s", id.Subject())
			}
			opts := client.Options{Decide: acceptOnce, MaxVersion: tc.version}
			var asked atomic.Int32
			if tc.choose {
				opts.ChooseIdentity = func(_ context.Context, r client.IdentityRequest) *identity.Identity {
					asked.Add(1)
					if r.HostPort != strings.TrimSuffix(strings.TrimPrefix(l.ClientCertURL(), "ftpes://"), "/") || !id.Matches(r.AcceptableCADER) {
						t.Errorf("request = %s, CAs %q", r.HostPort, r.AcceptableCAs)
					}
					return id
				}
			} else {
				opts.Identity = id
			}
			sess, report, err := client.Connect(context.Background(), clientCertTarget(t, l), opts)
			if err != nil {
				t.Fatalf("connect: %v", err)
			}
			defer sess.Close()
			if report.ClientCertificate.Sent == nil || !strings.Contains(*report.ClientCertificate.Sent, demo.ClientIdentityName) {
				t.Errorf("sent = %v", report.ClientCertificate.Sent)
			}
			entries, err := sess.List("/")
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name)
			}
			if got := strings.Join(names, ","); !strings.Contains(got, "README.txt") || !strings.Contains(got, "reports") {
				t.Errorf("list = %s", got)
			}
			var got bytes.Buffer
			if _, err := sess.Download(context.Background(), "/reports/2026-q4.csv", 0, &got, nil, nil); err != nil {
				t.Fatalf("download: %v", err)
			}
			if got.String() != "quarter,revenue\n2026-Q4,2345\n" {
				t.Errorf("downloaded %q", got.String())
			}
			if tc.choose && asked.Load() != 1 {
				t.Errorf("ChooseIdentity asked %d times for a login, a listing and a download, want once", asked.Load())
			}
		})
	}
}

func TestDemoIdentityIsPrivateAndGoneAfterClose(t *testing.T) {
	l, err := demo.StartLocal()
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := l.IdentityPEM()
	files := []string{certFile, keyFile, l.IdentityPKCS12()}
	dir := filepath.Dir(certFile)
	if fi, err := os.Stat(dir); err != nil || (configfile.ModesApply && fi.Mode().Perm() != 0o700) {
		t.Errorf("identity folder %s: %v, %v", dir, fi.Mode(), err)
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil || (configfile.ModesApply && fi.Mode().Perm() != 0o600) {
			t.Errorf("%s: mode %v, %v", f, fi.Mode(), err)
		}
		if filepath.Dir(f) != dir {
			t.Errorf("%s is not in the identity folder %s", f, dir)
		}
		if rel, err := filepath.Rel(l.Root, f); err == nil && !strings.HasPrefix(rel, "..") {
			t.Errorf("%s is inside the served folder %s", f, l.Root)
		}
	}
	if _, err := identity.LoadPKCS12(l.IdentityPKCS12(), "not-the-password"); !errors.Is(err, identity.ErrWrongPassword) {
		t.Errorf("wrong PKCS#12 password: %v", err)
	}
	ccAddr := strings.TrimSuffix(strings.TrimPrefix(l.ClientCertURL(), "ftpes://"), "/")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.Dial("tcp", ccAddr); err == nil {
		c.Close()
		t.Error("the client-certificate server still accepts connections after Close")
	}
	for _, f := range files {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind after Close: %v", f, err)
		}
	}
}
