package syncui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/dirsync"
	"lockbox/client/words"
)

// Options are what the dialog lets the user choose.
type Options struct {
	Plan   dirsync.PlanOptions
	Filter dirsync.Filter
	Verify bool
}

// directions are the direction choices, as the dialog words them.
var directions = []struct {
	d     dirsync.Direction
	words string
}{
	{dirsync.Up, "Upload: make the server like this computer"},
	{dirsync.Down, "Download: make this computer like the server"},
	{dirsync.Both, "Both ways: the newer copy wins"},
}

// Dialog is the Synchronize dialog: direction and filters above, the plan
// as a checklist (each action with its reason) below. Its methods run on
// the UI goroutine.
type Dialog struct {
	win  fyne.Window
	cmp  dirsync.Comparison
	opts Options
	// OnRun is called with the checked actions and the options when the
	// user confirms (after a second confirmation listing the deletions).
	OnRun func(plan []dirsync.Action, o Options)

	plan    []dirsync.Action
	checked []bool

	direction   *widget.RadioGroup
	include     *widget.Entry
	exclude     *widget.Entry
	del         *widget.Check
	onlyMissing *widget.Check
	verify      *widget.Check
	list        *widget.List
	summary     *widget.Label
	run         *widget.Button
	dlg         *dialog.CustomDialog
	confirm     *dialog.ConfirmDialog
}

// NewDialog builds the dialog for a comparison, starting from opts.
func NewDialog(win fyne.Window, cmp dirsync.Comparison, opts Options) *Dialog {
	d := &Dialog{win: win, cmp: cmp, opts: opts}
	var labels []string
	for _, x := range directions {
		labels = append(labels, x.words)
	}
	d.direction = widget.NewRadioGroup(labels, nil)
	for _, x := range directions {
		if x.d == opts.Plan.Direction {
			d.direction.Selected = x.words
		}
	}
	d.direction.OnChanged = func(string) { d.replan() }
	d.include = widget.NewEntry()
	d.include.SetPlaceHolder("all files (e.g. *.html, docs/*)")
	d.include.SetText(strings.Join(opts.Filter.Include, ", "))
	d.include.OnChanged = func(string) { d.replan() }
	d.exclude = widget.NewEntry()
	d.exclude.SetPlaceHolder("nothing (e.g. *.tmp, .git)")
	d.exclude.SetText(strings.Join(opts.Filter.Exclude, ", "))
	d.exclude.OnChanged = func(string) { d.replan() }
	d.del = widget.NewCheck("Delete what the other side no longer has", func(bool) { d.replan() })
	d.del.Checked = opts.Plan.Delete
	d.onlyMissing = widget.NewCheck("Only copy missing files", func(bool) { d.replan() })
	d.onlyMissing.Checked = opts.Plan.OnlyMissing
	d.verify = widget.NewCheck("Verify each file's checksum with the server", nil)
	d.verify.Checked = opts.Verify
	d.summary = widget.NewLabel("")
	d.list = widget.NewList(func() int { return len(d.plan) }, d.newRow, d.showRow)
	d.run = widget.NewButtonWithIcon("Synchronize", theme.MediaPlayIcon(), d.Confirm)
	d.run.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { d.Hide() })
	form := widget.NewForm(
		widget.NewFormItem("Direction", d.direction),
		widget.NewFormItem("Include", d.include),
		widget.NewFormItem("Exclude", d.exclude),
	)
	top := container.NewVBox(form, container.NewHBox(d.del, d.onlyMissing, d.verify), d.summary)
	body := container.NewBorder(top, container.NewHBox(layoutSpacer(), cancel, d.run), nil, nil, d.list)
	d.dlg = dialog.NewCustomWithoutButtons("Synchronize", body, win)
	d.dlg.Resize(fyne.NewSize(860, 660))
	d.replan()
	return d
}

func layoutSpacer() fyne.CanvasObject { return container.NewStack() }

// Show opens the dialog.
func (d *Dialog) Show() { d.dlg.Show() }

