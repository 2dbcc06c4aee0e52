package browser

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

func TestListingShowsRows(t *testing.T) {
	h := newHarness(t, newFake(homeFolder()))
	h.open("/home/alice")

	want := []string{"docs", "Photos", "backup.tar.gz", "latest.log", "notes.txt", "Report 9.pdf", "Report 10.pdf"}
	if got := h.names(); !slices.Equal(got, want) {
		t.Fatalf("rows = %q, want %q (folders first, then by name as people read it)", got, want)
	}
	if rows, cols := h.p.table.Length(); rows != len(want) || cols != int(numColumns) {
		t.Errorf("table length = %d×%d, want %d×%d", rows, cols, len(want), numColumns)
	}
	notes := h.rowOf("notes.txt")
	for _, tc := range []struct {
		col  column
		want string
	}{
		{colName, "notes.txt"},
		{colSize, "1.5 kB"},
		{colModified, "2026-06-14 10:30"},
		{colPerm, "-rw-r--r--"},
	} {
		if got := h.cellAt(notes, tc.col).text.Text; got != tc.want {
			t.Errorf("column %d of notes.txt shows %q, want %q", tc.col, got, tc.want)
		}
	}
	if got := h.cellAt(h.rowOf("docs"), colSize).text.Text; got != "" {
		t.Errorf("a folder's size shows %q, want nothing", got)
	}
	for name, icon := range map[string]fyne.Resource{"docs": theme.FolderIcon(), "notes.txt": theme.FileIcon(), "latest.log": theme.MailForwardIcon()} {
		if got := h.cellAt(h.rowOf(name), colName).icon.Resource; got.Name() != icon.Name() {
			t.Errorf("icon of %s = %s, want %s", name, got.Name(), icon.Name())
		}
	}
	if got, want := h.p.status.Text, "2 folders, 5 files, 1.6 GB"; got != want {
		t.Errorf("status = %q, want %q", got, want)
	}
	if h.p.status.Importance == widget.DangerImportance {
		t.Error("the summary is shown as an error")
	}
	if h.p.path.Text != "/home/alice" {
		t.Errorf("path bar = %q", h.p.path.Text)
	}
}

func TestSortByColumn(t *testing.T) {
	for _, tc := range []struct {
		name   string
		col    column
		clicks int
		want   []string
	}{
		{"name descending", colName, 1, []string{"Photos", "docs", "Report 10.pdf", "Report 9.pdf", "notes.txt", "latest.log", "backup.tar.gz"}},
		{"name ascending", colName, 2, []string{"docs", "Photos", "backup.tar.gz", "latest.log", "notes.txt", "Report 9.pdf", "Report 10.pdf"}},
		{"size ascending", colSize, 1, []string{"docs", "Photos", "latest.log", "notes.txt", "Report 9.pdf", "Report 10.pdf", "backup.tar.gz"}},
		{"size descending", colSize, 2, []string{"Photos", "docs", "backup.tar.gz", "Report 10.pdf", "Report 9.pdf", "notes.txt", "latest.log"}},
		{"modified ascending", colModified, 1, []string{"Photos", "docs", "Report 9.pdf", "backup.tar.gz", "Report 10.pdf", "notes.txt", "latest.log"}},
		{"modified descending", colModified, 2, []string{"docs", "Photos", "latest.log", "notes.txt", "Report 10.pdf", "backup.tar.gz", "Report 9.pdf"}},
		{"permissions ascending", colPerm, 1, []string{"docs", "Photos", "backup.tar.gz", "Report 9.pdf", "notes.txt", "Report 10.pdf", "latest.log"}},
		{"permissions descending", colPerm, 2, []string{"Photos", "docs", "latest.log", "Report 10.pdf", "notes.txt", "Report 9.pdf", "backup.tar.gz"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, newFake(homeFolder()))
			h.open("/home/alice")
			for range tc.clicks {
				test.Tap(h.header(tc.col))
				h.settle()
			}
			if got := h.names(); !slices.Equal(got, tc.want) {
				t.Errorf("rows = %q, want %q", got, tc.want)
			}
			arrow := theme.MenuDropUpIcon()
			if strings.HasSuffix(tc.name, "descending") {
				arrow = theme.MenuDropDownIcon()
			}
			for col := range numColumns {
				hc := h.header(col)
				if col != tc.col {
					if hc.arrow.Visible() {
						t.Errorf("column %d shows a sort arrow too", col)
					}
					continue
				}
				if !hc.arrow.Visible() || hc.arrow.Resource.Name() != arrow.Name() {
					t.Errorf("sorted column shows %v (visible %v), want %s", hc.arrow.Resource, hc.arrow.Visible(), arrow.Name())
				}
			}
		})
	}
}

