// Package queueview is the transfer queue panel at the bottom of Lockbox's
// main window: one line per job (direction, paths, progress, speed, time
// left, state, Cancel or Retry), a heading with the totals, and the
// buttons that act on the whole queue.
//
// A recursive transfer queues thousands of jobs, each reporting up to ten
// times a second, so the panel keeps the jobs in a plain slice and shows
// them in a virtualised widget.List: only the rows scrolled into view
// exist as widgets. Update only records; the widgets are redrawn at most
// once per RefreshInterval, whatever the number of reports.
//
// Threading: every method and callback runs on the UI goroutine. The main
// window receives the engine's observer calls and posts them with fyne.Do.
package queueview

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/transfer"
	"lockbox/ui/units"
)

// RefreshInterval is how long the view waits after an Update before it
// redraws: everything reported meanwhile is drawn in one go.
const RefreshInterval = 100 * time.Millisecond

// noDetail is the detail line while no job is selected.
const noDetail = "Select a transfer to see all of it: full paths, the whole error, notes."

// View is the transfer queue panel. Its fields and methods are only used on
// the UI goroutine.
type View struct {
	// Content is the panel, to place in the window.
	Content fyne.CanvasObject

	// OnCancel is called with a job's ID when its Cancel button is tapped.
	OnCancel func(id int)
	// OnRetry is called with a job's ID when its Retry button is tapped,
	// and for each failed job by "Retry failed".
	OnRetry func(id int)
	// OnCancelAll is called by the "Cancel all" button.
	OnCancelAll func()
	// OnFinished is called once each time the queue goes from having
	// queued or running jobs to having none, with the totals of the jobs
	// reported since the previous time (those cleared from the view
	// included), for the "Transfers finished" notification.
	OnFinished func(Totals)
	// Later runs f on the UI goroutine about RefreshInterval from now. New
	// sets it to a timer that hands f to fyne.Do; a window with a UI queue
	// of its own (as in tests) may replace it. Nil draws at every Update.
	Later func(f func())

	jobs    []transfer.Progress // in the order they were first reported
	index   map[int]int         // job ID → position in jobs
	totals  Totals              // over jobs, without Speed
	running map[int]float64     // running job ID → speed

	// batch holds the latest report of the jobs that make up the current
	// run of the queue; busy says one of them was queued or running since
	// the queue last drained.
	batch map[int]transfer.Progress
	busy  bool

	dirty    bool // something changed since the last drawing
	pending  bool // a drawing is scheduled through Later
	selected int  // ID of the selected job, 0 for none

	list          *widget.List
	summary       *widget.Label
	detail        *widget.Label
	cancelAll     *widget.Button
	clearFinished *widget.Button
	retryFailed   *widget.Button

	rowsMade int // rows the list has asked for, to prove it stays virtual
}

// New builds an empty queue panel.
func New() *View {
	v := &View{
		index:   map[int]int{},
		running: map[int]float64{},
		batch:   map[int]transfer.Progress{},
		Later: func(f func()) {
			time.AfterFunc(RefreshInterval, func() { fyne.Do(f) })
		},
	}
	v.list = widget.NewList(
		func() int { return len(v.jobs) },
		func() fyne.CanvasObject {
			v.rowsMade++
			return newRow(v)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= 0 && i < len(v.jobs) {
				o.(*row).show(v.jobs[i])
			}
		},
	)
	v.list.OnSelected = func(i widget.ListItemID) {
		if i >= 0 && i < len(v.jobs) {
			v.selected = v.jobs[i].ID
		}
		v.showDetail()
	}
	v.list.OnUnselected = func(widget.ListItemID) {
		v.selected = 0
		v.showDetail()
	}

	v.summary = widget.NewLabel("")
	v.summary.TextStyle.Bold = true
	v.summary.Truncation = fyne.TextTruncateEllipsis
	v.cancelAll = widget.NewButtonWithIcon("Cancel all", theme.CancelIcon(), func() {
		if v.OnCancelAll != nil {
			v.OnCancelAll()
		}
	})
	v.clearFinished = widget.NewButtonWithIcon("Clear finished", theme.ContentClearIcon(), v.ClearFinished)
	v.retryFailed = widget.NewButtonWithIcon("Retry failed", theme.ViewRefreshIcon(), v.RetryFailed)
	v.detail = widget.NewLabel("")
	v.detail.Wrapping = fyne.TextWrapWord

	bar := container.NewBorder(nil, nil, nil,
		container.NewHBox(v.cancelAll, v.clearFinished, v.retryFailed), v.summary)
	top := container.NewVBox(bar, headings())
	v.Content = container.NewBorder(top, v.detail, nil, nil, v.list)
	v.dirty = true
	v.Flush()
	return v
}

