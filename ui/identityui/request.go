package identityui

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/client/identity"
	"lockbox/client/secrets"
)

// RequestDialogSize is the size the question opens at: room for the lists
// inside the 1000x700 main window.
var RequestDialogSize = fyne.NewSize(900, 620)

// RequestOptions is what the request dialog needs besides the request.
type RequestOptions struct {
	// Store holds the saved identities: they are offered, loaded by name,
	// and a file sent with "Remember for this site" is saved in it so that
	// the site can refer to it by name. nil offers none and does not offer
	// to remember a file.
	Store *identity.Store
	// Secrets holds the saved identities' passwords; nil asks for them.
	Secrets secrets.Store
	// Preselect names a saved identity to select (and load) when the
	// dialog opens, e.g. the one the site used last; "" selects none.
	Preselect string
	// Now is the clock expiry is judged by; nil means time.Now.
	Now func() time.Time
	// Do runs a function on the UI goroutine; nil means fyne.Do. Tests
	// queue the functions and run them on the test goroutine.
	Do func(func())
}

// Answer is what the user decided.
type Answer struct {
	// Identity is the certificate to send; nil sends none.
	Identity *identity.Identity
	// Remember asks the caller to keep the choice for this site: SavedName
	// (or, with a nil Identity, sending none).
	Remember bool
	// SavedName is the saved identity sent: the one chosen from the list,
	// or the name a file was saved under because Remember was checked. ""
	// for a file sent without remembering it, and for none.
	SavedName string
	// Warning is something to tell the user after the dialog closed, such
	// as a *identity.Warning when the remembered file's password could not
	// go to the keyring; nil normally.
	Warning error
}

// choice is what the user chose to load: a saved identity by name, or
// files (complete).
type choice struct {
	saved string
	files identity.Files
}

func (c choice) isSet() bool { return c.saved != "" || c.files != (identity.Files{}) }

// label names the choice in messages.
func (c choice) label() string {
	if c.saved != "" {
		return fmt.Sprintf("%q", c.saved)
	}
	return filesLabel(c.files)
}

// RequestDialog asks which client certificate to send to a server that
// asked for one: a saved identity (those the server's CA list matches
// first), a file, or none. Its methods must be called on the UI goroutine.
type RequestDialog struct {
	win      fyne.Window
	dlg      *dialog.CustomDialog
	content  fyne.CanvasObject
	req      client.IdentityRequest
	opts     RequestOptions
	onAnswer func(Answer)
	answered bool

	caNames  []string
	saved    []identity.Saved // those that match first
	matching int              // how many of saved match

	list     *widget.List // nil when nothing is saved
	files    *fileChooser
	right    *fyne.Container // the file, password, status and preview column
	password *widget.Entry
	open     *widget.Button // loads again with the password typed
	status   *widget.Label

	noPreview                                *widget.Label
	preview                                  *widget.Form
	subject, issuer, expires, from, mismatch *widget.Label

	remember       *widget.Check
	sendNone, send *widget.Button

	chosen      choice
	loaded      *identity.Identity // the chosen identity, once it opened
	loadedWith  string             // the password it opened with, for saving it
	busy        bool               // a load or a save is under way
	askPassword bool               // the chosen identity needs the password typed
	gen         int                // numbers the loads, so that a stale one is dropped
}

// NewRequestDialog builds the question for req on win without showing it,
// so that a caller (or a test capturing win for a golden image) can show
// it when ready. onAnswer is called once, on the UI goroutine, when the
// user answers or the dialog is closed or dismissed (which answer none).
func NewRequestDialog(win fyne.Window, req client.IdentityRequest, opts RequestOptions, onAnswer func(Answer)) *RequestDialog {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Do == nil {
		opts.Do = fyne.Do
	}
	rd := &RequestDialog{win: win, req: req, opts: opts, onAnswer: onAnswer, caNames: caNames(req)}
	rd.sortSaved()

	intro := wrapped("The server wants to know who you are before it lets you in. Choose a client certificate to send, " +
		"or send none (the server may then end the connection). Your private key stays on this computer: " +
		"it only proves that the certificate is yours.")

	left := container.NewBorder(container.NewVBox(rd.caSection(), heading("Saved identities")), nil, nil, nil, rd.savedSection())

	rd.files = newFileChooser(win, opts.Do, rd.filesChanged)
	rd.password = newPasswordEntry()
	rd.password.SetPlaceHolder("for a PKCS#12 file")
	rd.password.OnSubmitted = func(string) { rd.retry() }
	rd.open = widget.NewButton("Open", rd.retry)
	rd.status = wrapped("")
	rd.status.Hide()
	rd.right = container.NewVBox(
		heading("Or a file"),
		rd.files.box,
		container.NewBorder(nil, nil, widget.NewLabel("Password"), rd.open, rd.password),
		rd.status,
		widget.NewSeparator(),
		heading("Certificate to send"),
		rd.previewSection(),
	)

	rd.remember = widget.NewCheck("Remember for this site", func(bool) {})
	content := container.NewBorder(
		container.NewVBox(intro, widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), rd.remember),
		nil, nil,
		container.NewGridWithColumns(2, left, container.NewVScroll(rd.right)),
	)

	rd.sendNone = widget.NewButtonWithIcon("Send none", theme.CancelIcon(), func() {
		rd.answer(Answer{Remember: rd.remember.Checked})
	})
	rd.send = widget.NewButtonWithIcon("Send certificate", theme.ConfirmIcon(), rd.sendCertificate)
	rd.send.Importance = widget.HighImportance

	rd.content = content
	rd.dlg = dialog.NewCustomWithoutButtons(req.HostPort+" asks for a client certificate", content, win)
	rd.dlg.SetButtons([]fyne.CanvasObject{rd.sendNone, rd.send})
	// Closing the dialog any other way sends none.
	rd.dlg.SetOnClosed(func() { rd.answer(Answer{}) })
	rd.dlg.Resize(RequestDialogSize)
	rd.update()
	if opts.Preselect != "" {
		rd.SelectSaved(opts.Preselect)
	}
	return rd
}

