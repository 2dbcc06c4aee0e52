package certview

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"lockbox/client/certfile"
	"lockbox/client/trust"
	"lockbox/client/verify"
)

// MaxFileSize is the largest certificate file LoadFile and Parse accept.
// Real ones are a few KiB; a CA bundle is a few hundred.
const MaxFileSize = 10 << 20

// File formats a Loaded reports.
const (
	// FormatPEM is text with one or more CERTIFICATE blocks.
	FormatPEM = "PEM"
	// FormatDER is one or more binary certificates, back to back.
	FormatDER = "DER"
	// FormatPKCS12 is a .p12/.pfx file: an identity or a trust store.
	FormatPKCS12 = "PKCS#12"
	// FormatPKCS7 is a certificates-only .p7b/.p7c bundle, binary or PEM.
	FormatPKCS7 = "PKCS#7"
)

// Loaded is what a certificate file held.
type Loaded struct {
	// Chain holds the certificates, leaf first when they form one chain,
	// else in the file's order.
	Chain []*x509.Certificate
	// Format is FormatPEM, FormatDER, FormatPKCS12, FormatPKCS7 or
	// FormatRequest.
	Format string
	// Request is the certificate request, when the file is one (Chain is
	// then empty).
	Request *x509.CertificateRequest
}

// PasswordError means the file is PKCS#12 and the password was empty or
// wrong; the caller can ask for it and try again.
type PasswordError struct {
	// Empty is true when no password was given.
	Empty bool
}

// Error says whether a password is needed or the one given is wrong; it
// never contains the password.
func (e *PasswordError) Error() string {
	if e.Empty {
		return "the PKCS#12 file is protected by a password: enter it to open the file"
	}
	return "the password for the PKCS#12 file is wrong"
}

// LoadFile reads a certificate file (see Parse). Files over MaxFileSize are
// refused before they are read.
func LoadFile(path, password string) (*Loaded, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open certificate file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("certificate file %s: %w", path, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("certificate file %s: is a directory, not a file", path)
	}
	if fi.Mode().IsRegular() && fi.Size() > MaxFileSize {
		return nil, fmt.Errorf("certificate file %s: %w", path, tooLarge(fi.Size()))
	}
	// Pipes and devices report no size, so the limit applies while reading too.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read certificate file %s: %w", path, err)
	}
	l, err := Parse(data, password)
	if err != nil {
		return nil, fmt.Errorf("certificate file %s: %w", path, err)
	}
	return l, nil
}

func tooLarge(n int64) error {
	return fmt.Errorf("the file is %d bytes, larger than the %d MiB a certificate file can be", n, MaxFileSize>>20)
}

// errNotRecognised is the answer for bytes in no known format.
var errNotRecognised = errors.New("not a certificate, PKCS#12 or PKCS#7 file")

// parsePKCS7 reads a PKCS#7 bundle with certfile.ParsePKCS7, answering
// errNotRecognised for data that is not PKCS#7 at all.
func parsePKCS7(data []byte) ([]*x509.Certificate, error) {
	certs, err := certfile.ParsePKCS7(data)
	if errors.Is(err, certfile.ErrNotPKCS7) {
		return nil, errNotRecognised
	}
	return certs, err
}

// Parse reads certificates from PEM (any number of CERTIFICATE blocks,
// other blocks ignored; PKCS7 blocks too), DER (one or more certificates),
// PKCS#12 (password needed: a wrong or missing one gives *PasswordError) or
// PKCS#7 certificates-only bundles (DER, BER or PEM). A chain listed root
// first is reordered leaf first.
func Parse(data []byte, password string) (*Loaded, error) {
	if len(data) > MaxFileSize {
		return nil, tooLarge(int64(len(data)))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("no certificate found: the file is empty")
	}
	if csr, ok, err := sniffRequest(data); ok {
		if err != nil {
			return nil, err
		}
		return &Loaded{Format: FormatRequest, Request: csr}, nil
	}
	var l *Loaded
	var err error
	if !looksDER(data) && bytes.Contains(data, []byte("-----BEGIN")) {
		l, err = parsePEM(data)
	} else {
		l, err = parseBinary(data, password)
	}
	if err != nil {
		return nil, err
	}
	l.Chain = orderLeafFirst(l.Chain)
	return l, nil
}

