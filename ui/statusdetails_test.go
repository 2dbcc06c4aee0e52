package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/secrets"
	"lockbox/ui/internal/uitest"
)

// TestStatusDetails checks the keyring notice's shape in the status line:
// one plain sentence, the technical reason only behind Details…, and the
// button gone again with the next status.
func TestStatusDetails(t *testing.T) {
	h := newHarness(t, Deps{})
	if h.w.statusDetails.Visible() {
		t.Fatal("Details… shown before any status has details")
	}
	detail := "no D-Bus session bus: $DBUS_SESSION_BUS_ADDRESS is empty and /run/user/0/bus does not exist"
	h.w.setStatusDetails(secrets.UnavailableSummary, widget.WarningImportance, "Why passwords can't be saved", detail)
	if h.w.status.Text != secrets.UnavailableSummary || strings.Contains(h.w.status.Text, "D-Bus") {
		t.Errorf("status = %q, want the one plain sentence", h.w.status.Text)
	}
	if !h.w.statusDetails.Visible() {
		t.Fatal("Details… is hidden")
	}
	test.Tap(h.w.statusDetails)
	top := h.w.Window.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("Details… opened nothing")
	}
	var texts []string
	uitest.Walk(top, func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			texts = append(texts, v.Text)
		case *widget.RichText:
			texts = append(texts, v.String())
		}
	})
	if got := strings.Join(texts, "\n"); !strings.Contains(got, detail) || !strings.Contains(got, "Why passwords can't be saved") {
		t.Errorf("the details dialog says %q", got)
	}
	top.Hide()
	h.w.setStatus("Connected.", widget.SuccessImportance)
	if h.w.statusDetails.Visible() {
		t.Error("Details… stays after a status without details")
	}
}
