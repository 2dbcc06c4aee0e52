package browser

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/ui/units"
)

// fixedWidths are the widths of the columns after Name, which takes what
// is left of the pane's width.
var fixedWidths = [numColumns]float32{colSize: 90, colModified: 140, colPerm: 115}

// minNameWidth is the narrowest the Name column gets in a narrow pane; the
// table scrolls sideways then.
const minNameWidth = 160

// fileTable is the pane's table. Fyne's Table only creates the cells that
// are visible, so a folder of 100,000 entries costs a screenful of widgets.
// Selection is by whole rows and the pane's (Table's own is by cell), so
// the cells take the clicks; the table takes the keyboard.
type fileTable struct {
	widget.Table
	p         *Pane
	nameWidth float32
	rowHeight float32
}

var (
	_ fyne.Focusable         = (*fileTable)(nil)
	_ fyne.Shortcutable      = (*fileTable)(nil)
	_ fyne.SecondaryTappable = (*fileTable)(nil)
)

func newFileTable(p *Pane) *fileTable {
	t := &fileTable{p: p}
	t.Length = func() (int, int) { return len(p.rows), int(numColumns) }
	t.CreateCell = func() fyne.CanvasObject { return newCell(p) }
	t.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) { o.(*cell).show(id) }
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject { return newHeaderCell(p) }
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) { o.(*headerCell).show(column(id.Col)) }
	t.ExtendBaseWidget(t)
	for c := colSize; c < numColumns; c++ {
		t.SetColumnWidth(int(c), fixedWidths[c])
	}
	t.nameWidth = minNameWidth
	t.SetColumnWidth(int(colName), minNameWidth)
	return t
}

// Resize gives the Name column the width the other columns leave.
func (t *fileTable) Resize(s fyne.Size) {
	th := t.Theme()
	pad := th.Size(theme.SizeNamePadding)
	w := s.Width - th.Size(theme.SizeNameScrollBar) - pad*float32(numColumns)
	for _, f := range fixedWidths {
		w -= f
	}
	w = max(w, minNameWidth)
	if w != t.nameWidth {
		t.nameWidth = w
		t.SetColumnWidth(int(colName), w)
	}
	t.Table.Resize(s)
}

// FocusGained is the table's, without Table's focused-cell marker: the
// selected rows show where the keyboard acts.
func (t *fileTable) FocusGained() {}

// FocusLost is the counterpart of FocusGained.
func (t *fileTable) FocusLost() {}

// Tapped on the table outside any row only takes the keyboard focus.
func (t *fileTable) Tapped(*fyne.PointEvent) { t.p.focusTable() }

// TappedSecondary outside any row opens the context menu for the folder
// itself: nothing stays selected.
func (t *fileTable) TappedSecondary(ev *fyne.PointEvent) {
	t.p.focusTable()
	t.p.clearSelection()
	t.p.showMenu(ev.AbsolutePosition)
}

// TypedKey moves through the rows and acts on the selection as file
// managers do: arrows, Page Up/Down, Home/End (with Shift to extend),
// Enter opens, Backspace goes up, Delete, F2 renames, F5 refreshes, Escape
// clears the selection.
func (t *fileTable) TypedKey(ev *fyne.KeyEvent) {
	p := t.p
	switch ev.Name {
	case fyne.KeyUp:
		p.moveCursor(p.cursor - 1)
	case fyne.KeyDown:
		p.moveCursor(p.cursor + 1)
	case fyne.KeyPageUp:
		p.moveCursor(p.cursor - t.pageRows())
	case fyne.KeyPageDown:
		p.moveCursor(p.cursor + t.pageRows())
	case fyne.KeyHome:
		p.moveCursor(0)
	case fyne.KeyEnd:
		p.moveCursor(len(p.rows) - 1)
	case fyne.KeyReturn, fyne.KeyEnter:
		p.activateSelection()
	case fyne.KeyBackspace:
		p.GoUp()
	case fyne.KeyDelete:
		p.askDelete()
	case fyne.KeyF2:
		p.askRename()
	case fyne.KeyF5:
		p.Refresh()
	case fyne.KeyEscape:
		p.clearSelection()
	}
}

// TypedRune selects the next entry whose name starts with r.
func (t *fileTable) TypedRune(r rune) { t.p.jumpTo(r) }

// TypedShortcut handles Select all and Copy (the selected paths).
func (t *fileTable) TypedShortcut(s fyne.Shortcut) {
	switch s.(type) {
	case *fyne.ShortcutSelectAll:
		t.p.selectAll()
	case *fyne.ShortcutCopy:
		t.p.copyPaths()
	}
}

// pageRows is how many rows Page Up and Page Down move: a screenful less
// one.
func (t *fileTable) pageRows() int {
	if t.rowHeight == 0 {
		t.rowHeight = newCell(t.p).MinSize().Height + t.Theme().Size(theme.SizeNamePadding)
	}
	return max(1, int(t.Size().Height/t.rowHeight)-1)
}

