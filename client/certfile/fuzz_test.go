package certfile

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"lockbox/client/certgen"
)

// FuzzParsePKCS7: whatever the bytes, ParsePKCS7 never panics; it returns
// certificates or an error, never both, never an empty list; data that does
// not open like PKCS#7 is always ErrNotPKCS7; and DescribeDER never panics.
func FuzzParsePKCS7(f *testing.F) {
	ca := certgen.Must(f, certgen.Spec{CommonName: "Fuzz P7 Root", IsCA: true}, nil)
	bundle, err := MarshalPKCS7(ca.Cert)
	if err != nil {
		f.Fatal(err)
	}
	openssl, err := os.ReadFile("testdata/openssl-chain.p7b")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range [][]byte{
		bundle, bundle[:len(bundle)/2], openssl, berBundle(f, ca.Cert), ca.Cert.Raw, {},
		{0x30, 0x80, 0x30, 0x80, 0x00, 0x00, 0x00, 0x00},
		append(append([]byte{0x30, 0x80}, mustMarshal(f, oidSignedData)...), bytes.Repeat([]byte{0xa0, 0x80}, 40)...),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = DescribeDER(data)
		certs, err := ParsePKCS7(data)
		if !looksLikePKCS7(data) && !errors.Is(err, ErrNotPKCS7) {
			t.Fatalf("data that does not open like PKCS#7 gave %v", err)
		}
		if err != nil {
			if certs != nil {
				t.Fatalf("error %v with %d certificates", err, len(certs))
			}
			return
		}
		if len(certs) == 0 {
			t.Fatal("no certificates and no error")
		}
		for _, c := range certs {
			if c == nil || len(c.Raw) == 0 {
				t.Fatal("nil certificate")
			}
		}
	})
}
