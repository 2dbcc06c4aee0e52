// Package browser is the file pane of Lockbox's main window, used twice side
// by side as in FileZilla: the local computer and the remote server. A pane
// shows one folder of a Source as a sortable table, with breadcrumbs, a path
// bar, a toolbar, a context menu and a status line, and lets the user move
// around, create, rename and delete, and hand entries to the main window to
// transfer.
//
// Threading: a pane's methods and fields are only used on the UI goroutine.
// Listing, sorting and every change to the source run on goroutines of
// their own and post their results back through the pane's do function
// (fyne.Do in production); a result that arrives after the user has moved
// on is dropped.
package browser

import (
	"context"
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// NotConnected is what a pane without a source shows.
const NotConnected = "Not connected"

// Pane is one file pane. Build it with New, place Content in the window and
// give it a folder with SetDir. Its methods must be called on the UI
// goroutine.
type Pane struct {
	// Content is the pane's widget tree, to be placed in the window.
	Content fyne.CanvasObject

	// OnActivate is called when the user double-clicks a file (or a link
	// that does not lead to a folder), or presses Enter on a selection that
	// is not a single folder: the main window transfers the entries.
	OnActivate func(entries []Entry)
	// OnTransfer is called by the transfer action of the toolbar and the
	// context menu (labelled by SetTransferLabel) with the selection.
	OnTransfer func(entries []Entry)
	// OnDragDrop is called when entries dragged from this pane are released
	// outside it, at an absolute position of the window's canvas, so that
	// the main window can ask the other pane whether it Contains that point.
	OnDragDrop func(entries []Entry, at fyne.Position)
	// OnDirChanged is called when the pane shows the listing of another
	// folder, so that the main window can remember it.
	OnDirChanged func(dir string)

	win fyne.Window
	do  func(func())
	loc *time.Location // the Modified column's time zone

	src     Source
	srcGen  int                // bumped by SetSource: results for an older source are dropped
	srcCtx  context.Context    // the current source's work...
	srcStop context.CancelFunc // ...cancelled by SetSource

	title         *widget.Label
	transfer      *widget.Button
	mkdir         *widget.Button
	rename        *widget.Button
	del           *widget.Button
	reload        *widget.Button
	up            *widget.Button
	path          *widget.Entry
	crumbs        *fyne.Container
	crumbScroll   *container.Scroll
	table         *fileTable
	placeholder   *widget.Label
	status        *widget.Label
	transferLabel string
	transferIcon  fyne.Resource

	dir      string  // the folder whose listing is shown; "" before the first
	rows     []Entry // shown, in display order; never changed in place
	summary  string  // the status line's description of rows
	key      sortKey
	listGen  int                // bumped by each listing asked for
	listStop context.CancelFunc // cancels the listing under way
	loading  bool
	sortGen  int // bumped by each sort asked for
	sorting  bool

	sel        map[string]bool // selected names
	anchor     int             // row a Shift range starts from; -1 if none
	cursor     int             // row the keyboard moves from; -1 if none
	pressed    bool            // a MouseDown already handled the press that the next Tapped reports
	collapseTo int             // row to select alone on MouseUp, when a press hit a multi-selection; -1 if none
	drag       *dragState

	marker Marker // marks rows (a comparison's differences); nil: none

	errText string // the error of the last operation, shown in red
	busy    string // what the operation under way is doing
	opGen   int    // bumped by each operation started
}

// New builds a pane titled title ("Local computer", "Remote server") that
// browses src (nil: not connected) and opens its dialogs and menus over
// win. do runs a function on the UI goroutine; nil means fyne.Do. The pane
// lists nothing until SetDir is called.
func New(title string, win fyne.Window, src Source, do func(func())) *Pane {
	if do == nil {
		do = fyne.Do
	}
	p := &Pane{
		win: win, do: do, loc: time.Local,
		sel: map[string]bool{}, anchor: -1, cursor: -1, collapseTo: -1,
		transferLabel: "Transfer", transferIcon: theme.MailSendIcon(),
	}
	p.title = widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.transfer = widget.NewButtonWithIcon(p.transferLabel, p.transferIcon, p.transferSelection)
	p.mkdir = widget.NewButtonWithIcon("", theme.FolderNewIcon(), p.askMakeDir)
	p.rename = widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), p.askRename)
	p.del = widget.NewButtonWithIcon("", theme.DeleteIcon(), p.askDelete)
	p.reload = widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), p.Refresh)
	p.up = widget.NewButtonWithIcon("", theme.MoveUpIcon(), p.GoUp)
	p.path = widget.NewEntry()
	p.path.SetPlaceHolder("Folder")
	p.path.OnSubmitted = p.goTyped
	p.crumbs = container.NewHBox()
	p.crumbScroll = container.NewHScroll(p.crumbs)
	p.table = newFileTable(p)
	p.placeholder = widget.NewLabel(NotConnected)
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord

	toolbar := container.NewHBox(p.transfer, p.mkdir, p.rename, p.del, p.reload)
	// One row for the title, the path and the actions, one for the crumbs:
	// the rows of the table get the rest.
	top := container.NewVBox(
		container.NewBorder(nil, nil, container.NewHBox(p.title, p.up), toolbar, p.path),
		p.crumbScroll,
	)
	body := container.NewStack(p.table, container.NewCenter(p.placeholder))
	p.Content = container.NewBorder(top, p.status, nil, nil, body)
	p.SetSource(src)
	return p
}

