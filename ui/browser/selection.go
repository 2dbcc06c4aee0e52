package browser

import (
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// focusTable gives the keyboard to the table.
func (p *Pane) focusTable() {
	if p.win != nil && p.table.Visible() {
		p.win.Canvas().Focus(p.table)
	}
}

// press is a primary-button press on row with modifiers: Ctrl (Cmd)
// toggles the row, Shift selects from the anchor to it, a plain press
// selects it alone, except on a row of a multi-selection, which stays
// selected until the button is released so that it can be dragged.
func (p *Pane) press(row int, mods fyne.KeyModifier) {
	p.collapseTo = -1
	if row < 0 || row >= len(p.rows) {
		return
	}
	toggle := mods&(fyne.KeyModifierControl|fyne.KeyModifierSuper) != 0
	extend := mods&fyne.KeyModifierShift != 0
	switch {
	case extend:
		p.selectRange(row, toggle)
	case toggle:
		name := p.rows[row].Name
		if p.sel[name] {
			delete(p.sel, name)
		} else {
			p.sel[name] = true
		}
		p.anchor, p.cursor = row, row
		p.selectionChanged()
	case p.sel[p.rows[row].Name] && len(p.sel) > 1:
		p.collapseTo = row
		p.anchor, p.cursor = row, row
	default:
		p.selectOnly(row)
	}
}

// release ends a press on row; see press.
func (p *Pane) release(row int) {
	if p.collapseTo == row && (p.drag == nil || !p.drag.active) && row < len(p.rows) {
		p.selectOnly(row)
	}
	p.collapseTo = -1
}

// pressSecondary is a right-click on row: an unselected row becomes the
// selection, a selected one keeps the selection it is part of.
func (p *Pane) pressSecondary(row int) {
	if row < 0 || row >= len(p.rows) {
		return
	}
	if !p.sel[p.rows[row].Name] {
		p.selectOnly(row)
	}
}

// selectOnly selects row alone.
func (p *Pane) selectOnly(row int) {
	if row < 0 || row >= len(p.rows) {
		return
	}
	p.sel = map[string]bool{p.rows[row].Name: true}
	p.anchor, p.cursor = row, row
	p.selectionChanged()
}

// selectRange selects the rows from the anchor to row, added to the
// selection when add is set, replacing it otherwise. The anchor stays.
func (p *Pane) selectRange(row int, add bool) {
	anchor := p.anchor
	if anchor < 0 || anchor >= len(p.rows) {
		anchor = row
	}
	if !add {
		p.sel = map[string]bool{}
	}
	for i := min(anchor, row); i <= max(anchor, row); i++ {
		p.sel[p.rows[i].Name] = true
	}
	p.anchor, p.cursor = anchor, row
	p.selectionChanged()
}

// selectAll selects every row.
func (p *Pane) selectAll() {
	p.sel = make(map[string]bool, len(p.rows))
	for _, e := range p.rows {
		p.sel[e.Name] = true
	}
	p.selectionChanged()
}

// clearSelection selects nothing.
func (p *Pane) clearSelection() {
	if len(p.sel) == 0 {
		return
	}
	p.sel = map[string]bool{}
	p.selectionChanged()
}

// selectionChanged redraws the rows and the actions after the selection
// changed.
func (p *Pane) selectionChanged() {
	p.table.Refresh()
	p.updateState()
}

// moveCursor moves the keyboard to row (clamped): it becomes the
// selection, or with Shift held, the end of a range from the anchor.
func (p *Pane) moveCursor(row int) {
	if len(p.rows) == 0 {
		return
	}
	row = max(0, min(row, len(p.rows)-1))
	if modifiers()&fyne.KeyModifierShift != 0 && p.anchor >= 0 {
		p.selectRange(row, false)
	} else {
		p.selectOnly(row)
	}
	p.table.ScrollTo(widget.TableCellID{Row: row})
}

// modifiers are the modifier keys held now, where the driver knows them.
func modifiers() fyne.KeyModifier {
	if d, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok {
		return d.CurrentKeyModifiers()
	}
	return 0
}

// jumpTo selects the next row after the cursor whose name starts with r,
// whatever its case, going round to the top.
func (p *Pane) jumpTo(r rune) {
	n := len(p.rows)
	want := unicode.ToLower(r)
	for k := 1; k <= n; k++ {
		i := (p.cursor + k) % n
		if i < 0 {
			i += n
		}
		first, _ := utf8.DecodeRuneInString(p.rows[i].Name)
		if unicode.ToLower(first) == want {
			p.selectOnly(i)
			p.table.ScrollTo(widget.TableCellID{Row: i})
			return
		}
	}
}
