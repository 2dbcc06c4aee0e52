package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"lockbox/client/demo"
)

// clientPKI makes a client CA and a client certificate it signed.
func clientPKI(t *testing.T) (ca *x509.Certificate, cert *x509.Certificate, key *ecdsa.PrivateKey) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CLI Test Client CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ = x509.ParseCertificate(caDER)
	key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "cli-alice"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	return ca, cert, key
}

func TestCLIClientIdentity(t *testing.T) {
	t.Setenv("LOCKBOX_CONFIG_DIR", t.TempDir())
	ca, cert, key := clientPKI(t)
	serverCert, err := demo.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	srv, err := demo.Start(demo.Config{Root: t.TempDir(), User: "alice", Password: "pw",
		TLS: &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	dir := t.TempDir()
	write := func(name string, data []byte) string { return writeFile(t, dir, name, data) }
	serverPEM := write("server.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: serverCert.Certificate[0]}))
	certPEM := write("alice.crt", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	keyPEM := write("alice.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	p12, err := pkcs12.Modern.Encode(key, cert, []*x509.Certificate{ca}, "p12-Secret")
	if err != nil {
		t.Fatal(err)
	}
	p12File := write("alice.p12", p12)
	t.Setenv("ALICE_P12_PASSWORD", "p12-Secret")
	t.Setenv("WRONG_P12_PASSWORD", "nope")

	url := "ftpes://" + srv.Addr
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOutput string
	}{
		{"no identity", []string{"inspect", "--ca", serverPEM, url}, 1, "requires a client certificate and none was sent"},
		{"no identity: the fix in flags", []string{"inspect", "--ca", serverPEM, url}, 1, "give one with --cert and --key"},
		{"PEM identity", []string{"inspect", "--ca", serverPEM, "--cert", certPEM, "--key", keyPEM, url}, 0, "sent: CN=cli-alice"},
		{"PKCS#12 identity", []string{"inspect", "--ca", serverPEM, "--cert", p12File, "--cert-password-env", "ALICE_P12_PASSWORD", url}, 0, "sent: CN=cli-alice"},
		{"wrong PKCS#12 password", []string{"inspect", "--ca", serverPEM, "--cert", p12File, "--cert-password-env", "WRONG_P12_PASSWORD", url}, 1, "password"},
		{"key without cert", []string{"inspect", "--key", keyPEM, url}, 2, "--key needs --cert"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, tc.args...)
			out := r.stdout + r.stderr
			if r.code != tc.wantCode || !strings.Contains(out, tc.wantOutput) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s", r.code, tc.wantCode, tc.wantOutput, out)
			}
			for _, secret := range []string{"p12-Secret", "PRIVATE KEY"} {
				if strings.Contains(out, secret) {
					t.Errorf("output contains %q", secret)
				}
			}
		})
	}
}
