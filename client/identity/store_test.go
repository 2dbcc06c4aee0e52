package identity

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"lockbox/client/certgen"
	"lockbox/client/configfile"
	"lockbox/client/secrets"
	"lockbox/client/trust"
)

// brokenSecrets is a secret store whose keyring is unavailable.
type brokenSecrets struct{}

var errNoKeyring = errors.New("the keyring is locked")

func (brokenSecrets) Get(string) (string, error) { return "", errNoKeyring }
func (brokenSecrets) Set(string, string) error   { return errNoKeyring }
func (brokenSecrets) Delete(string) error        { return errNoKeyring }

func newTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := OpenStore(filepath.Join(t.TempDir(), IdentitiesFile))
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	return s
}

// aliceFiles writes alice's identity in every form the store accepts.
type aliceFiles struct {
	p                             pki
	crt, key, combined, p12, p12N string // p12N has no password
	bareP12                       string // a PKCS#12 bundle without a .p12 name
}

func writeAlice(t *testing.T) aliceFiles {
	t.Helper()
	p := newPKI(t, certgen.ECDSAP256)
	dir := t.TempDir()
	return aliceFiles{
		p:        p,
		crt:      writeFile(t, dir, "alice.crt", p.alice.CertPEM(), p.inter.CertPEM()),
		key:      writeFile(t, dir, "alice.key", p.alice.KeyPEM()),
		combined: writeFile(t, dir, "alice.pem", p.alice.CertPEM(), p.alice.KeyPEM(), p.inter.CertPEM()),
		p12:      writeFile(t, dir, "alice.p12", encodeP12(t, pkcs12.Modern, p, goodPassword)),
		p12N:     writeFile(t, dir, "alice-open.pfx", encodeP12(t, pkcs12.Modern, p, "")),
		bareP12:  writeFile(t, dir, "alice.bin", encodeP12(t, pkcs12.Modern, p, goodPassword)),
	}
}

// assertFileClean fails when the identities file shows a key or a password.
func assertFileClean(t *testing.T, s *Store, c *certgen.Cert, passwords ...string) {
	t.Helper()
	data, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatalf("read identities file: %v", err)
	}
	assertNoSecrets(t, "identities.json", string(data), c, passwords...)
	if strings.Contains(string(data), "PRIVATE") {
		t.Errorf("identities.json mentions a private key: %s", data)
	}
}

