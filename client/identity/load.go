package identity

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"path/filepath"
	"strings"
)

// Load loads a client identity, choosing the format: PKCS#12 when certFile
// ends in .p12 or .pfx, or holds DER that is not a certificate; PEM (keyFile
// optional) otherwise. password is used only for PKCS#12, and a keyFile
// given with a PKCS#12 file is an error rather than silently ignored.
func Load(certFile, keyFile, password string) (*Identity, error) {
	byName := isPKCS12Name(certFile)
	data, err := readSmallFile(certFile)
	if err != nil {
		role := "client certificate"
		if byName {
			role = "PKCS#12 file"
		}
		return nil, fmt.Errorf("%s %s: %w", role, certFile, err)
	}
	if byName || looksLikePKCS12(data) {
		if keyFile != "" {
			return nil, fmt.Errorf("PKCS#12 file %s holds its own key; leave out the key file %s", certFile, keyFile)
		}
		return loadPKCS12Data(certFile, data, password)
	}
	return loadPEMData(certFile, data, keyFile)
}

func isPKCS12Name(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".p12" || ext == ".pfx"
}

// looksLikePKCS12 reports DER that does not parse as certificates. The
// first two bytes must open an ASN.1 SEQUENCE whose length fits the file, so
// text that merely starts with "0" is still treated as PEM.
func looksLikePKCS12(data []byte) bool {
	if len(data) < 2 || data[0] != 0x30 || bytes.Contains(data, []byte("-----BEGIN")) {
		return false
	}
	if l := data[1]; l < 0x80 && int(l) != len(data)-2 || l > 0x84 {
		return false
	}
	_, err := x509.ParseCertificates(data)
	return err != nil
}
