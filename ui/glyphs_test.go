package ui

import (
	"testing"

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