func TestStoreAdd(t *testing.T) {
	a := writeAlice(t)
	tests := []struct {
		name          string
		files         Files
		password      string
		want          Files
		needsPassword bool
	}{
		{"PEM with separate key", Files{CertFile: a.crt, KeyFile: a.key}, "", Files{CertFile: a.crt, KeyFile: a.key}, false},
		{"PEM with key inline", Files{CertFile: a.combined}, "", Files{CertFile: a.combined, KeyFile: a.combined}, false},
		{"PEM key named twice", Files{CertFile: a.combined, KeyFile: a.combined}, "", Files{CertFile: a.combined, KeyFile: a.combined}, false},
		{"PEM ignores a password", Files{CertFile: a.crt, KeyFile: a.key}, goodPassword, Files{CertFile: a.crt, KeyFile: a.key}, false},
		{"PKCS#12 with password", Files{PKCS12: a.p12}, goodPassword, Files{PKCS12: a.p12}, true},
		{"PKCS#12 without password", Files{PKCS12: a.p12N}, "", Files{PKCS12: a.p12N}, false},
		{"PKCS#12 given as certificate file", Files{CertFile: a.bareP12}, goodPassword, Files{PKCS12: a.bareP12}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			sec := secrets.NewMemory()
			sv, err := s.Add("  Alice at work ", tt.files, tt.password, sec)
			if err != nil {
				t.Fatalf("Add: %v", err)
			}
			if sv.Name != "Alice at work" {
				t.Errorf("Name = %q, want the trimmed name", sv.Name)
			}
			if sv.Files != tt.want {
				t.Errorf("Files = %+v, want %+v", sv.Files, tt.want)
			}
			if sv.Subject != a.p.alice.Cert.Subject.String() || sv.Issuer != a.p.inter.Cert.Subject.String() {
				t.Errorf("Subject, Issuer = %q, %q", sv.Subject, sv.Issuer)
			}
			if !sv.NotAfter.Equal(a.p.alice.Cert.NotAfter) {
				t.Errorf("NotAfter = %v, want %v", sv.NotAfter, a.p.alice.Cert.NotAfter)
			}
			if sv.NeedsPassword != tt.needsPassword || sv.HasPassword != tt.needsPassword {
				t.Errorf("NeedsPassword, HasPassword = %v, %v, want %v", sv.NeedsPassword, sv.HasPassword, tt.needsPassword)
			}
			stored, err := sec.Get(SecretKey("Alice at work"))
			switch {
			case tt.needsPassword && stored != tt.password:
				t.Errorf("secret store holds %q (%v), want the password", stored, err)
			case !tt.needsPassword && !errors.Is(err, secrets.ErrNotFound):
				t.Errorf("secret store holds %q for an identity without password", stored)
			}
			chain, err := sv.Chain()
			if err != nil || len(chain) < 2 || !chain[0].Equal(a.p.alice.Cert) || !chain[1].Equal(a.p.inter.Cert) {
				t.Errorf("Chain = %d certificates, %v; want alice then Test CA", len(chain), err)
			}
			assertFileClean(t, s, a.p.alice, goodPassword)

			reopened, err := OpenStore(s.Path())
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			got, ok := reopened.Get("Alice at work")
			if !ok || got.Files != sv.Files || got.Subject != sv.Subject || !got.NotAfter.Equal(sv.NotAfter) || got.HasPassword != sv.HasPassword {
				t.Fatalf("after reopening, Get = %+v, %v; want %+v", got, ok, sv)
			}
			id, err := reopened.LoadSaved("Alice at work", sec)
			if err != nil {
				t.Fatalf("LoadSaved: %v", err)
			}
			if !id.Leaf.Equal(a.p.alice.Cert) {
				t.Errorf("LoadSaved gave %s, want alice", id)
			}
		})
	}
}

func TestStoreAddRefuses(t *testing.T) {
	a := writeAlice(t)
	bob := certgen.Must(t, certgen.Spec{CommonName: "bob"}, nil)
	bobKey := writeFile(t, t.TempDir(), "bob.key", bob.KeyPEM())
	tests := []struct {
		name     string
		saveAs   string
		files    Files
		password string
		want     error  // errors.Is target, or nil
		contains string // part of the message
	}{
		{"wrong password", "a", Files{PKCS12: a.p12}, wrongPassword, ErrWrongPassword, "type the password the file was exported with"},
		{"no password for a protected bundle", "a", Files{PKCS12: a.p12}, "", ErrWrongPassword, "no password was given"},
		{"key of another certificate", "a", Files{CertFile: a.crt, KeyFile: bobKey}, "", ErrKeyMismatch, "bob.key"},
		{"certificate without key", "a", Files{CertFile: a.crt}, "", nil, "no private key in the file"},
		{"missing file", "a", Files{CertFile: filepath.Join(t.TempDir(), "gone.pem")}, "", os.ErrNotExist, "gone.pem"},
		{"no file", "a", Files{}, "", nil, "no certificate file or PKCS#12 file"},
		{"two kinds of file", "a", Files{CertFile: a.crt, PKCS12: a.p12}, "", nil, "not both"},
		{"key with a PKCS#12", "a", Files{PKCS12: a.p12, KeyFile: a.key}, goodPassword, nil, "holds its own key"},
		{"name taken", "taken", Files{CertFile: a.combined}, "", ErrNameTaken, `"taken"`},
		{"empty name", "   ", Files{CertFile: a.combined}, "", nil, "the name is empty"},
		{"line break in name", "a\nb", Files{CertFile: a.combined}, "", nil, "control character"},
		{"long name", strings.Repeat("x", MaxNameLength+1), Files{CertFile: a.combined}, "", nil, "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			sec := secrets.NewMemory()
			if _, err := s.Add("taken", Files{CertFile: a.crt, KeyFile: a.key}, "", sec); err != nil {
				t.Fatal(err)
			}
			before, err := os.ReadFile(s.Path())
			if err != nil {
				t.Fatal(err)
			}
			sv, err := s.Add(tt.saveAs, tt.files, tt.password, sec)
			if err == nil {
				t.Fatalf("Add succeeded: %+v", sv)
			}
			var w *Warning
			if errors.As(err, &w) {
				t.Fatalf("Add gave a warning, want a failure: %v", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %q does not wrap %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not say %q", err, tt.contains)
			}
			assertNoSecrets(t, "error", err.Error(), a.p.alice, goodPassword, wrongPassword)
			if n := len(s.List()); n != 1 {
				t.Errorf("store has %d identities after a failed Add, want 1", n)
			}
			after, err := os.ReadFile(s.Path())
			if err != nil || string(after) != string(before) {
				t.Errorf("a failed Add changed the file (%v)", err)
			}
			if _, err := sec.Get(SecretKey(strings.TrimSpace(tt.saveAs))); tt.saveAs != "taken" && !errors.Is(err, secrets.ErrNotFound) {
				t.Errorf("a failed Add left a secret behind")
			}
		})
	}
}

