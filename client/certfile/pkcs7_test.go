package certfile

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"os"
	"strings"
	"testing"

	"lockbox/client/certgen"
)

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatalf("asn1.Marshal: %v", err)
	}
	return b
}

func derOf(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, c.Raw...)
	}
	return out
}

// tlv encodes one DER element with a definite length.
func tlv(tag byte, content ...[]byte) []byte {
	return appendDER([]byte{tag}, bytes.Join(content, nil))
}

// indef encodes one BER element with an indefinite length.
func indef(tag byte, content ...[]byte) []byte {
	out := append([]byte{tag, 0x80}, bytes.Join(content, nil)...)
	return append(out, 0, 0)
}

// contentInfo wraps content ([0] EXPLICIT) under the content type oid.
func contentInfo(t testing.TB, oid asn1.ObjectIdentifier, content []byte) []byte {
	return tlv(0x30, mustMarshal(t, oid), tlv(0xa0, content))
}

// signedData is a SignedData with certSet as its certificates field.
func signedData(t testing.TB, certSet []byte) []byte {
	data := mustMarshal(t, struct{ T asn1.ObjectIdentifier }{oidData})
	return tlv(0x30, mustMarshal(t, 1), []byte{0x31, 0x00}, data, certSet, []byte{0x31, 0x00})
}

// berBundle is a bundle with indefinite lengths on its outer levels, as
// some Java and Windows tools write it.
func berBundle(t testing.TB, certs ...*x509.Certificate) []byte {
	data := mustMarshal(t, struct{ T asn1.ObjectIdentifier }{oidData})
	sd := indef(0x30, mustMarshal(t, 1), []byte{0x31, 0x00}, data, indef(0xa0, derOf(certs...)), []byte{0x31, 0x00})
	return indef(0x30, mustMarshal(t, oidSignedData), indef(0xa0, sd))
}

func names(certs []*x509.Certificate) string {
	var n []string
	for _, c := range certs {
		n = append(n, c.Subject.CommonName)
	}
	return strings.Join(n, "|")
}

func TestParsePKCS7(t *testing.T) {
	root := certgen.Must(t, certgen.Spec{CommonName: "P7 Root", IsCA: true}, nil)
	leaf := certgen.Must(t, certgen.Spec{CommonName: "p7.example", DNSNames: []string{"p7.example"}}, root)
	bundle, err := MarshalPKCS7(leaf.Cert, root.Cert)
	if err != nil {
		t.Fatal(err)
	}
	openssl, err := os.ReadFile("testdata/openssl-chain.p7b")
	if err != nil {
		t.Fatal(err)
	}
	signedWith := func(certSet []byte) []byte { return contentInfo(t, oidSignedData, signedData(t, certSet)) }
	deepBER := append(append([]byte{0x30, 0x80}, mustMarshal(t, oidSignedData)...), bytes.Repeat([]byte{0xa0, 0x80}, 10000)...)
	deepDER := []byte{0x05, 0x00}
	for range 2000 {
		deepDER = tlv(0x30, deepDER)
	}
	bigBER := berBundle(t, leaf.Cert)
	bigBER = append(bigBER[:len(bigBER)-2], append(bytes.Repeat([]byte{0x04, 0x7f}, maxBERSize/2), 0, 0)...) // padding after the content
	tests := []struct {
		name    string
		data    []byte
		want    string
		wantErr string
		notP7   bool
	}{
		{"DER written by MarshalPKCS7", bundle, "p7.example|P7 Root", "", false},
		{"DER written by openssl crl2pkcs7", openssl, "fixture.example|OpenSSL Fixture Root", "", false},
		{"BER with indefinite lengths", berBundle(t, root.Cert, leaf.Cert), "P7 Root|p7.example", "", false},
		{"one certificate", signedWith(tlv(0xa0, leaf.Cert.Raw)), "p7.example", "", false},
		{"no certificates field", contentInfo(t, oidSignedData, tlv(0x30, mustMarshal(t, 1), []byte{0x31, 0x00})), "", "holds no certificates", false},
		{"empty certificates field", signedWith(tlv(0xa0)), "", "holds no certificates", false},
		{"truncated", bundle[:len(bundle)/2], "", "damaged PKCS#7 file", false},
		{"truncated BER", bigBER[:300], "", "damaged PKCS#7 file", false},
		{"truncated after the content type", bundle[:15], "", "damaged PKCS#7 file", false},
		{"data after the end", append(append([]byte{}, bundle...), 0x05, 0x00), "", "data follows its end", false},
		{"deeply nested BER", deepBER, "", "nested too deeply", false},
		{"deeply nested DER in the certificates", signedWith(tlv(0xa0, deepDER)), "", "cannot parse its certificates", false},
		{"damaged certificate", signedWith(tlv(0xa0, leaf.Cert.Raw[:len(leaf.Cert.Raw)-10])), "", "cannot parse its certificates", false},
		{"signed data not a SEQUENCE", contentInfo(t, oidSignedData, []byte{0x05, 0x00}), "", "its signed data is not a SEQUENCE", false},
		{"wrong content type: enveloped data", contentInfo(t, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 3}, tlv(0x30)), "", "content of type 1.2.840.113549.1.7.3, not signed data", false},
		{"wrong content type: data", contentInfo(t, oidData, tlv(0x04, []byte("hi"))), "", "content of type 1.2.840.113549.1.7.1", false},
		{"BER over 1 MiB", bigBER, "", "larger than 1024 KiB", false},
		{"OID outside PKCS#7", contentInfo(t, asn1.ObjectIdentifier{1, 2, 3, 4}, tlv(0x30)), "", "", true},
		{"a certificate", leaf.Cert.Raw, "", "", true},
		{"empty", nil, "", "", true},
		{"garbage", []byte("\x00\x01garbage"), "", "", true},
		{"indefinite SEQUENCE of SEQUENCEs", []byte{0x30, 0x80, 0x30, 0x80, 0x00, 0x00, 0x00, 0x00}, "", "", true},
		{"long length form over 4 bytes", append([]byte{0x30, 0x85, 1, 2, 3, 4, 5}, pkcs7OIDPrefix...), "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certs, err := ParsePKCS7(tt.data)
			switch {
			case tt.notP7:
				if !errors.Is(err, ErrNotPKCS7) || certs != nil {
					t.Fatalf("ParsePKCS7 = %d certificates, %v; want ErrNotPKCS7", len(certs), err)
				}
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || certs != nil {
					t.Fatalf("ParsePKCS7 = %d certificates, %v; want an error containing %q", len(certs), err, tt.wantErr)
				}
				if errors.Is(err, ErrNotPKCS7) {
					t.Fatalf("error %v is ErrNotPKCS7 for data that opens like PKCS#7", err)
				}
			default:
				if err != nil {
					t.Fatalf("ParsePKCS7: %v", err)
				}
				if got := names(certs); got != tt.want {
					t.Fatalf("certificates %s, want %s", got, tt.want)
				}
			}
		})
	}
}

