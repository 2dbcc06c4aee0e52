package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"lockbox/client/demo"
	"lockbox/client/dirsync"
	"lockbox/client/secrets"
	"lockbox/client/sites"
	"lockbox/ui/browser"
	"lockbox/ui/internal/uitest"
	"lockbox/ui/syncui"
)

// connectDemo connects the window to the demo server with local as the
// local folder.
func connectDemo(t *testing.T, local string) (*harness, *demo.Local) {
	t.Helper()
	l := startedDemo(t)
	h := newHarness(t, Deps{LocalDir: local, Secrets: secrets.NewMemory(), SyncDir: t.TempDir()})
	site := sites.Site{Name: "Demo", URL: strings.Replace(l.URL(), "demo@", "", 1), User: demo.DemoUser, Identity: sites.IdentityNever, LocalDir: local}
	h.w.ConnectSite(site, demo.DemoPassword)
	test.Tap(h.waitDialog(t).once)
	if r := h.waitDone(t); r.err != nil {
		t.Fatal(r.err)
	}
	h.pump(t, "the listings", func() bool { return !h.w.remote.pane.Loading() && h.w.local.Dir() == local && !h.w.local.Loading() })
	return h, l
}

// The Compare button marks both panes (colour and icon), says a summary,
// and the Synchronize dialog's plan, run, puts the transfers on the queue;
// comparing again finds the folders the same.
func TestCompareAndSynchronize(t *testing.T) {
	local := t.TempDir()
	old := time.Now().Add(-72 * time.Hour)
	for name, body := range map[string]string{"mine.txt": "only here", "notes/plan.md": "# plan"} {
		p := filepath.Join(local, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
		os.Chtimes(p, old, old)
	}
	h, l := connectDemo(t, local)
	b := h.w.sync
	if !b.buttons.Visible() {
		t.Fatal("Compare and Synchronize are hidden while connected")
	}
	test.Tap(b.compare)
	h.pump(t, "the comparison", func() bool { return b.scan != nil })
	if m, ok := h.w.local.MarkOf("mine.txt"); !ok || m.Icon == nil || m.Color == nil {
		t.Errorf("mine.txt is not marked in the local pane: %+v", m)
	}
	if m, ok := h.w.local.MarkOf("notes"); !ok || m.Icon == nil {
		t.Errorf("the folder notes is not marked: %+v", m)
	}
	remoteNames := h.w.remote.pane.Entries()
	if len(remoteNames) == 0 {
		t.Fatal("the demo's folder is empty")
	}
	if _, ok := h.w.remote.pane.MarkOf(remoteNames[0].Name); !ok {
		t.Errorf("%s (only on the server) is not marked", remoteNames[0].Name)
	}
	if got := b.summary.Text; !strings.Contains(got, "only here") || !strings.Contains(got, "only on the server") {
		t.Errorf("summary %q", got)
	}

	test.Tap(b.synchronize)
	h.pump(t, "the dialog", func() bool { return b.dialog != nil })
	d := b.dialog
	plan, checked := d.Plan()
	var ups []string
	for i, a := range plan {
		if a.Op == dirsync.OpUpload {
			ups = append(ups, a.Path)
		}
		if !checked[i] {
			t.Errorf("%s %s is not checked", a.Op, a.Path)
		}
	}
	if strings.Join(ups, ",") != "mine.txt,notes/plan.md" {
		t.Errorf("uploads planned: %q", ups)
	}
	// Deleting asks a second time, listing what goes; No goes back.
	d.SetDelete(true)
	d.Confirm()
	if !d.ConfirmDeletion(false) {
		t.Fatal("deleting on the server did not ask again")
	}
	d.SetDelete(false)
	d.Confirm()
	h.pump(t, "the uploads", func() bool {
		_, err1 := os.Stat(filepath.Join(l.Root, "mine.txt"))
		_, err2 := os.Stat(filepath.Join(l.Root, "notes", "plan.md"))
		return err1 == nil && err2 == nil && h.w.tabs.queueView.Totals().Active() == 0 && b.scan != nil && b.scan.Comparison.Counts[dirsync.OnlyLocal] == 0
	})
	if _, ok := h.w.local.MarkOf("mine.txt"); ok {
		t.Error("mine.txt is still marked after synchronising")
	}
	// The panes are listed again once the queue is idle, off the UI
	// goroutine: wait for the server's pane to show the uploaded file.
	h.pump(t, "the remote pane listed again", func() bool {
		for _, e := range h.w.remote.pane.Entries() {
			if e.Name == "mine.txt" {
				return true
			}
		}
		return false
	})
}

// TestCompareGolden draws the window after a comparison: both panes
// marked, the summary line and the legend (ui/testdata/compare_view.png).
func TestCompareGolden(t *testing.T) {
	h := newHarness(t, Deps{Now: fixedClock(testNow)})
	w := h.w
	w.local.SetLocation(time.UTC)
	w.remote.pane.SetLocation(time.UTC)
	w.local.SetSource(&fakeFolder{entries: []browser.Entry{
		{Name: "css", Dir: true, ModTime: goldenDay, Perm: "drwxr-xr-x"},
		{Name: "index.html", Size: 12_345, ModTime: goldenDay.Add(time.Hour), Perm: "-rw-r--r--"},
		{Name: "about.html", Size: 4_321, ModTime: goldenDay, Perm: "-rw-r--r--"},
		{Name: "draft.html", Size: 999, ModTime: goldenDay, Perm: "-rw-r--r--"},
	}})
	w.local.SetDir("/home/alice/www")
	w.remote.pane.SetSource(&fakeFolder{entries: []browser.Entry{
		{Name: "css", Dir: true, ModTime: goldenDay, Perm: "drwxr-xr-x"},
		{Name: "index.html", Size: 12_000, ModTime: goldenDay, Perm: "-rw-r--r--"},
		{Name: "about.html", Size: 4_321, ModTime: goldenDay, Perm: "-rw-r--r--"},
		{Name: "old.html", Size: 777, ModTime: goldenDay, Perm: "-rw-r--r--"},
	}})
	w.remote.pane.SetDir("/var/www")
	w.sync.buttons.Show()
	w.sync.relayout()
	e := func(size int64, at time.Time) *dirsync.Entry { return &dirsync.Entry{Size: size, ModTime: at} }
	scan := &dirsync.Scan{Remote: &dirsync.RemoteScan{Clock: dirsync.Clock{Source: dirsync.TimesMDTM}}, Comparison: dirsync.Compare(
		dirsync.Tree{"css": {Dir: true}, "css/site.css": *e(10, goldenDay.Add(time.Hour)), "index.html": *e(12_345, goldenDay.Add(time.Hour)),
			"about.html": *e(4_321, goldenDay), "draft.html": *e(999, goldenDay)},
		dirsync.Tree{"css": {Dir: true}, "css/site.css": *e(10, goldenDay), "index.html": *e(12_000, goldenDay),
			"about.html": *e(4_321, goldenDay), "old.html": *e(777, goldenDay)}, nil, dirsync.DefaultTolerance)}
	h.pump(t, "both listings", func() bool { return len(w.local.Entries()) == 4 && len(w.remote.pane.Entries()) == 4 })
	w.sync.showScan(dirsync.Config{LocalDir: "/home/alice/www", RemoteDir: "/var/www"}, scan)
	_ = scan
	if got, want := w.sync.summary.Text, "2 newer here, 1 only here, 1 only on the server, 2 the same"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	test.AssertImageMatches(t, "compare_view.png", w.Window.Canvas().Capture())
}

// TestSyncDialogGolden draws the Synchronize dialog: direction, filters,
// and the plan as a checklist with each action's reason
// (ui/testdata/sync_dialog.png).
func TestSyncDialogGolden(t *testing.T) {
	h := newHarness(t, Deps{Now: fixedClock(testNow)})
	e := func(size int64, at time.Time) dirsync.Entry { return dirsync.Entry{Size: size, ModTime: at} }
	cmp := dirsync.Compare(
		dirsync.Tree{"index.html": e(12_345, goldenDay.Add(time.Hour)), "draft.html": e(999, goldenDay), "img": {Dir: true}, "img/logo.png": e(5_000, goldenDay),
			"news.html": e(100, goldenDay)},
		dirsync.Tree{"index.html": e(12_000, goldenDay), "old.html": e(777, goldenDay), "news.html": e(150, goldenDay.Add(2*time.Hour))},
		nil, dirsync.DefaultTolerance)
	d := syncui.NewDialog(h.w.Window, cmp, syncui.Options{Plan: dirsync.PlanOptions{Direction: dirsync.Up, Delete: true}, Filter: dirsync.Filter{Exclude: []string{"*.tmp"}}, Verify: true})
	d.Show()
	plan, _ := d.Plan()
	var got []string
	for _, a := range plan {
		got = append(got, string(a.Op)+" "+a.Path)
	}
	want := "mkdir-remote img|upload draft.html|upload img/logo.png|upload index.html|conflict news.html|delete-remote old.html"
	if strings.Join(got, "|") != want {
		t.Errorf("plan %q, want %q", strings.Join(got, "|"), want)
	}
	test.AssertImageMatches(t, "sync_dialog.png", h.w.Window.Canvas().Capture())
}

// TestWatchStopsWhenTheWindowCloses turns on "Keep the server up to date",
// waits for a local file to reach the server, closes the window and
// expects the watch to end (the window waits for it before closing the
// connection).
func TestWatchStopsWhenTheWindowCloses(t *testing.T) {
	local := t.TempDir()
	os.WriteFile(filepath.Join(local, "kept.txt"), []byte("kept"), 0o644)
	h, l := connectDemo(t, local)
	b := h.w.sync
	b.setWatch(true)
	h.pump(t, "the watched file on the server", func() bool {
		got, err := os.ReadFile(filepath.Join(l.Root, "kept.txt"))
		return err == nil && string(got) == "kept"
	})
	done := b.watchDone
	if done == nil || !b.watching {
		t.Fatal("the watch is not running")
	}
	h.closed = true
	h.w.Window.Close()
	select {
	case <-h.w.hooks.closed:
	case <-time.After(uitest.Timeout):
		t.Fatal("the connection did not close")
	}
	select {
	case <-done:
	case <-time.After(uitest.Timeout):
		t.Fatal("the watch did not stop when the window closed")
	}
	if b.watching || b.stopWatch != nil {
		t.Errorf("after closing: watching %v", b.watching)
	}
}
