package certfile

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
)

// PKCS#7 (RFC 2315) certificates-only bundles, .p7b/.p7c: a ContentInfo
// holding a SignedData with no signers whose certificates field is the
// payload. It is parsed with encoding/asn1; BER (indefinite lengths), which
// some tools write, is first rewritten as DER.

var (
	oidData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
)

// pkcs7OIDPrefix is the DER encoding of an OBJECT IDENTIFIER of 9 content
// bytes up to 1.2.840.113549.1.7, the arc of the PKCS#7 content types; the
// type's own number (2 for signed data) follows.
var pkcs7OIDPrefix = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07}

// maxBERSize bounds a bundle in BER form (indefinite lengths), whose
// rewrite as DER copies each level's contents; real bundles are a few KiB.
// DER bundles are bounded only by the caller's file size limit.
const maxBERSize = 1 << 20

// ErrNotPKCS7 is returned by ParsePKCS7 for data that does not even begin
// like a PKCS#7 ContentInfo (a SEQUENCE opening with a PKCS#7 content
// type), so that the caller can try, or name, other formats.
var ErrNotPKCS7 = errors.New("not a PKCS#7 file")

type p7ContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,optional,tag:0"`
}

// looksLikePKCS7 reports whether data opens like a PKCS#7 ContentInfo in
// DER or BER: a SEQUENCE whose first element is a PKCS#7 content type
// (1.2.840.113549.1.7.n). It looks at the first few bytes only; the rest
// may still be damaged.
func looksLikePKCS7(data []byte) bool {
	if len(data) < 2 || data[0] != 0x30 {
		return false
	}
	i := 2
	switch l := data[1]; {
	case l == 0x80, l < 0x80:
	case l <= 0x84:
		i += int(l & 0x7f)
	default:
		return false
	}
	return len(data) > i+len(pkcs7OIDPrefix) && bytes.HasPrefix(data[i:], pkcs7OIDPrefix) && data[i+len(pkcs7OIDPrefix)] < 0x80
}

// ParsePKCS7 returns the certificates of a PKCS#7 bundle (RFC 2315
// SignedData, as openssl crl2pkcs7 and Windows write .p7b/.p7c files) in
// DER or BER, in the order the bundle lists them. Signatures, signers and
// CRLs in it are ignored. Data that is not PKCS#7 at all gives ErrNotPKCS7;
// a damaged bundle, one of another content type, or one without
// certificates gives an error that says so; so does a BER one over 1 MiB.
// It never returns both
// certificates and an error, nor an empty list without one.
func ParsePKCS7(data []byte) ([]*x509.Certificate, error) {
	if !looksLikePKCS7(data) {
		return nil, ErrNotPKCS7
	}
	der := data
	var ci p7ContentInfo
	rest, err := asn1.Unmarshal(der, &ci)
	if err != nil && bytes.Contains(data, []byte{0x80}) {
		if len(data) > maxBERSize {
			return nil, fmt.Errorf("PKCS#7 in BER form larger than %d KiB is not supported", maxBERSize>>10)
		}
		if der, err = berToDER(data); err != nil {
			return nil, fmt.Errorf("damaged PKCS#7 file: %w", err)
		}
		rest, err = asn1.Unmarshal(der, &ci)
	}
	if err != nil {
		return nil, fmt.Errorf("damaged PKCS#7 file: %w", err)
	}
	if len(rest) > 0 {
		return nil, errors.New("damaged PKCS#7 file: data follows its end")
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, fmt.Errorf("no certificate found: the PKCS#7 file holds content of type %s, not signed data with certificates", ci.ContentType)
	}
	// SignedData ::= SEQUENCE { version, digestAlgorithms SET,
	//   contentInfo, certificates [0] IMPLICIT SET OPTIONAL,
	//   crls [1] IMPLICIT OPTIONAL, signerInfos SET }
	var sd asn1.RawValue
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil || sd.Tag != asn1.TagSequence {
		return nil, errors.New("damaged PKCS#7 file: its signed data is not a SEQUENCE")
	}
	body := sd.Bytes
	for len(body) > 0 {
		var el asn1.RawValue
		if body, err = asn1.Unmarshal(body, &el); err != nil {
			return nil, fmt.Errorf("damaged PKCS#7 file: %w", err)
		}
		if el.Class != asn1.ClassContextSpecific || el.Tag != 0 {
			continue
		}
		certs, err := x509.ParseCertificates(el.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PKCS#7 file: cannot parse its certificates: %w", err)
		}
		if len(certs) == 0 {
			break
		}
		return certs, nil
	}
	return nil, errors.New("no certificate found: the PKCS#7 file holds no certificates")
}