func TestStoreAddWarns(t *testing.T) {
	a := writeAlice(t)
	old := certgen.Must(t, certgen.Spec{CommonName: "old alice",
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, a.p.inter)
	oldFile := writeFile(t, t.TempDir(), "old.pem", old.CertPEM(), old.KeyPEM())
	tests := []struct {
		name        string
		files       Files
		password    string
		sec         secrets.Store
		wantExpired bool
		wantPWError error
		hasPassword bool
		says        []string
	}{
		{"expired certificate", Files{CertFile: oldFile}, "", secrets.NewMemory(), true, nil, false,
			[]string{`identity "x" was saved`, "expired on 2021-01-01"}},
		{"keyring unavailable", Files{PKCS12: a.p12}, goodPassword, brokenSecrets{}, false, errNoKeyring, false,
			[]string{`identity "x" was saved`, "the keyring is locked", "asked each time"}},
		{"no secret store", Files{PKCS12: a.p12}, goodPassword, nil, false, nil, false,
			[]string{"no secret store is available", "asked each time"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			s.SetClock(func() time.Time { return time.Date(2021, 1, 5, 0, 0, 0, 0, time.UTC) })
			sv, err := s.Add("x", tt.files, tt.password, tt.sec)
			var w *Warning
			if !errors.As(err, &w) {
				t.Fatalf("Add = %v, want a *Warning", err)
			}
			if w.Name != "x" || w.Expired != tt.wantExpired {
				t.Errorf("warning = %+v", w)
			}
			if tt.wantPWError != nil && !errors.Is(err, tt.wantPWError) {
				t.Errorf("warning %q does not wrap %q", err, tt.wantPWError)
			}
			if (w.PasswordNotSaved != nil) != (tt.files.PKCS12 != "") {
				t.Errorf("PasswordNotSaved = %v", w.PasswordNotSaved)
			}
			for _, part := range tt.says {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("warning %q does not say %q", err, part)
				}
			}
			assertNoSecrets(t, "warning", err.Error(), a.p.alice, goodPassword)
			if got, ok := s.Get("x"); !ok || got.HasPassword != tt.hasPassword || got.Name != sv.Name {
				t.Errorf("Get = %+v, %v; the identity must be saved with HasPassword %v", got, ok, tt.hasPassword)
			}
			assertFileClean(t, s, a.p.alice, goodPassword)
		})
	}
}