// TestSortKeepsSelection checks that re-sorting moves the selection with
// its entries, not its row numbers.
func TestSortKeepsSelection(t *testing.T) {
	h := newHarness(t, newFake(homeFolder()))
	h.open("/home/alice")
	test.Tap(h.cellAt(h.rowOf("notes.txt"), colName))
	test.Tap(h.header(colSize))
	h.settle()
	if got := h.selected(); !slices.Equal(got, []string{"notes.txt"}) {
		t.Errorf("selected after sorting = %q", got)
	}
	if h.p.cursor != h.rowOf("notes.txt") {
		t.Errorf("cursor on row %d, want notes.txt's %d", h.p.cursor, h.rowOf("notes.txt"))
	}
}

func TestNavigation(t *testing.T) {
	h := newHarness(t, newFake(homeFolder()))
	var visited []string
	h.p.OnDirChanged = func(dir string) { visited = append(visited, dir) }
	h.open("/home/alice")

	crumbs := func() []string {
		var out []string
		for _, o := range h.p.crumbs.Objects {
			if b, ok := o.(*widget.Button); ok {
				out = append(out, b.Text)
			}
		}
		return out
	}
	crumb := func(label string) *widget.Button {
		for _, o := range h.p.crumbs.Objects {
			if b, ok := o.(*widget.Button); ok && b.Text == label {
				return b
			}
		}
		t.Fatalf("no crumb %q in %q", label, crumbs())
		return nil
	}
	if got := crumbs(); !slices.Equal(got, []string{"/", "home", "alice"}) {
		t.Fatalf("crumbs = %q", got)
	}

	test.DoubleTap(h.cellAt(h.rowOf("docs"), colName))
	h.settle()
	if h.p.Dir() != "/home/alice/docs" || !slices.Equal(h.names(), []string{"plan.md"}) {
		t.Fatalf("after double-clicking docs: dir %q, rows %q", h.p.Dir(), h.names())
	}
	if got := crumbs(); !slices.Equal(got, []string{"/", "home", "alice", "docs"}) {
		t.Errorf("crumbs = %q", got)
	}

	test.Tap(crumb("home"))
	h.settle()
	if h.p.Dir() != "/home" {
		t.Fatalf("after the home crumb: dir %q", h.p.Dir())
	}

	test.Tap(h.p.up)
	h.settle()
	if h.p.Dir() != "/" || !slices.Equal(h.selected(), []string{"home"}) {
		t.Fatalf("after Up: dir %q, selected %q (want the folder we came from)", h.p.Dir(), h.selected())
	}
	if !h.p.up.Disabled() {
		t.Error("Up is enabled at the root")
	}

	h.p.path.SetText("home/alice")
	h.p.path.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	if h.p.Dir() != "/home/alice" {
		t.Fatalf("after typing a relative path: dir %q", h.p.Dir())
	}

	h.p.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	h.settle()
	if h.p.Dir() != "/home" || !slices.Equal(h.selected(), []string{"alice"}) {
		t.Fatalf("after Backspace: dir %q, selected %q", h.p.Dir(), h.selected())
	}
	h.p.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	if h.p.Dir() != "/home/alice" {
		t.Fatalf("after Enter on alice: dir %q", h.p.Dir())
	}
	if h.p.path.Text != "/home/alice" {
		t.Errorf("path bar = %q", h.p.path.Text)
	}
	want := []string{"/home/alice", "/home/alice/docs", "/home", "/", "/home/alice", "/home", "/home/alice"}
	if !slices.Equal(visited, want) {
		t.Errorf("OnDirChanged got %q, want %q", visited, want)
	}
}

