package identity

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

// ErrWrongPassword means a PKCS#12 file did not open with the password
// given; a caller can ask again.
var ErrWrongPassword = errors.New("the password is wrong")

// LoadPKCS12 loads a PKCS#12 (.p12/.pfx) file holding a certificate, its
// private key and optionally its chain. A wrong password gives an error
// wrapping ErrWrongPassword; the password itself never appears in errors.
func LoadPKCS12(file, password string) (*Identity, error) {
	data, err := readSmallFile(file)
	if err != nil {
		return nil, fmt.Errorf("PKCS#12 file %s: %w", file, err)
	}
	return loadPKCS12Data(file, data, password)
}

func loadPKCS12Data(file string, data []byte, password string) (*Identity, error) {
	if err := checkIterations(data); err != nil {
		return nil, fmt.Errorf("PKCS#12 file %s: %w", file, err)
	}
	key, cert, cas, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return nil, fmt.Errorf("PKCS#12 file %s: %w", file, describeP12Error(err, password))
	}
	signer, err := asSigner(key)
	if err != nil {
		return nil, fmt.Errorf("PKCS#12 file %s: %w", file, err)
	}
	leaf, chain, err := splitLeaf(append([]*x509.Certificate{cert}, cas...), signer)
	if err != nil {
		return nil, fmt.Errorf("PKCS#12 file %s: %w", file, err)
	}
	return newIdentity(leaf, chain, signer, file), nil
}

// describeP12Error turns go-pkcs12's errors into what the user must do.
func describeP12Error(err error, password string) error {
	var notImpl pkcs12.NotImplementedError
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword) && password == "":
		return fmt.Errorf("%w (no password was given)", ErrWrongPassword)
	case errors.Is(err, pkcs12.ErrIncorrectPassword):
		return ErrWrongPassword
	case errors.As(err, &notImpl):
		return fmt.Errorf("unsupported kind of PKCS#12 file: %w", err)
	case strings.Contains(err.Error(), "error reading P12 data"):
		// The asn1 detail dumps parser internals no user can act on.
		return errors.New("not a PKCS#12 file, or a damaged one (it is not valid DER)")
	}
	return fmt.Errorf("cannot read the PKCS#12 contents: %w", err)
}
