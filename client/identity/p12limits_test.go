package identity

import (
	"bytes"
	"encoding/asn1"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"lockbox/client/certgen"
)

type pbeParams struct {
	Salt       []byte
	Iterations int
}

type macData struct {
	Digest     asn1.RawValue
	Salt       []byte
	Iterations int
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCheckIterations(t *testing.T) {
	salt := bytes.Repeat([]byte{7}, 16)
	digest := asn1.RawValue{FullBytes: mustMarshal(t, []int{1, 2})}
	tests := []struct {
		name    string
		der     []byte
		wantErr bool
	}{
		{"typical", mustMarshal(t, pbeParams{salt, 2048}), false},
		{"at the cap", mustMarshal(t, pbeParams{salt, MaxPKCS12Iterations}), false},
		{"over the cap", mustMarshal(t, pbeParams{salt, MaxPKCS12Iterations + 1}), true},
		{"MAC over the cap", mustMarshal(t, macData{digest, salt, 1 << 31}), true},
		{"hidden in an OCTET STRING", mustMarshal(t, struct{ Wrapped []byte }{mustMarshal(t, pbeParams{salt, 1 << 40})}), true},
		{"large INTEGER not after a salt", mustMarshal(t, struct{ A, B int }{1 << 40, 1 << 40}), false},
		{"negative count left to the decoder", mustMarshal(t, pbeParams{salt, -5}), false},
		{"not DER", []byte("plain text"), false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		err := checkIterations(tt.der)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: checkIterations error = %v, want error %v", tt.name, err, tt.wantErr)
		}
	}
}

func TestLoadPKCS12RefusesHugeIterations(t *testing.T) {
	p := newPKI(t, certgen.ECDSAP256)
	const iters = 70000 // encodes as 02 03 01 11 70
	data, err := pkcs12.Modern.WithIterations(iters).Encode(p.alice.Key, p.alice.Cert, nil, goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	// Same length, so every enclosing DER length stays valid.
	patched := bytes.ReplaceAll(data, []byte{0x02, 0x03, 0x01, 0x11, 0x70}, []byte{0x02, 0x03, 0x7f, 0xff, 0xff})
	if bytes.Equal(patched, data) {
		t.Fatal("iteration count not found in the encoding")
	}
	file := writeFile(t, t.TempDir(), "slow.p12", patched)
	_, err = LoadPKCS12(file, goodPassword)
	if err == nil || !strings.Contains(err.Error(), "8388607 key-derivation iterations") || !strings.Contains(err.Error(), file) {
		t.Fatalf("error = %v, want the iteration count refused", err)
	}
	ok := writeFile(t, t.TempDir(), "ok.p12", data)
	if _, err := LoadPKCS12(ok, goodPassword); err != nil {
		t.Fatalf("unpatched file with %d iterations: %v", iters, err)
	}
}
