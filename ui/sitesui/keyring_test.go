package sitesui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/secrets"
)

// TestKeyringNotice checks the one plain sentence, and that the D-Bus
// detail is behind Details…, not in the sentence.
func TestKeyringNotice(t *testing.T) {
	detail := "no D-Bus session bus is running (DBUS_SESSION_BUS_ADDRESS is not set and /run/user/1000 has no bus socket)"
	tests := []struct {
		name  string
		kerr  error
		shown bool
	}{
		{"keyring works", nil, false},
		{"no keyring", &secrets.UnavailableError{Reason: detail, Err: errors.New("dbus")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			test.NewTempApp(t)
			win := test.NewTempWindow(t, widget.NewLabel(""))
			note, details, row := keyringNotice(win, tt.kerr)
			if row.Visible() != tt.shown || note.Visible() != tt.shown || details.Visible() != tt.shown {
				t.Fatalf("visible: row %t, note %t, details %t; want %t", row.Visible(), note.Visible(), details.Visible(), tt.shown)
			}
			if !tt.shown {
				return
			}
			if !strings.HasPrefix(note.Text, secrets.UnavailableSummary) || strings.Contains(note.Text, "D-Bus") {
				t.Errorf("note %q: want the plain sentence, without the detail", note.Text)
			}
			test.Tap(details)
			if !strings.Contains((&harness{win: win}).overlayTexts(), detail) {
				t.Errorf("Details… shows no dialog with %q", detail)
			}
		})
	}
}