// SetSource makes the pane browse src, or nothing when src is nil: the
// pane then says "Not connected" and its actions are disabled. Work under
// way for the previous source is cancelled and its results dropped. The
// pane lists nothing until SetDir is called.
func (p *Pane) SetSource(src Source) {
	if p.srcStop != nil {
		p.srcStop()
	}
	p.src = src
	p.srcGen++
	p.listGen++
	p.sortGen++
	p.srcCtx, p.srcStop = context.WithCancel(context.Background())
	p.listStop = nil
	p.loading, p.sorting = false, false
	p.dir, p.errText, p.busy = "", "", ""
	p.sel = map[string]bool{}
	p.setRows(nil)
	p.path.SetText("")
	p.showCrumbs()
	if src == nil {
		p.table.Hide()
		p.placeholder.Show()
	} else {
		p.placeholder.Hide()
		p.table.Show()
	}
	p.updateState()
}

// Source returns what the pane browses; nil when not connected.
func (p *Pane) Source() Source { return p.src }

// SetDir lists folder dir and shows it once listed. If dir cannot be listed
// the pane stays where it was and shows why. Nothing happens when the pane
// is not connected.
func (p *Pane) SetDir(dir string) {
	if p.src == nil || dir == "" {
		return
	}
	p.load(dir, loadOpts{})
}

// Dir returns the folder whose listing is shown ("" before the first).
func (p *Pane) Dir() string { return p.dir }

// Refresh lists the folder shown again, keeping the selection of the
// entries still there.
func (p *Pane) Refresh() {
	if p.src == nil || p.dir == "" {
		return
	}
	p.load(p.dir, loadOpts{})
}

// GoUp shows the folder holding the one shown, with the folder it came
// from selected.
func (p *Pane) GoUp() {
	if p.src == nil || p.dir == "" {
		return
	}
	parent := p.src.Parent(p.dir)
	if parent == p.dir {
		return
	}
	var from string
	if cs := p.src.Crumbs(p.dir); len(cs) > 0 {
		from = cs[len(cs)-1].Label
	}
	p.load(parent, loadOpts{selectName: from})
}

// Selected returns the selected entries in display order.
func (p *Pane) Selected() []Entry {
	if len(p.sel) == 0 {
		return nil
	}
	out := make([]Entry, 0, len(p.sel))
	for _, e := range p.rows {
		if p.sel[e.Name] {
			out = append(out, e)
		}
	}
	return out
}

// SetTransferLabel names the transfer action of the toolbar and the context
// menu: "Download" on the remote pane, "Upload" on the local one.
func (p *Pane) SetTransferLabel(label string) {
	p.transferLabel = label
	p.transfer.SetText(label)
}

// SetTransferIcon sets the icon of the transfer action (theme.DownloadIcon,
// theme.UploadIcon).
func (p *Pane) SetTransferIcon(icon fyne.Resource) {
	p.transferIcon = icon
	p.transfer.SetIcon(icon)
}

