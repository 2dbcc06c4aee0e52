package queueview

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/transfer"
	"lockbox/ui/internal/uitest"
)

// harness is a view in a window whose delayed drawings are queued for the
// test to run, as fyne.Do would run them on the UI goroutine.
type harness struct {
	v     *View
	w     fyne.Window
	later []func()
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(uitest.LightTheme())
	h := &harness{v: New()}
	h.v.Later = func(f func()) { h.later = append(h.later, f) }
	h.w = test.NewTempWindow(t, h.v.Content)
	h.w.Resize(fyne.NewSize(1000, 360))
	return h
}

// drain runs the drawings Update scheduled.
func (h *harness) drain() {
	for len(h.later) > 0 {
		f := h.later[0]
		h.later = h.later[1:]
		f()
	}
}

// rows returns the rows on screen, by job ID.
func (h *harness) rows() map[int]*row {
	out := map[int]*row{}
	for _, o := range test.LaidOutObjects(h.v.list) {
		if r, ok := o.(*row); ok {
			out[r.id] = r
		}
	}
	return out
}

func (h *harness) row(t *testing.T, id int) *row {
	t.Helper()
	r, ok := h.rows()[id]
	if !ok {
		t.Fatalf("no row on screen for job %d", id)
	}
	return r
}

func download(id int, state transfer.JobState, done, total int64) transfer.Progress {
	return transfer.Progress{ID: id, Kind: transfer.KindDownload, Remote: "/pub/file" + string(rune('0'+id%10)) + ".iso",
		Local: "file" + string(rune('0'+id%10)) + ".iso", State: state, Done: done, Total: total, Moved: done, ETA: -1}
}

