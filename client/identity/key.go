package identity

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ErrKeyMismatch means no certificate in the file carries the public half of
// the private key.
var ErrKeyMismatch = errors.New("key does not match the certificate")

// errEncryptedPEM explains the way out, since the user cannot fix this by
// retyping a password.
var errEncryptedPEM = errors.New("encrypted PEM keys are not supported, decrypt it first " +
	"(openssl pkey -in key.pem -out key-plain.pem) or use a PKCS#12 (.p12) file with its password")

// parseKey parses a PKCS#1, PKCS#8 or SEC1 key. The block type picks the
// first parser tried, but all are tried because files are often mislabelled.
// Parser errors are not wrapped: they say nothing the user can act on.
func parseKey(b *pem.Block) (crypto.Signer, error) {
	if b.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED") {
		return nil, errEncryptedPEM
	}
	if b.Type == "OPENSSH PRIVATE KEY" {
		return nil, errors.New("OpenSSH-format keys are not supported; convert it to PKCS#8 with ssh-keygen -p -m PKCS8 -f <keyfile>")
	}
	parsers := []func([]byte) (any, error){
		func(d []byte) (any, error) { return x509.ParsePKCS8PrivateKey(d) },
		func(d []byte) (any, error) { return x509.ParsePKCS1PrivateKey(d) },
		func(d []byte) (any, error) { return x509.ParseECPrivateKey(d) },
	}
	switch b.Type {
	case "RSA PRIVATE KEY":
		parsers[0], parsers[1] = parsers[1], parsers[0]
	case "EC PRIVATE KEY":
		parsers[0], parsers[2] = parsers[2], parsers[0]
	}
	for _, parse := range parsers {
		k, err := parse(b.Bytes)
		if err != nil {
			continue
		}
		return asSigner(k)
	}
	return nil, fmt.Errorf("the %s block is not a PKCS#1, PKCS#8 or SEC1 private key", b.Type)
}

func asSigner(k any) (crypto.Signer, error) {
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("a %T cannot sign, so it cannot be a client certificate key", k)
	}
	return s, nil
}

// splitLeaf finds the certificate that belongs to key and returns it with
// the others in their original order; files do not always put the leaf first.
func splitLeaf(certs []*x509.Certificate, key crypto.Signer) (*x509.Certificate, []*x509.Certificate, error) {
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok {
		return nil, nil, fmt.Errorf("unsupported public key type %T", key.Public())
	}
	for i, c := range certs {
		if pub.Equal(c.PublicKey) {
			chain := make([]*x509.Certificate, 0, len(certs)-1)
			chain = append(chain, certs[:i]...)
			chain = append(chain, certs[i+1:]...)
			return c, chain, nil
		}
	}
	return nil, nil, ErrKeyMismatch
}