func TestActivate(t *testing.T) {
	h := newHarness(t, newFake(homeFolder()))
	var got [][]Entry
	h.p.OnActivate = func(es []Entry) { got = append(got, es) }
	h.open("/home/alice")

	test.DoubleTap(h.cellAt(h.rowOf("notes.txt"), colSize))
	if len(got) != 1 || len(got[0]) != 1 || got[0][0].Name != "notes.txt" {
		t.Fatalf("double-click on a file: OnActivate got %v", got)
	}
	if h.p.Dir() != "/home/alice" {
		t.Error("double-clicking a file changed the folder")
	}

	test.Tap(h.cellAt(h.rowOf("docs"), colName))
	h.p.table.TypedShortcut(&fyne.ShortcutSelectAll{})
	h.p.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnter})
	if len(got) != 2 || len(got[1]) != 7 {
		t.Fatalf("Enter on everything: OnActivate got %d calls, last %v", len(got), got[len(got)-1])
	}
}

func TestSelection(t *testing.T) {
	h := newHarness(t, newFake(homeFolder()))
	h.open("/home/alice")
	// docs, Photos, backup.tar.gz, latest.log, notes.txt, Report 9.pdf, Report 10.pdf
	press := func(name string, mods fyne.KeyModifier) {
		c := h.cellAt(h.rowOf(name), colName)
		c.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary, Modifier: mods})
		c.MouseUp(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary, Modifier: mods})
		test.Tap(c) // the Tapped that follows on a desktop changes nothing
	}
	ctrl, shift := fyne.KeyModifierControl, fyne.KeyModifierShift
	for _, st := range []struct {
		what string
		act  func()
		want []string
	}{
		{"click", func() { press("docs", 0) }, []string{"docs"}},
		{"ctrl-click adds", func() { press("notes.txt", ctrl) }, []string{"docs", "notes.txt"}},
		{"shift-click selects from the anchor", func() { press("Report 10.pdf", shift) },
			[]string{"notes.txt", "Report 9.pdf", "Report 10.pdf"}},
		{"ctrl-shift-click adds a range", func() { press("Photos", ctrl|shift) },
			[]string{"Photos", "backup.tar.gz", "latest.log", "notes.txt", "Report 9.pdf", "Report 10.pdf"}},
		{"ctrl-click removes", func() { press("latest.log", ctrl) },
			[]string{"Photos", "backup.tar.gz", "notes.txt", "Report 9.pdf", "Report 10.pdf"}},
		{"click in a selection selects that row on release", func() { press("Report 9.pdf", 0) }, []string{"Report 9.pdf"}},
		{"down arrow", func() { h.p.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown}) }, []string{"Report 10.pdf"}},
		{"down arrow at the end", func() { h.p.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown}) }, []string{"Report 10.pdf"}},
		{"home", func() { h.p.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyHome}) }, []string{"docs"}},
		{"typing a letter", func() { h.p.table.TypedRune('R') }, []string{"Report 9.pdf"}},
		{"typing it again", func() { h.p.table.TypedRune('r') }, []string{"Report 10.pdf"}},
		{"select all", func() { h.p.table.TypedShortcut(&fyne.ShortcutSelectAll{}) }, h.names()},
		{"escape", func() { h.p.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) }, nil},
		{"right-click selects an unselected row", func() { test.TapSecondary(h.cellAt(h.rowOf("Photos"), colPerm)) }, []string{"Photos"}},
	} {
		st.act()
		if got := h.selected(); !slices.Equal(got, st.want) {
			t.Fatalf("%s: selected %q, want %q", st.what, got, st.want)
		}
		if top := h.overlay(); top != nil {
			top.Hide() // the context menu
			h.w.Canvas().Overlays().Remove(top)
		}
	}
	if got, want := h.p.status.Text, "2 folders, 5 files, 1.6 GB · 1 selected"; got != want {
		t.Errorf("status = %q, want %q", got, want)
	}
	if !h.cellAt(h.rowOf("Photos"), colModified).bg.Visible() || h.cellAt(h.rowOf("backup.tar.gz"), colName).bg.Visible() {
		t.Error("the selected row, and only it, must be drawn selected in every column")
	}
	if h.w.Canvas().Focused() != h.p.table {
		t.Errorf("focused = %T, want the table after a click", h.w.Canvas().Focused())
	}
}

