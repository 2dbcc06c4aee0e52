package trust

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"unicode/utf8"

	"lockbox/client/certfile"
)

// maxCAFileSize bounds a CA file; the whole Mozilla bundle is about 200 KiB.
const maxCAFileSize = 8 << 20

// LoadCAFiles reads CA certificates from each path. A file may be PEM with
// any number of CERTIFICATE and PKCS7 blocks (other blocks are ignored),
// DER with one or more concatenated certificates, or a PKCS#7
// certificates-only bundle (.p7b/.p7c) in DER or BER. Errors name the file
// and what it holds instead of certificates.
func LoadCAFiles(paths []string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, p := range paths {
		certs, err := loadCAFile(p)
		if err != nil {
			return nil, fmt.Errorf("CA file %s: %w", p, err)
		}
		out = append(out, certs...)
	}
	return out, nil
}

func loadCAFile(path string) ([]*x509.Certificate, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCAFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return parseCAData(data)
}

// parseCAData reads the certificates of one CA file's content.
func parseCAData(data []byte) ([]*x509.Certificate, error) {
	switch {
	case len(data) == 0:
		return nil, errors.New("file is 0 bytes")
	case len(data) > maxCAFileSize:
		return nil, fmt.Errorf("file is larger than %d MiB", maxCAFileSize>>20)
	case bytes.Contains(data, []byte("-----BEGIN")):
		return parsePEMCerts(data)
	}
	return parseDERCerts(data)
}

// parseDERCerts reads binary content: concatenated DER certificates or a
// PKCS#7 bundle.
func parseDERCerts(data []byte) ([]*x509.Certificate, error) {
	certs, err := x509.ParseCertificates(data)
	if err == nil && len(certs) > 0 {
		return certs, nil
	}
	p7, p7err := certfile.ParsePKCS7(data)
	switch {
	case p7err == nil:
		return p7, nil
	case !errors.Is(p7err, certfile.ErrNotPKCS7):
		return nil, p7err
	}
	if what := certfile.DescribeDER(data); what != "" {
		return nil, fmt.Errorf("no certificate found: the file is %s", what)
	}
	const neither = "neither PEM nor a DER certificate nor a PKCS#7 bundle"
	if utf8.Valid(data) && !bytes.ContainsRune(data, 0) {
		return nil, errors.New(neither + ": the file is text without a -----BEGIN line")
	}
	if err == nil {
		err = errors.New("no data")
	}
	return nil, fmt.Errorf("%s: %w", neither, err)
}

// pemPKCS7Types are the PEM labels PKCS#7 bundles are found under.
var pemPKCS7Types = map[string]bool{"PKCS7": true, "CMS": true}

func parsePEMCerts(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	others := map[string]bool{}
	blocks, err := certfile.DecodePEM(data)
	if err != nil {
		return nil, err
	}
	for i, block := range blocks {
		switch {
		case block.Type == "CERTIFICATE":
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("PEM block %d: %w", i+1, err)
			}
			certs = append(certs, c)
		case pemPKCS7Types[block.Type]:
			cs, err := certfile.ParsePKCS7(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("PEM block %d (%s): %w", i+1, block.Type, err)
			}
			certs = append(certs, cs...)
		default:
			others[block.Type] = true
		}
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("no CERTIFICATE block found%s", foundTypes(others))
	}
	return certs, nil
}

func foundTypes(types map[string]bool) string {
	if len(types) == 0 {
		return ""
	}
	names := make([]string, 0, len(types))
	for t := range types {
		names = append(names, t)
	}
	sort.Strings(names)
	return " (found: " + strings.Join(names, ", ") + ")"
}

// RootPool returns the system roots plus extra, or only extra when
// noSystemRoots is set. An empty pool is allowed: with it only pinned
// certificates can be accepted.
func RootPool(extra []*x509.Certificate, noSystemRoots bool) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if !noSystemRoots {
		sys, err := x509.SystemCertPool()
		if err != nil {
			return nil, fmt.Errorf("load system root certificates: %w", err)
		}
		pool = sys
	}
	for _, c := range extra {
		if c != nil {
			pool.AddCert(c)
		}
	}
	return pool, nil
}

// ParseCertificates reads the certificates in data, as LoadCAFiles reads a
// file: PEM (CERTIFICATE or PKCS7 blocks), concatenated DER certificates or
// a DER/BER PKCS#7 bundle.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) { return parseCAData(data) }