// cell is one cell of a row: an icon (Name column only) and a text, on the
// selection colour when its row is selected. It takes the row's clicks.
type cell struct {
	widget.BaseWidget
	p    *Pane
	row  int
	col  column
	bg   *canvas.Rectangle
	icon *widget.Icon
	mark *widget.Icon // the row's mark (Name column), beside the entry's icon
	text *widget.Label
}

var (
	_ fyne.Tappable          = (*cell)(nil)
	_ fyne.DoubleTappable    = (*cell)(nil)
	_ fyne.SecondaryTappable = (*cell)(nil)
	_ fyne.Draggable         = (*cell)(nil)
	_ desktop.Mouseable      = (*cell)(nil)
	_ desktop.Hoverable      = (*cell)(nil)
)

func newCell(p *Pane) *cell {
	c := &cell{p: p, row: -1, bg: canvas.NewRectangle(color.Transparent), icon: widget.NewIcon(nil), mark: widget.NewIcon(nil), text: widget.NewLabel("")}
	c.text.Truncation = fyne.TextTruncateEllipsis
	c.bg.Hide()
	c.mark.Hide()
	c.ExtendBaseWidget(c)
	return c
}

// CreateRenderer lays the icon left of the text, over the background.
func (c *cell) CreateRenderer() fyne.WidgetRenderer {
	return &cellRenderer{c: c, objects: []fyne.CanvasObject{c.bg, c.icon, c.mark, c.text}}
}

// MinSize is the renderer's, its height rounded up to a whole number: Fyne's
// Table finds a row's position (ScrollTo, ScrollToBottom) by adding the
// row heights one by one in float32, which drifts by dozens of rows over
// 100,000 fractional heights, whereas whole numbers add exactly.
func (c *cell) MinSize() fyne.Size {
	s := c.BaseWidget.MinSize()
	s.Height = float32(math.Ceil(float64(s.Height)))
	return s
}

// cellRenderer lays out a cell: the icon (when shown) then the text, over
// a background that spreads over half the gap to each neighbouring cell so
// that a selected row reads as one band.
type cellRenderer struct {
	c       *cell
	objects []fyne.CanvasObject
}

func (r *cellRenderer) Layout(s fyne.Size) {
	c := r.c
	pad := c.Theme().Size(theme.SizeNamePadding)
	c.bg.Move(fyne.NewPos(-pad/2, -pad/2))
	c.bg.Resize(fyne.NewSize(s.Width+pad, s.Height+pad))
	x := float32(0)
	if c.icon.Visible() {
		is := c.icon.MinSize()
		c.icon.Move(fyne.NewPos(pad, (s.Height-is.Height)/2))
		c.icon.Resize(is)
		x = pad + is.Width
	}
	if c.mark.Visible() {
		ms := c.mark.MinSize()
		c.mark.Move(fyne.NewPos(x+pad/2, (s.Height-ms.Height)/2))
		c.mark.Resize(ms)
		x += pad/2 + ms.Width
	}
	c.text.Move(fyne.NewPos(x, 0))
	c.text.Resize(fyne.NewSize(s.Width-x, s.Height))
}

func (r *cellRenderer) MinSize() fyne.Size {
	c := r.c
	ts, is := c.text.MinSize(), c.icon.MinSize()
	return fyne.NewSize(c.Theme().Size(theme.SizeNamePadding)+is.Width+ts.Width, max(ts.Height, is.Height))
}

func (r *cellRenderer) Refresh() {
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *cellRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *cellRenderer) Destroy() {}

// show fills the cell with column id.Col of row id.Row.
func (c *cell) show(id widget.TableCellID) {
	c.row, c.col = id.Row, column(id.Col)
	var e Entry
	known := id.Row >= 0 && id.Row < len(c.p.rows)
	if known {
		e = c.p.rows[id.Row]
	}

	var mark Mark
	marked := false
	if known && c.p.marker != nil {
		mark, marked = c.p.marker(c.p.dir, e)
	}
	switch {
	case known && c.p.sel[e.Name]:
		c.bg.FillColor = theme.Color(theme.ColorNameSelection)
		c.bg.Show()
		c.bg.Refresh()
	case marked && mark.Color != nil:
		c.bg.FillColor = mark.Color
		c.bg.Show()
		c.bg.Refresh()
	default:
		c.bg.Hide()
	}
	if withMark := marked && mark.Icon != nil && c.col == colName; withMark != c.mark.Visible() || withMark && c.mark.Resource != mark.Icon {
		if withMark {
			c.mark.SetResource(mark.Icon)
			c.mark.Show()
		} else {
			c.mark.Hide()
		}
		c.Refresh()
	}

	// Cells move between columns as the table scrolls: only the Name
	// column has an icon, and the text moves when it comes or goes.
	if withIcon := known && c.col == colName; withIcon != c.icon.Visible() {
		if withIcon {
			c.icon.Show()
		} else {
			c.icon.Hide()
		}
		c.Refresh()
	}

	align := fyne.TextAlignLeading
	var text string
	switch {
	case !known:
	case c.col == colName:
		c.icon.SetResource(entryIcon(e))
		text = e.Name
	case c.col == colSize:
		align = fyne.TextAlignTrailing
		if !e.Dir {
			text = units.Bytes(e.Size)
		}
	case c.col == colModified:
		text = formatTime(e.ModTime, c.p.loc)
	case c.col == colPerm:
		text = e.Perm
	}
	if c.text.Text != text || c.text.Alignment != align {
		c.text.Alignment = align
		c.text.SetText(text)
	}
}

