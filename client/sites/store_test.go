package sites

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"lockbox/client/configfile"
	"lockbox/client/secrets"
	"lockbox/client/secrets/secretstest"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func names(list []Site) []string {
	var out []string
	for _, s := range list {
		out = append(out, s.Name)
	}
	return out
}

func TestStorePutListReopen(t *testing.T) {
	s := openTemp(t)
	in := []Site{
		{Name: "zeta", URL: "ftps://z.example.com:990", User: "z", CAFiles: []string{"/ca.pem"}},
		{Name: "Alpha", URL: "https://a.example.com:443"},
		{Name: "Work/mid", URL: "ftpes://m.example.com:21", Passive: PassivePASV, MinTLS: MinTLS13, Identity: IdentityNever, LocalDir: "/l", RemoteDir: "/r"},
	}
	for _, site := range in {
		if err := s.Put(site); err != nil {
			t.Fatal(err)
		}
	}
	// Replace by name.
	in[0].User = "zed"
	if err := s.Put(in[0]); err != nil {
		t.Fatal(err)
	}
	want := []string{"Alpha", "Work/mid", "zeta"}
	if got := names(s.List()); !reflect.DeepEqual(got, want) {
		t.Fatalf("List = %v, want %v", got, want)
	}
	again, err := Open(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.List(), s.List()) {
		t.Errorf("reopened:\n%+v\nwant\n%+v", again.List(), s.List())
	}
	got, ok := again.Get("zeta")
	if !ok || got.User != "zed" || !reflect.DeepEqual(got.CAFiles, []string{"/ca.pem"}) {
		t.Errorf("Get(zeta) = %+v, %t", got, ok)
	}
	// What Get returns is a copy.
	got.CAFiles[0] = "/changed"
	if again, _ := again.Get("zeta"); again.CAFiles[0] != "/ca.pem" {
		t.Error("changing a returned site changed the store")
	}
	if _, ok := again.Get("nope"); ok {
		t.Error("Get found a missing site")
	}
}

func TestStorePutRejectsInvalid(t *testing.T) {
	s := openTemp(t)
	if err := s.Put(validSite()); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(s.Path())
	err := s.Put(Site{Name: "bad", URL: "ftpes://u:pw@host"})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "url" {
		t.Fatalf("Put = %v, want a url FieldError", err)
	}
	after, _ := os.ReadFile(s.Path())
	if !bytes.Equal(before, after) || len(s.List()) != 1 {
		t.Error("an invalid site changed the store")
	}
}

func TestStoreFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "config")
	t.Setenv("LOCKBOX_CONFIG_DIR", dir)
	s, err := OpenDefault()
	if err != nil {
		t.Fatal(err)
	}
	if s.Path() != filepath.Join(dir, FileName) {
		t.Errorf("Path = %s", s.Path())
	}
	if err := s.Put(validSite()); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]fs.FileMode{dir: 0o700, s.Path(): 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if configfile.ModesApply && st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, st.Mode().Perm(), want)
		}
	}
	// Nothing but the file itself: the temporary file was renamed.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("config folder holds %v", entries)
	}
}

func TestStoreRename(t *testing.T) {
	tests := []struct {
		name         string
		from, to     string
		wantErr      error
		wantFieldErr bool
		wantNames    []string
	}{
		{"renames and moves the password", "a", "c", nil, false, []string{"b", "c"}},
		{"same name", "a", "a", nil, false, []string{"a", "b"}},
		{"taken", "a", "b", ErrExists, false, []string{"a", "b"}},
		{"missing", "x", "y", ErrNotFound, false, []string{"a", "b"}},
		{"invalid new name", "a", " ", nil, true, []string{"a", "b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t)
			sec := secrets.NewMemory()
			for _, n := range []string{"a", "b"} {
				if err := s.Put(Site{Name: n, URL: "ftpes://" + n + ".example.com"}); err != nil {
					t.Fatal(err)
				}
				if err := SavePassword(sec, n, "pw-"+n); err != nil {
					t.Fatal(err)
				}
			}
			err := s.Rename(tc.from, tc.to, sec)
			var fe *FieldError
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Rename = %v, want %v", err, tc.wantErr)
				}
			case tc.wantFieldErr:
				if !errors.As(err, &fe) {
					t.Fatalf("Rename = %v, want a FieldError", err)
				}
			case err != nil:
				t.Fatal(err)
			}
			reopened, err := Open(s.Path())
			if err != nil {
				t.Fatal(err)
			}
			if got := names(reopened.List()); !reflect.DeepEqual(got, tc.wantNames) {
				t.Errorf("sites %v, want %v", got, tc.wantNames)
			}
			for _, n := range tc.wantNames {
				pw, err := Password(sec, n)
				want := "pw-" + n
				if n == tc.to && tc.wantErr == nil && !tc.wantFieldErr {
					want = "pw-" + tc.from
				}
				if err != nil || pw != want {
					t.Errorf("password of %s = %q, %v; want %q", n, pw, err, want)
				}
			}
			if tc.from != tc.to && tc.wantErr == nil && !tc.wantFieldErr {
				if _, err := Password(sec, tc.from); !errors.Is(err, secrets.ErrNotFound) {
					t.Errorf("the old name still has a password: %v", err)
				}
			}
		})
	}
}

