package trust

import (
	"errors"
	"fmt"
	"lockbox/client/configfile"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

var fixedNow = time.Date(2026, 11, 25, 10, 15, 0, 0, time.UTC)

func TestNewPin(t *testing.T) {
	leaf := newLeaf(t, "ftp.example.com", nil)
	p := NewPin("FTP.Example.com:990", leaf.Cert, fixedNow)
	tests := []struct{ field, got, want string }{
		{"HostPort", p.HostPort, "ftp.example.com:990"},
		{"SHA256", p.SHA256, Fingerprint(leaf.Cert.Raw)},
		{"SPKISHA256", p.SPKISHA256, SPKIHash(leaf.Cert)},
		{"Subject", p.Subject, "CN=ftp.example.com,O=Lockbox Test"},
		{"Issuer", p.Issuer, "CN=ftp.example.com,O=Lockbox Test"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.field, tt.got, tt.want)
		}
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(p.SHA256) {
		t.Errorf("SHA256 %q is not 64 lowercase hex digits", p.SHA256)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9+/]{43}=$`).MatchString(p.SPKISHA256) {
		t.Errorf("SPKISHA256 %q is not standard base64 of 32 bytes", p.SPKISHA256)
	}
}

func TestStoreReopen(t *testing.T) {
	tests := []struct {
		name     string
		added    []string
		lookup   string
		wantFind bool
	}{
		{"same host:port", []string{"ftp.example.com:990"}, "ftp.example.com:990", true},
		{"host case ignored", []string{"FTP.example.com:990"}, "ftp.EXAMPLE.com:990", true},
		{"other port is another pin", []string{"ftp.example.com:990"}, "ftp.example.com:21", false},
		{"IPv6", []string{"[2001:db8::1]:990", "a.example:1"}, "[2001:db8::1]:990", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), PinsFile)
			s, err := Open(path)
			if err != nil {
				t.Fatalf("Open new: %v", err)
			}
			want := map[string]Pin{}
			for _, hp := range tt.added {
				p := NewPin(hp, newLeaf(t, "x", nil).Cert, fixedNow)
				if err := s.Add(p); err != nil {
					t.Fatalf("Add %s: %v", hp, err)
				}
				want[p.HostPort] = p
			}
			again, err := Open(path)
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			got, ok := again.Lookup(tt.lookup)
			if ok != tt.wantFind {
				t.Fatalf("Lookup(%q) found=%v, want %v", tt.lookup, ok, tt.wantFind)
			}
			if ok && !reflect.DeepEqual(got, want[normHostPort(tt.lookup)]) {
				t.Fatalf("reopened pin = %+v, want %+v", got, want[normHostPort(tt.lookup)])
			}
			if n := len(again.All()); n != len(tt.added) {
				t.Fatalf("All has %d pins after reopen, want %d", n, len(tt.added))
			}
		})
	}
}

func TestStoreReplaceAndSort(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), PinsFile))
	if err != nil {
		t.Fatal(err)
	}
	first := NewPin("b.example:990", newLeaf(t, "b", nil).Cert, fixedNow)
	second := NewPin("b.example:990", newLeaf(t, "b", nil).Cert, fixedNow.Add(time.Hour))
	other := NewPin("a.example:990", newLeaf(t, "a", nil).Cert, fixedNow)
	for _, p := range []Pin{first, other, second} {
		if err := s.Add(p); err != nil {
			t.Fatalf("Add: %v", err)
		}
	}
	all := s.All()
	if len(all) != 2 || all[0].HostPort != "a.example:990" || all[1].HostPort != "b.example:990" {
		t.Fatalf("All = %+v, want a.example then b.example", all)
	}
	if all[1].SHA256 != second.SHA256 {
		t.Fatalf("Add did not replace the earlier pin for b.example:990")
	}
}

func TestStoreRemove(t *testing.T) {
	path := filepath.Join(t.TempDir(), PinsFile)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add(NewPin("ftp.example.com:990", newLeaf(t, "ftp", nil).Cert, fixedNow)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		host    string
		wantErr error
	}{
		{"pinned host", "FTP.example.com:990", nil},
		{"already removed", "ftp.example.com:990", ErrNotPinned},
		{"never pinned", "other.example:21", ErrNotPinned},
	}
	for _, tt := range tests {
		err := s.Remove(tt.host)
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Fatalf("%s: Remove error = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	again, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := again.Lookup("ftp.example.com:990"); ok {
		t.Fatal("removed pin came back after reopening")
	}
}

func TestStoreAddRejectsBadPin(t *testing.T) {
	good := NewPin("ftp.example.com:990", newLeaf(t, "ftp", nil).Cert, fixedNow)
	tests := []struct {
		name   string
		mutate func(p *Pin)
	}{
		{"no port", func(p *Pin) { p.HostPort = "ftp.example.com" }},
		{"empty host:port", func(p *Pin) { p.HostPort = "" }},
		{"short hash", func(p *Pin) { p.SHA256 = "abcd" }},
		{"non-hex hash", func(p *Pin) { p.SHA256 = strings.Repeat("zz", 32) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), PinsFile)
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			p := good
			tt.mutate(&p)
			if err := s.Add(p); err == nil {
				t.Fatal("Add accepted a bad pin")
			}
			if len(s.All()) != 0 {
				t.Fatal("bad pin was kept in memory")
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("bad pin was written to disk: %v", err)
			}
		})
	}
}

func TestStoreAddNormalizes(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), PinsFile))
	if err != nil {
		t.Fatal(err)
	}
	p := NewPin("ftp.example.com:990", newLeaf(t, "ftp", nil).Cert, fixedNow)
	pasted := p
	pasted.HostPort = " FTP.Example.COM:990 "
	pasted.SHA256 = strings.ToUpper(p.SHA256)
	if err := s.Add(pasted); err != nil {
		t.Fatalf("Add: %v", err)
	}
	got, ok := s.Lookup("ftp.example.com:990")
	if !ok || !reflect.DeepEqual(got, p) {
		t.Fatalf("Lookup = %+v, %v; want %+v", got, ok, p)
	}
}

func TestStoreFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits")
	}
	dir := filepath.Join(t.TempDir(), "cfg")
	path := filepath.Join(dir, PinsFile)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add(NewPin("ftp.example.com:990", newLeaf(t, "ftp", nil).Cert, fixedNow)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want os.FileMode
	}{{dir, 0o700}, {path, 0o600}} {
		fi, err := os.Stat(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != tc.want {
			t.Errorf("%s mode = %o, want %o", tc.path, got, tc.want)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only %s (temp file left behind?)", len(entries), PinsFile)
	}
}

func TestOpenCorruptMovesAside(t *testing.T) {
	validHash := strings.Repeat("ab", 32)
	tests := []struct {
		name    string
		content string
	}{
		{"not JSON", "this is not json at all"},
		{"truncated JSON", `{"version":1,"pins":[{"host_port":"a:1","sha`},
		{"wrong shape", `[1,2,3]`},
		{"missing version", `{"pins":[]}`},
		{"entry without port", `{"version":1,"pins":[{"host_port":"a.example","sha256":"` + validHash + `"}]}`},
		{"entry with bad hash", `{"version":1,"pins":[{"host_port":"a.example:1","sha256":"xyz"}]}`},
	}
	nameRE := regexp.MustCompile(`^pins\.json\.corrupt-\d{8}T\d{6}Z$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, PinsFile)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(path)
			var ce *configfile.CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Open error = %v, want *configfile.CorruptError", err)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), ce.MovedTo) {
				t.Errorf("error %q does not name both the file and where it went", err)
			}
			if !nameRE.MatchString(filepath.Base(ce.MovedTo)) || filepath.Dir(ce.MovedTo) != dir {
				t.Errorf("moved to %q, want %s/pins.json.corrupt-YYYYMMDDTHHMMSSZ", ce.MovedTo, dir)
			}
			kept, rerr := os.ReadFile(ce.MovedTo)
			if rerr != nil || string(kept) != tt.content {
				t.Fatalf("content not preserved: %q, %v", kept, rerr)
			}
			if _, serr := os.Stat(path); !errors.Is(serr, os.ErrNotExist) {
				t.Fatalf("damaged file still at %s: %v", path, serr)
			}
			if s == nil || len(s.All()) != 0 {
				t.Fatal("Open did not return a usable empty store")
			}
			if err := s.Add(NewPin("a.example:1", newLeaf(t, "a", nil).Cert, fixedNow)); err != nil {
				t.Fatalf("Add after recovery: %v", err)
			}
			if kept2, _ := os.ReadFile(ce.MovedTo); string(kept2) != tt.content {
				t.Fatal("saving overwrote the moved-aside file")
			}
		})
	}
}

func TestOpenCorruptTwiceKeepsBoth(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, PinsFile)
	var moved []string
	for i := 0; i < 2; i++ {
		content := fmt.Sprintf("garbage %d", i)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(path)
		var ce *configfile.CorruptError
		if !errors.As(err, &ce) {
			t.Fatalf("Open error = %v, want *configfile.CorruptError", err)
		}
		moved = append(moved, ce.MovedTo)
	}
	if moved[0] == moved[1] {
		t.Fatalf("both damaged files moved to %s", moved[0])
	}
	for i, m := range moved {
		if got, _ := os.ReadFile(m); string(got) != fmt.Sprintf("garbage %d", i) {
			t.Errorf("%s holds %q", m, got)
		}
	}
}

func TestOpenNotMoved(t *testing.T) {
	tests := []struct {
		name    string
		content string
		wantErr string
	}{
		{"blank file is an empty store", " \n", ""},
		{"zero bytes is an empty store", "", ""},
		{"newer format refused, kept in place", `{"version":99,"pins":[]}`, "newer than this Lockbox understands"},
		{"enormous file refused", strings.Repeat(" ", int(pinsFileSpec.MaxSize)+1), "larger than 16 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), PinsFile)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(path)
			if tt.wantErr == "" {
				if err != nil || s == nil || len(s.All()) != 0 {
					t.Fatalf("Open = %v, %v; want empty store", s, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Open error = %v, want one naming %s and containing %q", err, path, tt.wantErr)
			}
			if _, serr := os.Stat(path); serr != nil {
				t.Fatalf("file was moved: %v", serr)
			}
		})
	}
}

func TestStoreConcurrent(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), PinsFile))
	if err != nil {
		t.Fatal(err)
	}
	leaf := newLeaf(t, "c", nil).Cert
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			hp := fmt.Sprintf("h%d.example:990", i)
			if err := s.Add(NewPin(hp, leaf, fixedNow)); err != nil {
				t.Errorf("Add: %v", err)
			}
			s.Lookup(hp)
			s.All()
		}(i)
	}
	wg.Wait()
	again, err := Open(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(again.All()); n != 8 {
		t.Fatalf("file holds %d pins after concurrent adds, want 8", n)
	}
}
