package certview

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"software.sslmate.com/src/go-pkcs12"

	"lockbox/client/identity"
)

// parsePKCS12 reads the certificates of a PKCS#12 file: an identity
// (key, certificate and chain: DecodeChain) or a Java-style trust store
// (certificates only: DecodeTrustStore). The private key is not kept.
func parsePKCS12(data []byte, password string) ([]*x509.Certificate, error) {
	if err := identity.CheckPKCS12Iterations(data); err != nil {
		return nil, fmt.Errorf("PKCS#12 file: %w", err)
	}
	_, cert, cas, err := pkcs12.DecodeChain(data, password)
	if err == nil {
		return append([]*x509.Certificate{cert}, cas...), nil
	}
	if isPasswordError(err) {
		return nil, &PasswordError{Empty: password == ""}
	}
	if certs, err2 := pkcs12.DecodeTrustStore(data, password); err2 == nil && len(certs) > 0 {
		return certs, nil
	}
	var notImpl pkcs12.NotImplementedError
	switch {
	case errors.As(err, &notImpl):
		return nil, fmt.Errorf("unsupported kind of PKCS#12 file: %w", err)
	case strings.Contains(err.Error(), "error reading P12 data"):
		// The asn1 detail is parser internals nobody can act on.
		return nil, errors.New("damaged PKCS#12 file: it is not valid DER")
	}
	return nil, fmt.Errorf("cannot read the PKCS#12 contents: %w", err)
}

func isPasswordError(err error) bool {
	return errors.Is(err, pkcs12.ErrIncorrectPassword) || errors.Is(err, pkcs12.ErrDecryption)
}
