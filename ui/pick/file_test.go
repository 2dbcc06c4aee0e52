package pick

import (
	"errors"
	"io"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"lockbox/ui/internal/uitest"
)

// fakeFile is what the file dialog hands over for a chosen file.
type fakeFile struct {
	io.Reader
	uri      fyne.URI
	closeErr error
	closed   int
}

func (f *fakeFile) URI() fyne.URI { return f.uri }
func (f *fakeFile) Close() error  { f.closed++; return f.closeErr }

func TestChosen(t *testing.T) {
	dialogErr := errors.New("permission denied")
	closeErr := errors.New("bad file descriptor")
	for _, tc := range []struct {
		name         string
		file         *fakeFile // nil: cancelled, or the dialog failed
		err          error
		wantUse      bool
		wantPath     string
		wantCloseErr error
		wantFail     error
	}{
		{"chosen", &fakeFile{uri: storage.NewFileURI("/certs/ca.pem")}, nil, true, "/certs/ca.pem", nil, nil},
		{"cancelled", nil, nil, false, "", nil, nil},
		{"dialog failed", nil, dialogErr, false, "", nil, dialogErr},
		{"close failed", &fakeFile{uri: storage.NewFileURI("/certs/id.p12"), closeErr: closeErr}, nil, true, "/certs/id.p12", closeErr, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r fyne.URIReadCloser
			if tc.file != nil {
				tc.file.Reader = strings.NewReader("")
				r = tc.file
			}
			uses, fails := 0, 0
			var gotPath string
			var gotCloseErr, gotFail error
			chosen(r, tc.err, func(path string, closeErr error) {
				uses++
				gotPath, gotCloseErr = path, closeErr
			}, func(err error) {
				fails++
				gotFail = err
			})
			wantUses, wantFails := 0, 0
			if tc.wantUse {
				wantUses = 1
			}
			if tc.wantFail != nil {
				wantFails = 1
			}
			if uses != wantUses || fails != wantFails {
				t.Fatalf("use called %d times, fail %d; want %d, %d", uses, fails, wantUses, wantFails)
			}
			if gotPath != tc.wantPath || gotCloseErr != tc.wantCloseErr || gotFail != tc.wantFail {
				t.Errorf("use(%q, %v), fail(%v); want use(%q, %v), fail(%v)", gotPath, gotCloseErr, gotFail, tc.wantPath, tc.wantCloseErr, tc.wantFail)
			}
			if tc.file != nil && tc.file.closed != 1 {
				t.Errorf("the file was closed %d times, want once", tc.file.closed)
			}
		})
	}
}

// labelTexts lists the texts of the labels in o.
func labelTexts(o fyne.CanvasObject) []string {
	var out []string
	uitest.Walk(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	})
	return out
}

func TestOpenFileShowsDialog(t *testing.T) {
	for _, tc := range []struct {
		name      string
		file      File
		wantTitle string
	}{
		{"default title", File{Extensions: []string{".xml"}, Dir: t.TempDir()}, "Open File"},
		{"own title", File{Title: "Choose a certificate", Extensions: []string{".pem"}}, "Choose a certificate"},
		{"missing folder", File{Dir: "/no/such/folder"}, "Open File"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			test.NewTempApp(t)
			w := test.NewTempWindow(t, widget.NewLabel("form"))
			w.Resize(fyne.NewSize(800, 600))
			before := len(w.Canvas().Overlays().List())
			OpenFile(w, tc.file, func(string, error) { t.Error("use called without a choice") }, func(err error) { t.Errorf("fail called: %v", err) })
			overlays := w.Canvas().Overlays().List()
			if len(overlays) != before+1 {
				t.Fatalf("%d overlays, want %d", len(overlays), before+1)
			}
			texts := labelTexts(overlays[len(overlays)-1])
			found := false
			for _, s := range texts {
				found = found || s == tc.wantTitle
			}
			if !found {
				t.Errorf("dialog title %q not among %q", tc.wantTitle, texts)
			}
		})
	}
}