func TestToolbarFollowsSelection(t *testing.T) {
	h := newHarness(t, newFake(homeFolder()))
	h.open("/home/alice")
	state := func() string {
		return fmt.Sprintf("transfer %v, mkdir %v, rename %v, delete %v, refresh %v",
			!h.p.transfer.Disabled(), !h.p.mkdir.Disabled(), !h.p.rename.Disabled(), !h.p.del.Disabled(), !h.p.reload.Disabled())
	}
	for _, st := range []struct {
		what string
		act  func()
		want string
	}{
		{"nothing selected", func() {}, "transfer false, mkdir true, rename false, delete false, refresh true"},
		{"one selected", func() { test.Tap(h.cellAt(0, colName)) }, "transfer true, mkdir true, rename true, delete true, refresh true"},
		{"two selected", func() { h.p.table.TypedShortcut(&fyne.ShortcutSelectAll{}) }, "transfer true, mkdir true, rename false, delete true, refresh true"},
	} {
		st.act()
		if got := state(); got != st.want {
			t.Errorf("%s: %s, want %s", st.what, got, st.want)
		}
	}
}

func TestContextMenu(t *testing.T) {
	h := newHarness(t, newFake(homeFolder()))
	h.p.SetTransferLabel("Download")
	var transferred [][]Entry
	h.p.OnTransfer = func(es []Entry) { transferred = append(transferred, es) }
	h.open("/home/alice")

	test.TapSecondary(h.cellAt(h.rowOf("notes.txt"), colName))
	text := h.overlayText()
	for _, want := range []string{"Download", "Open", "New folder…", "Rename…", "Delete…", "Refresh", "Copy path"} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("context menu lacks %q:\n%s", want, text)
		}
	}
	h.tapMenu("Download")
	if len(transferred) != 1 || len(transferred[0]) != 1 || transferred[0][0].Name != "notes.txt" {
		t.Fatalf("OnTransfer got %v", transferred)
	}

	test.TapSecondary(h.cellAt(h.rowOf("notes.txt"), colSize))
	h.tapMenu("Copy path")
	if got := fyne.CurrentApp().Clipboard().Content(); got != "/home/alice/notes.txt" {
		t.Errorf("clipboard = %q", got)
	}

	test.Tap(h.p.transfer)
	if len(transferred) != 2 {
		t.Errorf("the toolbar's transfer button did not call OnTransfer")
	}

	test.TapSecondary(h.cellAt(h.rowOf("docs"), colName))
	h.tapMenu("Open")
	h.settle()
	if h.p.Dir() != "/home/alice/docs" {
		t.Errorf("Open went to %q", h.p.Dir())
	}

	// Which items apply to what is selected.
	enabled := func() string {
		var on []string
		for _, it := range h.p.contextMenu().Items {
			if !it.IsSeparator && !it.Disabled {
				on = append(on, it.Label)
			}
		}
		return strings.Join(on, ", ")
	}
	h.open("/home/alice")
	for _, st := range []struct {
		what string
		act  func()
		want string
	}{
		{"nothing", func() { h.p.clearSelection() }, "New folder…, Refresh, Copy path"},
		{"a folder", func() { h.p.selectOnly(h.rowOf("docs")) }, "Download, Open, New folder…, Rename…, Delete…, Refresh, Copy path"},
		{"a file", func() { h.p.selectOnly(h.rowOf("notes.txt")) }, "Download, New folder…, Rename…, Delete…, Refresh, Copy path"},
		{"several", func() { h.p.selectAll() }, "Download, New folder…, Delete…, Refresh, Copy path"},
	} {
		st.act()
		if got := enabled(); got != st.want {
			t.Errorf("%s selected: enabled %q, want %q", st.what, got, st.want)
		}
	}
}

