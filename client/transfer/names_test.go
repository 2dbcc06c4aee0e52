package transfer

import (
	"path/filepath"
	"runtime"
	"testing"
)

// numbered makes the rename policy's names; localRel keeps a download's
// local path inside its folder.
func TestNumberedAndLocalRel(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"report.pdf", "report (2).pdf"},
		{"archive.tar.gz", "archive.tar (2).gz"},
		{".bashrc", ".bashrc (2)"},
		{"README", "README (2)"},
		{filepath.Join("dir", "a.txt"), filepath.Join("dir", "a (2).txt")},
	} {
		if got := numbered(tc.in, 2); got != tc.want {
			t.Errorf("numbered(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, p := range []string{"../x", "/abs", ".", "a/../../b"} {
		if _, err := localRel(p); err == nil {
			t.Errorf("localRel(%q) accepted", p)
		}
	}
}

// On Windows a download's local path is checked against Windows' rules
// too; both platforms' rules are tested on every platform.
func TestLocalRelWindowsNames(t *testing.T) {
	for _, tc := range []struct {
		p                  string
		onWindows, onLinux bool
	}{
		{"report.pdf", true, true},
		{filepath.Join("dir", "a.txt"), true, true},
		{"CON", false, true},
		{filepath.Join("aux.txt"), false, true},
		{filepath.Join("ok", "NUL"), false, true},
		{filepath.Join("COM1", "x"), false, true},
		{"a:b", false, true},
		{"name.", false, true},
		{"name ", false, true},
		{"a*b?", false, true},
		{"../x", false, false},
	} {
		if _, err := localRelFor(tc.p, true); (err == nil) != tc.onWindows {
			t.Errorf("Windows rules: localRelFor(%q) = %v, want ok %v", tc.p, err, tc.onWindows)
		}
		// Linux's rules only make sense with Linux's path syntax: on
		// Windows "a:b" is a drive-relative path whatever the name rules.
		if _, err := localRelFor(tc.p, false); runtime.GOOS != "windows" && (err == nil) != tc.onLinux {
			t.Errorf("Linux rules: localRelFor(%q) = %v, want ok %v", tc.p, err, tc.onLinux)
		}
	}
}