// entryIcon is the icon of the Name column: a folder, a file, or a link
// to a file.
func entryIcon(e Entry) fyne.Resource {
	switch {
	case e.Dir:
		return theme.FolderIcon()
	case e.Link:
		return theme.MailForwardIcon()
	}
	return theme.FileIcon()
}

// MouseDown selects at once on a desktop, with Ctrl and Shift, rather than
// after the double-click delay Fyne waits before Tapped.
func (c *cell) MouseDown(ev *desktop.MouseEvent) {
	c.p.focusTable()
	switch ev.Button {
	case desktop.MouseButtonPrimary:
		c.p.pressed = true
		c.p.press(c.row, ev.Modifier)
	case desktop.MouseButtonSecondary:
		c.p.pressSecondary(c.row)
	}
}

// MouseUp ends a press on a row of a multi-selection that did not become a
// drag: that row alone is selected then.
func (c *cell) MouseUp(*desktop.MouseEvent) { c.p.release(c.row) }

// Tapped selects the row when no MouseDown did (touch screens, tests).
func (c *cell) Tapped(*fyne.PointEvent) {
	c.p.focusTable()
	if c.p.pressed {
		c.p.pressed = false
		return
	}
	if c.row >= 0 && c.row < len(c.p.rows) {
		c.p.selectOnly(c.row)
	}
}

// DoubleTapped enters a folder or activates a file.
func (c *cell) DoubleTapped(*fyne.PointEvent) {
	c.p.pressed = false
	c.p.activateRow(c.row)
}

// TappedSecondary opens the context menu for the selection, the row
// clicked being part of it.
func (c *cell) TappedSecondary(ev *fyne.PointEvent) {
	c.p.focusTable()
	c.p.pressSecondary(c.row)
	c.p.showMenu(ev.AbsolutePosition)
}

// Dragged drags the selection (or the row, if it was not selected) out of
// the pane.
func (c *cell) Dragged(ev *fyne.DragEvent) { c.p.dragMove(c.row, ev) }

// DragEnd drops what was dragged.
func (c *cell) DragEnd() { c.p.dragEnd() }

// MouseIn is the cell's so that the table does not highlight one cell of
// the row under the pointer.
func (c *cell) MouseIn(*desktop.MouseEvent) {}

// MouseMoved: see MouseIn.
func (c *cell) MouseMoved(*desktop.MouseEvent) {}

// MouseOut: see MouseIn.
func (c *cell) MouseOut() {}

// headerCell is a column header: its title and, on the column the rows are
// sorted by, an arrow up (ascending) or down. A click sorts by the column.
type headerCell struct {
	widget.BaseWidget
	p     *Pane
	col   column
	label *widget.Label
	arrow *widget.Icon
}

var _ fyne.Tappable = (*headerCell)(nil)

func newHeaderCell(p *Pane) *headerCell {
	h := &headerCell{p: p, label: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), arrow: widget.NewIcon(nil)}
	h.label.Truncation = fyne.TextTruncateEllipsis
	h.ExtendBaseWidget(h)
	return h
}

// CreateRenderer puts the arrow at the right of the title.
func (h *headerCell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil, h.arrow, h.label))
}

// MinSize rounds the height up, as the cells' (see cell.MinSize).
func (h *headerCell) MinSize() fyne.Size {
	s := h.BaseWidget.MinSize()
	s.Height = float32(math.Ceil(float64(s.Height)))
	return s
}

// show shows the header of col.
func (h *headerCell) show(col column) {
	h.col = col
	if col < 0 || col >= numColumns {
		return
	}
	h.label.SetText(columnTitles[col])
	if h.p.key.col != col {
		h.arrow.Hide()
		return
	}
	if h.p.key.desc {
		h.arrow.SetResource(theme.MenuDropDownIcon())
	} else {
		h.arrow.SetResource(theme.MenuDropUpIcon())
	}
	h.arrow.Show()
}

// Tapped sorts by the column, or reverses the order if it already does.
func (h *headerCell) Tapped(*fyne.PointEvent) { h.p.sortBy(h.col) }