func TestLoadSavedPasswords(t *testing.T) {
	a := writeAlice(t)
	tests := []struct {
		name   string
		sec    secrets.Store
		change func(sec *secrets.Memory) // what happens to the secret after Add
		want   error
	}{
		{"password in the secret store", secrets.NewMemory(), nil, nil},
		{"password never saved", brokenSecrets{}, nil, ErrPasswordNeeded},
		{"password deleted from the keyring", secrets.NewMemory(), func(m *secrets.Memory) { m.Delete(SecretKey("a")) }, ErrPasswordNeeded},
		{"password in the keyring is out of date", secrets.NewMemory(), func(m *secrets.Memory) { m.Set(SecretKey("a"), wrongPassword) }, ErrWrongPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			if _, err := s.Add("a", Files{PKCS12: a.p12}, goodPassword, tt.sec); err != nil {
				var w *Warning
				if !errors.As(err, &w) {
					t.Fatal(err)
				}
			}
			if m, ok := tt.sec.(*secrets.Memory); ok && tt.change != nil {
				tt.change(m)
			}
			id, err := s.LoadSaved("a", tt.sec)
			if !errors.Is(err, tt.want) {
				t.Fatalf("LoadSaved = %v, %v; want error %v", id, err, tt.want)
			}
			if err != nil {
				assertNoSecrets(t, "error", err.Error(), a.p.alice, goodPassword, wrongPassword)
				if _, err := s.LoadSavedWith("a", wrongPassword); !errors.Is(err, ErrWrongPassword) {
					t.Errorf("LoadSavedWith(wrong) = %v, want ErrWrongPassword", err)
				}
				id, err = s.LoadSavedWith("a", goodPassword)
				if err != nil {
					t.Fatalf("LoadSavedWith(right): %v", err)
				}
			}
			if !id.Leaf.Equal(a.p.alice.Cert) {
				t.Errorf("loaded %s, want alice", id)
			}
		})
	}
	s := newTestStore(t)
	if _, err := s.LoadSaved("nobody", secrets.NewMemory()); !errors.Is(err, ErrNotSaved) {
		t.Errorf("LoadSaved(unknown) = %v, want ErrNotSaved", err)
	}
}

func TestStoreRemove(t *testing.T) {
	a := writeAlice(t)
	tests := []struct {
		name      string
		remove    string
		sec       func(mem *secrets.Memory) secrets.Store // given to Remove; mem has the password
		want      error
		wantGone  bool
		secretSet bool // the password must still be in the store afterwards
	}{
		{"with its password", "a", func(mem *secrets.Memory) secrets.Store { return mem }, nil, true, false},
		{"unknown name", "nobody", func(mem *secrets.Memory) secrets.Store { return mem }, ErrNotSaved, false, true},
		{"keyring unavailable", "a", func(*secrets.Memory) secrets.Store { return brokenSecrets{} }, ErrPasswordNotDeleted, true, true},
		{"no secret store given", "a", func(*secrets.Memory) secrets.Store { return nil }, ErrPasswordNotDeleted, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			mem := secrets.NewMemory()
			if _, err := s.Add("a", Files{PKCS12: a.p12}, goodPassword, mem); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Add("b", Files{CertFile: a.combined}, "", mem); err != nil {
				t.Fatal(err)
			}
			err := s.Remove(tt.remove, tt.sec(mem))
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Remove = %v, want %v", err, tt.want)
			}
			if errors.Is(tt.want, ErrPasswordNotDeleted) && !strings.Contains(err.Error(), `"identity:a"`) {
				t.Errorf("error %q does not name the secret to delete by hand", err)
			}
			reopened, err := OpenStore(s.Path())
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range []*Store{s, reopened} {
				if _, ok := st.Get("a"); ok == tt.wantGone {
					t.Errorf("after Remove, a is saved = %v, want %v", ok, !tt.wantGone)
				}
				if _, ok := st.Get("b"); !ok {
					t.Error("Remove removed another identity")
				}
			}
			if _, err := mem.Get(SecretKey("a")); (err == nil) != tt.secretSet {
				t.Errorf("password still stored = %v, want %v", err == nil, tt.secretSet)
			}
		})
	}
}

func TestStoreFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	a := writeAlice(t)
	dir := filepath.Join(t.TempDir(), "new", "lockbox")
	s, err := OpenStore(filepath.Join(dir, IdentitiesFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add("a", Files{PKCS12: a.p12}, goodPassword, secrets.NewMemory()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want os.FileMode
	}{{dir, 0o700}, {s.Path(), 0o600}} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.want {
			t.Errorf("%s has mode %o, want %o", c.path, got, c.want)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only %s (no temporary files left)", len(entries), IdentitiesFile)
	}
	assertFileClean(t, s, a.p.alice, goodPassword)
}

func TestOpenStoreCorrupt(t *testing.T) {
	tests := []struct {
		name, content, says string
	}{
		{"not JSON", "{\"version\": 1, \"identities\": [", "not valid JSON"},
		{"no version", `{"identities": []}`, "format version 0"},
		{"nameless entry", `{"version": 1, "identities": [{"name": "", "cert_file": "/a.pem"}]}`, "entry 1: the name is empty"},
		{"duplicate", `{"version": 1, "identities": [{"name": "a", "cert_file": "/a.pem"}, {"name": "a", "pkcs12": "/a.p12"}]}`, "appears twice"},
		{"no file", `{"version": 1, "identities": [{"name": "a"}]}`, "no certificate file"},
		{"bad certificate encoding", `{"version": 1, "identities": [{"name": "a", "cert_file": "/a.pem", "certificates": ["%%"]}]}`, "not valid JSON"},
	}
	a := writeAlice(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), IdentitiesFile, []byte(tt.content))
			s, err := OpenStore(path)
			var ce *configfile.CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("OpenStore = %v, want a *configfile.CorruptError", err)
			}
			if !strings.Contains(err.Error(), tt.says) || !strings.Contains(err.Error(), ce.MovedTo) {
				t.Errorf("error %q does not say %q and where the file went", err, tt.says)
			}
			if s == nil || len(s.List()) != 0 {
				t.Fatal("OpenStore must return an empty, usable store with a *configfile.CorruptError")
			}
			kept, err := os.ReadFile(ce.MovedTo)
			if err != nil || string(kept) != tt.content {
				t.Errorf("the damaged file was not kept intact at %s (%v)", ce.MovedTo, err)
			}
			if _, err := s.Add("a", Files{CertFile: a.combined}, "", nil); err != nil {
				t.Fatalf("Add after a damaged file: %v", err)
			}
			if reopened, err := OpenStore(path); err != nil || len(reopened.List()) != 1 {
				t.Errorf("reopen after Add: %v", err)
			}
		})
	}
}

func TestOpenStoreRefuses(t *testing.T) {
	tests := []struct {
		name, content, says string
	}{
		{"newer format", `{"version": 99, "identities": []}`, "newer than this Lockbox understands"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), IdentitiesFile, []byte(tt.content))
			s, err := OpenStore(path)
			if err == nil || s != nil || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("OpenStore = %v, %v; want no store and an error saying %q", s, err, tt.says)
			}
			if data, err := os.ReadFile(path); err != nil || string(data) != tt.content {
				t.Errorf("the file was touched (%v)", err)
			}
		})
	}
}

func TestOpenStoreEmpty(t *testing.T) {
	tests := []struct {
		name    string
		content *string
	}{
		{"missing", nil},
		{"blank", new(" \n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), IdentitiesFile)
			if tt.content != nil {
				writeFile(t, filepath.Dir(path), IdentitiesFile, []byte(*tt.content))
			}
			s, err := OpenStore(path)
			if err != nil || len(s.List()) != 0 {
				t.Fatalf("OpenStore = %v; want an empty store", err)
			}
		})
	}
}

func TestOpenDefaultStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config")
	t.Setenv(trust.ConfigDirEnv, dir)
	s, err := OpenDefaultStore()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, IdentitiesFile); s.Path() != want {
		t.Errorf("Path = %s, want %s", s.Path(), want)
	}
}

