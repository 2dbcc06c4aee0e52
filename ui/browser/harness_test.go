package browser

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"lockbox/ui/internal/uitest"
)

// paneSize is the size of the test window holding one pane.
var paneSize = fyne.NewSize(760, 420)

// harness is a pane in a test window whose UI work is queued for the test
// goroutine: the pane's goroutines post to queue (as fyne.Do posts to the
// main loop) and the test drains it while it waits, so that widgets are
// only ever touched by the test goroutine.
type harness struct {
	t     *testing.T
	p     *Pane
	w     fyne.Window
	queue uitest.Queue
}

func newHarness(t *testing.T, src Source) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(uitest.LightTheme())
	w := test.NewTempWindow(t, nil)
	h := &harness{t: t, w: w, queue: uitest.NewQueue()}
	h.p = New("Remote server", w, src, h.queue.Do)
	h.p.loc = time.UTC
	w.SetContent(h.p.Content)
	w.Resize(paneSize)
	return h
}

// pump runs queued UI work until ready says so.
func (h *harness) pump(what string, ready func() bool) {
	h.t.Helper()
	h.queue.Pump(h.t, what, ready)
}

// step runs exactly one piece of queued UI work.
func (h *harness) step(what string) {
	h.t.Helper()
	h.queue.Step(h.t, what)
}

// settle waits until no listing, sort or operation is under way.
func (h *harness) settle() {
	h.t.Helper()
	h.pump("the pane to settle", func() bool { return !h.p.loading && !h.p.sorting && h.p.busy == "" })
}

// open lists dir and waits for it.
func (h *harness) open(dir string) {
	h.t.Helper()
	h.p.SetDir(dir)
	h.settle()
}

// names are the names of the rows, in display order.
func (h *harness) names() []string {
	var out []string
	for _, e := range h.p.rows {
		out = append(out, e.Name)
	}
	return out
}

// selected are the names of the selected entries.
func (h *harness) selected() []string {
	var out []string
	for _, e := range h.p.Selected() {
		out = append(out, e.Name)
	}
	return out
}

// cells are the cells the table has built and shows.
func (h *harness) cells() []*cell {
	var out []*cell
	uitest.Walk(h.p.table, func(o fyne.CanvasObject) {
		if c, ok := o.(*cell); ok {
			out = append(out, c)
		}
	})
	return out
}

// cellAt is the cell showing column col of row.
func (h *harness) cellAt(row int, col column) *cell {
	h.t.Helper()
	for _, c := range h.cells() {
		if c.row == row && c.col == col {
			return c
		}
	}
	h.t.Fatalf("no cell shows row %d column %d", row, col)
	return nil
}

// rowOf is the row showing name.
func (h *harness) rowOf(name string) int {
	h.t.Helper()
	i := h.p.indexOf(name)
	if i < 0 {
		h.t.Fatalf("no row named %q in %q", name, h.names())
	}
	return i
}

// header is the header cell of col.
func (h *harness) header(col column) *headerCell {
	h.t.Helper()
	var found *headerCell
	uitest.Walk(h.p.table, func(o fyne.CanvasObject) {
		if hc, ok := o.(*headerCell); ok && hc.col == col && hc.Visible() {
			found = hc
		}
	})
	if found == nil {
		h.t.Fatalf("no header for column %d", col)
	}
	return found
}

// overlay is the dialog or menu shown over the window, if any.
func (h *harness) overlay() fyne.CanvasObject { return h.w.Canvas().Overlays().Top() }

// button finds the button labelled text in the overlay shown.
func (h *harness) button(text string) *widget.Button {
	h.t.Helper()
	var found *widget.Button
	uitest.Walk(h.overlay(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
		}
	})
	if found == nil {
		h.t.Fatalf("no %q button over the window", text)
	}
	return found
}

// dialogEntry is the text entry of the dialog shown.
func (h *harness) dialogEntry() *widget.Entry {
	h.t.Helper()
	var found *widget.Entry
	uitest.Walk(h.overlay(), func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok {
			found = e
		}
	})
	if found == nil {
		h.t.Fatal("no entry in the dialog")
	}
	return found
}

// overlayText is all the text of the overlay shown.
func (h *harness) overlayText() string {
	var b strings.Builder
	uitest.Walk(h.overlay(), func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *canvas.Text:
			b.WriteString(x.Text + "\n")
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *widget.RichText:
			b.WriteString(x.String() + "\n")
		}
	})
	return b.String()
}

