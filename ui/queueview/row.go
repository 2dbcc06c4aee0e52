package queueview

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/transfer"
	"lockbox/ui/units"
)

// Fixed widths of the progress, speed and ETA columns: wide enough for
// "100%", "999.9 MB/s" and "12:34:56" in the default theme.
const (
	barWidth   = 120
	speedWidth = 96
	etaWidth   = 72
	// minFlexWidth is the least the path and state columns shrink to.
	minFlexWidth = 80
)

// row is one job's line in the list. A list reuses a handful of rows for
// whatever jobs are scrolled into view; id says which job a row shows now.
type row struct {
	widget.BaseWidget

	id      int
	icon    *widget.Icon
	path    *widget.Label
	bar     *widget.ProgressBar
	barText string
	speed   *widget.Label
	eta     *widget.Label
	state   *widget.Label
	cancel  *widget.Button
	retry   *widget.Button
	content *fyne.Container
}

// newRow builds an empty row whose buttons report the job it shows to v.
func newRow(v *View) *row {
	r := &row{
		icon:  widget.NewIcon(theme.FileIcon()),
		path:  widget.NewLabel(""),
		bar:   widget.NewProgressBar(),
		speed: widget.NewLabel(""),
		eta:   widget.NewLabel(""),
		state: widget.NewLabel(""),
	}
	r.path.Truncation = fyne.TextTruncateEllipsis
	r.state.Truncation = fyne.TextTruncateEllipsis
	r.speed.Alignment = fyne.TextAlignTrailing
	r.eta.Alignment = fyne.TextAlignTrailing
	r.bar.TextFormatter = func() string { return r.barText }
	r.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { v.cancel(r.id) })
	r.retry = widget.NewButtonWithIcon("Retry", theme.ViewRefreshIcon(), func() { v.retry(r.id) })
	r.cancel.Importance = widget.LowImportance
	r.retry.Importance = widget.LowImportance
	actions := container.New(actionsLayout{}, r.cancel, r.retry)
	r.content = container.New(rowLayout{}, r.icon, r.path, r.bar, r.speed, r.eta, r.state, actions)
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer draws the row's columns.
func (r *row) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.content)
}

// show fills the row with job p.
func (r *row) show(p transfer.Progress) {
	r.id = p.ID
	r.icon.SetResource(kindIcon(p.Kind))
	r.path.SetText(pathText(p))

	value, text := barValue(p)
	r.barText = text
	r.bar.SetValue(value) // refreshes the text too

	if p.State == transfer.StateRunning {
		r.speed.SetText(units.Speed(p.Speed))
		r.eta.SetText(FormatETA(p.ETA))
	} else {
		r.speed.SetText("")
		r.eta.SetText("")
	}

	text, imp := stateText(p)
	r.state.Importance = imp
	r.state.SetText(text)

	cat := categorize(p)
	setVisible(r.cancel, cat == catQueued || cat == catRunning)
	setVisible(r.retry, cat == catFailed || cat == catCancelled)
}

func setVisible(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

// kindIcon is the direction icon of a job: down for downloads, up for
// uploads, and what the job does to the server for the others.
func kindIcon(k transfer.JobKind) fyne.Resource {
	switch k {
	case transfer.KindDownload:
		return theme.DownloadIcon()
	case transfer.KindUpload:
		return theme.UploadIcon()
	case transfer.KindMkdir:
		return theme.FolderNewIcon()
	case transfer.KindDelete, transfer.KindRemoveDir:
		return theme.DeleteIcon()
	case transfer.KindRename:
		return theme.DocumentCreateIcon()
	}
	return theme.FileIcon()
}

// pathText says what a job works on, in the direction the data flows:
// "remote » local" for a download, "local » remote" for an upload, "old »
// new" for a rename, the server path alone for the others.
func pathText(p transfer.Progress) string {
	switch {
	case p.Kind == transfer.KindUpload && p.Local != "":
		return p.Local + " » " + p.Remote
	case p.Local != "":
		return p.Remote + " » " + p.Local
	}
	return p.Remote
}

// barValue is the progress bar of a job: the share of Total done, and the
// text on the bar. An unknown total shows "?" (with the bytes so far once
// some have come), and a finished job a full bar.
func barValue(p transfer.Progress) (float64, string) {
	if p.State == transfer.StateDone {
		return 1, "100%"
	}
	if p.Total < 0 {
		if p.Done > 0 {
			return 0, units.Bytes(p.Done) + " of ?"
		}
		return 0, "?"
	}
	if p.Total == 0 {
		return 0, "0%"
	}
	v := min(max(float64(p.Done)/float64(p.Total), 0), 1)
	return v, fmtPercent(v)
}

// fmtPercent never rounds an unfinished transfer up to 100%.
func fmtPercent(v float64) string {
	return strconv.Itoa(int(v*100)) + "%"
}

// stateText is the State column: what happened to the job, coloured by how
// much it matters.
func stateText(p transfer.Progress) (string, widget.Importance) {
	switch categorize(p) {
	case catRunning:
		return "running", widget.MediumImportance
	case catDone:
		if p.Note != "" {
			return "done — " + p.Note, widget.SuccessImportance
		}
		return "done", widget.SuccessImportance
	case catSkipped:
		return "skipped (exists)", widget.MediumImportance
	case catFailed:
		if p.Err != nil {
			return "failed: " + p.Err.Error(), widget.DangerImportance
		}
		return "failed", widget.DangerImportance
	case catCancelled:
		return "cancelled", widget.WarningImportance
	}
	return "queued", widget.LowImportance
}

// rowLayout places a row's seven cells in columns that line up from row to
// row and with the heading: icon, path, progress, speed, ETA, state,
// buttons. The path and state share what the fixed columns leave, 3 to 2.
// Each cell keeps its own height, centred in the row.
type rowLayout struct{}

// fixedWidths are the widths of the columns that do not stretch; 0 marks
// the two that do.
func fixedWidths(objs []fyne.CanvasObject) [7]float32 {
	return [7]float32{objs[0].MinSize().Width, 0, barWidth, speedWidth, etaWidth, 0, objs[6].MinSize().Width}
}

func (rowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, w := range fixedWidths(objs) {
		if w == 0 {
			w = minFlexWidth
		}
		s.Width += w
		s.Height = max(s.Height, objs[i].MinSize().Height)
	}
	s.Width += 6 * theme.Padding()
	return s
}

func (rowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	widths := fixedWidths(objs)
	flex := size.Width - 6*theme.Padding()
	for _, w := range widths {
		flex -= w
	}
	flex = max(flex, 2*minFlexWidth)
	widths[1], widths[5] = flex*3/5, flex*2/5
	x := float32(0)
	for i, o := range objs {
		h := min(o.MinSize().Height, size.Height)
		o.Move(fyne.NewPos(x, (size.Height-h)/2))
		o.Resize(fyne.NewSize(widths[i], h))
		x += widths[i] + theme.Padding()
	}
}

// actionsLayout stacks a row's Cancel and Retry buttons in one cell as
// wide as the wider of them, shown or not, so that the column is the same
// width in every row.
type actionsLayout struct{}

func (actionsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

func (actionsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}
