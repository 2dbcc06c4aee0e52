package certfile

import (
	"crypto/x509"
	"encoding/asn1"
)

// IsPrivateKey reports whether der is a private key in PKCS#8, PKCS#1
// (RSA) or SEC 1 (EC) form.
func IsPrivateKey(der []byte) bool {
	if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return true
	}
	_, err := x509.ParseECPrivateKey(der)
	return err == nil
}

// DescribeDER names the kind of DER object der is when it is not a
// certificate but something often mistaken for one: "a private key", "a
// public key", "a certificate signing request (CSR)", "a certificate
// revocation list (CRL)" or "a PKCS#12 file". It returns "" for anything
// else, certificates included. The object's contents are never part of the
// answer.
func DescribeDER(der []byte) string {
	switch {
	case IsPrivateKey(der):
		return "a private key"
	case isPKCS12(der):
		return "a PKCS#12 file"
	}
	if _, err := x509.ParsePKIXPublicKey(der); err == nil {
		return "a public key"
	}
	if _, err := x509.ParseCertificateRequest(der); err == nil {
		return "a certificate signing request (CSR)"
	}
	if _, err := x509.ParseRevocationList(der); err == nil {
		return "a certificate revocation list (CRL)"
	}
	return ""
}

// isPKCS12 reports a PFX (RFC 7292): SEQUENCE { version INTEGER 3,
// authSafe ContentInfo of type data or signedData, macData OPTIONAL }.
// Nothing is decrypted. Windows writes PKCS#12 in BER, so indefinite
// lengths are accepted too.
func isPKCS12(der []byte) bool {
	var pfx struct {
		Version  int
		AuthSafe p7ContentInfo
		MacData  asn1.RawValue `asn1:"optional"`
	}
	rest, err := asn1.Unmarshal(der, &pfx)
	if err != nil && len(der) > 1 && der[0] == 0x30 && der[1] == 0x80 && len(der) <= maxBERSize {
		if d, berr := berToDER(der); berr == nil {
			rest, err = asn1.Unmarshal(d, &pfx)
		}
	}
	return err == nil && len(rest) == 0 && pfx.Version == 3 &&
		(pfx.AuthSafe.ContentType.Equal(oidData) || pfx.AuthSafe.ContentType.Equal(oidSignedData))
}