func TestStoreDeleteRemovesPassword(t *testing.T) {
	s := openTemp(t)
	sec := secrets.NewMemory()
	for _, n := range []string{"keep", "gone"} {
		if err := s.Put(Site{Name: n, URL: "ftps://h"}); err != nil {
			t.Fatal(err)
		}
		if err := SavePassword(sec, n, "pw"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete("gone", sec); err != nil {
		t.Fatal(err)
	}
	if got := names(s.List()); !reflect.DeepEqual(got, []string{"keep"}) {
		t.Errorf("sites %v", got)
	}
	if ok, _ := HasPassword(sec, "gone"); ok {
		t.Error("the deleted site's password is still saved")
	}
	if ok, _ := HasPassword(sec, "keep"); !ok {
		t.Error("the other site's password was removed")
	}
	if err := s.Delete("gone", sec); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting again = %v, want ErrNotFound", err)
	}
}

func TestOpenCorruptMovesAside(t *testing.T) {
	valid := `{"version":1,"sites":[{"name":"a","url":"ftpes://h"}]}`
	tests := []struct {
		name    string
		content string
		wantErr string
	}{
		{"not JSON", `{"version":1,"sites":[`, "not valid JSON"},
		{"old version", `{"version":0,"sites":[]}`, "format version 0"},
		{"invalid site", `{"version":1,"sites":[{"name":"a","url":"ftp://u:pw@h"}]}`, "entry 1"},
		{"duplicate names", strings.Replace(valid, `}]}`, `},{"name":"a","url":"ftps://h"}]}`, 1), "used twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(path)
			var ce *configfile.CorruptError
			if !errors.As(err, &ce) || s == nil {
				t.Fatalf("Open = %v, %v; want a store and a *configfile.CorruptError", s, err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "it was moved to "+ce.MovedTo) {
				t.Errorf("error %q, want it to say %q and where the file went", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "pw@") {
				t.Errorf("the error repeats the file's content: %v", err)
			}
			if !strings.HasPrefix(ce.MovedTo, path+".corrupt-") {
				t.Errorf("moved to %s", ce.MovedTo)
			}
			kept, err := os.ReadFile(ce.MovedTo)
			if err != nil || string(kept) != tc.content {
				t.Errorf("the damaged file was not kept intact: %q, %v", kept, err)
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the damaged file is still in place: %v", err)
			}
			if len(s.List()) != 0 {
				t.Error("the store is not empty")
			}
			if err := s.Put(validSite()); err != nil {
				t.Fatalf("the store is not usable: %v", err)
			}
			// A second damaged file is set aside next to the first.
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = Open(path)
			var ce2 *configfile.CorruptError
			if !errors.As(err, &ce2) || ce2.MovedTo == ce.MovedTo {
				t.Errorf("second corrupt file: %v", err)
			}
		})
	}
}

func TestOpenLeavesAlone(t *testing.T) {
	tests := []struct {
		name    string
		content []byte
		wantErr string // "" = an empty store without error
	}{
		{"newer version", []byte(`{"version":2,"sites":[]}`), "newer than this Lockbox understands"},
		{"too large", bytes.Repeat([]byte(" "), int(file.MaxSize)+1), "larger than 16 MiB"},
		{"blank", []byte("\n  \n"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			if err := os.WriteFile(path, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(path)
			if tc.wantErr == "" {
				if err != nil || s == nil || len(s.List()) != 0 {
					t.Fatalf("Open = %v, %v", s, err)
				}
				return
			}
			if s != nil || err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Open = %v, %v; want no store and %q", s, err, tc.wantErr)
			}
			if data, _ := os.ReadFile(path); !bytes.Equal(data, tc.content) {
				t.Error("the file was changed")
			}
		})
	}
}

// recordingSecrets fails every Set with err and counts the attempts.
type recordingSecrets struct {
	*secrets.Memory
	err  error
	mu   sync.Mutex
	sets int
}

func (r *recordingSecrets) Set(key, secret string) error {
	r.mu.Lock()
	r.sets++
	r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	return r.Memory.Set(key, secret)
}

func TestAddImport(t *testing.T) {
	unavailable := &secrets.UnavailableError{Reason: "no Secret Service is running, so passwords cannot be saved; you will be asked for them each time"}
	imp := Import{
		Sites: []Site{
			{Name: "existing", URL: "ftps://new.example.com"},
			{Name: "fresh", URL: "ftpes://fresh.example.com"},
			{Name: "nopw", URL: "https://example.com"},
		},
		Passwords: map[string]string{"existing": "pw-1", "fresh": "pw-2"},
		Warnings:  []string{"from the parser"},
	}
	tests := []struct {
		name         string
		secErr       error
		wantSaved    int
		wantNotSaved []string
		wantSets     int
	}{
		{"keyring works", nil, 2, nil, 2},
		{"no keyring: tried once", unavailable, 0, []string{"existing (2)", "fresh"}, 1},
		{"one password too long: the others are tried", errors.New("too long"), 0, []string{"existing (2)", "fresh"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t)
			if err := s.Put(Site{Name: "existing", URL: "ftps://old.example.com"}); err != nil {
				t.Fatal(err)
			}
			sec := &recordingSecrets{Memory: secrets.NewMemory(), err: tc.secErr}
			res, err := s.AddImport(imp, sec)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"existing (2)", "fresh", "nopw"}; !reflect.DeepEqual(res.Added, want) {
				t.Errorf("Added %v, want %v", res.Added, want)
			}
			if got := names(s.List()); !reflect.DeepEqual(got, []string{"existing", "existing (2)", "fresh", "nopw"}) {
				t.Errorf("sites %v", got)
			}
			if old, _ := s.Get("existing"); old.URL != "ftps://old.example.com" {
				t.Error("the import replaced an existing site")
			}
			if res.PasswordsSaved != tc.wantSaved || !reflect.DeepEqual(res.PasswordsNotSaved, tc.wantNotSaved) || sec.sets != tc.wantSets {
				t.Errorf("saved %d, not saved %v, %d tries; want %d, %v, %d", res.PasswordsSaved, res.PasswordsNotSaved, sec.sets, tc.wantSaved, tc.wantNotSaved, tc.wantSets)
			}
			if tc.secErr == nil {
				if pw, _ := Password(sec, "existing (2)"); pw != "pw-1" {
					t.Errorf("renamed site's password = %q", pw)
				}
				if res.PasswordError != nil {
					t.Errorf("PasswordError = %v", res.PasswordError)
				}
			} else if !errors.Is(res.PasswordError, tc.secErr) {
				t.Errorf("PasswordError = %v, want %v", res.PasswordError, tc.secErr)
			}
			if len(res.Warnings) != 2 || res.Warnings[0] != "from the parser" || !strings.Contains(res.Warnings[1], `saved as "existing (2)"`) {
				t.Errorf("warnings %q", res.Warnings)
			}
		})
	}
	s := openTemp(t)
	dup := Import{Sites: []Site{{Name: "a", URL: "ftps://h"}, {Name: "a", URL: "ftps://h"}}}
	if _, err := s.AddImport(dup, secrets.NewMemory()); err == nil || len(s.List()) != 0 {
		t.Errorf("an import with a name used twice: %v, %d sites", err, len(s.List()))
	}
}