// looksDER reports binary data that opens with a complete SEQUENCE (or a
// BER one of indefinite length), so that a DER file whose contents happen
// to include "-----BEGIN" is not taken for PEM.
func looksDER(data []byte) bool {
	if len(data) < 2 || data[0] != 0x30 {
		return false
	}
	if data[1] == 0x80 {
		return true
	}
	var v asn1.RawValue
	_, err := asn1.Unmarshal(data, &v)
	return err == nil
}

// certBlockTypes are the PEM labels certificates are found under.
var certBlockTypes = map[string]bool{
	"CERTIFICATE":         true,
	"X509 CERTIFICATE":    true,
	"TRUSTED CERTIFICATE": true,
}

func parsePEM(data []byte) (*Loaded, error) {
	var certs []*x509.Certificate
	others := map[string]bool{}
	blocks, err := certfile.DecodePEM(data)
	if err != nil {
		return nil, err
	}
	p7blocks := 0
	for i, b := range blocks {
		switch {
		case certBlockTypes[b.Type]:
			c, err := parseCertBlock(b)
			if err != nil {
				return nil, fmt.Errorf("PEM block %d (%s): %w", i+1, b.Type, err)
			}
			certs = append(certs, c)
		case b.Type == "PKCS7" || b.Type == "CMS":
			p7blocks++
			cs, err := parsePKCS7(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("PEM block %d (%s): %w", i+1, b.Type, err)
			}
			certs = append(certs, cs...)
		default:
			// The block's contents (perhaps a private key) are never shown.
			others[b.Type] = true
		}
	}
	if len(certs) == 0 {
		return nil, noCertIn(others)
	}
	format := FormatPEM
	if p7blocks == len(blocks) {
		format = FormatPKCS7
	}
	return &Loaded{Chain: certs, Format: format}, nil
}

// parseCertBlock parses one certificate block. OpenSSL's TRUSTED
// CERTIFICATE appends its trust settings after the certificate; they are
// dropped.
func parseCertBlock(b *pem.Block) (*x509.Certificate, error) {
	der := b.Bytes
	if b.Type == "TRUSTED CERTIFICATE" {
		var first asn1.RawValue
		if _, err := asn1.Unmarshal(der, &first); err != nil {
			return nil, fmt.Errorf("cannot parse the certificate: %w", err)
		}
		der = first.FullBytes
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("cannot parse the certificate: %w", err)
	}
	return c, nil
}

// noCertIn explains a PEM file without certificates by what it holds.
func noCertIn(types map[string]bool) error {
	has := func(pred func(string) bool) bool {
		for t := range types {
			if pred(t) {
				return true
			}
		}
		return false
	}
	switch {
	case len(types) == 0:
		return errors.New("no certificate found: the file has -----BEGIN lines but no complete PEM block")
	case has(func(t string) bool { return strings.HasSuffix(t, "PRIVATE KEY") }):
		return errors.New("no certificate found: the file is a private key")
	case has(func(t string) bool { return strings.Contains(t, "CERTIFICATE REQUEST") }):
		return errors.New("no certificate found: the file is a certificate signing request (CSR), which becomes a certificate only once a CA signs it")
	case has(func(t string) bool { return strings.HasSuffix(t, "PUBLIC KEY") }):
		return errors.New("no certificate found: the file is a public key")
	case types["X509 CRL"]:
		return errors.New("no certificate found: the file is a certificate revocation list (CRL)")
	}
	names := make([]string, 0, len(types))
	for t := range types {
		names = append(names, t)
	}
	sort.Strings(names)
	return fmt.Errorf("no certificate found: the file holds only %s blocks", strings.Join(names, ", "))
}

