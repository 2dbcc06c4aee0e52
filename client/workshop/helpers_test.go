//go:build linux

package workshop

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"lockbox/client/identity"
	"lockbox/client/secrets"
	"lockbox/client/servertest"
)

// newWorkshop opens a workshop in a fresh configuration folder with an
// in-memory keyring.
func newWorkshop(t *testing.T) (*Workshop, *secrets.Memory, string) {
	t.Helper()
	dir := t.TempDir()
	ids, err := identity.OpenStore(filepath.Join(dir, identity.IdentitiesFile))
	if err != nil {
		t.Fatal(err)
	}
	sec := secrets.NewMemory()
	w, err := Open(ids, sec)
	if err != nil {
		t.Fatal(err)
	}
	return w, sec, dir
}

// openssl runs openssl with args and returns its combined output, failing
// the test when it exits non-zero.
func openssl(t *testing.T, args ...string) string {
	t.Helper()
	bin := servertest.RequireBinary(t, "openssl")
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// keySecrets returns byte strings that only a private key holds: its
// PKCS#8 DER and its raw private scalar or seed.
func keySecrets(t *testing.T, key crypto.PrivateKey) [][]byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	out := [][]byte{der}
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		b, err := k.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	case *rsa.PrivateKey:
		out = append(out, k.Primes[0].Bytes())
	case ed25519.PrivateKey:
		out = append(out, k.Seed())
	}
	return out
}

// assertKeysNotOnDisk fails when a file under dir holds a PEM private key
// block, one of the keys' bytes, or one of the passwords; and checks that
// every .p12 file is mode 0600.
func assertKeysNotOnDisk(t *testing.T, dir string, keys []crypto.PrivateKey, passwords ...string) {
	t.Helper()
	var secretsList [][]byte
	for _, k := range keys {
		secretsList = append(secretsList, keySecrets(t, k)...)
	}
	for _, pw := range passwords {
		secretsList = append(secretsList, []byte(pw))
	}
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte("PRIVATE KEY")) {
			t.Errorf("%s holds a PEM private key", p)
		}
		for _, s := range secretsList {
			if bytes.Contains(data, s) {
				t.Errorf("%s holds a private key's bytes or a password", p)
			}
		}
		if strings.HasSuffix(p, ".p12") {
			fi, err := os.Stat(p)
			if err != nil {
				return err
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want 0600", p, fi.Mode().Perm())
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("no file was written")
	}
}