// Hide closes it.
func (d *Dialog) Hide() {
	if d.confirm != nil {
		d.confirm.Hide()
	}
	d.dlg.Hide()
}

// Options returns the options as the dialog shows them.
func (d *Dialog) Options() Options {
	o := Options{Verify: d.verify.Checked}
	for _, x := range directions {
		if x.words == d.direction.Selected {
			o.Plan.Direction = x.d
		}
	}
	o.Plan.Delete, o.Plan.OnlyMissing = d.del.Checked, d.onlyMissing.Checked
	o.Filter = dirsync.Filter{Include: globs(d.include.Text), Exclude: globs(d.exclude.Text)}
	return o
}

func globs(s string) []string {
	var out []string
	for _, g := range strings.Split(s, ",") {
		if g = strings.TrimSpace(g); g != "" {
			out = append(out, g)
		}
	}
	return out
}

// SetDirection chooses a direction.
func (d *Dialog) SetDirection(dir dirsync.Direction) {
	for _, x := range directions {
		if x.d == dir {
			d.direction.SetSelected(x.words)
		}
	}
}

// SetDelete ticks or unticks "Delete".
func (d *Dialog) SetDelete(on bool) { d.del.SetChecked(on) }

// Plan returns the actions shown and whether each is checked.
func (d *Dialog) Plan() ([]dirsync.Action, []bool) { return d.plan, d.checked }

// SetChecked checks or unchecks action i.
func (d *Dialog) SetChecked(i int, on bool) {
	if i >= 0 && i < len(d.checked) && d.plan[i].Op != dirsync.OpConflict {
		d.checked[i] = on
		d.list.RefreshItem(i)
		d.showSummary()
	}
}

func (d *Dialog) replan() {
	o := d.Options()
	if o.Plan.Direction == "" {
		o.Plan.Direction = dirsync.Up
	}
	if err := o.Filter.Check(); err != nil {
		d.plan, d.checked = nil, nil
		d.summary.SetText("Filter: " + err.Error())
		d.summary.Importance = widget.DangerImportance
		d.summary.Refresh()
		d.list.Refresh()
		d.run.Disable()
		return
	}
	d.plan = dirsync.Plan(d.cmp.Filtered(o.Filter), o.Plan)
	d.checked = make([]bool, len(d.plan))
	for i, a := range d.plan {
		d.checked[i] = a.Op != dirsync.OpConflict
	}
	d.list.Refresh()
	d.showSummary()
}

func (d *Dialog) showSummary() {
	counts := map[dirsync.Op]int{}
	n := 0
	for i, a := range d.plan {
		if d.checked[i] || a.Op == dirsync.OpConflict {
			counts[a.Op]++
		}
		if d.checked[i] {
			n++
		}
	}
	var parts []string
	for _, x := range []struct {
		op         dirsync.Op
		noun, rest string
	}{{dirsync.OpUpload, "upload", ""}, {dirsync.OpDownload, "download", ""}, {dirsync.OpMkdirRemote, "folder", " to make on the server"},
		{dirsync.OpMkdirLocal, "folder", " to make here"}, {dirsync.OpDeleteRemote, "deletion", " on the server"}, {dirsync.OpDeleteLocal, "deletion", " here"},
		{dirsync.OpConflict, "conflict", " left alone"}} {
		if c := counts[x.op]; c > 0 {
			parts = append(parts, words.Plural(c, x.noun)+x.rest)
		}
	}
	text := "Nothing to do: the folders are in sync."
	if len(parts) > 0 {
		text = fmt.Sprintf("%s checked: %s.", words.Plural(n, "action"), strings.Join(parts, ", "))
	}
	d.summary.Importance = widget.MediumImportance
	d.summary.SetText(text)
	if n == 0 {
		d.run.Disable()
	} else {
		d.run.Enable()
	}
}

// row is one action of the checklist.
type row struct {
	check  *widget.Check
	icon   *widget.Icon
	label  *widget.Label
	reason *widget.Label
}

