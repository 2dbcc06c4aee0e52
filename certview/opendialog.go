package certview

import (
	"errors"
	"fmt"
	"io"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// OpenFileDialog lets the user pick a certificate file (PEM, DER, PKCS#12,
// PKCS#7), asks for the password when it is a protected PKCS#12 file,
// judges the chain offline against the system roots and passes the model
// to onLoaded. Errors are shown in a dialog and passed to onErr, which may
// be nil. Cancelling calls neither. Call it from the Fyne main goroutine;
// the callbacks run there too.
func OpenFileDialog(win fyne.Window, onLoaded func(*Model), onErr func(error)) {
	fail := func(err error) {
		dialog.ShowError(err, win)
		if onErr != nil {
			onErr(err)
		}
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			fail(fmt.Errorf("open certificate file: %w", err))
			return
		}
		if r == nil {
			return // cancelled
		}
		name := r.URI().Name()
		data, err := readLimited(r)
		if cerr := r.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close: %w", cerr)
		}
		if err != nil {
			fail(fmt.Errorf("certificate file %s: %w", name, err))
			return
		}
		openData(win, name, data, "", onLoaded, fail)
	}, win)
	d.Show()
}

// readLimited reads at most MaxFileSize bytes, refusing larger files.
func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, tooLarge(int64(len(data)))
	}
	return data, nil
}

// openData loads the file off the main goroutine (PKCS#12 key derivation
// can take a second) and comes back to it with the result, asking for the
// password as often as it is wrong.
func openData(win fyne.Window, name string, data []byte, password string, onLoaded func(*Model), fail func(error)) {
	go func() {
		m, err := ModelFromFile(name, data, password, time.Now())
		fyne.Do(func() {
			var pe *PasswordError
			switch {
			case errors.As(err, &pe):
				askPassword(win, name, pe, func(pw string) { openData(win, name, data, pw, onLoaded, fail) })
			case err != nil:
				fail(fmt.Errorf("certificate file %s: %w", name, err))
			default:
				onLoaded(m)
			}
		})
	}()
}

// askPassword shows a password form; submit gets what was typed.
func askPassword(win fyne.Window, name string, pe *PasswordError, submit func(string)) (*widget.Entry, *dialog.FormDialog) {
	entry := widget.NewPasswordEntry()
	item := widget.NewFormItem("Password", entry)
	item.HintText = "The PKCS#12 file is protected by a password."
	if !pe.Empty {
		item.HintText = "That password is wrong; try again."
	}
	d := dialog.NewForm("Password for "+name, "Open", "Cancel", []*widget.FormItem{item}, func(ok bool) {
		if ok {
			submit(entry.Text)
		}
	}, win)
	entry.OnSubmitted = func(string) { d.Submit() }
	d.Resize(fyne.NewSize(420, d.MinSize().Height))
	d.Show()
	win.Canvas().Focus(entry)
	return entry, d
}

// ModelFromFile is what OpenFileDialog does with a file's bytes: Parse,
// OfflineProblems against the system roots, Build. name is shown as the
// model's Source. A protected PKCS#12 file gives a *PasswordError.
func ModelFromFile(name string, data []byte, password string, now time.Time) (*Model, error) {
	return modelFromFile(name, data, password, now, false)
}

func modelFromFile(name string, data []byte, password string, now time.Time, noSystemRoots bool) (*Model, error) {
	l, err := Parse(data, password)
	if err != nil {
		return nil, err
	}
	if l.Request != nil {
		return BuildRequest(l.Request, RequestProblems(l.Request), ModelOptions{Now: now, Source: fmt.Sprintf("%s (%s)", name, l.Format)}), nil
	}
	problems, chain, err := OfflineProblems(l.Chain, nil, noSystemRoots, now)
	if err != nil {
		return nil, err
	}
	return Build(chain, problems, ModelOptions{Now: now, Source: fmt.Sprintf("%s (%s)", name, l.Format)}), nil
}
