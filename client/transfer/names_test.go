package transfer

import (
	"path/filepath"
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
