package client

import (
	"path/filepath"
	"testing"
)

func TestCheckNameAndLocalPath(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"report.pdf", true},
		{"notes..txt", true},
		{"..hidden", true},
		{"...", true},
		{"d e (1).bin", true},
		{"ünïcödé.txt", true},
		{"", false},
		{".", false},
		{"..", false},
		{"../evil", false},
		{"a/b", false},
		{`a\b`, false},
		{"/etc/passwd", false},
		{"nul\x00byte", false},
		{"new\nline", false},
		{"del\x7f", false},
	}
	for _, tc := range tests {
		if err := CheckName(tc.name); (err == nil) != tc.ok {
			t.Errorf("CheckName(%q) = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
	root := t.TempDir()
	paths := []struct {
		rel  string
		want string // "" = refused
	}{
		{"a/b/c.txt", filepath.Join(root, "a", "b", "c.txt")},
		{"c.txt", filepath.Join(root, "c.txt")},
		{"a/../../x", ""},
		{"../x", ""},
		{"a//b", ""},
		{"/abs", ""},
		{"", ""},
	}
	for _, tc := range paths {
		got, err := LocalPath(root, tc.rel)
		if (tc.want == "") != (err != nil) || got != tc.want {
			t.Errorf("LocalPath(%q) = %q, %v; want %q", tc.rel, got, err, tc.want)
		}
	}
}