// Contains says whether pos, an absolute position on the window's canvas
// (as window.SetOnDropped and OnDragDrop give it), is inside the pane: the
// main window routes a drop to the pane under the pointer, into its Dir.
func (p *Pane) Contains(pos fyne.Position) bool {
	if !p.Content.Visible() {
		return false
	}
	d := fyne.CurrentApp().Driver()
	if d.CanvasForObject(p.Content) == nil {
		return false
	}
	o, s := d.AbsolutePositionForObject(p.Content), p.Content.Size()
	return pos.X >= o.X && pos.Y >= o.Y && pos.X < o.X+s.Width && pos.Y < o.Y+s.Height
}

// loadOpts says what to do once a listing arrives.
type loadOpts struct {
	selectName string // select this entry (a folder just created, the folder we came up from)
	keepErr    bool   // keep the error of the operation that asked for the listing
}

// load lists dir off the UI goroutine. The listing is sorted there too, by
// the order in effect now; a listing asked for later, or a change of
// source, makes this one stale and it is dropped.
func (p *Pane) load(dir string, o loadOpts) {
	if p.listStop != nil {
		p.listStop()
	}
	p.listGen++
	gen, src, key, do := p.listGen, p.src, p.key, p.do
	ctx, stop := context.WithCancel(p.srcCtx)
	p.listStop = stop
	p.loading = true
	if !o.keepErr {
		p.errText = ""
	}
	p.path.SetText(dir)
	p.updateState()
	go func() {
		es, err := src.List(ctx, dir)
		es = slices.DeleteFunc(es, func(e Entry) bool { return e.Name == "" || e.Name == "." || e.Name == ".." })
		if err == nil {
			sortEntries(es, key)
		}
		do(func() {
			if gen != p.listGen {
				return
			}
			stop()
			p.listStop = nil
			p.loading = false
			p.showListing(dir, es, key, err, o)
		})
	}()
}

// showListing shows the listing of dir that load asked for, or why there
// is none.
func (p *Pane) showListing(dir string, es []Entry, key sortKey, err error, o loadOpts) {
	if err != nil {
		if p.dir != "" && dir != p.dir {
			p.path.SetText(p.dir) // stay in the folder shown
		} else {
			p.dir = dir
			p.setRows(nil)
			p.showCrumbs()
		}
		p.errText = fmt.Sprintf("Could not open %s: %s", dir, reason(err))
		p.sorting = false
		p.updateState()
		return
	}
	entered := dir != p.dir
	p.dir = dir
	if entered {
		p.sel = map[string]bool{}
		p.anchor, p.cursor = -1, -1
		p.table.ScrollToTop()
	}
	p.setRows(es)
	p.showCrumbs()
	p.path.SetText(dir)
	if i := p.indexOf(o.selectName); i >= 0 {
		p.selectOnly(i)
		p.table.ScrollTo(widget.TableCellID{Row: i})
	}
	if key != p.key {
		p.resort() // the order changed while the listing was under way
	} else {
		p.sorting = false
	}
	p.updateState()
	if entered && p.OnDirChanged != nil {
		p.OnDirChanged(dir)
	}
}

// setRows shows rows, keeping the selection, anchor and cursor on the
// entries still there.
func (p *Pane) setRows(rows []Entry) {
	cursorName, anchorName := p.nameAt(p.cursor), p.nameAt(p.anchor)
	p.rows = rows
	p.summary = summarize(rows)
	p.cursor, p.anchor = -1, -1
	keep := make(map[string]bool, len(p.sel))
	for i, e := range rows {
		if len(p.sel) > 0 && p.sel[e.Name] {
			keep[e.Name] = true
		}
		if e.Name == cursorName {
			p.cursor = i
		}
		if e.Name == anchorName {
			p.anchor = i
		}
	}
	p.sel = keep
	p.table.Refresh()
	p.updateState()
}