func (d *Dialog) newRow() fyne.CanvasObject {
	r := &row{check: widget.NewCheck("", nil), icon: widget.NewIcon(nil), label: widget.NewLabel(""), reason: widget.NewLabel("")}
	r.label.Truncation = fyne.TextTruncateEllipsis
	r.reason.Importance = widget.LowImportance
	rb := &rowBox{r: r, c: container.NewBorder(nil, nil, container.NewHBox(r.check, r.icon), r.reason, r.label)}
	rb.ExtendBaseWidget(rb)
	return rb
}

// rowBox is the checklist's row widget.
type rowBox struct {
	widget.BaseWidget
	r *row
	c *fyne.Container
}

// CreateRenderer draws the row's container.
func (b *rowBox) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(b.c) }

var opWords = map[dirsync.Op]string{
	dirsync.OpUpload: "Upload", dirsync.OpDownload: "Download", dirsync.OpMkdirRemote: "Make folder on the server",
	dirsync.OpMkdirLocal: "Make folder here", dirsync.OpDeleteRemote: "Delete on the server", dirsync.OpDeleteLocal: "Delete here",
	dirsync.OpConflict: "Conflict, left alone",
}

var opIcons = map[dirsync.Op]func() fyne.Resource{
	dirsync.OpUpload: theme.UploadIcon, dirsync.OpDownload: theme.DownloadIcon, dirsync.OpMkdirRemote: theme.FolderNewIcon,
	dirsync.OpMkdirLocal: theme.FolderNewIcon, dirsync.OpDeleteRemote: theme.DeleteIcon, dirsync.OpDeleteLocal: theme.DeleteIcon,
	dirsync.OpConflict: theme.WarningIcon,
}

func (d *Dialog) showRow(i widget.ListItemID, o fyne.CanvasObject) {
	r := o.(*rowBox).r
	if i < 0 || i >= len(d.plan) {
		return
	}
	a := d.plan[i]
	r.check.OnChanged = nil
	r.check.SetChecked(d.checked[i])
	if a.Op == dirsync.OpConflict {
		r.check.Disable()
	} else {
		r.check.Enable()
	}
	r.check.OnChanged = func(on bool) { d.SetChecked(i, on) }
	r.icon.SetResource(opIcons[a.Op]())
	r.label.SetText(opWords[a.Op] + "  " + a.Path)
	r.reason.SetText(a.Reason)
	o.(*rowBox).c.Refresh() // the reason's new width
}

// Confirm is the Synchronize button: with deletions checked it first
// asks again, listing every path that will go.
func (d *Dialog) Confirm() {
	var plan []dirsync.Action
	var gone []string
	for i, a := range d.plan {
		if !d.checked[i] {
			continue
		}
		plan = append(plan, a)
		switch a.Op {
		case dirsync.OpDeleteRemote:
			gone = append(gone, "on the server: "+a.Path)
		case dirsync.OpDeleteLocal:
			gone = append(gone, "here: "+a.Path)
		}
	}
	run := func() {
		d.Hide()
		if d.OnRun != nil {
			d.OnRun(plan, d.Options())
		}
	}
	if len(gone) == 0 {
		run()
		return
	}
	shown := gone
	if len(shown) > 15 {
		shown = append(append([]string{}, gone[:15]...), fmt.Sprintf("… and %d more", len(gone)-15))
	}
	msg := widget.NewLabel(fmt.Sprintf("%s will be deleted:\n%s", words.Plural(len(gone), "path"), strings.Join(shown, "\n")))
	d.confirm = dialog.NewCustomConfirm("Delete these?", "Delete and synchronize", "Cancel", msg, func(ok bool) {
		if ok {
			run()
		}
	}, d.win)
	d.confirm.Show()
}

// ConfirmDeletion answers the second confirmation (for tests and the
// keyboard): yes runs, no goes back to the dialog.
func (d *Dialog) ConfirmDeletion(yes bool) bool {
	if d.confirm == nil {
		return false
	}
	c := d.confirm
	d.confirm = nil
	if yes {
		c.Confirm()
	} else {
		c.Dismiss()
	}
	return true
}
