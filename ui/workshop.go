package ui

import (
	"fyne.io/fyne/v2/widget"

	"lockbox/client/workshop"
	"lockbox/ui/workshopui"
)

// openWorkshop opens the certificate workshop over the identity store and
// the keyring, or says in the status line why it cannot.
func (w *MainWindow) openWorkshop() *workshop.Workshop {
	if w.deps.Identities == nil {
		w.setStatus("Keys and certificates cannot be made: "+errString(w.stores.identities), widget.WarningImportance)
		return nil
	}
	ws, err := workshop.Open(w.deps.Identities, w.deps.Secrets)
	if ws == nil {
		w.setStatus("Keys and certificates cannot be made: "+err.Error(), widget.WarningImportance)
		return nil
	}
	if err != nil {
		w.setStatus(err.Error(), widget.WarningImportance)
	}
	return ws
}

// ShowNewCertificate opens Identities → New key and certificate….
func (w *MainWindow) ShowNewCertificate() {
	if ws := w.openWorkshop(); ws != nil {
		workshopui.Show(w.app, ws, workshopui.Options{Do: w.runUI})
	}
}

// ImportSignedCertificate asks for the certificate a CA sent back and
// joins it with its pending key into an identity.
func (w *MainWindow) ImportSignedCertificate() {
	ws := w.openWorkshop()
	if ws == nil {
		return
	}
	workshopui.ShowImport(w.Window, ws, workshopui.Options{Do: w.runUI}, func(msg string, err error) {
		if err != nil {
			w.setStatus("Not imported: "+err.Error(), widget.DangerImportance)
			return
		}
		w.setStatus(msg, widget.SuccessImportance)
	})
}

// ShowPrivateCAs opens Identities → Private CAs….
func (w *MainWindow) ShowPrivateCAs() {
	if ws := w.openWorkshop(); ws != nil {
		workshopui.ShowCAs(w.app, ws, workshopui.Options{Do: w.runUI})
	}
}

// ShowPendingRequests opens Identities → Pending requests….
func (w *MainWindow) ShowPendingRequests() {
	if ws := w.openWorkshop(); ws != nil {
		workshopui.ShowRequests(w.app, ws)
	}
}