// Show shows the dialog.
func (rd *RequestDialog) Show() { rd.dlg.Show() }

// Dismiss closes the dialog when the question no longer matters (the
// connection was cancelled or ended). onAnswer gets "send none" unless the
// user already answered; either way it is called only once.
func (rd *RequestDialog) Dismiss() { rd.answer(Answer{}) }

// SelectSaved selects the saved identity name and loads it, as a click on
// it does. It reports whether the dialog offers that identity.
func (rd *RequestDialog) SelectSaved(name string) bool {
	for i, sv := range rd.saved {
		if sv.Name == name && rd.list != nil {
			rd.list.Select(i)
			return true
		}
	}
	return false
}

// caNames lists the CA names the server gave, decoding the DER names when
// the engine gave no text.
func caNames(req client.IdentityRequest) []string {
	if len(req.AcceptableCAs) > 0 {
		return req.AcceptableCAs
	}
	var names []string
	for _, der := range req.AcceptableCADER {
		var seq pkix.RDNSequence
		if rest, err := asn1.Unmarshal(der, &seq); err != nil || len(rest) > 0 {
			names = append(names, fmt.Sprintf("(a name Lockbox cannot read, %d bytes)", len(der)))
			continue
		}
		var n pkix.Name
		n.FillFromRDNSequence(&seq)
		names = append(names, n.String())
	}
	return names
}

// sortSaved puts the saved identities the server's CA list matches first,
// each group in the store's order (by name).
func (rd *RequestDialog) sortSaved() {
	if rd.opts.Store == nil {
		return
	}
	var others []identity.Saved
	for _, sv := range rd.opts.Store.List() {
		if sv.Matches(rd.req.AcceptableCADER) {
			rd.saved = append(rd.saved, sv)
		} else {
			others = append(others, sv)
		}
	}
	rd.matching = len(rd.saved)
	rd.saved = append(rd.saved, others...)
}

// caSection lists the CAs the server accepts.
func (rd *RequestDialog) caSection() fyne.CanvasObject {
	box := container.NewVBox(heading("Certificate authorities the server accepts"))
	if len(rd.caNames) == 0 {
		l := widget.NewLabel("Any CA: the server did not name any.")
		l.TextStyle = fyne.TextStyle{Italic: true}
		box.Add(l)
		return box
	}
	names := container.NewVBox()
	for _, n := range rd.caNames {
		names.Add(truncated(n))
	}
	if len(rd.caNames) <= 3 {
		box.Add(names)
		return box
	}
	// A long list must not push the saved identities out of the dialog.
	box.Add(minHeight(container.NewVScroll(names), 3*truncated("X").MinSize().Height))
	return box
}