func TestStoreListSorted(t *testing.T) {
	a := writeAlice(t)
	s := newTestStore(t)
	for _, name := range []string{"work", "Bank", "alice", "Alice"} {
		if _, err := s.Add(name, Files{CertFile: a.combined}, "", nil); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, sv := range s.List() {
		got = append(got, sv.Name)
	}
	if want := "Alice,alice,Bank,work"; strings.Join(got, ",") != want {
		t.Errorf("List = %v, want %s", got, want)
	}
}

func TestUniqueName(t *testing.T) {
	a := writeAlice(t)
	s := newTestStore(t)
	for _, name := range []string{"alice", "alice 2", strings.Repeat("y", MaxNameLength)} {
		if _, err := s.Add(name, Files{CertFile: a.combined}, "", nil); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ base, want string }{
		{"bob", "bob"},
		{" alice ", "alice 3"},
		{"", "Client certificate"},
		{"a\tb", "Client certificate"},
		{strings.Repeat("y", MaxNameLength), strings.Repeat("y", MaxNameLength-2) + " 2"},
	}
	for _, tt := range tests {
		if got := s.UniqueName(tt.base); got != tt.want {
			t.Errorf("UniqueName(%q) = %q, want %q", tt.base, got, tt.want)
		}
	}
}

func TestClassifyFile(t *testing.T) {
	a := writeAlice(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		want FileKind
		err  string
	}{
		{"PKCS#12 by name", a.p12, FilePKCS12, ""},
		{"PKCS#12 by content", a.bareP12, FilePKCS12, ""},
		{"certificate and key", a.combined, FileCertAndKey, ""},
		{"certificates only", a.crt, FileCertOnly, ""},
		{"DER certificate", writeFile(t, dir, "alice.cer", a.p.alice.Cert.Raw), FileCertOnly, ""},
		{"key only", a.key, FileKeyOnly, ""},
		{"other PEM", writeFile(t, dir, "csr.pem", []byte("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")), 0, "found: CERTIFICATE REQUEST"},
		{"text", writeFile(t, dir, "notes.txt", []byte("hello")), 0, "neither PEM"},
		{"empty", writeFile(t, dir, "empty.pem", nil), 0, "0 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ClassifyFile(tt.path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), tt.path) {
					t.Fatalf("ClassifyFile = %v, %v; want an error naming the file and saying %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ClassifyFile = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestSavedMatches(t *testing.T) {
	a := writeAlice(t)
	s := newTestStore(t)
	sv, err := s.Add("a", Files{CertFile: a.crt, KeyFile: a.key}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	stranger := certgen.Must(t, certgen.Spec{CommonName: "Other CA", IsCA: true}, nil)
	tests := []struct {
		name string
		sv   Saved
		cas  [][]byte
		want bool
	}{
		{"any CA", sv, nil, true},
		{"its issuer", sv, [][]byte{a.p.inter.Cert.RawSubject}, true},
		{"the root above its chain", sv, [][]byte{a.p.root.Cert.RawSubject}, true},
		{"another CA", sv, [][]byte{stranger.Cert.RawSubject}, false},
		{"no certificates recorded", Saved{Name: "x"}, [][]byte{a.p.inter.Cert.RawSubject}, false},
	}
	for _, tt := range tests {
		if got := tt.sv.Matches(tt.cas); got != tt.want {
			t.Errorf("%s: Matches = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestStoreConcurrent(t *testing.T) {
	a := writeAlice(t)
	s := newTestStore(t)
	sec := secrets.NewMemory()
	names := []string{"a", "b", "c", "d", "e", "f"}
	var wg sync.WaitGroup
	errs := make(chan error, len(names))
	for _, n := range names {
		wg.Go(func() {
			if _, err := s.Add(n, Files{PKCS12: a.p12}, goodPassword, sec); err != nil {
				errs <- err
			}
			_ = s.List()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	reopened, err := OpenStore(s.Path())
	if err != nil || len(reopened.List()) != len(names) {
		t.Fatalf("reopened store has %d identities (%v), want %d", len(reopened.List()), err, len(names))
	}
}
