package identity

import (
	"bytes"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"lockbox/client/certgen"
)

func TestLoadPEM(t *testing.T) {
	ec := newPKI(t, certgen.ECDSAP256)
	rsaPKI := newPKI(t, certgen.RSA2048)
	ed := newPKI(t, certgen.Ed25519)
	other := newPKI(t, certgen.ECDSAP256)

	type files struct {
		cert, key  []byte
		noKeyFile  bool
		wantLeaf   string
		wantChain  []string
		wantErr    string
		errNames   string // "cert" or "key": which file the error must name
		errTarget  error
		secretFrom *certgen.Cert
	}
	tests := []struct {
		name string
		f    files
	}{
		{"PEM pair, PKCS#8 EC key", files{cert: cat(ec.alice.CertPEM(), ec.inter.CertPEM()), key: ec.alice.KeyPEM(),
			wantLeaf: "alice", wantChain: []string{"Test CA"}}},
		{"combined PEM, key last", files{cert: cat(ec.alice.CertPEM(), ec.inter.CertPEM(), ec.alice.KeyPEM()), noKeyFile: true,
			wantLeaf: "alice", wantChain: []string{"Test CA"}}},
		{"combined PEM, key first, CA before leaf", files{cert: cat(ec.alice.KeyPEM(), ec.inter.CertPEM(), ec.alice.CertPEM()), noKeyFile: true,
			wantLeaf: "alice", wantChain: []string{"Test CA"}}},
		{"PKCS#1 RSA key", files{cert: rsaPKI.alice.CertPEM(), key: pkcs1PEM(t, rsaPKI.alice), wantLeaf: "alice"}},
		{"PKCS#8 RSA key", files{cert: rsaPKI.alice.CertPEM(), key: rsaPKI.alice.KeyPEM(), wantLeaf: "alice"}},
		{"SEC1 EC key", files{cert: ec.alice.CertPEM(), key: sec1PEM(t, ec.alice), wantLeaf: "alice"}},
		{"PKCS#8 Ed25519 key", files{cert: ed.alice.CertPEM(), key: ed.alice.KeyPEM(), wantLeaf: "alice"}},
		{"mislabelled PKCS#8 as RSA PRIVATE KEY", files{cert: ec.alice.CertPEM(), key: relabel(ec.alice.KeyPEM(), "RSA PRIVATE KEY"), wantLeaf: "alice"}},
		{"DER certificate with PEM key", files{cert: ec.alice.Cert.Raw, key: ec.alice.KeyPEM(), wantLeaf: "alice"}},

		{"key does not match", files{cert: ec.alice.CertPEM(), key: other.alice.KeyPEM(),
			wantErr: "key does not match the certificate", errNames: "key", errTarget: ErrKeyMismatch, secretFrom: other.alice}},
		{"combined without key", files{cert: ec.alice.CertPEM(), noKeyFile: true,
			wantErr: "no private key in the file", errNames: "cert"}},
		{"two keys", files{cert: ec.alice.CertPEM(), key: cat(ec.alice.KeyPEM(), other.alice.KeyPEM()),
			wantErr: "2 private keys found", errNames: "key"}},
		{"encrypted legacy PEM key", files{cert: ec.alice.CertPEM(), key: encryptedLegacy(),
			wantErr: "encrypted PEM keys are not supported", errNames: "key"}},
		{"encrypted PKCS#8 key", files{cert: ec.alice.CertPEM(), key: relabel(ec.alice.KeyPEM(), "ENCRYPTED PRIVATE KEY"),
			wantErr: "encrypted PEM keys are not supported", errNames: "key", secretFrom: ec.alice}},
		{"key block holds garbage", files{cert: ec.alice.CertPEM(), key: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("nope")}),
			wantErr: "is not a PKCS#1, PKCS#8 or SEC1 private key", errNames: "key"}},
		{"empty certificate file", files{cert: nil, key: ec.alice.KeyPEM(), wantErr: "file is 0 bytes", errNames: "cert"}},
		{"truncated certificate", files{cert: ec.alice.CertPEM()[:200], key: ec.alice.KeyPEM(), wantErr: "truncated or malformed PEM", errNames: "cert"}},
		{"garbage certificate", files{cert: []byte("hello world, not a cert\n"), key: ec.alice.KeyPEM(),
			wantErr: "no CERTIFICATE block found (not a PEM file)", errNames: "cert"}},
		{"key where the certificate should be", files{cert: ec.alice.KeyPEM(), key: ec.alice.KeyPEM(),
			wantErr: "no CERTIFICATE block found (found: PRIVATE KEY)", errNames: "cert", secretFrom: ec.alice}},
		{"2 MiB certificate", files{cert: bytes.Repeat([]byte("A"), 2<<20), key: ec.alice.KeyPEM(),
			wantErr: "file is larger than 1 MiB", errNames: "cert"}},
		{"empty key file", files{cert: ec.alice.CertPEM(), key: []byte{}, wantErr: "file is 0 bytes", errNames: "key"}},
		{"certificate where the key should be", files{cert: ec.alice.CertPEM(), key: ec.alice.CertPEM(),
			wantErr: "no PRIVATE KEY block found (found: CERTIFICATE)", errNames: "key"}},
		{"garbage key file", files{cert: ec.alice.CertPEM(), key: []byte("garbage"),
			wantErr: "no PRIVATE KEY block found (not a PEM file)", errNames: "key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			certFile := writeFile(t, dir, "alice.crt", tt.f.cert)
			keyFile := ""
			if !tt.f.noKeyFile {
				keyFile = writeFile(t, dir, "alice.key", tt.f.key)
			}
			id, err := LoadPEM(certFile, keyFile)
			if tt.f.wantErr != "" {
				checkErr(t, err, tt.f.wantErr, map[string]string{"cert": "client certificate " + certFile, "key": "client key " + keyFile}[tt.f.errNames])
				if tt.f.errTarget != nil && !errors.Is(err, tt.f.errTarget) {
					t.Errorf("error %v does not wrap %v", err, tt.f.errTarget)
				}
				assertNoSecrets(t, "error", err.Error(), tt.f.secretFrom)
				return
			}
			if err != nil {
				t.Fatalf("LoadPEM: %v", err)
			}
			checkIdentity(t, id, tt.f.wantLeaf, tt.f.wantChain)
		})
	}
}

