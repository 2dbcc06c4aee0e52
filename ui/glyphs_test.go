package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"golang.org/x/image/font/sfnt"

	"lockbox/client/trace"
)

// Every glyph the timeline draws for a step's direction and in the
// engine's summaries exists in the fonts Lockbox bundles (Fyne's Noto Sans,
// regular and bold), so it draws the same on every platform instead of
// depending on the system's fonts.
func TestTimelineGlyphsInBundledFont(t *testing.T) {
	texts := []string{
		timelineGlyphs.Replace(trace.Send.Arrow()),
		timelineGlyphs.Replace(trace.Recv.Arrow()),
		timelineGlyphs.Replace("127.0.0.1:50000 → 127.0.0.1:21"),
		timelineGlyphs.Replace("a ← b"),
	}
	for _, res := range []struct {
		name string
		font []byte
	}{{"regular", theme.DefaultTextFont().Content()}, {"bold", theme.DefaultTextBoldFont().Content()}} {
		f, err := sfnt.Parse(res.font)
		if err != nil {
			t.Fatalf("%s font: %v", res.name, err)
		}
		var buf sfnt.Buffer
		for _, text := range texts {
			for _, r := range text {
				if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
					t.Errorf("%s font has no glyph for %q (U+%04X) in %q", res.name, r, r, text)
				}
			}
		}
	}
}

// TestWindowTextInBundledFonts reads every string literal of the non-test
// Go files under ui/, certview/ and client/ and checks that each of its
// characters has a glyph in all four Noto Sans faces Fyne bundles
// (regular, bold, italic, bold italic): what the window writes draws the
// same on Windows, macOS and Linux instead of falling back to a system
// font, which Windows may not have (under wine "→" drew as a box). The
// engine's literals are checked as the timeline draws them (its only
// window for the engine's arrows, see timelineGlyphs), and what a
// strings.NewReplacer replaces is not drawn; the protocol log is
// monospace and draws them with the bundled DejaVu Sans Mono.
func TestWindowTextInBundledFonts(t *testing.T) {
	type face struct {
		name string
		font *sfnt.Font
	}
	var faces []face
	for _, res := range []fyne.Resource{theme.DefaultTextFont(), theme.DefaultTextBoldFont(), theme.DefaultTextItalicFont(), theme.DefaultTextBoldItalicFont()} {
		f, err := sfnt.Parse(res.Content())
		if err != nil {
			t.Fatalf("%s: %v", res.Name(), err)
		}
		faces = append(faces, face{res.Name(), f})
	}
	var buf sfnt.Buffer
	checked := 0
	for _, dir := range []string{".", "../certview", "../client"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || strings.Contains(p, "testdata") {
				return err
			}
			file, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			// The characters a strings.NewReplacer replaces (its even
			// arguments) are never drawn: what replaces them is.
			replaced := map[ast.Node]bool{}
			ast.Inspect(file, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "NewReplacer" {
						for i := 0; i < len(call.Args); i += 2 {
							replaced[call.Args[i]] = true
						}
					}
				}
				lit, ok := n.(*ast.BasicLit)
				if replaced[n] {
					return true
				}
				if !ok || lit.Kind != token.STRING && lit.Kind != token.CHAR {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Errorf("%s: %v", p, err)
					return true
				}
				if dir == "../client" {
					s = timelineGlyphs.Replace(s)
				}
				for _, r := range s {
					if r < 0x80 || r == utf8.RuneError {
						continue // ASCII, and the decoder's U+FFFD
					}
					checked++
					for _, f := range faces {
						if i, err := f.font.GlyphIndex(&buf, r); err != nil || i == 0 {
							t.Errorf("%s: %q (U+%04X) in %q has no glyph in %s", p, r, r, s, f.name)
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked == 0 {
		t.Fatal("no non-ASCII character found: the scan read nothing")
	}
}
