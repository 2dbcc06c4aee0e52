package certview

import (
	"bytes"
	"encoding/pem"
	"io"
	"testing"

	"software.sslmate.com/src/go-pkcs12"
)

// FuzzParse feeds arbitrary bytes and passwords to Parse, and whatever it
// accepts to Build and WriteText: nothing may panic, and an accepted file
// has certificates.
func FuzzParse(f *testing.F) {
	ch := newTestChain(f)
	full := pemOf(ch.leaf.Cert, ch.inter.Cert, ch.root.Cert)
	p12, err := pkcs12.Modern.WithIterations(1).Encode(ch.leaf.Key, ch.leaf.Cert, nil, "pw")
	if err != nil {
		f.Fatal(err)
	}
	seeds := [][]byte{
		full,
		full[:len(full)/2],
		ch.leaf.Cert.Raw,
		append(append([]byte{}, ch.root.Cert.Raw...), ch.leaf.Cert.Raw...),
		p12,
		pkcs7Bundle(f, ch.leaf.Cert, ch.inter.Cert),
		pkcs7BER(f, ch.leaf.Cert),
		pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: pkcs7Bundle(f, ch.root.Cert)}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0x00}}),
		{0x30, 0x80, 0x30, 0x80, 0x00, 0x00, 0x00, 0x00},
		{},
	}
	for _, s := range seeds {
		f.Add(s, "pw")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		l, err := Parse(data, password)
		if err != nil {
			if l != nil {
				t.Fatal("a result with an error")
			}
			return
		}
		if l.Request != nil {
			if len(l.Chain) != 0 || l.Format != FormatRequest {
				t.Fatal("a request with certificates")
			}
			if err := WriteText(io.Discard, BuildRequest(l.Request, RequestProblems(l.Request), ModelOptions{Now: fixedNow})); err != nil {
				t.Fatal(err)
			}
			return
		}
		if len(l.Chain) == 0 {
			t.Fatal("accepted a file without certificates")
		}
		for _, c := range l.Chain {
			if c == nil {
				t.Fatal("nil certificate")
			}
		}
		m := Build(l.Chain, nil, ModelOptions{Now: fixedNow, DialedName: "ftp.example.com", OCSPResponse: data, SCTs: [][]byte{data}})
		if err := WriteText(io.Discard, m); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(ChainPEM(m), []byte("-----BEGIN CERTIFICATE-----")) {
			t.Fatal("no PEM for an accepted chain")
		}
	})
}