func TestLoadPEMMissingFile(t *testing.T) {
	dir := t.TempDir()
	ec := newPKI(t, certgen.ECDSAP256)
	certFile := writeFile(t, dir, "alice.crt", ec.alice.CertPEM())
	tests := []struct{ cert, key, wantPrefix string }{
		{dir + "/nope.crt", "", "client certificate " + dir + "/nope.crt: "},
		{certFile, dir + "/nope.key", "client key " + dir + "/nope.key: "},
		{dir, "", "client certificate " + dir + ": is a directory"},
	}
	for _, tt := range tests {
		_, err := LoadPEM(tt.cert, tt.key)
		if err == nil || !strings.HasPrefix(err.Error(), tt.wantPrefix) {
			t.Errorf("LoadPEM(%q, %q) error = %v, want prefix %q", tt.cert, tt.key, err, tt.wantPrefix)
		}
	}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func relabel(p []byte, typ string) []byte {
	b, _ := pem.Decode(p)
	b.Type = typ
	return pem.EncodeToMemory(b)
}

func encryptedLegacy() []byte {
	return pem.EncodeToMemory(&pem.Block{
		Type:    "RSA PRIVATE KEY",
		Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00112233445566778899AABBCCDDEEFF"},
		Bytes:   bytes.Repeat([]byte{0x42}, 64),
	})
}

func checkErr(t *testing.T, err error, want, prefix string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	if !strings.HasPrefix(err.Error(), prefix) {
		t.Errorf("error %q does not start with %q", err, prefix)
	}
}

func checkIdentity(t *testing.T, id *Identity, leaf string, chain []string) {
	t.Helper()
	if id.Leaf.Subject.CommonName != leaf {
		t.Errorf("leaf CN = %q, want %q", id.Leaf.Subject.CommonName, leaf)
	}
	var got []string
	for _, c := range id.Chain {
		got = append(got, c.Subject.CommonName)
	}
	if strings.Join(got, "|") != strings.Join(chain, "|") {
		t.Errorf("chain = %v, want %v", got, chain)
	}
	if n := len(id.Certificate.Certificate); n != 1+len(chain) {
		t.Errorf("tls.Certificate holds %d certificates, want %d", n, 1+len(chain))
	}
	if !bytes.Equal(id.Certificate.Certificate[0], id.Leaf.Raw) || id.Certificate.Leaf != id.Leaf {
		t.Error("tls.Certificate does not start with the leaf")
	}
	if id.Certificate.PrivateKey == nil {
		t.Error("tls.Certificate has no private key")
	}
	if id.Source == "" {
		t.Error("Source is empty")
	}
}
