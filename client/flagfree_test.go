package client

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// flagWord matches a command-line flag such as --cert or --tls-min, but not
// the dashes inside "-rw-r--r--".
var flagWord = regexp.MustCompile(`(^|[^-\w])--[a-z][a-z0-9-]+`)

// TestEngineMessagesNameNoFlags keeps command-line words out of the engine
// and the certificate panel: their messages reach the window too, where
// nobody has a command line. The engine returns a Reason instead, and each
// front end words the fix (see ReasonOf). Comments may name flags.
func TestEngineMessagesNameNoFlags(t *testing.T) {
	for _, root := range []string{".", "../certview"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				// servertest starts vsftpd, ProFTPD and Pure-FTPd for the
				// tests: its strings are those programs' own flags, and
				// no user ever reads them.
				if d.Name() == "testdata" || filepath.ToSlash(path) == "servertest" {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					s = lit.Value
				}
				if m := flagWord.FindString(s); m != "" {
					t.Errorf("%s: string names the command-line flag %q: %s", fset.Position(lit.Pos()), strings.TrimLeft(m, " ("), lit.Value)
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", root, err)
		}
	}
}

// TestFlagWord checks the pattern on both sides of the line it draws.
func TestFlagWord(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"give one with --cert and --key", true},
		{"(--allow-plaintext)", true},
		{"--tls-min 1.3", true},
		{"-rw-r--r--", false},
		{"a -- b", false},
		{"TLS 1.3 only", false},
	}
	for _, tt := range tests {
		if got := flagWord.MatchString(tt.s); got != tt.want {
			t.Errorf("flagWord.MatchString(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}