// localFolder makes a folder with a file and a folder holding a file.
func localFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "sub", "deeper"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "deeper", "x.bin"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func TestMakeDirRenameDeleteOnDisk(t *testing.T) {
	dir := localFolder(t)
	h := newHarness(t, Local{})
	h.open(dir)
	if got := h.names(); !slices.Equal(got, []string{"sub", "a.txt"}) {
		t.Fatalf("rows = %q", got)
	}

	// New folder: a bad name cannot be confirmed, a good one is created
	// and selected.
	test.Tap(h.p.mkdir)
	entry := h.dialogEntry()
	for _, bad := range []string{"x/y", "..", "sub"} {
		entry.SetText(bad)
		if !h.button("Create").Disabled() {
			t.Errorf("Create is enabled for the name %q", bad)
		}
	}
	entry.SetText("")
	test.Type(entry, "New stuff")
	test.Tap(h.button("Create"))
	h.settle()
	if info, err := os.Stat(filepath.Join(dir, "New stuff")); err != nil || !info.IsDir() {
		t.Fatalf("folder not created: %v", err)
	}
	if got := h.selected(); !slices.Equal(got, []string{"New stuff"}) {
		t.Errorf("selected after creating = %q", got)
	}

	// Rename through the dialog.
	test.Tap(h.cellAt(h.rowOf("a.txt"), colName))
	h.p.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF2})
	entry = h.dialogEntry()
	if entry.Text != "a.txt" {
		t.Errorf("rename dialog starts with %q", entry.Text)
	}
	entry.SetText("b.txt")
	test.Tap(h.button("Rename"))
	h.settle()
	if exists(filepath.Join(dir, "a.txt")) || !exists(filepath.Join(dir, "b.txt")) {
		t.Fatal("a.txt was not renamed to b.txt")
	}
	if got := h.selected(); !slices.Equal(got, []string{"b.txt"}) {
		t.Errorf("selected after renaming = %q", got)
	}

	// Delete: the question names the folder; Cancel deletes nothing.
	test.Tap(h.cellAt(h.rowOf("sub"), colName))
	test.Tap(h.p.del)
	if q := h.overlayText(); !strings.Contains(q, `Delete the folder "sub" and everything in it?`) {
		t.Errorf("delete question:\n%s", q)
	}
	test.Tap(h.button("Cancel"))
	h.settle()
	if !exists(filepath.Join(dir, "sub", "deeper", "x.bin")) {
		t.Fatal("Cancel deleted something")
	}
	if h.overlay() != nil {
		t.Error("the question is still shown after Cancel")
	}

	test.Tap(h.p.del)
	test.Tap(h.button("Delete"))
	h.settle()
	if exists(filepath.Join(dir, "sub")) {
		t.Fatal("the folder was not deleted with its content")
	}
	if got := h.names(); !slices.Equal(got, []string{"New stuff", "b.txt"}) {
		t.Errorf("rows after deleting = %q", got)
	}

	// Several at once, with the Delete key.
	h.p.table.TypedShortcut(&fyne.ShortcutSelectAll{})
	h.p.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
	if q := h.overlayText(); !strings.Contains(q, `Delete these 2 items (1 folder with everything in it): "New stuff", "b.txt"?`) {
		t.Errorf("delete question:\n%s", q)
	}
	test.Tap(h.button("Delete"))
	h.settle()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left after deleting everything: %v", left)
	}
	if h.p.status.Text != "Empty folder" {
		t.Errorf("status = %q", h.p.status.Text)
	}
}