// tapMenu taps the item labelled label of the context menu shown.
func (h *harness) tapMenu(label string) {
	h.t.Helper()
	var item fyne.Tappable
	uitest.Walk(h.overlay(), func(o fyne.CanvasObject) {
		tp, ok := o.(fyne.Tappable)
		if !ok {
			return
		}
		uitest.Walk(o, func(in fyne.CanvasObject) {
			if tx, ok := in.(*canvas.Text); ok && tx.Text == label {
				item = tp // the last, so the deepest, holding the label
			}
		})
	})
	if item == nil {
		h.t.Fatalf("no menu item %q", label)
	}
	test.Tap(item)
}

// fakeSource is a Source in memory, with slash paths. Each listing may be
// held back (gate) or fail (listErr); operations may fail (opErr).
type fakeSource struct {
	POSIX
	mu      sync.Mutex
	dirs    map[string][]Entry
	gate    map[string]chan struct{}
	listErr map[string]error
	opErr   error
	lists   []string // folders listed, in order
}

func newFake(dirs map[string][]Entry) *fakeSource {
	return &fakeSource{dirs: dirs, gate: map[string]chan struct{}{}, listErr: map[string]error{}}
}

func (f *fakeSource) List(ctx context.Context, dir string) ([]Entry, error) {
	f.mu.Lock()
	f.lists = append(f.lists, dir)
	gate := f.gate[dir]
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.listErr[dir]; err != nil {
		return nil, err
	}
	es, ok := f.dirs[dir]
	if !ok {
		return nil, &fs.PathError{Op: "list", Path: dir, Err: fs.ErrNotExist}
	}
	return slices.Clone(es), nil
}

func (f *fakeSource) MakeDir(_ context.Context, dir, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.opErr != nil {
		return f.opErr
	}
	f.dirs[dir] = append(f.dirs[dir], Entry{Name: name, Dir: true, Perm: "drwxr-xr-x"})
	f.dirs[f.Join(dir, name)] = nil
	return nil
}

func (f *fakeSource) Rename(_ context.Context, dir, oldName, newName string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.opErr != nil {
		return f.opErr
	}
	for i, e := range f.dirs[dir] {
		if e.Name == oldName {
			f.dirs[dir][i].Name = newName
			return nil
		}
	}
	return errors.New("no such entry")
}

func (f *fakeSource) Delete(_ context.Context, dir string, e Entry) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.opErr != nil {
		return f.opErr
	}
	f.dirs[dir] = slices.DeleteFunc(f.dirs[dir], func(x Entry) bool { return x.Name == e.Name })
	return nil
}

// setGate holds back the listings of dir until the channel returned is
// closed.
func (f *fakeSource) setGate(dir string) chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	g := make(chan struct{})
	f.gate[dir] = g
	return g
}

// at is a fixed time, so that golden images are stable.
func at(day, hour int) time.Time { return time.Date(2026, 6, day, hour, 30, 0, 0, time.UTC) }

// homeFolder is a small remote folder: two folders, a link and three
// files, listed in no particular order.
func homeFolder() map[string][]Entry {
	return map[string][]Entry{
		"/":     {{Name: "home", Dir: true, Perm: "drwxr-xr-x", ModTime: at(1, 8)}},
		"/home": {{Name: "alice", Dir: true, Perm: "drwx------", ModTime: at(2, 9)}},
		"/home/alice": {
			{Name: "notes.txt", Size: 1536, ModTime: at(14, 10), Perm: "-rw-r--r--"},
			{Name: "Photos", Dir: true, ModTime: at(3, 11), Perm: "drwxr-xr-x"},
			{Name: "backup.tar.gz", Size: 1610612736, ModTime: at(10, 2), Perm: "-rw-------"},
			{Name: "latest.log", Link: true, Size: 80, ModTime: at(15, 9), Perm: "lrwxrwxrwx", Target: "logs/app.log"},
			{Name: "docs", Dir: true, ModTime: at(12, 16), Perm: "drwxr-x---"},
			{Name: "Report 10.pdf", Size: 250000, ModTime: at(11, 13), Perm: "-rw-r--r--"},
			{Name: "Report 9.pdf", Size: 240000, ModTime: at(9, 13), Perm: "-rw-r-----"},
		},
		"/home/alice/docs": {
			{Name: "plan.md", Size: 12, ModTime: at(12, 16), Perm: "-rw-r--r--"},
		},
		"/home/alice/Photos": {},
	}
}
