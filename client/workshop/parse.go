package workshop

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// MaxRequestSize bounds a request file: real ones are a few kilobytes.
const MaxRequestSize = 1 << 20

// ParseRequest reads a PKCS#10 request in PEM ("CERTIFICATE REQUEST" or
// the older "NEW CERTIFICATE REQUEST") or DER. It does not check the
// request's signature; CheckSignature does.
func ParseRequest(data []byte) (*x509.CertificateRequest, error) {
	if len(data) > MaxRequestSize {
		return nil, fmt.Errorf("request is larger than %d KiB", MaxRequestSize>>10)
	}
	if bytes.Contains(data, []byte("-----BEGIN")) {
		rest := data
		var found []string
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if b.Type == "CERTIFICATE REQUEST" || b.Type == "NEW CERTIFICATE REQUEST" {
				return parseRequestDER(b.Bytes)
			}
			found = append(found, b.Type)
		}
		if len(found) == 0 {
			return nil, errors.New("truncated or malformed PEM: no complete block")
		}
		return nil, fmt.Errorf("no CERTIFICATE REQUEST block (found %q)", found)
	}
	return parseRequestDER(data)
}

func parseRequestDER(der []byte) (*x509.CertificateRequest, error) {
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("not a PKCS#10 certificate request: %w", err)
	}
	return csr, nil
}

// RequestPEM encodes a request's DER as PEM, the form CAs ask for.
func RequestPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// CertificatePEM encodes certificates as PEM, leaf first.
func CertificatePEM(certs ...*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}
