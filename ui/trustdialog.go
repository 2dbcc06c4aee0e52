package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client"
)

// trustDialogSize is the size the trust question opens at.
var trustDialogSize = fyne.NewSize(780, 620)

// trustDialog asks what to do with a certificate the engine could not
// verify: Reject, Accept once, or Always accept for host:port.
type trustDialog struct {
	dlg                  *dialog.CustomDialog
	reject, once, always *widget.Button
	answered             bool
	decision             client.Decision // what the question is about
	onAnswer             func(client.Choice)
	parent               fyne.Window
}

// newTrustDialog builds the question for d. canPin enables "Always
// accept"; hasStore says whether a pin store exists at all (only used to
// explain why "Always" is off). onAnswer is called once, on the UI
// goroutine, with the user's choice.
func newTrustDialog(parent fyne.Window, d client.Decision, canPin, hasStore bool, onAnswer func(client.Choice)) *trustDialog {
	td := &trustDialog{onAnswer: onAnswer, parent: parent, decision: d}
	rep := d.Report
	changed := rep != nil && rep.PinChange != nil

	var objs []fyne.CanvasObject
	title := "Certificate not trusted: " + d.HostPort
	if changed {
		title = "Certificate CHANGED: " + d.HostPort
		objs = append(objs, pinChangeBox(rep.PinChange))
	} else {
		objs = append(objs, wrapped(fmt.Sprintf(
			"The server at %s presented a certificate that Lockbox cannot verify. Nothing secret has been sent yet. "+
				"Accept it only if you know this server and why its certificate is not trusted.", d.HostPort)))
	}
	if rep != nil && len(rep.Chain) > 0 {
		leaf := rep.Chain[0]
		objs = append(objs, widget.NewSeparator(), subHeading("Server certificate"))
		form := container.New(&formLayout{})
		for _, kv := range [][2]string{
			{"Subject", leaf.Subject},
			{"Issuer", leaf.Issuer},
			{"Valid", formatTime(leaf.NotBefore) + "  to  " + formatTime(leaf.NotAfter)},
			{"SHA-256", leaf.SHA256},
		} {
			v := widget.NewLabel(kv[1])
			v.Wrapping = fyne.TextWrapBreak
			if kv[0] == "SHA-256" {
				v.TextStyle = fyne.TextStyle{Monospace: true}
			}
			form.Add(widget.NewLabelWithStyle(kv[0], fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
			form.Add(v)
		}
		objs = append(objs, form)
	}
	if rep != nil && len(rep.Problems) > 0 {
		objs = append(objs, widget.NewSeparator(), subHeading(fmt.Sprintf("Problems (%d)", len(rep.Problems))))
		for _, pr := range rep.Problems {
			objs = append(objs, problemRow(pr))
		}
	}
	var note fyne.CanvasObject
	if !canPin {
		why := "\"Always accept\" is not offered: this certificate is expired, not yet valid or uses a weak algorithm, so it may only be accepted once."
		if !hasStore {
			why = "\"Always accept\" is not available: the store of accepted certificates could not be opened."
		}
		l := wrapped(why)
		l.TextStyle = fyne.TextStyle{Italic: true}
		note = l
	}

	td.reject = widget.NewButtonWithIcon("Reject", theme.CancelIcon(), func() { td.answer(client.Reject) })
	td.once = widget.NewButton("Accept once", func() { td.answer(client.AcceptOnce) })
	td.always = widget.NewButton("Always accept for "+d.HostPort, func() { td.answer(client.AcceptAlways) })
	if changed {
		// A changed pin is how an interception looks: rejecting is the default.
		td.reject.Importance = widget.HighImportance
		td.once.Importance = widget.LowImportance
		td.always.Importance = widget.LowImportance
	}
	if !canPin {
		td.always.Disable()
	}

	content := container.NewBorder(nil, note, nil, nil, container.NewVScroll(container.NewVBox(objs...)))
	td.dlg = dialog.NewCustomWithoutButtons(title, content, parent)
	td.dlg.SetButtons([]fyne.CanvasObject{td.reject, td.once, td.always})
	var icon fyne.Resource = theme.NewWarningThemedResource(theme.WarningIcon())
	if changed {
		icon = theme.NewErrorThemedResource(theme.ErrorIcon())
	}
	td.dlg.SetIcon(icon)
	// Closing the dialog any other way counts as Reject.
	td.dlg.SetOnClosed(func() { td.answer(client.Reject) })
	td.dlg.Resize(trustDialogSize)
	return td
}

func (td *trustDialog) show() {
	td.dlg.Show()
	if td.reject.Importance == widget.HighImportance {
		td.parent.Canvas().Focus(td.reject)
	}
}

// answer reports the choice once and closes the dialog.
func (td *trustDialog) answer(c client.Choice) {
	if td.answered {
		return
	}
	td.answered = true
	td.dlg.Hide()
	td.onAnswer(c)
}

// dismiss closes the dialog without asking anything more (the connection
// ended or was cancelled); the engine is answered Reject.
func (td *trustDialog) dismiss() { td.answer(client.Reject) }

// formLayout is a two-column label/value layout whose value column takes
// the rest of the width, so long values wrap instead of widening the dialog.
type formLayout struct{}

func (*formLayout) labelWidth(objs []fyne.CanvasObject) float32 {
	w := float32(0)
	for i := 0; i < len(objs); i += 2 {
		w = max(w, objs[i].MinSize().Width)
	}
	return w
}

func (l *formLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	lw := l.labelWidth(objs)
	var s fyne.Size
	for i := 0; i+1 < len(objs); i += 2 {
		a, b := objs[i].MinSize(), objs[i+1].MinSize()
		s.Width = max(s.Width, lw+b.Width)
		s.Height += max(a.Height, b.Height)
	}
	return s
}

func (l *formLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	lw := l.labelWidth(objs)
	y := float32(0)
	for i := 0; i+1 < len(objs); i += 2 {
		objs[i+1].Resize(fyne.NewSize(size.Width-lw, objs[i+1].MinSize().Height))
		h := max(objs[i].MinSize().Height, objs[i+1].MinSize().Height)
		objs[i].Move(fyne.NewPos(0, y))
		objs[i].Resize(fyne.NewSize(lw, h))
		objs[i+1].Move(fyne.NewPos(lw, y))
		objs[i+1].Resize(fyne.NewSize(size.Width-lw, h))
		y += h
	}
}
