package client

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEngineImportsNoFrontEnd keeps the flow of ../shared/STYLE.md: the
// engine never imports Fyne (so that it builds and tests without cgo), and
// nothing under client/ imports ui/ or certview/, which sit on top of it.
// Test files count too: a test that needs a window belongs to the front end.
func TestEngineImportsNoFrontEnd(t *testing.T) {
	forbidden := []string{"fyne.io/", "lockbox/ui", "lockbox/certview", "lockbox/assets"}
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		files++
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if p == bad || strings.HasPrefix(p, bad+"/") || (strings.HasSuffix(bad, "/") && strings.HasPrefix(p, bad)) {
					t.Errorf("%s imports %q: the engine must not depend on the front end", path, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("walked only %d Go files under client/: the walk is broken", files)
	}
}
