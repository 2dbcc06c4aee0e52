package secretstest

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that notes failures instead of stopping.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true; panic(r) }

func TestAssertNotOnDisk(t *testing.T) {
	for _, tc := range []struct {
		name     string
		files    map[string]string
		wantFail bool
	}{
		{"clean files", map[string]string{"sites.json": `{"sites":[]}`, "sub/x.txt": "hello"}, false},
		{"a password in a nested file", map[string]string{"sites.json": "{}", "sub/x.txt": "the S3cret is here"}, true},
		{"no file at all", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tc.files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			r := &recorder{TB: t}
			func() {
				defer func() {
					if v := recover(); v != nil && v != r {
						panic(v)
					}
				}()
				AssertNotOnDisk(r, dir, "S3cret", "other")
			}()
			if r.failed != tc.wantFail {
				t.Errorf("failed = %v, want %v", r.failed, tc.wantFail)
			}
		})
	}
}
