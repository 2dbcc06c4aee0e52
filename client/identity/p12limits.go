package identity

import (
	"encoding/asn1"
	"fmt"
	"math/big"
)

// MaxPKCS12Iterations caps the key-derivation iterations a PKCS#12 file may
// ask for. go-pkcs12 runs whatever count the file names, so a damaged or
// hostile file could otherwise keep Lockbox busy for hours; real exporters
// use 2,048 to 600,000.
const MaxPKCS12Iterations = 1_000_000

// maxDERDepth bounds the walk; PKCS#12 nests about ten levels deep.
const maxDERDepth = 24

// checkIterations looks at every iteration count visible before decryption:
// the MAC's, and each PBE or PBKDF2 parameter block. All of these are an
// INTEGER right after an OCTET STRING salt in one SEQUENCE. Input that is not
// DER is left for the decoder to report.
func checkIterations(der []byte) error {
	return CheckPKCS12Iterations(der)
}

// CheckPKCS12Iterations refuses a PKCS#12 file whose key derivation asks
// for more than MaxPKCS12Iterations, before anything decodes it: see
// checkIterations.
func CheckPKCS12Iterations(der []byte) error {
	return walkDER(der, 0)
}

func walkDER(der []byte, depth int) error {
	if depth > maxDERDepth {
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
		if isUniversal(prev, asn1.TagOctetString) && isUniversal(v, asn1.TagInteger) {
			if n := new(big.Int).SetBytes(v.Bytes); v.Bytes[0]&0x80 == 0 && n.Cmp(big.NewInt(MaxPKCS12Iterations)) > 0 {
				return fmt.Errorf("asks for %s key-derivation iterations, more than the %d Lockbox allows; the file is damaged or was made to stall its reader", n, MaxPKCS12Iterations)
			}
		}
		prev = v
		// OCTET STRINGs are walked too because PKCS#12 wraps its
		// unencrypted parts in them.
		if v.IsCompound || isUniversal(v, asn1.TagOctetString) {
			if err := walkDER(v.Bytes, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func isUniversal(v asn1.RawValue, tag int) bool {
	return v.Class == asn1.ClassUniversal && v.Tag == tag && !v.IsCompound && len(v.Bytes) > 0
}