func TestMarshalPKCS7(t *testing.T) {
	ca := certgen.Must(t, certgen.Spec{CommonName: "M Root", IsCA: true}, nil)
	if _, err := MarshalPKCS7(ca.Cert, nil); err == nil || !strings.Contains(err.Error(), "certificate 1 is missing") {
		t.Fatalf("nil certificate: error = %v", err)
	}
	// A bundle without certificates is well formed; ParsePKCS7 says what it lacks.
	empty, err := MarshalPKCS7()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParsePKCS7(empty); err == nil || !strings.Contains(err.Error(), "holds no certificates") {
		t.Fatalf("empty bundle: error = %v", err)
	}
}

func TestBERToDER(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    []byte
		wantErr string
	}{
		{"definite", []byte{0x30, 0x03, 0x02, 0x01, 0x05}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}, ""},
		{"indefinite", []byte{0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}, ""},
		{"nested indefinite", []byte{0x30, 0x80, 0x30, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00}, []byte{0x30, 0x04, 0x30, 0x02, 0x05, 0x00}, ""},
		{"high tag number", []byte{0xbf, 0x81, 0x00, 0x80, 0x05, 0x00, 0x00, 0x00}, []byte{0xbf, 0x81, 0x00, 0x02, 0x05, 0x00}, ""},
		{"unterminated", []byte{0x30, 0x80, 0x02, 0x01, 0x05}, nil, "ends early"},
		{"primitive indefinite", []byte{0x04, 0x80, 0x00, 0x00}, nil, "primitive with indefinite length"},
		{"too deep", bytes.Repeat([]byte{0x30, 0x80}, 100), nil, "nested too deeply"},
		{"length past end", []byte{0x30, 0x05, 0x00}, nil, "ends early"},
		{"length of 5 bytes", []byte{0x30, 0x85, 0, 0, 0, 0, 1, 0}, nil, "length too long"},
		{"tag cut off", []byte{0x1f, 0x81}, nil, "tag too long or cut off"},
		{"trailing", []byte{0x05, 0x00, 0x05, 0x00}, nil, "data follows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := berToDER(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tt.want) {
				t.Fatalf("berToDER = % x, %v; want % x", got, err, tt.want)
			}
		})
	}
}
