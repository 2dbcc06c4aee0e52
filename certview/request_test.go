package certview

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"lockbox/client/verify"
)

func makeCSR(t testing.TB, tmpl *x509.CertificateRequest, key crypto.Signer) []byte {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func csrKey(t testing.TB) crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// sha1CSR has openssl make a request signed with SHA-1, which Go no longer
// signs with.
func sha1CSR(t *testing.T) []byte {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl: %v", err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "r.csr")
	cmd := exec.Command(bin, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", filepath.Join(dir, "k.pem"),
		"-sha1", "-subj", "/CN=old.example.com", "-addext", "subjectAltName=DNS:old.example.com", "-outform", "DER", "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl req: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func requestFixtures(t *testing.T) map[string][]byte {
	good := makeCSR(t, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "nas.example.com", Organization: []string{"Home"}},
		DNSNames: []string{"nas.example.com", "nas"}, IPAddresses: []net.IP{net.ParseIP("192.0.2.7")}}, csrKey(t))
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte(nil), good...)
	bad[len(bad)-5] ^= 0x55
	return map[string][]byte{
		"good":        good,
		"weak key":    makeCSR(t, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "a.example.com"}, DNSNames: []string{"a.example.com"}}, weak),
		"no SAN":      makeCSR(t, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "a.example.com"}}, csrKey(t)),
		"CN not SAN":  makeCSR(t, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "a.example.com"}, DNSNames: []string{"b.example.com"}}, csrKey(t)),
		"bad sig":     bad,
		"SHA-1":       sha1CSR(t),
		"person's CN": makeCSR(t, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "Alice Smith"}, EmailAddresses: []string{"alice@example.com"}}, csrKey(t)),
	}
}

func TestRequestProblems(t *testing.T) {
	fx := requestFixtures(t)
	for _, tc := range []struct {
		name      string
		pemForm   bool
		wantCodes []string
		wantRow   string // the label of the row marked invalid
	}{
		{"good", true, nil, ""},
		{"good", false, nil, ""},
		{"person's CN", true, nil, ""},
		{"weak key", true, []string{verify.CodeWeakKey}, "Public key"},
		{"no SAN", false, []string{CodeNoSAN}, "Alternative names"},
		{"CN not SAN", true, []string{CodeCNNotInSAN}, "Common name (CN)"},
		{"bad sig", false, []string{CodeBadRequestSignature}, "Self-signature"},
		{"SHA-1", false, []string{verify.CodeWeakSignature}, "Signature algorithm"},
	} {
		name := tc.name + map[bool]string{true: " (PEM)", false: " (DER)"}[tc.pemForm]
		t.Run(name, func(t *testing.T) {
			data := fx[tc.name]
			if tc.pemForm {
				data = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: data})
			}
			l, err := Parse(data, "")
			if err != nil {
				t.Fatal(err)
			}
			if l.Request == nil || l.Format != FormatRequest {
				t.Fatalf("loaded %+v, want a request", l)
			}
			problems := RequestProblems(l.Request)
			var codes []string
			for _, p := range problems {
				codes = append(codes, p.Code)
			}
			if strings.Join(codes, ",") != strings.Join(tc.wantCodes, ",") {
				t.Errorf("problems %v, want %v", codes, tc.wantCodes)
			}
			m := BuildRequest(l.Request, problems, ModelOptions{Now: fixedNow, Source: "r.csr"})
			if m.Trusted != (len(tc.wantCodes) == 0) {
				t.Errorf("model says fine = %v with problems %v", m.Trusted, codes)
			}
			if tc.wantRow != "" {
				found := false
				for _, r := range m.Levels[0].allRows() {
					if r.Label == tc.wantRow && r.Status == StatusInvalid {
						found = true
					}
				}
				if !found {
					t.Errorf("row %q is not marked invalid", tc.wantRow)
				}
			}
			var b bytes.Buffer
			if err := WriteText(&b, m); err != nil || !strings.Contains(b.String(), "Level 0 (request)") {
				t.Errorf("text: %v\n%s", err, b.String())
			}
		})
	}
	if _, err := Parse([]byte("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"), ""); err == nil {
		t.Error("a damaged request was accepted")
	}
}

func TestRequestPanelGolden(t *testing.T) {
	fx := requestFixtures(t)
	for _, tc := range []struct{ golden, fixture string }{
		{"request_good_light.png", "good"},
		{"request_problems_light.png", "CN not SAN"},
		{"request_weak_light.png", "weak key"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			a := test.NewTempApp(t)
			a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
			l, err := Parse(fx[tc.fixture], "")
			if err != nil {
				t.Fatal(err)
			}
			// The key differs every run; the golden shows a fixed one.
			m := BuildRequest(l.Request, RequestProblems(l.Request), ModelOptions{Now: fixedNow, Source: "nas.csr (" + FormatRequest + ")"})
			for si := range m.Levels[0].Sections {
				if m.Levels[0].Sections[si].Title == SectionFingerprints {
					for ri := range m.Levels[0].Sections[si].Rows {
						m.Levels[0].Sections[si].Rows[ri].Value = "(varies)"
					}
				}
			}
			w := test.NewTempWindow(t, nil)
			w.SetContent(NewPanel(m, w))
			w.Resize(fyne.NewSize(1000, 700))
			test.AssertImageMatches(t, tc.golden, w.Canvas().Capture())
		})
	}
}

// FuzzParseRequest feeds arbitrary bytes to the request path of Parse and
// to RequestProblems and BuildRequest: nothing may panic, and a request
// comes back without certificates.
func FuzzParseRequest(f *testing.F) {
	good := makeCSR(f, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "a.example.com"}, DNSNames: []string{"a.example.com"}}, csrKey(f))
	for _, s := range [][]byte{good, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: good}),
		pem.EncodeToMemory(&pem.Block{Type: "NEW CERTIFICATE REQUEST", Bytes: good[:len(good)/2]}), good[:40], {0x30, 0x80}} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(data, "")
		if err != nil || l.Request == nil {
			return
		}
		if len(l.Chain) != 0 {
			t.Fatal("a request with certificates")
		}
		m := BuildRequest(l.Request, RequestProblems(l.Request), ModelOptions{Now: fixedNow})
		if len(m.Levels) != 1 || m.Summary == "" {
			t.Fatal("a request model without its level or summary")
		}
		if err := WriteText(io.Discard, m); err != nil {
			t.Fatal(err)
		}
	})
}
