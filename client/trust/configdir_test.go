package trust

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestConfigDir(t *testing.T) {
	tests := []struct {
		name   string
		env    func(base string) string
		expect func(base string) string
	}{
		{
			name:   "LOCKBOX_CONFIG_DIR honoured and created",
			env:    func(base string) string { return filepath.Join(base, "a", "b") },
			expect: func(base string) string { return filepath.Join(base, "a", "b") },
		},
		{
			name:   "existing directory reused",
			env:    func(base string) string { return base },
			expect: func(base string) string { return base },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			t.Setenv(ConfigDirEnv, tt.env(base))
			got, err := ConfigDir()
			if err != nil {
				t.Fatalf("ConfigDir: %v", err)
			}
			if got != tt.expect(base) {
				t.Fatalf("ConfigDir = %q, want %q", got, tt.expect(base))
			}
			fi, err := os.Stat(got)
			if err != nil || !fi.IsDir() {
				t.Fatalf("config dir not created: %v", err)
			}
		})
	}
}

func TestConfigDirMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits")
	}
	dir := filepath.Join(t.TempDir(), "cfg")
	t.Setenv(ConfigDirEnv, dir)
	if _, err := ConfigDir(); err != nil {
		t.Fatalf("ConfigDir: %v", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Fatalf("config dir mode = %o, want 700", perm)
	}
}

func TestOpenDefaultUsesConfigDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	t.Setenv(ConfigDirEnv, dir)
	s, err := OpenDefault()
	if err != nil {
		t.Fatalf("OpenDefault: %v", err)
	}
	if want := filepath.Join(dir, PinsFile); s.Path() != want {
		t.Fatalf("Path = %q, want %q", s.Path(), want)
	}
	leaf := newLeaf(t, "ftp.example.com", nil)
	if err := s.Add(NewPin("ftp.example.com:990", leaf.Cert, fixedNow)); err != nil {
		t.Fatalf("Add: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, PinsFile)); err != nil {
		t.Fatalf("pins file not in LOCKBOX_CONFIG_DIR: %v", err)
	}
}
