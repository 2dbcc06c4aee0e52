// Package identityui is Lockbox's user interface for client certificates:
// the question asked when a server wants one (RequestDialog) and the
// window that manages the saved ones (Manager).
//
// Threading: every exported method must be called on the UI goroutine, and
// every callback runs there. Reading certificate files (a PKCS#12 key
// derivation can take a second) and the keyring runs on goroutines of its
// own, which come back through an injectable do function (fyne.Do by
// default), so that widgets only ever see one goroutine.
package identityui

import (
	"fmt"
	"image/color"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/identity"
	"lockbox/client/verify"
	"lockbox/ui/pick"
)

// ExpiringSoon is how close to its expiry a certificate is shown in the
// warning colour: a month leaves time to get a new one.
const ExpiringSoon = 30 * 24 * time.Hour

// FileExtensions are the files the file pickers offer: PEM certificates and
// keys, DER certificates and PKCS#12 bundles.
var FileExtensions = []string{".pem", ".crt", ".cer", ".key", ".p12", ".pfx"}

// dateLayout is how expiry dates are shown: unambiguous in every locale.
const dateLayout = "2006-01-02"

// expiryText says when a certificate expires, relative to now, with the
// importance (colour) it deserves: danger when expired, warning within
// ExpiringSoon.
func expiryText(notAfter, now time.Time) (string, widget.Importance) {
	date := notAfter.In(now.Location()).Format(dateLayout)
	switch left := notAfter.Sub(now); {
	case left < 0:
		return fmt.Sprintf("%s (expired %s ago)", date, verify.HumanDuration(left)), widget.DangerImportance
	case left < ExpiringSoon:
		return fmt.Sprintf("%s (in %s)", date, verify.HumanDuration(left)), widget.WarningImportance
	default:
		return fmt.Sprintf("%s (in %s)", date, verify.HumanDuration(left)), widget.MediumImportance
	}
}

// newPasswordEntry is a password field whose content is never shown: it
// has no "reveal" button, which a password entry otherwise gets, because
// the screen may be shared or recorded.
func newPasswordEntry() *widget.Entry {
	e := widget.NewPasswordEntry()
	// A non-nil ActionItem keeps Fyne from adding its revealer; this one
	// takes no room.
	e.ActionItem = canvas.NewRectangle(color.Transparent)
	return e
}