// savedSection is the list of saved identities, or why there is none.
func (rd *RequestDialog) savedSection() fyne.CanvasObject {
	if len(rd.saved) == 0 {
		msg := "No saved identities: choose a file."
		if rd.opts.Store == nil {
			msg = "Saved identities are not available: choose a file."
		}
		l := wrapped(msg)
		l.TextStyle = fyne.TextStyle{Italic: true}
		return container.NewVBox(l)
	}
	rd.list = widget.NewList(
		func() int { return len(rd.saved) },
		func() fyne.CanvasObject {
			name := heading("name")
			match := widget.NewLabel("matches")
			match.Importance = widget.SuccessImportance
			expires := widget.NewLabel("expires")
			detail := truncated("detail")
			detail.SizeName = theme.SizeNameCaptionText
			return container.NewVBox(container.NewHBox(name, match, expires), detail)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { rd.updateSavedRow(i, o) },
	)
	rd.list.OnSelected = func(i widget.ListItemID) { rd.selectSaved(i) }
	return rd.list
}

func (rd *RequestDialog) updateSavedRow(i widget.ListItemID, o fyne.CanvasObject) {
	if i < 0 || i >= len(rd.saved) {
		return
	}
	sv := rd.saved[i]
	rows := o.(*fyne.Container).Objects
	top := rows[0].(*fyne.Container).Objects
	top[0].(*widget.Label).SetText(sv.Name)
	match := top[1].(*widget.Label)
	// With no CA list every identity matches, and saying so says nothing.
	if i < rd.matching && len(rd.req.AcceptableCADER) > 0 {
		match.Show()
	} else {
		match.Hide()
	}
	text, imp := expiryText(sv.NotAfter, rd.opts.Now())
	expires := top[2].(*widget.Label)
	expires.Importance = imp
	expires.SetText("expires " + text)
	rows[1].(*widget.Label).SetText(sv.Subject + " · issued by " + sv.Issuer)
}

// previewSection shows the chosen certificate, once it opened.
func (rd *RequestDialog) previewSection() fyne.CanvasObject {
	rd.noPreview = widget.NewLabel("No certificate chosen yet.")
	rd.noPreview.TextStyle = fyne.TextStyle{Italic: true}
	rd.subject, rd.issuer, rd.expires, rd.from = wrapped(""), wrapped(""), widget.NewLabel(""), wrapped("")
	rd.preview = widget.NewForm(
		widget.NewFormItem("Subject", rd.subject),
		widget.NewFormItem("Issued by", rd.issuer),
		widget.NewFormItem("Expires", rd.expires),
		widget.NewFormItem("From", rd.from),
	)
	rd.mismatch = wrapped("The server did not name this certificate's issuer among the CAs it accepts, so it will probably refuse it.")
	rd.mismatch.Importance = widget.WarningImportance
	rd.showPreview()
	return container.NewVBox(rd.noPreview, rd.preview, rd.mismatch)
}

// showPreview shows the loaded identity, or that there is none.
func (rd *RequestDialog) showPreview() {
	id := rd.loaded
	if id == nil {
		rd.noPreview.Show()
		rd.preview.Hide()
		rd.mismatch.Hide()
		return
	}
	rd.noPreview.Hide()
	rd.subject.SetText(id.Subject())
	rd.issuer.SetText(id.Issuer())
	text, imp := expiryText(id.NotAfter(), rd.opts.Now())
	rd.expires.Importance = imp
	rd.expires.SetText(text)
	if rd.chosen.saved != "" {
		rd.from.SetText("saved identity " + rd.chosen.label())
	} else {
		rd.from.SetText(filesLabel(rd.chosen.files))
	}
	rd.preview.Show()
	if len(rd.req.AcceptableCADER) > 0 && !id.Matches(rd.req.AcceptableCADER) {
		rd.mismatch.Show()
	} else {
		rd.mismatch.Hide()
	}
}

// update enables what makes sense now, and lays out again what a message
// or the preview appearing changed.
func (rd *RequestDialog) update() {
	if rd.right != nil {
		rd.right.Refresh()
	}
	if rd.loaded != nil && !rd.busy {
		rd.send.Enable()
	} else {
		rd.send.Disable()
	}
	if rd.chosen.isSet() && !rd.busy {
		rd.open.Enable()
	} else {
		rd.open.Disable()
	}
	// Remembering a file means saving it, which needs the store.
	if rd.opts.Store == nil && rd.chosen.saved == "" && rd.chosen.isSet() {
		rd.remember.SetChecked(false)
		rd.remember.Disable()
	} else {
		rd.remember.Enable()
	}
}

// selectSaved chooses saved identity i and loads it.
func (rd *RequestDialog) selectSaved(i int) {
	if rd.answered || i < 0 || i >= len(rd.saved) {
		return
	}
	rd.files.reset()
	rd.chosen = choice{saved: rd.saved[i].Name}
	rd.askPassword = false
	rd.load()
}

// filesChanged follows the file chooser: a whole identity is loaded, half
// of one waits for the other half.
func (rd *RequestDialog) filesChanged(f identity.Files, complete bool, msg string, isErr bool) {
	if rd.answered {
		return
	}
	if rd.list != nil {
		rd.list.UnselectAll()
	}
	if complete {
		rd.chosen = choice{files: f}
		rd.askPassword = false
		rd.load()
		return
	}
	rd.gen++ // a load under way is for something no longer chosen
	rd.busy = false
	rd.chosen = choice{}
	rd.loaded, rd.loadedWith = nil, ""
	imp := widget.MediumImportance
	if isErr {
		imp = widget.DangerImportance
	}
	setStatus(rd.status, msg, imp)
	rd.showPreview()
	rd.update()
}

// retry loads the chosen identity again with the password typed.
func (rd *RequestDialog) retry() {
	if rd.answered || rd.busy || !rd.chosen.isSet() {
		return
	}
	rd.askPassword = true
	rd.load()
}

// load opens the chosen identity off the UI goroutine.
func (rd *RequestDialog) load() {
	c := rd.chosen
	if !c.isSet() {
		return
	}
	rd.gen++
	gen := rd.gen
	rd.busy = true
	rd.loaded, rd.loadedWith = nil, ""
	setStatus(rd.status, "Opening "+c.label()+" …", widget.MediumImportance)
	rd.showPreview()
	rd.update()

	// A saved identity first tries its saved password; a file, or a saved
	// identity that asked for one, uses what is typed.
	typed := c.saved == "" || rd.askPassword
	password := ""
	if typed {
		password = rd.password.Text
	}
	store, sec := rd.opts.Store, rd.opts.Secrets
	go func() {
		var id *identity.Identity
		var err error
		switch {
		case c.saved != "" && typed:
			id, err = store.LoadSavedWith(c.saved, password)
		case c.saved != "":
			id, err = store.LoadSaved(c.saved, sec)
		default:
			id, err = c.files.Load(password)
		}
		rd.opts.Do(func() { rd.loadDone(gen, id, err, typed, password) })
	}()
}

// loadDone shows the outcome of load number gen.
func (rd *RequestDialog) loadDone(gen int, id *identity.Identity, err error, typed bool, password string) {
	if rd.answered || gen != rd.gen {
		return
	}
	rd.busy = false
	name := rd.chosen.label()
	switch {
	case errors.Is(err, identity.ErrPasswordNeeded):
		rd.askForPassword("The password of "+name+" is not saved: type it, then press Open.", widget.WarningImportance)
	case errors.Is(err, identity.ErrWrongPassword) && !typed:
		rd.askForPassword("The saved password no longer opens "+name+": type the current one, then press Open.", widget.WarningImportance)
	case errors.Is(err, identity.ErrWrongPassword) && password == "":
		rd.askForPassword(name+" is protected by a password: type it, then press Open.", widget.WarningImportance)
	case errors.Is(err, identity.ErrWrongPassword):
		rd.askForPassword("That password does not open "+name+"; try again.", widget.DangerImportance)
	case err != nil:
		setStatus(rd.status, err.Error(), widget.DangerImportance)
	default:
		rd.loaded, rd.loadedWith = id, password
		setStatus(rd.status, "", widget.MediumImportance)
	}
	rd.showPreview()
	rd.update()
}

func (rd *RequestDialog) askForPassword(msg string, imp widget.Importance) {
	rd.askPassword = true
	setStatus(rd.status, msg, imp)
	rd.win.Canvas().Focus(rd.password)
}

// sendCertificate answers with the loaded identity. A file sent with
// "Remember for this site" is saved first, so that the site can refer to
// it by name; if that fails the dialog stays open to say why.
func (rd *RequestDialog) sendCertificate() {
	if rd.answered || rd.busy || rd.loaded == nil {
		return
	}
	id, c, remember := rd.loaded, rd.chosen, rd.remember.Checked
	if !remember || c.saved != "" || rd.opts.Store == nil {
		rd.answer(Answer{Identity: id, Remember: remember, SavedName: c.saved})
		return
	}
	rd.busy = true
	setStatus(rd.status, "Saving "+c.label()+" …", widget.MediumImportance)
	rd.update()
	store, sec, password, base := rd.opts.Store, rd.opts.Secrets, rd.loadedWith, commonName(id)
	go func() {
		name := store.UniqueName(base)
		sv, err := store.Add(name, c.files, password, sec)
		rd.opts.Do(func() {
			if rd.answered {
				return
			}
			rd.busy = false
			var w *identity.Warning
			if err != nil && !errors.As(err, &w) {
				setStatus(rd.status, "The certificate could not be remembered: "+err.Error()+
					" Uncheck \"Remember for this site\" to send it anyway.", widget.DangerImportance)
				rd.update()
				return
			}
			a := Answer{Identity: id, Remember: true, SavedName: sv.Name}
			if w != nil {
				a.Warning = w
			}
			rd.answer(a)
		})
	}()
}

// answer reports a once and closes the dialog.
func (rd *RequestDialog) answer(a Answer) {
	if rd.answered {
		return
	}
	rd.answered = true
	rd.gen++
	rd.loadedWith = ""
	rd.password.SetText("")
	rd.dlg.Hide()
	rd.onAnswer(a)
}