// parseBinary tells DER certificates, PKCS#12 and PKCS#7 apart by their
// first elements: a certificate starts with a SEQUENCE (its TBS part),
// PKCS#12 with INTEGER 3, PKCS#7 with the signedData OID.
func parseBinary(data []byte, password string) (*Loaded, error) {
	var outer asn1.RawValue
	_, err := asn1.Unmarshal(data, &outer)
	if err != nil && len(data) > 1 && data[0] == 0x30 && data[1] == 0x80 {
		// Indefinite lengths: BER, as some tools write PKCS#7.
		certs, err := parsePKCS7(data)
		if err != nil {
			return nil, err
		}
		return &Loaded{Chain: certs, Format: FormatPKCS7}, nil
	}
	if err != nil {
		return nil, describeBadDER(data, err)
	}
	if outer.Class != asn1.ClassUniversal || outer.Tag != asn1.TagSequence || !outer.IsCompound {
		return nil, errNotRecognised
	}
	var first asn1.RawValue
	if _, err := asn1.Unmarshal(outer.Bytes, &first); err != nil {
		return nil, errNotRecognised
	}
	switch {
	case first.Class == asn1.ClassUniversal && first.Tag == asn1.TagOID:
		certs, err := parsePKCS7(data)
		if err != nil {
			return nil, err
		}
		return &Loaded{Chain: certs, Format: FormatPKCS7}, nil
	case first.Class == asn1.ClassUniversal && first.Tag == asn1.TagInteger:
		if certfile.IsPrivateKey(data) {
			return nil, errors.New("no certificate found: the file is a private key")
		}
		certs, err := parsePKCS12(data, password)
		if err != nil {
			return nil, err
		}
		return &Loaded{Chain: certs, Format: FormatPKCS12}, nil
	case first.Class == asn1.ClassUniversal && first.Tag == asn1.TagSequence:
		certs, err := x509.ParseCertificates(data)
		if err == nil && len(certs) > 0 {
			return &Loaded{Chain: certs, Format: FormatDER}, nil
		}
		if what := certfile.DescribeDER(data); what != "" {
			return nil, errors.New("no certificate found: the file is " + what)
		}
		if err != nil {
			return nil, fmt.Errorf("DER data that is not a valid certificate: %w", err)
		}
	}
	return nil, errNotRecognised
}

// describeBadDER explains bytes that are not even one DER element.
func describeBadDER(data []byte, err error) error {
	if data[0] == 0x30 && strings.Contains(err.Error(), "truncated") {
		return errors.New("truncated file: the DER data ends before its last element does")
	}
	if utf8.Valid(data) && !bytes.ContainsRune(data, 0) {
		return fmt.Errorf("%w (it is text without a -----BEGIN line)", errNotRecognised)
	}
	return errNotRecognised
}

// orderLeafFirst puts certificates that form one chain leaf first, each
// followed by its issuer. Certificates that are not one chain (a bundle
// of roots, say) keep the file's order.
func orderLeafFirst(certs []*x509.Certificate) []*x509.Certificate {
	n := len(certs)
	if n < 2 {
		return certs
	}
	bySubject := map[string][]int{}
	for i, c := range certs {
		bySubject[string(c.RawSubject)] = append(bySubject[string(c.RawSubject)], i)
	}
	parent := make([]int, n)
	isIssuer := make([]bool, n)
	for i, c := range certs {
		parent[i] = -1
		for _, j := range bySubject[string(c.RawIssuer)] {
			if j != i && issued(c, certs[j]) {
				parent[i] = j
				isIssuer[j] = true
				break
			}
		}
	}
	leaf := -1
	for i := range certs {
		if !isIssuer[i] {
			if leaf >= 0 {
				return certs // two leaves: not one chain
			}
			leaf = i
		}
	}
	if leaf < 0 {
		return certs // a cycle, e.g. cross-signed CAs only
	}
	out := make([]*x509.Certificate, 0, n)
	used := make([]bool, n)
	for i := leaf; i >= 0 && !used[i]; i = parent[i] {
		used[i] = true
		out = append(out, certs[i])
	}
	for i, c := range certs {
		if !used[i] {
			out = append(out, c)
		}
	}
	return out
}

// OfflineProblems judges a chain from a file: everything verify.Check can
// tell without a connection (no hostname check). roots are trusted in
// addition to the system roots, or instead of them with noSystemRoots. It
// returns the problems and the chain to display (leaf first, with the
// trusted root when one was found).
func OfflineProblems(chain []*x509.Certificate, roots []*x509.Certificate, noSystemRoots bool, now time.Time) ([]verify.Problem, []*x509.Certificate, error) {
	if len(chain) == 0 {
		return nil, nil, errors.New("check certificates: there are none to check")
	}
	for i, c := range chain {
		if c == nil {
			return nil, nil, fmt.Errorf("check certificates: certificate %d is missing", i)
		}
	}
	pool, err := trust.RootPool(nil, noSystemRoots)
	if err != nil {
		return nil, nil, fmt.Errorf("check certificates: %w", err)
	}
	res := verify.Check(chain, verify.Options{Roots: pool, ExtraRoots: roots, Now: now})
	return res.Problems, res.Chain, nil
}