// TestPasswordsNeverInFiles saves sites, passwords and an import with
// passwords, then reads every file written: no password appears in any of
// them, nor in the JSON or printed form of an Import.
func TestPasswordsNeverInFiles(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LOCKBOX_CONFIG_DIR", dir)
	s, err := OpenDefault()
	if err != nil {
		t.Fatal(err)
	}
	sec := secrets.NewMemory()
	passwords := []string{"Site-Pa55-one", "Alice-Pa55-word", "Plain-B0b-pass"}
	if err := s.Put(Site{Name: "manual", URL: "ftpes://m.example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := SavePassword(sec, "manual", passwords[0]); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join("testdata", "sitemanager.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	imp, err := ImportFileZilla(f)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.AddImport(imp, sec)
	if err != nil {
		t.Fatal(err)
	}
	if res.PasswordsSaved != 2 {
		t.Fatalf("saved %d passwords, want 2", res.PasswordsSaved)
	}
	if err := s.Rename("manual", "renamed", sec); err != nil {
		t.Fatal(err)
	}
	var printed bytes.Buffer
	js, _ := json.Marshal(imp)
	printed.Write(js)
	fmt.Fprintf(&printed, "%v %+v %#v %s", imp, imp, imp, imp)
	js, _ = json.Marshal(res)
	printed.Write(js)
	for _, pw := range passwords {
		if bytes.Contains(printed.Bytes(), []byte(pw)) {
			t.Errorf("a password appears in the printed import: %s", printed.String())
		}
	}
	secretstest.AssertNotOnDisk(t, dir, passwords...)
}

func TestStoreConcurrent(t *testing.T) {
	s := openTemp(t)
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := fmt.Sprintf("site %02d", i)
			if err := s.Put(Site{Name: name, URL: "ftps://h"}); err != nil {
				t.Error(err)
			}
			s.List()
			s.Get(name)
		}(i)
	}
	wg.Wait()
	reopened, err := Open(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(reopened.List()); n != 10 {
		t.Errorf("%d sites after concurrent puts, want 10", n)
	}
}