func TestSourceErrorsShown(t *testing.T) {
	denied := errors.New("550 Permission denied")
	full := errors.New("552 Disk full")
	for _, tc := range []struct {
		name string
		act  func(h *harness, f *fakeSource)
		want string
		dir  string // where the pane must be afterwards
	}{
		{"folder that cannot be listed", func(h *harness, f *fakeSource) {
			f.listErr["/home/alice/docs"] = denied
			test.DoubleTap(h.cellAt(h.rowOf("docs"), colName))
		}, "Could not open /home/alice/docs: 550 Permission denied", "/home/alice"},
		{"folder that does not exist", func(h *harness, f *fakeSource) {
			h.p.path.SetText("/nowhere")
			h.p.path.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		}, "Could not open /nowhere: file does not exist", "/home/alice"},
		{"refresh of a folder gone", func(h *harness, f *fakeSource) {
			f.listErr["/home/alice"] = denied
			h.p.Refresh()
		}, "Could not open /home/alice: 550 Permission denied", "/home/alice"},
		{"new folder", func(h *harness, f *fakeSource) {
			f.opErr = full
			test.Tap(h.p.mkdir)
			h.dialogEntry().SetText("more")
			test.Tap(h.button("Create"))
		}, `Could not create folder "more": 552 Disk full`, "/home/alice"},
		{"rename", func(h *harness, f *fakeSource) {
			f.opErr = denied
			test.Tap(h.cellAt(h.rowOf("notes.txt"), colName))
			test.Tap(h.p.rename)
			h.dialogEntry().SetText("old-notes.txt")
			test.Tap(h.button("Rename"))
		}, `Could not rename "notes.txt" to "old-notes.txt": 550 Permission denied`, "/home/alice"},
		{"delete of several", func(h *harness, f *fakeSource) {
			f.opErr = denied
			h.p.selectAll()
			test.Tap(h.p.del)
			test.Tap(h.button("Delete"))
		}, `Could not delete 7 of 7 items; "docs": 550 Permission denied`, "/home/alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(homeFolder())
			h := newHarness(t, f)
			h.open("/home/alice")
			tc.act(h, f)
			h.settle()
			if h.p.status.Text != tc.want || h.p.status.Importance != widget.DangerImportance {
				t.Errorf("status = %q (importance %v), want %q in red", h.p.status.Text, h.p.status.Importance, tc.want)
			}
			if h.p.Dir() != tc.dir || h.p.path.Text != tc.dir {
				t.Errorf("dir = %q, path bar %q, want %q", h.p.Dir(), h.p.path.Text, tc.dir)
			}
			// The next successful operation clears the error.
			f.mu.Lock()
			f.listErr, f.opErr = map[string]error{}, nil
			f.mu.Unlock()
			h.p.Refresh()
			h.settle()
			if h.p.status.Importance == widget.DangerImportance {
				t.Errorf("the error stays after a successful refresh: %q", h.p.status.Text)
			}
		})
	}
}

func TestFirstListingFails(t *testing.T) {
	h := newHarness(t, newFake(homeFolder()))
	h.open("/nowhere")
	if h.p.Dir() != "/nowhere" || len(h.p.rows) != 0 {
		t.Errorf("dir %q with %d rows", h.p.Dir(), len(h.p.rows))
	}
	if h.p.status.Text != "Could not open /nowhere: file does not exist" {
		t.Errorf("status = %q", h.p.status.Text)
	}
	if h.p.reload.Disabled() {
		t.Error("Refresh must stay available to try again")
	}
}