// wrapped is a label that wraps at word boundaries.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// truncated is a one-line label that ends in "…" when it does not fit.
func truncated(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// heading is a bold label.
func heading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

// setStatus shows msg in l with the given importance, or hides l when msg
// is empty. The caller lays out l's container again.
func setStatus(l *widget.Label, msg string, imp widget.Importance) {
	l.Importance = imp
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// minHeight gives obj at least h of height, for lists and scrolls whose own
// minimum is one row.
func minHeight(obj fyne.CanvasObject, h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(0, h))
	return container.NewStack(r, obj)
}

// filesLabel names the files of an identity by their base names, which is
// what the user recognises from the picker.
func filesLabel(f identity.Files) string {
	switch {
	case f.PKCS12 != "":
		return filepath.Base(f.PKCS12)
	case f.CertFile != "" && f.KeyFile != "" && f.KeyFile != f.CertFile:
		return filepath.Base(f.CertFile) + " + " + filepath.Base(f.KeyFile)
	case f.CertFile != "":
		return filepath.Base(f.CertFile)
	case f.KeyFile != "":
		return filepath.Base(f.KeyFile)
	}
	return ""
}

// commonName is the leaf's common name, else its subject, for naming an
// identity the user did not name.
func commonName(id *identity.Identity) string {
	if id == nil || id.Leaf == nil {
		return ""
	}
	if cn := strings.TrimSpace(id.Leaf.Subject.CommonName); cn != "" {
		return cn
	}
	return id.Subject()
}

// fileChooser picks the file or files of an identity: a PKCS#12 bundle, a
// PEM file with certificate and key, or a certificate and then its key (or
// the other way round). What each file holds is found off the UI goroutine.
type fileChooser struct {
	win fyne.Window
	do  func(func())

	choose *widget.Button // the first (often only) file
	second *widget.Button // the missing half of a PEM identity, shown when needed
	label  *widget.Label  // the files chosen so far
	box    *fyne.Container

	files identity.Files
	gen   int // numbers the classifications, so that a stale one is dropped

	// onChange is told of every change: the files chosen so far, whether
	// they are a whole identity, and a message for the user (an error when
	// isErr).
	onChange func(files identity.Files, complete bool, msg string, isErr bool)
}

func newFileChooser(win fyne.Window, do func(func()), onChange func(identity.Files, bool, string, bool)) *fileChooser {
	fc := &fileChooser{win: win, do: do, onChange: onChange}
	fc.label = truncated("")
	fc.choose = widget.NewButtonWithIcon("Choose file…", theme.FolderOpenIcon(), func() {
		fc.openPicker("Choose a certificate (PEM, DER) or a PKCS#12 bundle", fc.pick)
	})
	fc.second = widget.NewButtonWithIcon("Choose key file…", theme.FolderOpenIcon(), func() {
		fc.openPicker("Choose the "+fc.missing(), fc.pickSecond)
	})
	fc.second.Hide()
	fc.box = container.NewBorder(nil, nil, container.NewHBox(fc.choose, fc.second), nil, fc.label)
	return fc
}

// missing names what the chosen PEM file lacks.
func (fc *fileChooser) missing() string {
	if fc.files.CertFile == "" {
		return "certificate file"
	}
	return "private key file"
}

// openPicker shows Fyne's file dialog, filtered to FileExtensions; the path
// of the file chosen goes to onPath.
func (fc *fileChooser) openPicker(title string, onPath func(string)) {
	pick.OpenFile(fc.win, pick.File{Title: title, Extensions: FileExtensions}, func(path string, closeErr error) {
		if closeErr != nil {
			fc.onChange(fc.files, false, fmt.Sprintf("The file %s could not be closed: %v", filepath.Base(path), closeErr), true)
			return
		}
		onPath(path)
	}, func(err error) {
		fc.onChange(fc.files, false, fmt.Sprintf("The file could not be opened: %v", err), true)
	})
}

// reset forgets the files chosen.
func (fc *fileChooser) reset() {
	fc.gen++
	fc.files = identity.Files{}
	fc.label.SetText("")
	fc.second.Hide()
	fc.box.Refresh()
}

// pick takes path as the first file of an identity.
func (fc *fileChooser) pick(path string) {
	fc.classify(path, func(kind identity.FileKind) {
		switch kind {
		case identity.FilePKCS12:
			fc.set(identity.Files{PKCS12: path}, "", true, "")
		case identity.FileCertAndKey:
			fc.set(identity.Files{CertFile: path, KeyFile: path}, "", true, "")
		case identity.FileCertOnly:
			fc.set(identity.Files{CertFile: path}, "Choose key file…", false,
				filepath.Base(path)+" holds a certificate without its private key: choose the key file too.")
		case identity.FileKeyOnly:
			fc.set(identity.Files{KeyFile: path}, "Choose certificate file…", false,
				filepath.Base(path)+" holds a private key without its certificate: choose the certificate file too.")
		}
	})
}

// pickSecond takes path as the missing half of a PEM identity.
func (fc *fileChooser) pickSecond(path string) {
	needKey := fc.files.CertFile != ""
	fc.classify(path, func(kind identity.FileKind) {
		f := fc.files
		switch {
		case needKey && (kind == identity.FileKeyOnly || kind == identity.FileCertAndKey):
			f.KeyFile = path
		case !needKey && (kind == identity.FileCertOnly || kind == identity.FileCertAndKey):
			f.CertFile = path
		default:
			fc.onChange(fc.files, false, fmt.Sprintf("%s holds a %s, not the %s that is missing.", filepath.Base(path), kind, fc.missing()), true)
			return
		}
		fc.set(f, "", true, "")
	})
}

// classify finds out off the UI goroutine what path holds and hands the
// answer to then on the UI goroutine, unless another file was chosen since.
func (fc *fileChooser) classify(path string, then func(identity.FileKind)) {
	fc.gen++
	gen := fc.gen
	fc.onChange(fc.files, false, "Reading "+filepath.Base(path)+" …", false)
	do := fc.do
	go func() {
		kind, err := identity.ClassifyFile(path)
		do(func() {
			if gen != fc.gen {
				return
			}
			if err != nil {
				fc.onChange(fc.files, false, err.Error(), true)
				return
			}
			then(kind)
		})
	}()
}

// set records the files; secondText names the button for the missing half
// ("" hides it).
func (fc *fileChooser) set(f identity.Files, secondText string, complete bool, msg string) {
	fc.files = f
	fc.label.SetText(filesLabel(f))
	if secondText == "" {
		fc.second.Hide()
	} else {
		fc.second.SetText(secondText)
		fc.second.Show()
	}
	// Showing or hiding a button does not lay its container out again.
	fc.box.Refresh()
	fc.onChange(f, complete, msg, false)
}
