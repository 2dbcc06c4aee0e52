package sitesui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/secrets"
)

// keyringNotice says in one plain sentence that passwords cannot be saved,
// with the technical reason (kerr: D-Bus sockets, Secret Service) behind a
// Details… button. Both are hidden when kerr is nil. It returns the note and
// the row to lay out, which holds the note and the button.
func keyringNotice(win fyne.Window, kerr error) (*widget.Label, *widget.Button, fyne.CanvasObject) {
	note := widget.NewLabel("")
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.WarningImportance
	details := widget.NewButtonWithIcon("Details…", theme.InfoIcon(), func() {
		if kerr != nil {
			dialog.ShowInformation("Why passwords can't be saved", kerr.Error(), win)
		}
	})
	row := container.NewBorder(nil, nil, nil, container.NewVBox(details), note)
	if kerr != nil {
		note.SetText(secrets.UnavailableSummary + " A password typed here is kept only until Lockbox closes.")
	} else {
		// Hidden as a whole, so that the form keeps no gap for it.
		note.Hide()
		details.Hide()
		row.Hide()
	}
	return note, details, row
}
