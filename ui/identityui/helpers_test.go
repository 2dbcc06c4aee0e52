package identityui

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"software.sslmate.com/src/go-pkcs12"

	"lockbox/client/identity"
	"lockbox/client/secrets"
	"lockbox/ui/internal/uitest"
)

const (
	goodPassword  = "correct-horse-7731"
	wrongPassword = "wrong-battery-9912"
)

var (
	notBefore = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	notAfter  = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	// testNow is when the certificates are judged, in the golden image too.
	testNow = time.Date(2026, 6, 15, 11, 0, 0, 0, time.UTC)
)

func fixedClock() time.Time { return testNow }

// brokenSecrets is a secret store whose keyring is unavailable.
type brokenSecrets struct{}

func (brokenSecrets) Get(string) (string, error) { return "", os.ErrPermission }
func (brokenSecrets) Set(string, string) error   { return os.ErrPermission }
func (brokenSecrets) Delete(string) error        { return os.ErrPermission }

// newTestWindow is a shown 1000x700 window (the main window's size) of a
// test app in the light theme.
func newTestWindow(t *testing.T) fyne.Window {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(uitest.LightTheme())
	w := a.NewWindow("Lockbox")
	w.Resize(fyne.NewSize(1000, 700))
	w.Show()
	t.Cleanup(w.Close)
	return w
}

// testCert is a certificate made for a test, with its private key.
type testCert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// newCert makes a certificate for cn valid from nb to na, signed by parent
// or self-signed when parent is nil; a CA when isCA, else a client
// certificate.
func newCert(t *testing.T, cn string, nb, na time.Time, isCA bool, parent *testCert) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"Lockbox Test"}},
		NotBefore:             nb,
		NotAfter:              na,
		BasicConstraintsValid: true,
		IsCA:                  isCA,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if isCA {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
		tmpl.ExtKeyUsage = nil
	}
	signer, signerKey := tmpl, crypto.Signer(key)
	if parent != nil {
		signer, signerKey = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, key.Public(), signerKey)
	if err != nil {
		t.Fatalf("make certificate %s: %v", cn, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCert{Cert: c, Key: key}
}

// CertPEM is the certificate in PEM.
func (c *testCert) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw})
}

// KeyPEM is the private key in PKCS#8 PEM.
func (c *testCert) KeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		panic(err) // an ECDSA key always marshals
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// pki is two CAs and client certificates in the states the UI shows
// differently. Validity dates are fixed so that pictures do not change.
type pki struct {
	testCA, partnerCA          *testCert
	alice, bob, expired, soon  *testCert
	dir                        string
	aliceP12, alicePEM         string // alice.p12 (goodPassword), alice.pem (certificate and key)
	aliceCrt, aliceKey, bobPEM string
	expiredPEM, soonPEM        string
}

func newPKI(t *testing.T) pki {
	t.Helper()
	caUntil := notAfter.AddDate(5, 0, 0)
	p := pki{
		testCA:    newCert(t, "Test CA", notBefore, caUntil, true, nil),
		partnerCA: newCert(t, "Partner CA", notBefore, caUntil, true, nil),
		dir:       t.TempDir(),
	}
	p.alice = newCert(t, "alice", notBefore, notAfter, false, p.testCA)
	p.bob = newCert(t, "bob", notBefore, notAfter, false, p.partnerCA)
	p.expired = newCert(t, "carol", notBefore, time.Date(2026, 6, 11, 0, 0, 0, 0, time.UTC), false, p.testCA)
	p.soon = newCert(t, "dave", notBefore, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), false, p.testCA)

	p12, err := pkcs12.Modern.Encode(p.alice.Key, p.alice.Cert, []*x509.Certificate{p.testCA.Cert}, goodPassword)
	if err != nil {
		t.Fatalf("encode PKCS#12: %v", err)
	}
	p.aliceP12 = p.write(t, "alice.p12", p12)
	p.alicePEM = p.write(t, "alice.pem", p.alice.CertPEM(), p.alice.KeyPEM(), p.testCA.CertPEM())
	p.aliceCrt = p.write(t, "alice.crt", p.alice.CertPEM(), p.testCA.CertPEM())
	p.aliceKey = p.write(t, "alice.key", p.alice.KeyPEM())
	p.bobPEM = p.write(t, "bob.pem", p.bob.CertPEM(), p.bob.KeyPEM(), p.partnerCA.CertPEM())
	p.expiredPEM = p.write(t, "carol.pem", p.expired.CertPEM(), p.expired.KeyPEM())
	p.soonPEM = p.write(t, "dave.pem", p.soon.CertPEM(), p.soon.KeyPEM())
	return p
}

func (p pki) write(t *testing.T, name string, parts ...[]byte) string {
	t.Helper()
	path := filepath.Join(p.dir, name)
	var data []byte
	for _, b := range parts {
		data = append(data, b...)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// newStore is an empty identity store in a temporary directory, judging
// expiry at testNow.
func newStore(t *testing.T) *identity.Store {
	t.Helper()
	s, err := identity.OpenStore(filepath.Join(t.TempDir(), identity.IdentitiesFile))
	if err != nil {
		t.Fatal(err)
	}
	s.SetClock(fixedClock)
	return s
}

// mustAdd saves an identity, accepting the warnings Add may give.
func mustAdd(t *testing.T, s *identity.Store, name string, files identity.Files, password string, sec secrets.Store) identity.Saved {
	t.Helper()
	sv, err := s.Add(name, files, password, sec)
	if err != nil {
		if _, ok := err.(*identity.Warning); !ok {
			t.Fatalf("Add %s: %v", name, err)
		}
	}
	return sv
}

// assertNoSecret fails when text holds a password or the PEM of a key.
func assertNoSecret(t *testing.T, what, text string, keys []*testCert, passwords ...string) {
	t.Helper()
	for _, pw := range passwords {
		if strings.Contains(text, pw) {
			t.Errorf("%s contains the password %q", what, pw)
		}
	}
	if strings.Contains(text, "PRIVATE KEY") {
		t.Errorf("%s contains a PEM private key", what)
	}
	for _, k := range keys {
		body := strings.Split(string(k.KeyPEM()), "\n")[1]
		if strings.Contains(text, body) {
			t.Errorf("%s contains the private key of %s", what, k.Cert.Subject.CommonName)
		}
	}
}

// texts collects the text of every label, check and button in o, through
// containers, scrolls and forms.
func texts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case *container.Scroll:
			walk(v.Content)
		case *widget.Label:
			if v.Visible() {
				out = append(out, v.Text)
			}
		case *widget.Check:
			out = append(out, v.Text)
		case *widget.Button:
			out = append(out, v.Text)
		case *widget.Form:
			for _, it := range v.Items {
				out = append(out, it.Text)
				walk(it.Widget)
			}
		}
	}
	walk(o)
	return out
}

func containsText(list []string, want string) bool {
	for _, s := range list {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}
