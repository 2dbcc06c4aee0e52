package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/assets"
	"lockbox/client"
)

// SecurityWindowSize is the size of the window the padlock opens.
var SecurityWindowSize = fyne.NewSize(900, 650)

// padlockBar is the status bar: the padlock button, the TLS line, and the
// connection they describe (what the padlock's window shows).
type padlockBar struct {
	button *widget.Button
	tls    *widget.Label
	rep    *client.Report
	target client.Target
}

// setPadlock shows the security of the current connection in the status
// bar: a closed padlock with the TLS summary, an open one for plain FTP,
// nothing when not connected. rep may be nil (not connected or connecting).
func (w *MainWindow) setPadlock(rep *client.Report, t client.Target) {
	w.padlock.rep = rep
	w.padlock.target = t
	switch {
	case rep == nil && t.Host == "":
		w.padlock.button.SetIcon(theme.NewDisabledResource(assets.PadlockOpen))
		w.padlock.button.SetText("Not connected")
		w.padlock.button.Disable()
		w.padlock.tls.SetText("")
	case rep == nil:
		w.padlock.button.SetIcon(theme.NewDisabledResource(assets.PadlockClosed))
		w.padlock.button.SetText("Connecting …")
		w.padlock.button.Disable()
		w.padlock.tls.SetText(t.String())
	case rep.TLS == nil:
		w.padlock.button.SetIcon(theme.NewErrorThemedResource(assets.PadlockOpen))
		w.padlock.button.SetText("Not encrypted")
		w.padlock.button.Enable()
		w.padlock.tls.SetText(t.Address() + " — plain FTP: the password and the files cross the network readable by anyone.")
	default:
		res := fyne.Resource(theme.NewSuccessThemedResource(assets.PadlockClosed))
		switch verdictColor(rep) {
		case theme.ColorNameError:
			res = theme.NewErrorThemedResource(assets.PadlockClosed)
		case theme.ColorNameWarning:
			res = theme.NewWarningThemedResource(assets.PadlockClosed)
		}
		w.padlock.button.SetIcon(res)
		w.padlock.button.SetText(trustWord(rep))
		w.padlock.button.Enable()
		w.padlock.tls.SetText(TLSSummary(rep))
	}
}

// trustWord is the padlock's label for a TLS connection.
func trustWord(rep *client.Report) string {
	switch rep.Trust {
	case client.TrustVerified:
		return "Verified"
	case client.TrustPinned:
		return "Pinned"
	case client.TrustAcceptedOnce:
		return "Accepted once"
	}
	return "Not trusted"
}

// TLSSummary is the status bar's line about a connection: "TLS 1.3 ·
// TLS_AES_128_GCM_SHA256 · X25519 · resumed: no · client certificate: none
// sent".
func TLSSummary(rep *client.Report) string {
	if rep == nil || rep.TLS == nil {
		return "not encrypted"
	}
	parts := []string{rep.TLS.Version, rep.TLS.CipherSuite}
	if rep.TLS.Group != "" {
		parts = append(parts, rep.TLS.Group)
	}
	resumed := "no"
	if rep.TLS.Resumed {
		resumed = "yes"
	}
	parts = append(parts, "resumed: "+resumed)
	cc := rep.ClientCertificate
	switch {
	case cc.Sent != nil:
		parts = append(parts, "client certificate: "+*cc.Sent)
	case cc.Requested:
		parts = append(parts, "client certificate: asked for, none sent")
	default:
		parts = append(parts, "client certificate: not asked for")
	}
	return rep.Address + " — " + strings.Join(parts, " · ")
}

// ShowSecurity opens the padlock's window: the current connection's TLS
// parameters, client certificate exchange, and certificate chain with
// every problem, as the Certificate tab shows it. It returns the window,
// or nil when there is no connection. It must be called on the UI
// goroutine.
func (w *MainWindow) ShowSecurity() fyne.Window {
	rep, t := w.padlock.rep, w.padlock.target
	if rep == nil {
		return nil
	}
	sw := w.app.NewWindow(fmt.Sprintf("Connection security — %s", t.Address()))
	sw.SetIcon(assets.Icon)
	p := newCertPane(sw)
	p.show(rep, nil, t.Host, w.now())
	sw.SetContent(p.content)
	sw.Resize(SecurityWindowSize)
	sw.Show()
	return sw
}

// newStatusBar builds the bar at the bottom of the window: the padlock
// button and the TLS line.
func (w *MainWindow) newStatusBar() fyne.CanvasObject {
	w.padlock = &padlockBar{button: widget.NewButtonWithIcon("Not connected", assets.PadlockOpen, func() { w.ShowSecurity() })}
	w.padlock.button.Importance = widget.LowImportance
	w.padlock.tls = widget.NewLabel("")
	w.padlock.tls.Truncation = fyne.TextTruncateEllipsis
	return container.NewBorder(widget.NewSeparator(), nil, w.padlock.button, nil, w.padlock.tls)
}
