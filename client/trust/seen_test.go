package trust

import (
	"errors"
	"lockbox/client/configfile"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestSeenRecordLookupReopen(t *testing.T) {
	day1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		records   []time.Time // each recorded for FTP.example.com:21
		wantFirst time.Time
		wantLast  time.Time
	}{
		{"once", []time.Time{day1}, day1, day1},
		{"same day again keeps the first time", []time.Time{day1, day1.Add(5 * time.Hour)}, day1, day1},
		{"next day moves last_seen", []time.Time{day1, day1.Add(24 * time.Hour)}, day1, day1.Add(24 * time.Hour)},
		{"an earlier clock changes nothing", []time.Time{day1, day1.Add(-48 * time.Hour)}, day1, day1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), SeenFile)
			s, err := OpenSeen(path)
			if err != nil {
				t.Fatalf("OpenSeen new: %v", err)
			}
			if _, ok := s.Lookup("ftp.example.com:21"); ok {
				t.Fatal("empty record knows a host")
			}
			for _, at := range tt.records {
				if err := s.Record("FTP.example.com:21", at); err != nil {
					t.Fatalf("Record: %v", err)
				}
			}
			again, err := OpenSeen(path)
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			for _, st := range []*SeenStore{s, again} {
				got, ok := st.Lookup("ftp.EXAMPLE.com:21")
				if !ok || !got.First.Equal(tt.wantFirst) || !got.Last.Equal(tt.wantLast) {
					t.Fatalf("Lookup = %+v, %v; want first %v, last %v", got, ok, tt.wantFirst, tt.wantLast)
				}
			}
			if _, ok := again.Lookup("ftp.example.com:990"); ok {
				t.Fatal("another port of the same host counts as seen")
			}
		})
	}
}

func TestSeenRecordRefusesBadHostPort(t *testing.T) {
	path := filepath.Join(t.TempDir(), SeenFile)
	s, err := OpenSeen(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, hp := range []string{"", "no-port.example", "a:b:c"} {
		if err := s.Record(hp, fixedNow); err == nil {
			t.Errorf("Record(%q) accepted a bad host:port", hp)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused entry was written: %v", err)
	}
}

func TestSeenFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits")
	}
	dir := filepath.Join(t.TempDir(), "cfg")
	t.Setenv(ConfigDirEnv, dir)
	s, err := OpenSeenDefault()
	if err != nil {
		t.Fatal(err)
	}
	if s.Path() != filepath.Join(dir, SeenFile) {
		t.Fatalf("Path = %s, want it in LOCKBOX_CONFIG_DIR", s.Path())
	}
	if err := s.Record("ftp.example.com:21", fixedNow); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want os.FileMode
	}{{dir, 0o700}, {s.Path(), 0o600}} {
		fi, err := os.Stat(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != tc.want {
			t.Errorf("%s mode = %o, want %o", tc.path, got, tc.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only %s (temp file left behind?)", len(entries), SeenFile)
	}
}

func TestOpenSeenCorruptMovesAside(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{"not JSON", "definitely not json"},
		{"truncated JSON", `{"version":1,"hosts":[{"host_port":"a:1","last_`},
		{"wrong shape", `["a:1"]`},
		{"missing version", `{"hosts":[]}`},
		{"entry without port", `{"version":1,"hosts":[{"host_port":"a.example","last_seen":"2026-01-01T00:00:00Z"}]}`},
		{"entry without date", `{"version":1,"hosts":[{"host_port":"a.example:21"}]}`},
		{"bad date", `{"version":1,"hosts":[{"host_port":"a.example:21","last_seen":"yesterday"}]}`},
	}
	nameRE := regexp.MustCompile(`^tls_seen\.json\.corrupt-\d{8}T\d{6}Z$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, SeenFile)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := OpenSeen(path)
			var ce *configfile.CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("OpenSeen error = %v, want *configfile.CorruptError", err)
			}
			for _, want := range []string{"TLS record", path, ce.MovedTo, "downgrade"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if !nameRE.MatchString(filepath.Base(ce.MovedTo)) || filepath.Dir(ce.MovedTo) != dir {
				t.Errorf("moved to %q, want %s/tls_seen.json.corrupt-YYYYMMDDTHHMMSSZ", ce.MovedTo, dir)
			}
			if kept, rerr := os.ReadFile(ce.MovedTo); rerr != nil || string(kept) != tt.content {
				t.Fatalf("content not preserved: %q, %v", kept, rerr)
			}
			if s == nil {
				t.Fatal("OpenSeen did not return a usable store")
			}
			if err := s.Record("a.example:21", fixedNow); err != nil {
				t.Fatalf("Record after recovery: %v", err)
			}
		})
	}
}

func TestOpenSeenNotMoved(t *testing.T) {
	tests := []struct {
		name    string
		content string
		wantErr string
	}{
		{"blank file is empty", "\n\t ", ""},
		{"zero bytes is empty", "", ""},
		{"newer format refused, kept in place", `{"version":7,"hosts":[]}`, "newer than this Lockbox understands"},
		{"enormous file refused", strings.Repeat(" ", int(pinsFileSpec.MaxSize)+1), "larger than 16 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), SeenFile)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := OpenSeen(path)
			if tt.wantErr == "" {
				if err != nil || s == nil {
					t.Fatalf("OpenSeen = %v, %v; want an empty store", s, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
				t.Fatalf("OpenSeen error = %v, want one naming %s and containing %q", err, path, tt.wantErr)
			}
			if _, serr := os.Stat(path); serr != nil {
				t.Fatalf("file was moved: %v", serr)
			}
		})
	}
}
