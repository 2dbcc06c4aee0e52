package certview

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

// parsePKCS12 reads the certificates of a PKCS#12 file: an identity
// (key, certificate and chain: DecodeChain) or a Java-style trust store
// (certificates only: DecodeTrustStore). The private key is not kept.
func parsePKCS12(data []byte, password string) ([]*x509.Certificate, error) {
	if err := checkIterations(data); err != nil {
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

// MaxPKCS12Iterations caps the key-derivation iterations a PKCS#12 file may
// ask for: go-pkcs12 runs whatever count the file names, so a damaged or
// hostile file could keep Lockbox busy for hours. Real exporters use 2,048
// to 600,000.
const MaxPKCS12Iterations = 1_000_000

// maxP12Depth bounds the walk; PKCS#12 nests about ten levels deep.
const maxP12Depth = 24

// checkIterations looks at every iteration count visible before
// decryption: the MAC's and each PBE or PBKDF2 parameter block, each an
// INTEGER right after an OCTET STRING salt in one SEQUENCE. Input that is
// not DER is left for the decoder to report.
func checkIterations(der []byte) error {
	return walkIterations(der, 0)
}

func walkIterations(der []byte, depth int) error {
	if depth > maxP12Depth {
		return nil
	}
	var prev asn1.RawValue
	for len(der) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(der, &v)
		if err != nil {
			return nil
		}
		der = rest
		if isPrimitive(prev, asn1.TagOctetString) && isPrimitive(v, asn1.TagInteger) && v.Bytes[0]&0x80 == 0 {
			if n := new(big.Int).SetBytes(v.Bytes); n.Cmp(big.NewInt(MaxPKCS12Iterations)) > 0 {
				return fmt.Errorf("it asks for %s key-derivation iterations, more than the %d Lockbox allows; the file is damaged or was made to stall its reader", n, MaxPKCS12Iterations)
			}
		}
		prev = v
		// PKCS#12 wraps its unencrypted parts in OCTET STRINGs, so those
		// are walked too.
		if v.IsCompound || isPrimitive(v, asn1.TagOctetString) {
			if err := walkIterations(v.Bytes, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func isPrimitive(v asn1.RawValue, tag int) bool {
	return v.Class == asn1.ClassUniversal && v.Tag == tag && !v.IsCompound && len(v.Bytes) > 0
}
