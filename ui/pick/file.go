package pick

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
)

// File says what OpenFile asks for.
type File struct {
	// Title replaces the dialog's title when not "".
	Title string
	// Extensions are the name endings of the files offered (".pem"); none
	// offers every file.
	Extensions []string
	// Dir is the folder the dialog opens in, when not "" and it can be
	// listed; otherwise Fyne's default.
	Dir string
}

// OpenFile shows Fyne's file-open dialog over win, as f says. When the
// user chooses a file, use gets its path and the error of closing the file
// again (only the path is wanted, so the dialog's file is closed at once;
// the error is nil but on a broken file system). When the dialog fails,
// fail gets its error. Cancelling calls neither. OpenFile must be called,
// and the callbacks run, on the UI goroutine.
func OpenFile(win fyne.Window, f File, use func(path string, closeErr error), fail func(error)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		chosen(r, err, use, fail)
	}, win)
	if f.Title != "" {
		d.SetTitleText(f.Title)
	}
	if len(f.Extensions) > 0 {
		d.SetFilter(storage.NewExtensionFileFilter(f.Extensions))
	}
	if f.Dir != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(f.Dir)); err == nil {
			d.SetLocation(l)
		}
	}
	d.Show()
}

// chosen hands what the file dialog reported to use or fail.
func chosen(r fyne.URIReadCloser, err error, use func(path string, closeErr error), fail func(error)) {
	if err != nil {
		fail(err)
		return
	}
	if r == nil {
		return // cancelled
	}
	path := r.URI().Path()
	use(path, r.Close())
}