func TestStaleListingDropped(t *testing.T) {
	f := newFake(homeFolder())
	h := newHarness(t, f)
	h.open("/home/alice")
	gate := f.setGate("/home/alice/docs")

	test.DoubleTap(h.cellAt(h.rowOf("docs"), colName)) // held back
	if h.p.status.Text != "Loading…" {
		t.Errorf("status while listing = %q", h.p.status.Text)
	}
	h.p.SetDir("/home")
	h.settle()
	if h.p.Dir() != "/home" {
		t.Fatalf("dir = %q", h.p.Dir())
	}
	close(gate)
	h.step("the stale listing's result")
	if h.p.Dir() != "/home" || !slices.Equal(h.names(), []string{"alice"}) {
		t.Errorf("a stale listing replaced the folder: dir %q, rows %q", h.p.Dir(), h.names())
	}
	if h.p.status.Text != "1 folder, 0 files, 0 B" {
		t.Errorf("status = %q", h.p.status.Text)
	}
}

func TestDisconnected(t *testing.T) {
	h := newHarness(t, nil)
	check := func(when string) {
		t.Helper()
		if h.p.placeholder.Text != NotConnected || !h.p.placeholder.Visible() || h.p.table.Visible() || h.p.status.Text != "" {
			t.Errorf("%s: status %q, placeholder visible %v, table visible %v", when, h.p.status.Text, h.p.placeholder.Visible(), h.p.table.Visible())
		}
		for _, b := range []*widget.Button{h.p.transfer, h.p.mkdir, h.p.rename, h.p.del, h.p.reload, h.p.up} {
			if !b.Disabled() {
				t.Errorf("%s: button %q (%v) is enabled", when, b.Text, b.Icon.Name())
			}
		}
		if !h.p.path.Disabled() {
			t.Errorf("%s: the path bar is enabled", when)
		}
		if h.p.Dir() != "" || len(h.p.rows) != 0 || len(h.p.crumbs.Objects) != 0 {
			t.Errorf("%s: dir %q, %d rows, %d crumbs", when, h.p.Dir(), len(h.p.rows), len(h.p.crumbs.Objects))
		}
	}
	check("new")
	h.p.SetDir("/home")
	h.p.Refresh()
	check("after SetDir")

	f := newFake(homeFolder())
	h.p.SetSource(f)
	h.open("/home/alice")
	if len(h.p.rows) != 7 || !h.p.table.Visible() {
		t.Fatalf("connected: %d rows", len(h.p.rows))
	}
	gate := f.setGate("/home")
	h.p.GoUp()
	h.p.SetSource(nil)
	check("after disconnecting")
	close(gate)
	h.step("the listing of the old source")
	check("after the old source answered")
}

func TestLargeListing(t *testing.T) {
	const n = 100_000
	f := newFake(map[string][]Entry{"/big": bigListing(n)})
	h := newHarness(t, f)
	h.open("/big")
	if rows, _ := h.p.table.Length(); rows != n {
		t.Fatalf("table has %d rows, want %d", rows, n)
	}
	built := len(h.cells())
	if built == 0 || built > 400 {
		t.Fatalf("%d cells built for %d rows: the table must only build the visible ones", built, n)
	}
	if want := "10000 folders, 90000 files"; !strings.HasPrefix(h.p.status.Text, want) {
		t.Errorf("status = %q, want %s…", h.p.status.Text, want)
	}

	test.Tap(h.header(colSize))
	h.settle()
	files := h.p.rows[10000:]
	if !slices.IsSortedFunc(files, func(a, b Entry) int { return int(a.Size - b.Size) }) {
		t.Error("not sorted by size")
	}
	h.p.table.ScrollToBottom()
	last := h.cellAt(n-1, colName).text.Text
	if last != h.p.rows[n-1].Name {
		t.Errorf("the last row shows %q, want %q", last, h.p.rows[n-1].Name)
	}
	if built := len(h.cells()); built > 400 {
		t.Errorf("%d cells after scrolling to the end", built)
	}
}

