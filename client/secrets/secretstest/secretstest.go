// Package secretstest checks, for tests, that passwords stay in the secret
// store: that no file a program under test wrote holds one. The site
// store's, the site manager's and the command line's tests share it, so
// that each of them checks the same way.
package secretstest

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// AssertNotOnDisk fails t when a file under dir contains one of
// passwords, and when dir holds no file at all: then nothing was written
// that could have been checked, which a test of saving never expects.
func AssertNotOnDisk(t testing.TB, dir string, passwords ...string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, pw := range passwords {
			if bytes.Contains(data, []byte(pw)) {
				t.Errorf("%s contains a password", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("no file was written")
	}
}
