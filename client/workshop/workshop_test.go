//go:build linux

package workshop

import (
	"crypto"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockbox/client/certfile"
	"lockbox/client/certgen"
	"lockbox/client/identity"
	"lockbox/client/trust"
)

var fullSpec = Spec{
	Subject:  Subject{CommonName: "alice.example.com", Organization: "Lockbox Test", OrganizationalUnit: "QA", Country: "de", Email: "alice@example.com"},
	DNSNames: []string{"www.example.com"},
	IPs:      []net.IP{net.ParseIP("127.0.0.1")},
	Emails:   []string{"ops@example.com"},
	Days:     30,
}

func TestNewRequestOpensslVerifies(t *testing.T) {
	for _, kt := range KeyTypes {
		t.Run(string(kt), func(t *testing.T) {
			w, sec, dir := newWorkshop(t)
			spec := fullSpec
			spec.Key = kt
			p, err := w.NewRequest("alice "+string(kt), spec)
			if err != nil {
				t.Fatal(err)
			}
			csr, err := ParseRequest(p.RequestPEM())
			if err != nil {
				t.Fatal(err)
			}
			if err := csr.CheckSignature(); err != nil {
				t.Errorf("Go: request signature: %v", err)
			}
			if got := strings.Join(csr.DNSNames, ","); got != "alice.example.com,www.example.com" {
				t.Errorf("DNS SANs = %s, want the CN copied in first", got)
			}
			out := openssl(t, "req", "-verify", "-noout", "-text", "-in", writeTemp(t, "r.csr", p.RequestPEM()))
			for _, want := range []string{"verify OK", "DNS:alice.example.com", "DNS:www.example.com",
				"IP Address:127.0.0.1", "email:ops@example.com", "CN = alice.example.com", "O = Lockbox Test",
				"OU = QA", "C = DE", "emailAddress = alice@example.com"} {
				if !strings.Contains(out, want) {
					t.Errorf("openssl req output lacks %q:\n%s", want, out)
				}
			}
			pw, err := sec.Get(RequestSecretPrefix + p.Name)
			if err != nil {
				t.Fatal(err)
			}
			openssl(t, "pkcs12", "-info", "-noout", "-in", p.PKCS12, "-passin", "pass:"+pw)
			key, _, _, err := w.openP12(p.PKCS12, RequestSecretPrefix+p.Name)
			if err != nil {
				t.Fatal(err)
			}
			assertKeysNotOnDisk(t, dir, []crypto.PrivateKey{key}, pw)
		})
	}
}

func TestSelfSignedOpensslAgrees(t *testing.T) {
	usages := map[Usage]string{UsageClient: "TLS Web Client Authentication", UsageServer: "TLS Web Server Authentication",
		UsageBoth: "TLS Web Server Authentication, TLS Web Client Authentication"}
	for i, kt := range KeyTypes {
		u := Usages[i%len(Usages)]
		t.Run(string(kt)+"/"+string(u), func(t *testing.T) {
			w, sec, dir := newWorkshop(t)
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			w.SetClock(func() time.Time { return now })
			w.ids.SetClock(func() time.Time { return now })
			spec := fullSpec
			spec.Key, spec.Usage = kt, u
			m, err := w.NewSelfSigned("self "+string(kt), spec)
			if err != nil {
				t.Fatal(err)
			}
			out := openssl(t, "x509", "-noout", "-text", "-in", writeTemp(t, "c.pem", CertificatePEM(m.Certificate)))
			for _, want := range []string{usages[u], "Not After : Mar 31 12:00:00 2026 GMT", "DNS:alice.example.com"} {
				if !strings.Contains(out, want) {
					t.Errorf("openssl x509 output lacks %q:\n%s", want, out)
				}
			}
			if u == UsageClient && strings.Contains(out, "Server Authentication") {
				t.Errorf("a client certificate allows server use:\n%s", out)
			}
			pw, err := sec.Get(identity.SecretKey(m.Identity.Name))
			if err != nil {
				t.Fatal(err)
			}
			info := openssl(t, "pkcs12", "-info", "-noout", "-in", m.Identity.PKCS12, "-passin", "pass:"+pw)
			if !strings.Contains(info, "PBES2") {
				t.Errorf("the PKCS#12 file is not encrypted with PBES2 (modern encoder):\n%s", info)
			}
			id, err := w.ids.LoadSaved(m.Identity.Name, sec)
			if err != nil {
				t.Fatal(err)
			}
			if !id.Leaf.Equal(m.Certificate) {
				t.Error("the saved identity holds another certificate")
			}
			assertKeysNotOnDisk(t, dir, []crypto.PrivateKey{id.Certificate.PrivateKey}, pw)
			if _, err := w.NewSelfSigned(m.Identity.Name, spec); !errors.Is(err, ErrNameTaken) {
				t.Errorf("same name again: err = %v, want ErrNameTaken", err)
			}
		})
	}
}

func TestSpecErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec Spec
		want string
	}{
		{"no CN", Spec{}, "common name"},
		{"bad key", Spec{Subject: Subject{CommonName: "a"}, Key: "dsa"}, "unknown key type"},
		{"bad usage", Spec{Subject: Subject{CommonName: "a"}, Usage: "mail"}, "unknown usage"},
		{"bad country", Spec{Subject: Subject{CommonName: "a", Country: "Germany"}}, "two-letter"},
		{"bad days", Spec{Subject: Subject{CommonName: "a"}, Days: -1}, "validity"},
		{"bad email", Spec{Subject: Subject{CommonName: "a"}, Emails: []string{"not an address"}}, "not an address"},
		{"bad dns", Spec{Subject: Subject{CommonName: "a"}, DNSNames: []string{"a b"}}, "not a host name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.spec.Normalize()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// signWithOpenssl signs the request with ca using openssl x509 -req, as
// a server's administrator would, and returns the certificate PEM.
func signWithOpenssl(t *testing.T, csrPEM []byte, ca *certgen.Cert) []byte {
	t.Helper()
	dir := t.TempDir()
	caCert, caKey, err := ca.WriteFiles(dir, "ca")
	if err != nil {
		t.Fatal(err)
	}
	ext := writeTemp(t, "ext.cnf", []byte("extendedKeyUsage=clientAuth\nsubjectAltName=email:alice@example.com\n"))
	out := filepath.Join(dir, "signed.pem")
	openssl(t, "x509", "-req", "-in", writeTemp(t, "r.csr", csrPEM), "-CA", caCert, "-CAkey", caKey,
		"-CAcreateserial", "-days", "30", "-extfile", ext, "-out", out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestImportSignedAnswer(t *testing.T) {
	root := certgen.Must(t, certgen.Spec{CommonName: "Test Root", IsCA: true}, nil)
	inter := certgen.Must(t, certgen.Spec{CommonName: "Test Issuing CA", IsCA: true}, root)
	for _, tc := range []struct {
		name   string
		encode func(t *testing.T, leafPEM []byte) []byte
		chain  int
	}{
		{"PEM alone", func(t *testing.T, l []byte) []byte { return l }, 0},
		{"PEM with chain, root first", func(t *testing.T, l []byte) []byte {
			return append(append(root.CertPEM(), inter.CertPEM()...), l...)
		}, 2},
		{"DER", func(t *testing.T, l []byte) []byte { return pemCert(t, l).Raw }, 0},
		{"PKCS#7 with chain", func(t *testing.T, l []byte) []byte {
			p7, err := certfile.MarshalPKCS7(pemCert(t, l), inter.Cert, root.Cert)
			if err != nil {
				t.Fatal(err)
			}
			return p7
		}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, sec, dir := newWorkshop(t)
			if _, err := w.NewRequest("other", Spec{Subject: Subject{CommonName: "bob"}}); err != nil {
				t.Fatal(err)
			}
			p, err := w.NewRequest("alice", Spec{Subject: Subject{CommonName: "alice"}, Key: ECDSAP384})
			if err != nil {
				t.Fatal(err)
			}
			leafPEM := signWithOpenssl(t, p.RequestPEM(), inter)
			im, err := w.Import(tc.encode(t, leafPEM), "Alice at work")
			if err != nil {
				t.Fatal(err)
			}
			if im.Request != "alice" || im.Identity.Name != "Alice at work" {
				t.Errorf("imported %+v, want request alice as identity %q", im, "Alice at work")
			}
			if _, still := w.GetPending("alice"); still {
				t.Error("the answered request is still pending")
			}
			if _, err := sec.Get(RequestSecretPrefix + "alice"); err == nil {
				t.Error("the answered request's password is still in the keyring")
			}
			if _, err := os.Stat(p.PKCS12); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the pending key file is still there: %v", err)
			}
			id, err := w.ids.LoadSaved("Alice at work", sec)
			if err != nil {
				t.Fatal(err)
			}
			if len(id.Chain) != tc.chain {
				t.Errorf("chain of %d certificates, want %d", len(id.Chain), tc.chain)
			}
			if tc.chain > 0 && id.Chain[0].Subject.CommonName != "Test Issuing CA" {
				t.Errorf("chain starts with %s, want the issuing CA", id.Chain[0].Subject)
			}
			if !id.Matches([][]byte{inter.Cert.RawSubject}) {
				t.Error("the identity is not offered to a server that asks for the issuing CA")
			}
			pw, _ := sec.Get(identity.SecretKey("Alice at work"))
			openssl(t, "pkcs12", "-info", "-noout", "-in", id.Source, "-passin", "pass:"+pw)
			assertKeysNotOnDisk(t, dir, []crypto.PrivateKey{id.Certificate.PrivateKey}, pw)
		})
	}
}

func pemCert(t *testing.T, p []byte) *x509.Certificate {
	t.Helper()
	certs, err := trust.ParseCertificates(p)
	if err != nil || len(certs) != 1 {
		t.Fatalf("parse certificate: %v", err)
	}
	return certs[0]
}

func TestImportErrors(t *testing.T) {
	ca := certgen.Must(t, certgen.Spec{CommonName: "Test CA", IsCA: true}, nil)
	stranger := certgen.Must(t, certgen.Spec{CommonName: "stranger"}, ca)
	t.Run("matches no pending key", func(t *testing.T) {
		w, _, _ := newWorkshop(t)
		if _, err := w.NewRequest("alice", Spec{Subject: Subject{CommonName: "alice"}}); err != nil {
			t.Fatal(err)
		}
		_, err := w.Import(stranger.CertPEM(), "")
		var nm *NoMatchError
		if !errors.As(err, &nm) || !errors.Is(err, ErrNoPendingKey) || nm.Pending != 1 {
			t.Fatalf("err = %v, want a NoMatchError over 1 pending request", err)
		}
		if !strings.Contains(err.Error(), "CN=stranger") {
			t.Errorf("error %q does not name the certificate", err)
		}
		if len(w.Pending()) != 1 || len(w.ids.List()) != 0 {
			t.Error("a failed import changed the stores")
		}
	})
	t.Run("not a certificate", func(t *testing.T) {
		w, _, _ := newWorkshop(t)
		if _, err := w.Import([]byte("hello"), ""); err == nil || !strings.Contains(err.Error(), "read the certificate") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("wrong password in the keyring", func(t *testing.T) {
		w, sec, _ := newWorkshop(t)
		p, err := w.NewRequest("alice", Spec{Subject: Subject{CommonName: "alice"}})
		if err != nil {
			t.Fatal(err)
		}
		sec.Set(RequestSecretPrefix+"alice", "not the password")
		_, err = w.Import(signWithOpenssl(t, p.RequestPEM(), ca), "")
		if !errors.Is(err, identity.ErrWrongPassword) {
			t.Fatalf("err = %v, want ErrWrongPassword", err)
		}
		if _, still := w.GetPending("alice"); !still {
			t.Error("the request was dropped after a failed import")
		}
	})
	t.Run("no keyring", func(t *testing.T) {
		dir := t.TempDir()
		ids, _ := identity.OpenStore(filepath.Join(dir, identity.IdentitiesFile))
		w, err := Open(ids, failingStore{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.NewRequest("alice", Spec{Subject: Subject{CommonName: "alice"}})
		if !errors.Is(err, ErrNoKeyring) {
			t.Errorf("request: err = %v, want ErrNoKeyring", err)
		}
		_, err = w.NewSelfSigned("alice", Spec{Subject: Subject{CommonName: "alice"}})
		if !errors.Is(err, ErrNoKeyring) {
			t.Errorf("self-signed: err = %v, want ErrNoKeyring", err)
		}
		entries, _ := os.ReadDir(filepath.Join(dir, KeysDir))
		if len(entries) != 0 || len(ids.List()) != 0 {
			t.Errorf("a key was kept without its password: %v", entries)
		}
	})
}

type failingStore struct{}

func (failingStore) Get(string) (string, error) { return "", errors.New("keyring locked") }
func (failingStore) Set(string, string) error   { return errors.New("keyring locked") }
func (failingStore) Delete(string) error        { return errors.New("keyring locked") }

func TestPrivateCASigns(t *testing.T) {
	w, sec, dir := newWorkshop(t)
	ca, err := w.NewCA("Home CA", Spec{Key: RSA3072, Subject: Subject{Organization: "Home"}})
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := ca.Cert()
	if err != nil {
		t.Fatal(err)
	}
	if !caCert.IsCA || caCert.Subject.CommonName != "Home CA" {
		t.Fatalf("CA certificate %s, IsCA %v", caCert.Subject, caCert.IsCA)
	}
	caFile := writeTemp(t, "ca.pem", CertificatePEM(caCert))
	for _, kt := range KeyTypes {
		t.Run(string(kt), func(t *testing.T) {
			p, err := w.NewRequest("req "+string(kt), Spec{Key: kt, Subject: Subject{CommonName: "nas.home.arpa"}})
			if err != nil {
				t.Fatal(err)
			}
			cert, err := w.Sign("Home CA", p.RequestPEM(), 90, UsageServer)
			if err != nil {
				t.Fatal(err)
			}
			out := openssl(t, "verify", "-CAfile", caFile, "-purpose", "sslserver", writeTemp(t, "leaf.pem", CertificatePEM(cert)))
			if !strings.Contains(out, "OK") {
				t.Errorf("openssl verify: %s", out)
			}
			if _, err := w.Import(CertificatePEM(cert, caCert), ""); err != nil {
				t.Fatalf("import the CA's answer: %v", err)
			}
		})
	}
	caPW, _ := sec.Get(CASecretPrefix + "Home CA")
	openssl(t, "pkcs12", "-info", "-noout", "-in", ca.PKCS12, "-passin", "pass:"+caPW)
	caKey, _, _, err := w.openP12(ca.PKCS12, CASecretPrefix+"Home CA")
	if err != nil {
		t.Fatal(err)
	}
	assertKeysNotOnDisk(t, dir, []crypto.PrivateKey{caKey}, caPW)

	t.Run("bad request signature", func(t *testing.T) {
		p, _ := w.NewRequest("tampered", Spec{Subject: Subject{CommonName: "x"}})
		der := append([]byte(nil), p.Request...)
		der[len(der)-3] ^= 0xff
		if _, err := w.Sign("Home CA", der, 1, ""); err == nil || !strings.Contains(err.Error(), "signature") {
			t.Errorf("err = %v, want a bad signature", err)
		}
	})
	t.Run("unknown CA", func(t *testing.T) {
		if _, err := w.Sign("nobody", nil, 1, ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("CA key with a wrong password", func(t *testing.T) {
		sec.Set(CASecretPrefix+"Home CA", "wrong")
		defer sec.Set(CASecretPrefix+"Home CA", caPW)
		p, _ := w.NewRequest("pw", Spec{Subject: Subject{CommonName: "x"}})
		if _, err := w.Sign("Home CA", p.Request, 1, ""); !errors.Is(err, identity.ErrWrongPassword) {
			t.Errorf("err = %v, want ErrWrongPassword", err)
		}
	})
	t.Run("reopened", func(t *testing.T) {
		w2, err := Open(w.ids, sec)
		if err != nil {
			t.Fatal(err)
		}
		if len(w2.CAs()) != 1 || len(w2.Pending()) != 2 {
			t.Errorf("reopened: %d CAs, %d pending; want 1 and 2", len(w2.CAs()), len(w2.Pending()))
		}
	})
}

// Requests and CAs are named by the identity store's rule (a request's
// name becomes its identity's): a name that rule refuses is refused before
// a key is made, not at Import after the CA signed.
func TestWorkshopNamesFollowIdentityRule(t *testing.T) {
	w, _, _ := newWorkshop(t)
	long := strings.Repeat("é", identity.MaxNameLength)
	for _, tc := range []struct {
		name, give string
		ok         bool
	}{
		{"empty", " ", false},
		{"line break", "a\nb", false},
		{"C1 control (NEL)", "a\u0085b", false},
		{"not UTF-8", "a\xffb", false},
		{"too many characters", long + "é", false},
		{"as many characters as allowed, more bytes", long, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, reqErr := w.NewRequest(tc.give, Spec{Subject: Subject{CommonName: "x"}, Key: ECDSAP256})
			_, caErr := w.NewCA(tc.give, Spec{Key: ECDSAP256})
			for what, err := range map[string]error{"request": reqErr, "CA": caErr} {
				if (err == nil) != tc.ok {
					t.Errorf("%s %q: err %v, want ok %v", what, tc.give, err, tc.ok)
				}
				if !tc.ok && identity.CheckName(strings.TrimSpace(tc.give)) == nil {
					t.Errorf("%s %q refused, but the identity rule takes it", what, tc.give)
				}
			}
		})
	}
}
