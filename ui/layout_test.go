package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// The panes keep their share of the window once connected: no tab below
// them (the certificate inspector is tall) may push them smaller.
func TestPanesKeepTheirShare(t *testing.T) {
	h := newHarness(t, Deps{LocalDir: t.TempDir()})
	h.w.Window.Resize(fyne.NewSize(1200, 773)) // 1200x800 less a menu bar
	before := h.w.local.Content.Size().Height
	h.w.StartDemo(false)
	test.Tap(h.waitDialog(t).once)
	if r := h.waitDone(t); r.err != nil {
		t.Fatal(r.err)
	}
	for _, it := range h.w.tabs.Items {
		if min := it.Content.MinSize().Height; min > 200 {
			t.Errorf("tab %s needs %v pixels of height", it.Text, min)
		}
	}
	if after := h.w.local.Content.Size().Height; after < before {
		t.Errorf("the panes shrank from %v to %v pixels", before, after)
	}
}
