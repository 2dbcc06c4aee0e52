package certfile

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"lockbox/client/certgen"
)

func TestDescribeDER(t *testing.T) {
	ca := certgen.Must(t, certgen.Spec{CommonName: "D Root", IsCA: true}, nil)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey := certgen.Must(t, certgen.Spec{CommonName: "D RSA", Key: certgen.RSA2048}, ca).Key.(*rsa.PrivateKey)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	sec1, _ := x509.MarshalECPrivateKey(ecKey)
	pub, _ := x509.MarshalPKIXPublicKey(ecKey.Public())
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{DNSNames: []string{"x"}}, ecKey)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: time.Now(), NextUpdate: time.Now().Add(time.Hour)}, ca.Cert, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	p12, err := pkcs12.Modern.WithIterations(1).EncodeTrustStore([]*x509.Certificate{ca.Cert}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	bundle, _ := MarshalPKCS7(ca.Cert)
	tests := []struct {
		name string
		der  []byte
		want string
		key  bool
	}{
		{"PKCS#8 key", pkcs8, "a private key", true},
		{"SEC 1 key", sec1, "a private key", true},
		{"PKCS#1 key", x509.MarshalPKCS1PrivateKey(rsaKey), "a private key", true},
		{"public key", pub, "a public key", false},
		{"CSR", csr, "a certificate signing request (CSR)", false},
		{"CRL", crl, "a certificate revocation list (CRL)", false},
		{"PKCS#12 trust store", p12, "a PKCS#12 file", false},
		{"certificate", ca.Cert.Raw, "", false},
		{"PKCS#7 bundle", bundle, "", false},
		{"garbage", []byte{0x30, 0x03, 0x02, 0x01}, "", false},
		{"empty", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DescribeDER(tt.der); got != tt.want {
				t.Errorf("DescribeDER = %q, want %q", got, tt.want)
			}
			if got := IsPrivateKey(tt.der); got != tt.key {
				t.Errorf("IsPrivateKey = %v, want %v", got, tt.key)
			}
		})
	}
}
