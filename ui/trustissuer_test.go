package ui

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"lockbox/client"
	"lockbox/client/trust"
	"lockbox/client/verify"
)

// caIssuedReport is what the engine reports for a server whose chain ends
// in an unknown private CA it sent along: the case "Trust the issuing CA"
// is for.
func caIssuedReport(t *testing.T) *client.Report {
	t.Helper()
	caKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0xca}, ed25519.SeedSize))
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(0xca), Subject: pkix.Name{CommonName: "Home NAS CA", Organization: []string{"Home"}},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leafKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x1e}, ed25519.SeedSize))
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(0x1e), Subject: pkix.Name{CommonName: "127.0.0.1"},
		DNSNames: []string{"localhost"}, NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, leafKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(leafDER)
	return &client.Report{
		URL: "ftpes://127.0.0.1:2121", Address: "127.0.0.1:2121",
		TLS:          &client.TLSInfo{Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", Group: "X25519"},
		Chain:        []client.CertInfo{client.DescribeCert(0, leaf), client.DescribeCert(1, ca)},
		Certificates: []*x509.Certificate{leaf, ca},
		Problems: []verify.Problem{{Level: 1, Field: verify.FieldIssuer, Code: verify.CodeUnknownAuthority, Severity: verify.SeverityError,
			Message: "The root CA \"Home NAS CA\" is not among the trusted roots."}},
		Trust: client.TrustUntrusted,
	}
}

func TestTrustIssuingCA(t *testing.T) {
	dir := t.TempDir()
	pins, err := trust.Open(filepath.Join(dir, "pins.json"))
	if err != nil {
		t.Fatal(err)
	}
	cas, err := trust.OpenCAs(filepath.Join(dir, trust.TrustedCAsFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("offered for a private CA, confirmed with its fields", func(t *testing.T) {
		choices := make(chan client.Choice, 1)
		h := newHarness(t, Deps{Inspect: fakeEngine(caIssuedReport(t), choices), Pins: pins, TrustedCAs: cas, Now: fixedClock(testNow)})
		h.inspect("ftpes://127.0.0.1:2121")
		td := h.waitDialog(t)
		if td.issuer == nil {
			t.Fatal("\"Trust the issuing CA\" is not offered for a chain that ends in an unknown CA")
		}
		test.AssertImageMatches(t, "trust_dialog_issuing_ca.png", h.w.Window.Canvas().Capture())
		test.Tap(td.issuer)
		if td.issuerConfirm == nil {
			t.Fatal("no confirmation showing the CA")
		}
		test.AssertImageMatches(t, "trust_dialog_issuing_ca_confirm.png", h.w.Window.Canvas().Capture())
		if got := td.issuerScope.Options; len(got) != 1 || got[0] != "For every server" {
			t.Errorf("scopes %q: without a saved site only every server can be chosen", got)
		}
		select {
		case c := <-choices:
			t.Fatalf("the engine was answered %v before the CA was confirmed", c)
		default:
		}
		test.Tap(td.issuerTrust)
		if c := <-choices; c != client.TrustIssuingCA {
			t.Fatalf("engine got %v, want TrustIssuingCA", c)
		}
	})
	t.Run("never for a self-signed leaf", func(t *testing.T) {
		choices := make(chan client.Choice, 1)
		h := newHarness(t, Deps{Inspect: fakeEngine(selfSignedReport(t), choices), Pins: pins, TrustedCAs: cas, Now: fixedClock(testNow)})
		h.inspect("ftpes://127.0.0.1:2121")
		td := h.waitDialog(t)
		if td.issuer != nil {
			t.Error("\"Trust the issuing CA\" offered for a self-signed certificate")
		}
		test.Tap(td.reject)
		<-choices
	})
	t.Run("not without a store of trusted CAs", func(t *testing.T) {
		choices := make(chan client.Choice, 1)
		h := newHarness(t, Deps{Inspect: fakeEngine(caIssuedReport(t), choices), Pins: pins, Now: fixedClock(testNow)})
		h.inspect("ftpes://127.0.0.1:2121")
		td := h.waitDialog(t)
		if td.issuer != nil {
			t.Error("offered with nowhere to keep the CA")
		}
		test.Tap(td.reject)
		<-choices
	})
}