func TestUpdateAddsAndReplacesRows(t *testing.T) {
	h := newHarness(t)
	h.v.Update(download(1, transfer.StateQueued, 0, 1000))
	h.v.Update(download(2, transfer.StateQueued, 0, 2000))
	running := download(1, transfer.StateRunning, 250, 1000)
	running.Speed, running.ETA = 12_300_000, 42*time.Second
	h.v.Update(running)
	if len(h.later) != 1 {
		t.Fatalf("%d drawings scheduled for three updates, want 1", len(h.later))
	}
	h.drain()

	if got := h.v.list.Length(); got != 2 {
		t.Fatalf("list has %d rows, want 2", got)
	}
	r := h.row(t, 1)
	for _, c := range []struct{ what, got, want string }{
		{"path", r.path.Text, "/pub/file1.iso » file1.iso"},
		{"speed", r.speed.Text, "12.3 MB/s"},
		{"eta", r.eta.Text, "0:42"},
		{"state", r.state.Text, "running"},
		{"bar", r.barText, "25%"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	if r.bar.Value != 0.25 {
		t.Errorf("bar = %v, want 0.25", r.bar.Value)
	}
	if got := h.v.jobs[1].ID; got != 2 {
		t.Errorf("second row is job %d, want 2 (rows keep the order jobs first arrive in)", got)
	}
}

func TestRowShowsState(t *testing.T) {
	failed := download(3, transfer.StateFailed, 10, 100)
	failed.Err = errors.New("550 Permission denied")
	skipped := download(4, transfer.StateDone, 0, 100)
	skipped.Skipped = true
	unknown := download(5, transfer.StateRunning, 2_000_000, -1)
	upload := transfer.Progress{ID: 6, Kind: transfer.KindUpload, Local: "/home/a/x.txt", Remote: "/up/x.txt", State: transfer.StateDone, Done: 5, Total: 5}
	mkdir := transfer.Progress{ID: 7, Kind: transfer.KindMkdir, Remote: "/new", State: transfer.StateDone, Total: -1}
	noted := download(8, transfer.StateDone, 5, 5)
	noted.Note = "modification time not kept"
	for _, tc := range []struct {
		name       string
		p          transfer.Progress
		state      string
		importance widget.Importance
		bar        float64
		barText    string
		path       string
		icon       fyne.Resource
	}{
		{"queued", download(1, transfer.StateQueued, 0, 100), "queued", widget.LowImportance, 0, "0%", "/pub/file1.iso » file1.iso", theme.DownloadIcon()},
		{"done", download(2, transfer.StateDone, 100, 100), "done", widget.SuccessImportance, 1, "100%", "/pub/file2.iso » file2.iso", theme.DownloadIcon()},
		{"failed", failed, "failed: 550 Permission denied", widget.DangerImportance, 0.1, "10%", "/pub/file3.iso » file3.iso", theme.DownloadIcon()},
		{"skipped", skipped, "skipped (exists)", widget.MediumImportance, 1, "100%", "/pub/file4.iso » file4.iso", theme.DownloadIcon()},
		{"unknown size", unknown, "running", widget.MediumImportance, 0, "2.0 MB of ?", "/pub/file5.iso » file5.iso", theme.DownloadIcon()},
		{"upload", upload, "done", widget.SuccessImportance, 1, "100%", "/home/a/x.txt » /up/x.txt", theme.UploadIcon()},
		{"mkdir", mkdir, "done", widget.SuccessImportance, 1, "100%", "/new", theme.FolderNewIcon()},
		{"note", noted, "done — modification time not kept", widget.SuccessImportance, 1, "100%", "/pub/file8.iso » file8.iso", theme.DownloadIcon()},
		{"cancelled", download(9, transfer.StateCancelled, 0, 100), "cancelled", widget.WarningImportance, 0, "0%", "/pub/file9.iso » file9.iso", theme.DownloadIcon()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.v.Update(tc.p)
			h.drain()
			r := h.row(t, tc.p.ID)
			if r.state.Text != tc.state || r.state.Importance != tc.importance {
				t.Errorf("state = %q (importance %v), want %q (%v)", r.state.Text, r.state.Importance, tc.state, tc.importance)
			}
			if r.bar.Value != tc.bar || r.barText != tc.barText {
				t.Errorf("bar = %v %q, want %v %q", r.bar.Value, r.barText, tc.bar, tc.barText)
			}
			if r.path.Text != tc.path {
				t.Errorf("path = %q, want %q", r.path.Text, tc.path)
			}
			if r.icon.Resource.Name() != tc.icon.Name() {
				t.Errorf("icon = %s, want %s", r.icon.Resource.Name(), tc.icon.Name())
			}
			if tc.p.State != transfer.StateRunning && (r.speed.Text != "" || r.eta.Text != "") {
				t.Errorf("speed %q and ETA %q shown for a job that is not running", r.speed.Text, r.eta.Text)
			}
		})
	}
}

func TestProgressReachesFull(t *testing.T) {
	h := newHarness(t)
	for _, p := range []transfer.Progress{
		download(1, transfer.StateQueued, 0, 4096),
		download(1, transfer.StateRunning, 1024, 4096),
		download(1, transfer.StateRunning, 4096, 4096),
		download(1, transfer.StateDone, 4096, 4096),
	} {
		h.v.Update(p)
		h.drain()
	}
	if r := h.row(t, 1); r.bar.Value != 1 || r.barText != "100%" {
		t.Errorf("bar at done = %v %q, want 1 and 100%%", r.bar.Value, r.barText)
	}
}

func TestRowButtons(t *testing.T) {
	for _, tc := range []struct {
		state            transfer.JobState
		cancel, retry    bool
		wantCancel, want []int
	}{
		{transfer.StateQueued, true, false, []int{7}, nil},
		{transfer.StateRunning, true, false, []int{7}, nil},
		{transfer.StateDone, false, false, nil, nil},
		{transfer.StateFailed, false, true, nil, []int{7}},
		{transfer.StateCancelled, false, true, nil, []int{7}},
	} {
		t.Run(string(tc.state), func(t *testing.T) {
			h := newHarness(t)
			var cancelled, retried []int
			h.v.OnCancel = func(id int) { cancelled = append(cancelled, id) }
			h.v.OnRetry = func(id int) { retried = append(retried, id) }
			h.v.Update(download(3, transfer.StateDone, 1, 1))
			h.v.Update(download(7, tc.state, 0, 100))
			h.drain()
			r := h.row(t, 7)
			if r.cancel.Visible() != tc.cancel || r.retry.Visible() != tc.retry {
				t.Fatalf("Cancel shown %v, Retry shown %v; want %v, %v", r.cancel.Visible(), r.retry.Visible(), tc.cancel, tc.retry)
			}
			if tc.cancel {
				test.Tap(r.cancel)
			}
			if tc.retry {
				test.Tap(r.retry)
			}
			if !equalIDs(cancelled, tc.wantCancel) || !equalIDs(retried, tc.want) {
				t.Errorf("OnCancel got %v, OnRetry got %v; want %v, %v", cancelled, retried, tc.wantCancel, tc.want)
			}
		})
	}
}

func equalIDs(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTotals(t *testing.T) {
	h := newHarness(t)
	var jobs []transfer.Progress
	for id := 1; id <= 3; id++ {
		p := download(id, transfer.StateRunning, 100, 1000)
		p.Speed = 15_066_667
		jobs = append(jobs, p)
	}
	for id := 4; id <= 15; id++ {
		jobs = append(jobs, download(id, transfer.StateQueued, 0, 1000))
	}
	for id := 16; id <= 55; id++ {
		jobs = append(jobs, download(id, transfer.StateDone, 1000, 1000))
	}
	failed := download(56, transfer.StateFailed, 0, 1000)
	failed.Err = errors.New("connection reset")
	jobs = append(jobs, failed)
	for _, p := range jobs {
		h.v.Update(p)
	}
	h.drain()
	want := "3 running, 12 queued, 40 done, 1 failed — 45.2 MB/s"
	if got := h.v.summary.Text; got != want {
		t.Errorf("heading = %q, want %q", got, want)
	}
	tot := h.v.Totals()
	if tot.Active() != 15 || tot.Jobs() != 56 || tot.Files != 40 || tot.Bytes != 40*1000+3*100 {
		t.Errorf("totals = %+v", tot)
	}
	for _, b := range []*widget.Button{h.v.cancelAll, h.v.clearFinished, h.v.retryFailed} {
		if b.Disabled() {
			t.Errorf("%q is disabled", b.Text)
		}
	}
}

func TestTotalsText(t *testing.T) {
	for _, tc := range []struct {
		name          string
		t             Totals
		line, message string
	}{
		{"empty", Totals{}, "No transfers", "Transfers finished"},
		{"finished", Totals{Done: 40, Files: 40, Failed: 1, Bytes: 5}, "40 done, 1 failed", "Transfers finished: 40 files, 1 failed"},
		{"one file", Totals{Done: 1, Files: 1}, "1 done", "Transfers finished: 1 file"},
		{"mixed", Totals{Done: 3, Files: 1, Skipped: 2, Cancelled: 1}, "3 done, 2 skipped, 1 cancelled",
			"Transfers finished: 1 file, 2 other operations, 2 skipped, 1 cancelled"},
		{"running", Totals{Running: 1, Speed: 999}, "1 running — 999 B/s", "Transfers finished"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.t.String(); got != tc.line {
				t.Errorf("String = %q, want %q", got, tc.line)
			}
			if got := tc.t.Message(); got != tc.message {
				t.Errorf("Message = %q, want %q", got, tc.message)
			}
		})
	}
}

func TestClearFinished(t *testing.T) {
	h := newHarness(t)
	skipped := download(2, transfer.StateDone, 0, 10)
	skipped.Skipped = true
	for _, p := range []transfer.Progress{
		download(1, transfer.StateDone, 10, 10), skipped, download(3, transfer.StateFailed, 0, 10),
		download(4, transfer.StateRunning, 5, 10), download(5, transfer.StateCancelled, 0, 10), download(6, transfer.StateDone, 10, 10),
	} {
		h.v.Update(p)
	}
	h.drain()
	test.Tap(h.v.clearFinished)
	var ids []int
	for _, p := range h.v.jobs {
		ids = append(ids, p.ID)
	}
	if !equalIDs(ids, []int{3, 4, 5}) {
		t.Fatalf("rows after Clear finished = %v, want [3 4 5]", ids)
	}
	if got := h.v.list.Length(); got != 3 {
		t.Errorf("list length = %d, want 3", got)
	}
	if got, want := h.v.summary.Text, "1 running, 1 failed, 1 cancelled — 0 B/s"; got != want {
		t.Errorf("heading = %q, want %q", got, want)
	}
	if !h.v.clearFinished.Disabled() {
		t.Error("Clear finished is still enabled with nothing finished")
	}
	h.v.Update(download(4, transfer.StateDone, 10, 10))
	h.v.Update(download(1, transfer.StateQueued, 0, 10)) // retried after it was cleared
	h.drain()
	if got := h.v.jobs[1].State; got != transfer.StateDone {
		t.Errorf("job 4 is %s, want done in its old place", got)
	}
	if got := h.v.jobs[3].ID; got != 1 {
		t.Errorf("last row is job %d, want 1 (a cleared job that reports again comes back at the end)", got)
	}
}

func TestQueueButtons(t *testing.T) {
	h := newHarness(t)
	cancelAll := 0
	var retried []int
	h.v.OnCancelAll = func() { cancelAll++ }
	h.v.OnRetry = func(id int) {
		retried = append(retried, id)
		h.v.Update(download(id, transfer.StateQueued, 0, 10)) // the engine may answer at once
	}
	for _, p := range []transfer.Progress{
		download(1, transfer.StateFailed, 0, 10), download(2, transfer.StateCancelled, 0, 10),
		download(3, transfer.StateFailed, 0, 10), download(4, transfer.StateDone, 10, 10),
	} {
		h.v.Update(p)
	}
	h.drain()
	if !h.v.cancelAll.Disabled() {
		t.Error("Cancel all is enabled with nothing queued or running")
	}
	test.Tap(h.v.retryFailed)
	if !equalIDs(retried, []int{1, 3}) {
		t.Errorf("Retry failed retried %v, want [1 3] (not the cancelled job)", retried)
	}
	h.drain()
	if h.v.cancelAll.Disabled() {
		t.Fatal("Cancel all is disabled with jobs queued")
	}
	test.Tap(h.v.cancelAll)
	if cancelAll != 1 {
		t.Errorf("OnCancelAll called %d times, want 1", cancelAll)
	}
}

func TestOnFinishedOncePerDrain(t *testing.T) {
	h := newHarness(t)
	var got []Totals
	h.v.OnFinished = func(s Totals) { got = append(got, s) }
	step := func(ps ...transfer.Progress) {
		for _, p := range ps {
			h.v.Update(p)
		}
		h.drain()
	}
	failed := download(2, transfer.StateFailed, 0, 10)
	failed.Err = errors.New("timeout")

	step(download(1, transfer.StateQueued, 0, 10), download(2, transfer.StateQueued, 0, 10))
	step(download(1, transfer.StateRunning, 5, 10))
	step(download(1, transfer.StateDone, 10, 10), download(2, transfer.StateRunning, 0, 10))
	if len(got) != 0 {
		t.Fatalf("OnFinished called while a job runs: %+v", got)
	}
	step(failed)
	h.v.Flush()
	step(download(1, transfer.StateDone, 10, 10)) // a late duplicate report, not counted again
	if len(got) != 1 {
		t.Fatalf("OnFinished called %d times for one drain, want 1", len(got))
	}
	if got[0].Files != 1 || got[0].Failed != 1 || got[0].Message() != "Transfers finished: 1 file, 1 failed" {
		t.Errorf("totals = %+v (%q)", got[0], got[0].Message())
	}

	// A job queued and finished between two drawings is one drain too; a
	// name refused while the queue was idle belongs to the next run.
	refused := download(9, transfer.StateFailed, 0, -1)
	refused.Err = errors.New(`the server sent the name ".."`)
	step(refused)
	h.v.Update(download(3, transfer.StateQueued, 0, 10))
	h.v.Update(download(3, transfer.StateRunning, 0, 10))
	h.v.Update(download(3, transfer.StateDone, 10, 10))
	h.drain()
	if len(got) != 2 {
		t.Fatalf("OnFinished called %d times after the second batch, want 2", len(got))
	}
	if got[1].Jobs() != 2 || got[1].Files != 1 || got[1].Failed != 1 {
		t.Errorf("second batch totals = %+v, want jobs 3 and 9", got[1])
	}
}

func TestManyJobsStayVirtual(t *testing.T) {
	h := newHarness(t)
	const n = 5000
	for id := 1; id <= n; id++ {
		h.v.Update(download(id, transfer.StateQueued, 0, 1<<20))
	}
	if len(h.later) != 1 {
		t.Fatalf("%d drawings scheduled for %d updates, want 1", len(h.later), n)
	}
	h.drain()
	for round := 0; round < 10; round++ {
		for id := 1; id <= n; id++ {
			h.v.Update(download(id, transfer.StateRunning, int64(round)<<10, 1<<20))
		}
		h.drain()
	}
	for id := 1; id <= n; id++ {
		h.v.Update(download(id, transfer.StateDone, 1<<20, 1<<20))
	}
	h.drain()
	if got := h.v.list.Length(); got != n {
		t.Fatalf("list has %d rows, want %d", got, n)
	}
	if h.v.rowsMade > 100 {
		t.Errorf("%d row widgets made for %d jobs: the list is not virtual or redraws too often", h.v.rowsMade, n)
	}
	if got := len(h.rows()); got == 0 || got > 50 {
		t.Errorf("%d rows on screen, want a screenful", got)
	}
	if got := h.v.summary.Text; got != "5000 done" {
		t.Errorf("heading = %q", got)
	}
}

func TestDetailShowsSelectedJob(t *testing.T) {
	h := newHarness(t)
	failed := download(1, transfer.StateFailed, 100, 1000)
	failed.Err = errors.New("426 Failure reading network stream: the TLS session of the data connection was not resumed")
	h.v.Update(failed)
	h.v.Update(download(2, transfer.StateQueued, 0, 10))
	h.drain()
	if h.v.detail.Text != noDetail {
		t.Errorf("detail = %q before any selection", h.v.detail.Text)
	}
	h.v.list.Select(0)
	want := "download /pub/file1.iso » file1.iso: failed: " + failed.Err.Error() + " · 100 B of 1.0 kB · 100 B carried"
	if h.v.detail.Text != want || h.v.detail.Importance != widget.DangerImportance {
		t.Errorf("detail = %q (%v), want %q", h.v.detail.Text, h.v.detail.Importance, want)
	}
	h.v.Update(download(1, transfer.StateQueued, 0, 1000))
	h.drain()
	if !strings.Contains(h.v.detail.Text, ": queued") {
		t.Errorf("detail = %q after the job was retried", h.v.detail.Text)
	}
}

func TestGolden(t *testing.T) {
	h := newHarness(t)
	running := download(2, transfer.StateRunning, 31_400_000, 52_300_000)
	running.Remote, running.Local = "/pub/releases/lockbox-1.0-linux-amd64.tar.gz", "lockbox-1.0-linux-amd64.tar.gz"
	running.Speed, running.ETA = 11_200_000, 2*time.Second
	failed := download(4, transfer.StateFailed, 0, 8_000)
	failed.Remote, failed.Local = "/pub/private/notes.txt", "notes.txt"
	failed.Err = errors.New("550 Permission denied")
	skipped := download(5, transfer.StateDone, 0, 1_200)
	skipped.Remote, skipped.Local, skipped.Skipped = "/pub/README", "README", true
	done := download(1, transfer.StateDone, 4_100_000, 4_100_000)
	done.Remote, done.Local = "/pub/releases/SHA256SUMS", "SHA256SUMS"
	upload := transfer.Progress{ID: 3, Kind: transfer.KindUpload, Local: "/home/ada/report.pdf", Remote: "/incoming/report.pdf",
		State: transfer.StateQueued, Total: 2_500_000, ETA: -1}
	cancelled := transfer.Progress{ID: 6, Kind: transfer.KindDownload, Remote: "/pub/big.iso", Local: "big.iso",
		State: transfer.StateCancelled, Done: 700_000_000, Total: -1, ETA: -1}
	for _, p := range []transfer.Progress{done, running, upload, failed, skipped, cancelled} {
		h.v.Update(p)
	}
	h.drain()
	test.AssertImageMatches(t, "queue.png", h.w.Canvas().Capture())
}
