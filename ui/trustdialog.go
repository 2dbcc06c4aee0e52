package ui

import (
	"crypto/x509"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/certview"
	"lockbox/client"
)

// trustDialogSize is the size the trust question opens at: room for the
// certificate inspector inside the 1000x700 main window.
var trustDialogSize = fyne.NewSize(900, 600)

// trustDialog asks what to do with a certificate the engine could not
// verify: Reject, Accept once, or Always accept for host:port. It shows the
// certificate in the certificate inspector, invalid fields marked.
type trustDialog struct {
	dlg                  *dialog.CustomDialog
	reject, once, always *widget.Button
	// issuer is "Trust the issuing CA…", nil when it is not offered
	// (client.Decision.IssuingCA says when).
	issuer *widget.Button
	// issuerConfirm is the question that shows the CA's own fields, while
	// open.
	issuerConfirm *dialog.CustomDialog
	issuerScope   *widget.RadioGroup
	issuerTrust   *widget.Button // "Trust this CA" in issuerConfirm
	panel         *certview.Panel
	tabs          *container.AppTabs // "What changed" and the certificate, for a changed pin
	answered      bool
	decision      client.Decision // what the question is about
	onAnswer      func(client.Choice)
	parent        fyne.Window
}

// newTrustDialog builds the question for d. dialed is the host the user
// connected to and now the time validity is judged at, both for the
// certificate inspector. canPin enables "Always accept"; hasStore says
// whether a pin store exists at all (only used to explain why "Always" is
// off). onAnswer is called once, on the UI goroutine, with the user's
// choice.
func newTrustDialog(parent fyne.Window, d client.Decision, dialed string, now time.Time, canPin, hasStore bool, onAnswer func(client.Choice)) *trustDialog {
	return newTrustDialogFor(parent, d, issuerOffer{}, dialed, now, canPin, hasStore, onAnswer)
}

// issuerOffer says whether "Trust the issuing CA" can be offered: only
// with a store of trusted CAs; site names the saved site being connected
// to, for the "only this site" choice ("" offers all sites only).
type issuerOffer struct {
	canStore bool
	site     string
}

// newTrustDialogFor is newTrustDialog that may also offer "Trust the
// issuing CA" beside Accept once and Always.
func newTrustDialogFor(parent fyne.Window, d client.Decision, offer issuerOffer, dialed string, now time.Time, canPin, hasStore bool, onAnswer func(client.Choice)) *trustDialog {
	td := &trustDialog{onAnswer: onAnswer, parent: parent, decision: d}
	rep := d.Report
	changed := rep != nil && rep.PinChange != nil

	td.panel = certview.NewPanel(certview.FromReport(rep, dialed, now), parent)
	title := "Certificate not trusted: " + d.HostPort
	var body fyne.CanvasObject
	if changed {
		title = "Certificate CHANGED: " + d.HostPort
		body, td.tabs = pinChangeView(rep, td.panel)
	} else {
		intro := wrapped(fmt.Sprintf(
			"The server at %s presented a certificate that Lockbox cannot verify. Nothing secret has been sent yet. "+
				"Accept it only if you know this server and why its certificate is not trusted.", d.HostPort) + rootAdvice(rep))
		body = container.NewBorder(container.NewVBox(intro, widget.NewSeparator()), nil, nil, nil, td.panel)
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

	buttons := []fyne.CanvasObject{td.reject, td.once, td.always}
	if ca := d.IssuingCA(); ca != nil && offer.canStore && !changed {
		td.issuer = widget.NewButtonWithIcon("Trust the issuing CA…", theme.ConfirmIcon(), func() { td.confirmIssuer(ca, offer.site, now) })
		buttons = append(buttons, td.issuer)
	}
	content := container.NewBorder(nil, note, nil, nil, body)
	td.dlg = dialog.NewCustomWithoutButtons(title, content, parent)
	td.dlg.SetButtons(buttons)
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

// confirmIssuer shows the CA's own fields and where it would be trusted,
// and answers TrustIssuingCA (or ForSite) once the user confirms.
func (td *trustDialog) confirmIssuer(ca *x509.Certificate, site string, now time.Time) {
	m := certview.Build([]*x509.Certificate{ca}, nil, certview.ModelOptions{Now: now, Source: "the CA that issued the certificate of " + td.decision.HostPort})
	// Not yet trusted: this is what the user is asked to judge.
	m.Trusted = false
	m.Verdict = "The CA certificate " + ca.Subject.CommonName + ", as the server sent it."
	m.Advice = "Compare its SHA-256 fingerprint (below) with the one whoever runs the CA gives you, by another channel."
	m.Summary = m.Verdict + " " + m.Advice
	m.Levels[0].Role = certview.RoleRoot
	panel := certview.NewPanel(m, td.parent)
	all := "For every server"
	options := []string{all}
	forSite := ""
	if site != "" {
		forSite = "Only for the site " + site
		options = []string{forSite, all}
	}
	td.issuerScope = widget.NewRadioGroup(options, nil)
	td.issuerScope.SetSelected(options[0])
	intro := wrapped(fmt.Sprintf("Lockbox will trust every certificate %s issues, from now on, like the system's CAs: "+
		"%s will be verified, not pinned. Do this only if you know who runs this CA, and check its fingerprint with them.",
		ca.Subject.CommonName, td.decision.HostPort))
	trustBtn := widget.NewButtonWithIcon("Trust this CA", theme.ConfirmIcon(), nil)
	trustBtn.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), nil)
	body := container.NewBorder(container.NewVBox(intro, td.issuerScope, widget.NewSeparator()), nil, nil, nil, panel)
	d := dialog.NewCustomWithoutButtons("Trust the CA "+ca.Subject.CommonName+"?", body, td.parent)
	d.SetButtons([]fyne.CanvasObject{cancel, trustBtn})
	cancel.OnTapped = func() { td.issuerConfirm = nil; d.Hide() }
	trustBtn.OnTapped = func() {
		choice := client.TrustIssuingCA
		if forSite != "" && td.issuerScope.Selected == forSite {
			choice = client.TrustIssuingCAForSite
		}
		td.issuerConfirm = nil
		d.Hide()
		td.answer(choice)
	}
	d.Resize(trustDialogSize)
	td.issuerConfirm, td.issuerTrust = d, trustBtn
	d.Show()
}