// headings names the list's columns, laid out as its rows are.
func headings() fyne.CanvasObject {
	label := func(s string, align fyne.TextAlign) *widget.Label {
		l := widget.NewLabelWithStyle(s, align, fyne.TextStyle{Bold: true})
		l.Importance = widget.LowImportance
		return l
	}
	// Hidden buttons give the last column the width of the rows' buttons.
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), nil)
	retry := widget.NewButtonWithIcon("Retry", theme.ViewRefreshIcon(), nil)
	cancel.Hide()
	retry.Hide()
	return container.New(rowLayout{},
		widget.NewIcon(nil),
		label("Transfer", fyne.TextAlignLeading),
		label("Progress", fyne.TextAlignCenter),
		label("Speed", fyne.TextAlignTrailing),
		label("ETA", fyne.TextAlignTrailing),
		label("State", fyne.TextAlignLeading),
		container.New(actionsLayout{}, cancel, retry),
	)
}

// Update records a job's latest report: a new ID adds a row at the end, a
// known one replaces its row. It costs a few map operations; the widgets
// are redrawn later (see Flush).
func (v *View) Update(p transfer.Progress) {
	i, known := v.index[p.ID]
	if known {
		v.totals.add(v.jobs[i], -1)
		v.jobs[i] = p
	} else {
		v.index[p.ID] = len(v.jobs)
		v.jobs = append(v.jobs, p)
	}
	v.totals.add(p, 1)
	if p.State == transfer.StateRunning {
		v.running[p.ID] = p.Speed
	} else {
		delete(v.running, p.ID)
	}
	if cat := categorize(p); cat == catQueued || cat == catRunning {
		v.busy = true
	}
	// While the queue is idle only jobs never seen before join the next
	// batch (names refused before the first transfer starts); a known
	// job's repeated report was counted in its own batch.
	if v.busy || !known {
		v.batch[p.ID] = p
	}
	v.dirty = true
	switch {
	case v.Later == nil:
		v.Flush()
	case !v.pending:
		v.pending = true
		v.Later(v.Flush)
	}
}

// Flush draws what Update recorded since the last drawing, then calls
// OnFinished if the queue has drained. Update arranges for it to run
// through Later; call it to draw at once.
func (v *View) Flush() {
	v.pending = false
	if !v.dirty {
		return
	}
	v.dirty = false
	t := v.Totals()
	v.summary.SetText(t.String())
	setEnabled(v.cancelAll, t.Active() > 0)
	setEnabled(v.clearFinished, t.Done+t.Skipped > 0)
	setEnabled(v.retryFailed, t.Failed > 0)
	v.list.Refresh()
	v.showDetail()

	if v.busy && t.Active() == 0 {
		var done Totals
		for _, p := range v.batch {
			done.add(p, 1)
		}
		v.busy = false
		clear(v.batch)
		if v.OnFinished != nil {
			v.OnFinished(done)
		}
	}
}

func setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// Totals counts the jobs in the view, as its heading does.
func (v *View) Totals() Totals {
	t := v.totals
	for _, s := range v.running {
		t.Speed += s
	}
	return t
}

// ClearFinished removes the jobs that are done (or skipped) from the view;
// failed and cancelled ones stay, to be retried. A removed job that
// reports again (after a retry) comes back at the end.
func (v *View) ClearFinished() {
	kept := v.jobs[:0]
	for _, p := range v.jobs {
		if cat := categorize(p); cat == catDone || cat == catSkipped {
			v.totals.add(p, -1)
			delete(v.index, p.ID)
			continue
		}
		v.index[p.ID] = len(kept)
		kept = append(kept, p)
	}
	clear(v.jobs[len(kept):]) // let go of the removed jobs' errors and paths
	v.jobs = kept
	v.list.UnselectAll() // the selection is by position, which moved
	v.selected = 0
	v.dirty = true
	v.Flush()
}

// RetryFailed calls OnRetry for every failed job in the view.
func (v *View) RetryFailed() {
	if v.OnRetry == nil {
		return
	}
	var ids []int
	for _, p := range v.jobs {
		if categorize(p) == catFailed {
			ids = append(ids, p.ID)
		}
	}
	// OnRetry may report back (and so Update) before it returns: the IDs
	// were collected first.
	for _, id := range ids {
		v.OnRetry(id)
	}
}

func (v *View) cancel(id int) {
	if v.OnCancel != nil {
		v.OnCancel(id)
	}
}

func (v *View) retry(id int) {
	if v.OnRetry != nil {
		v.OnRetry(id)
	}
}

// showDetail writes the selected job out in full under the list.
func (v *View) showDetail() {
	i, ok := v.index[v.selected]
	if v.selected == 0 || !ok {
		v.detail.Importance = widget.LowImportance
		v.detail.SetText(noDetail)
		return
	}
	p := v.jobs[i]
	state, imp := stateText(p)
	text := string(p.Kind) + " " + pathText(p) + ": " + state
	if p.Note != "" && categorize(p) != catDone { // done rows show it already
		text += " — " + p.Note
	}
	if p.Total >= 0 {
		text += " · " + units.Bytes(p.Done) + " of " + units.Bytes(p.Total)
	}
	if p.Moved > 0 {
		text += " · " + units.Bytes(p.Moved) + " carried"
	}
	v.detail.Importance = imp
	v.detail.SetText(text)
}
