package client

import (
	"path/filepath"
	"runtime"
	"strings"
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
		{"...", runtime.GOOS != "windows"}, // Windows strips the trailing dots
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

// Windows' rules are checked on every platform: checkName with windows on
// refuses what a Windows folder cannot hold or reads as a device, and with
// it off accepts those names (a Linux folder holds them), so both
// platforms' code paths run in every test run.
func TestWindowsNames(t *testing.T) {
	tests := []struct {
		name      string
		onWindows bool // accepted with Windows' rules
		onLinux   bool // accepted with Linux's rules
	}{
		{"report.pdf", true, true},
		{"CONTRACT.txt", true, true},
		{"console", true, true},
		{"COM10", true, true},
		{"LPT", true, true},
		{".nul", true, true},
		{"CON", false, true},
		{"con", false, true},
		{"aux.txt", false, true},
		{"NUL", false, true},
		{"nul.tar.gz", false, true},
		{"COM1", false, true},
		{"com\u00b9", false, true},
		{"LPT9.log", false, true},
		{"PRN ", false, true},
		{"CONIN$", false, true},
		{"a:b", false, true},
		{"C:", false, true},
		{"name.", false, true},
		{"name ", false, true},
		{"a*b", false, true},
		{"a?b", false, true},
		{"a<b", false, true},
		{"a>b", false, true},
		{"a|b", false, true},
		{`a"b`, false, true},
		{`a\b`, false, false},
		{"a/b", false, false},
		{"..", false, false},
	}
	for _, tc := range tests {
		if err := checkName(tc.name, true); (err == nil) != tc.onWindows {
			t.Errorf("Windows rules: checkName(%q) = %v, want ok %v", tc.name, err, tc.onWindows)
		}
		if err := checkName(tc.name, false); (err == nil) != tc.onLinux {
			t.Errorf("Linux rules: checkName(%q) = %v, want ok %v", tc.name, err, tc.onLinux)
		}
	}
	if err := CheckWindowsName("aux.txt"); err == nil || !strings.Contains(err.Error(), "device") {
		t.Errorf("CheckWindowsName(aux.txt) = %v, want it to say it is a device", err)
	}
	if err := CheckName("CON"); (err == nil) != (runtime.GOOS != "windows") {
		t.Errorf("CheckName(CON) on %s = %v", runtime.GOOS, err)
	}
}