// sortBy sorts by col, or reverses the order if it already sorts by col.
func (p *Pane) sortBy(col column) {
	if p.key.col == col {
		p.key.desc = !p.key.desc
	} else {
		p.key = sortKey{col: col}
	}
	p.table.Refresh() // the headers' indicator
	if p.src == nil || p.loading {
		return // a listing under way is sorted again when it arrives
	}
	p.resort()
}

// resort sorts a copy of the rows by the current order off the UI
// goroutine (100,000 names take a tenth of a second) and shows it, unless
// another sort or listing was asked for meanwhile.
func (p *Pane) resort() {
	p.sortGen++
	p.sorting = true
	gen, listGen, key, rows, do := p.sortGen, p.listGen, p.key, p.rows, p.do
	go func() {
		sorted := slices.Clone(rows)
		sortEntries(sorted, key)
		do(func() {
			if gen != p.sortGen || listGen != p.listGen {
				return
			}
			p.sorting = false
			p.setRows(sorted)
			if p.cursor >= 0 {
				p.table.ScrollTo(widget.TableCellID{Row: p.cursor})
			}
		})
	}()
}

// goTyped goes to the folder typed into the path bar.
func (p *Pane) goTyped(typed string) {
	if p.src == nil {
		return
	}
	p.SetDir(p.src.Resolve(p.dir, typed))
}

// showCrumbs rebuilds the breadcrumbs bar for the folder shown and scrolls
// it to its end, where the folder itself is.
func (p *Pane) showCrumbs() {
	var objs []fyne.CanvasObject
	if p.src != nil && p.dir != "" {
		cs := p.src.Crumbs(p.dir)
		for i, c := range cs {
			if i > 0 {
				objs = append(objs, widget.NewLabel("›"))
			}
			to := c.Path
			b := widget.NewButton(c.Label, func() { p.SetDir(to) })
			b.Importance = widget.LowImportance
			if i == len(cs)-1 {
				b.Importance = widget.MediumImportance
			}
			objs = append(objs, b)
		}
	}
	p.crumbs.Objects = objs
	p.crumbs.Refresh()
	p.crumbs.Resize(p.crumbs.MinSize())
	p.crumbScroll.ScrollToOffset(fyne.NewPos(p.crumbs.MinSize().Width, 0))
}

// updateState enables the actions that apply and shows the status line.
func (p *Pane) updateState() {
	listed := p.src != nil && p.dir != ""
	n := len(p.sel)
	enable(p.transfer, listed && n > 0)
	enable(p.mkdir, listed)
	enable(p.rename, listed && n == 1)
	enable(p.del, listed && n > 0)
	enable(p.reload, listed)
	enable(p.up, listed && p.src.Parent(p.dir) != p.dir)
	enable(p.path, p.src != nil)

	text, imp := p.statusText()
	if p.status.Text != text || p.status.Importance != imp {
		p.status.Text, p.status.Importance = text, imp
		p.status.Refresh()
	}
}

// statusText is the status line: why nothing is shown, the error of the
// last operation, what is under way, or a summary of the folder.
func (p *Pane) statusText() (string, widget.Importance) {
	switch {
	case p.src == nil:
		return "", widget.MediumImportance // the table's place says it
	case p.errText != "":
		return p.errText, widget.DangerImportance
	case p.busy != "":
		return p.busy, widget.MediumImportance
	case p.loading:
		return "Loading…", widget.MediumImportance
	case p.dir == "":
		return "", widget.MediumImportance
	}
	if n := len(p.sel); n > 0 {
		return fmt.Sprintf("%s · %d selected", p.summary, n), widget.MediumImportance
	}
	return p.summary, widget.MediumImportance
}

// enable enables or disables w, refreshing it only when that changes.
func enable(w fyne.Disableable, on bool) {
	switch {
	case on && w.Disabled():
		w.Enable()
	case !on && !w.Disabled():
		w.Disable()
	}
}

// nameAt is the name of row i, or "" if there is no such row.
func (p *Pane) nameAt(i int) string {
	if i < 0 || i >= len(p.rows) {
		return ""
	}
	return p.rows[i].Name
}

// indexOf is the row of the entry called name, or -1.
func (p *Pane) indexOf(name string) int {
	if name == "" {
		return -1
	}
	return slices.IndexFunc(p.rows, func(e Entry) bool { return e.Name == name })
}