// MarshalPKCS7 writes certs as a certificates-only PKCS#7 bundle in DER,
// as openssl crl2pkcs7 -nocrl does: a SignedData with no digest
// algorithms, empty content, no CRLs and no signers. ParsePKCS7 reads it
// back.
func MarshalPKCS7(certs ...*x509.Certificate) ([]byte, error) {
	var raw []byte
	for i, c := range certs {
		if c == nil || len(c.Raw) == 0 {
			return nil, fmt.Errorf("PKCS#7 bundle: certificate %d is missing", i)
		}
		raw = append(raw, c.Raw...)
	}
	emptySet, err := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSet, IsCompound: true})
	if err != nil {
		return nil, err
	}
	version, err := asn1.Marshal(1)
	if err != nil {
		return nil, err
	}
	content, err := asn1.Marshal(struct{ T asn1.ObjectIdentifier }{oidData})
	if err != nil {
		return nil, err
	}
	certSet, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: raw})
	if err != nil {
		return nil, err
	}
	sd, err := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true,
		Bytes: bytes.Join([][]byte{version, emptySet, content, certSet, emptySet}, nil)})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(p7ContentInfo{ContentType: oidSignedData,
		Content: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: sd}})
}

// maxBERDepth bounds nesting; a certificate is about a dozen levels deep.
const maxBERDepth = 32

// berToDER rewrites indefinite lengths as definite ones. Tags and contents
// are kept; DER's other rules (sorted sets, minimal encodings) are not
// enforced, which encoding/asn1 does not need.
func berToDER(in []byte) ([]byte, error) {
	out, rest, err := berElement(in, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, errors.New("data follows the BER structure")
	}
	return out, nil
}

var errBERTruncated = errors.New("BER data ends early")

func berElement(in []byte, depth int) (der, rest []byte, err error) {
	if depth > maxBERDepth {
		return nil, nil, errors.New("BER data nested too deeply")
	}
	if len(in) < 2 {
		return nil, nil, errBERTruncated
	}
	i := 1
	if in[0]&0x1f == 0x1f { // high tag number form
		for {
			if i >= len(in) || i > 5 {
				return nil, nil, errors.New("BER tag too long or cut off")
			}
			b := in[i]
			i++
			if b&0x80 == 0 {
				break
			}
		}
	}
	tag := in[:i:i]
	constructed := in[0]&0x20 != 0
	if i >= len(in) {
		return nil, nil, errBERTruncated
	}
	l := in[i]
	i++
	var content []byte
	if l == 0x80 {
		if !constructed {
			return nil, nil, errors.New("BER primitive with indefinite length")
		}
		r := in[i:]
		for {
			if len(r) < 2 {
				return nil, nil, errBERTruncated
			}
			if r[0] == 0 && r[1] == 0 {
				r = r[2:]
				break
			}
			var child []byte
			if child, r, err = berElement(r, depth+1); err != nil {
				return nil, nil, err
			}
			content = append(content, child...)
		}
		return appendDER(tag, content), r, nil
	}
	n := int(l)
	if l > 0x80 {
		k := int(l & 0x7f)
		if k > 4 || i+k > len(in) {
			return nil, nil, errors.New("BER length too long or cut off")
		}
		n = 0
		for _, b := range in[i : i+k] {
			n = n<<8 | int(b)
		}
		i += k
	}
	if n < 0 || n > len(in)-i {
		return nil, nil, errBERTruncated
	}
	body := in[i : i+n]
	if !constructed {
		return appendDER(tag, body), in[i+n:], nil
	}
	for len(body) > 0 {
		var child []byte
		if child, body, err = berElement(body, depth+1); err != nil {
			return nil, nil, err
		}
		content = append(content, child...)
	}
	return appendDER(tag, content), in[i+n:], nil
}

// appendDER writes tag, the definite length of content, and content.
func appendDER(tag, content []byte) []byte {
	out := make([]byte, 0, len(tag)+6+len(content))
	out = append(out, tag...)
	n := len(content)
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 1<<8:
		out = append(out, 0x81, byte(n))
	case n < 1<<16:
		out = append(out, 0x82, byte(n>>8), byte(n))
	case n < 1<<24:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	default:
		out = append(out, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, content...)
}