func TestDragOut(t *testing.T) {
	h := newHarness(t, newFake(homeFolder()))
	type drop struct {
		names []string
		at    fyne.Position
	}
	var drops []drop
	h.p.OnDragDrop = func(es []Entry, at fyne.Position) {
		var names []string
		for _, e := range es {
			names = append(names, e.Name)
		}
		drops = append(drops, drop{names, at})
	}
	h.open("/home/alice")
	h.p.selectOnly(h.rowOf("latest.log"))
	h.p.press(h.rowOf("notes.txt"), fyne.KeyModifierControl)

	drag := func(c *cell, at fyne.Position, dx, dy float32) {
		c.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{AbsolutePosition: at}, Dragged: fyne.NewDelta(dx, dy)})
	}
	outside := fyne.NewPos(paneSize.Width+100, 50)

	// A shaky click is no drag.
	c := h.cellAt(h.rowOf("notes.txt"), colName)
	drag(c, fyne.NewPos(100, 200), 3, 2)
	if h.overlay() != nil {
		t.Error("a move of a few pixels started a drag")
	}
	c.DragEnd()
	if len(drops) != 0 || !slices.Equal(h.selected(), []string{"latest.log", "notes.txt"}) {
		t.Fatalf("after a shaky click: drops %v, selected %q", drops, h.selected())
	}

	drag(c, fyne.NewPos(100, 200), 5, 0)
	drag(c, fyne.NewPos(120, 200), 20, 0)
	if h.overlay() == nil {
		t.Fatal("no feedback under the pointer while dragging")
	}
	drag(c, outside, outside.X-120, outside.Y-200)
	c.DragEnd()
	if h.overlay() != nil {
		t.Error("the drag feedback stays after the drop")
	}
	if len(drops) != 1 || !slices.Equal(drops[0].names, []string{"latest.log", "notes.txt"}) || drops[0].at != outside {
		t.Fatalf("drops = %v", drops)
	}

	// A drag of an unselected row drags it alone; dropped on the pane
	// itself, it goes nowhere.
	c = h.cellAt(h.rowOf("docs"), colName)
	drag(c, fyne.NewPos(100, 300), 0, 30)
	c.DragEnd()
	if len(drops) != 1 || !slices.Equal(h.selected(), []string{"docs"}) {
		t.Errorf("drop inside the pane: drops %v, selected %q", drops, h.selected())
	}
}

func TestContains(t *testing.T) {
	h := newHarness(t, nil)
	for _, tc := range []struct {
		pos  fyne.Position
		want bool
	}{
		{fyne.NewPos(20, 20), true},
		{fyne.NewPos(paneSize.Width/2, paneSize.Height/2), true},
		{fyne.NewPos(paneSize.Width+1, 20), false},
		{fyne.NewPos(20, paneSize.Height+1), false},
		{fyne.NewPos(-1, 20), false},
	} {
		if got := h.p.Contains(tc.pos); got != tc.want {
			t.Errorf("Contains(%v) = %v, want %v", tc.pos, got, tc.want)
		}
	}
}

// TestPaneImage is the golden image of the remote pane showing a folder
// with a file selected.
func TestPaneImage(t *testing.T) {
	h := newHarness(t, newFake(homeFolder()))
	h.p.SetTransferLabel("Download")
	h.p.SetTransferIcon(theme.DownloadIcon())
	h.open("/home/alice")
	test.Tap(h.cellAt(h.rowOf("notes.txt"), colName))
	test.AssertImageMatches(t, "pane.png", h.w.Canvas().Capture())
}

// TestPaneNotConnectedImage is the golden image of a pane without a
// source.
func TestPaneNotConnectedImage(t *testing.T) {
	h := newHarness(t, nil)
	test.AssertImageMatches(t, "pane_not_connected.png", h.w.Canvas().Capture())
}
