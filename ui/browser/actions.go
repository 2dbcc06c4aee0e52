package browser

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/words"
)

// activateRow is a double-click on row: a folder is entered, anything
// else goes to OnActivate.
func (p *Pane) activateRow(row int) {
	if p.src == nil || row < 0 || row >= len(p.rows) {
		return
	}
	p.selectOnly(row)
	e := p.rows[row]
	if e.Dir {
		p.SetDir(p.src.Join(p.dir, e.Name))
		return
	}
	if p.OnActivate != nil {
		p.OnActivate([]Entry{e})
	}
}

// activateSelection is Enter: a single folder is entered, anything else
// goes to OnActivate.
func (p *Pane) activateSelection() {
	sel := p.Selected()
	switch {
	case p.src == nil || len(sel) == 0:
	case len(sel) == 1 && sel[0].Dir:
		p.SetDir(p.src.Join(p.dir, sel[0].Name))
	case p.OnActivate != nil:
		p.OnActivate(sel)
	}
}

// transferSelection is the transfer action.
func (p *Pane) transferSelection() {
	if sel := p.Selected(); len(sel) > 0 && p.src != nil && p.OnTransfer != nil {
		p.OnTransfer(sel)
	}
}

// showMenu opens the context menu at pos, an absolute canvas position.
func (p *Pane) showMenu(pos fyne.Position) {
	if p.src == nil || p.win == nil {
		return
	}
	widget.ShowPopUpMenuAtPosition(p.contextMenu(), p.win.Canvas(), pos)
}

// contextMenu is the menu for the selection (or the folder, with nothing
// selected); what does not apply is disabled.
func (p *Pane) contextMenu() *fyne.Menu {
	sel := p.Selected()
	listed := p.src != nil && p.dir != ""
	item := func(label string, icon fyne.Resource, on bool, action func()) *fyne.MenuItem {
		it := fyne.NewMenuItemWithIcon(label, icon, action)
		it.Disabled = !on
		return it
	}
	oneDir := len(sel) == 1 && sel[0].Dir
	return fyne.NewMenu("",
		item(p.transferLabel, p.transferIcon, listed && len(sel) > 0, p.transferSelection),
		item("Open", theme.FolderOpenIcon(), listed && oneDir, p.activateSelection),
		fyne.NewMenuItemSeparator(),
		item("New folder…", theme.FolderNewIcon(), listed, p.askMakeDir),
		item("Rename…", theme.DocumentCreateIcon(), listed && len(sel) == 1, p.askRename),
		item("Delete…", theme.DeleteIcon(), listed && len(sel) > 0, p.askDelete),
		fyne.NewMenuItemSeparator(),
		item("Refresh", theme.ViewRefreshIcon(), listed, p.Refresh),
		item("Copy path", theme.ContentCopyIcon(), listed, p.copyPaths),
	)
}

// askMakeDir asks for the name of a new folder in the folder shown.
func (p *Pane) askMakeDir() {
	if p.src == nil || p.dir == "" {
		return
	}
	src, dir, gen := p.src, p.dir, p.srcGen
	p.askName("New folder", "Create", "", "Created in "+dir, func(name string) error {
		return p.checkNewName(src, dir, name, "")
	}, func(name string) {
		p.operate(fmt.Sprintf("Creating folder %q…", name), gen, dir, func(ctx context.Context) (string, string) {
			if err := src.MakeDir(ctx, dir, name); err != nil {
				return "", fmt.Sprintf("Could not create folder %q: %s", name, reason(err))
			}
			return name, ""
		})
	})
}

// askRename asks for the new name of the one entry selected.
func (p *Pane) askRename() {
	sel := p.Selected()
	if p.src == nil || p.dir == "" || len(sel) != 1 {
		return
	}
	src, dir, gen, old := p.src, p.dir, p.srcGen, sel[0].Name
	p.askName("Rename", "Rename", old, "In "+dir, func(name string) error {
		return p.checkNewName(src, dir, name, old)
	}, func(name string) {
		p.operate(fmt.Sprintf("Renaming %q…", old), gen, dir, func(ctx context.Context) (string, string) {
			if err := src.Rename(ctx, dir, old, name); err != nil {
				return "", fmt.Sprintf("Could not rename %q to %q: %s", old, name, reason(err))
			}
			return name, ""
		})
	})
}

// checkNewName says why name cannot be given to an entry of dir now
// called old ("" for a new one). Names already in dir are refused while
// the pane shows it; the source has the last word.
func (p *Pane) checkNewName(src Source, dir, name, old string) error {
	if err := src.CheckName(name); err != nil {
		return err
	}
	if name == old {
		return errors.New("that is its name already")
	}
	if p.dir == dir && p.indexOf(name) >= 0 {
		return fmt.Errorf("%q is already in this folder", name)
	}
	return nil
}

// askName opens a dialog asking for a name, which check must accept
// before confirm can be pressed; done gets it.
func (p *Pane) askName(title, confirm, initial, hint string, check func(string) error, done func(string)) {
	if p.win == nil {
		return
	}
	entry := widget.NewEntry()
	entry.SetText(initial)
	entry.Validator = check
	item := widget.NewFormItem("Name", entry)
	item.HintText = hint
	d := dialog.NewForm(title, confirm, "Cancel", []*widget.FormItem{item}, func(ok bool) {
		if ok {
			done(entry.Text)
		}
	}, p.win)
	entry.OnSubmitted = func(string) { d.Submit() }
	d.Resize(fyne.NewSize(420, d.MinSize().Height))
	d.Show()
	p.win.Canvas().Focus(entry)
}

// askDelete asks whether to delete the selection, naming it, then
// deletes it.
func (p *Pane) askDelete() {
	sel := p.Selected()
	if p.src == nil || p.dir == "" || len(sel) == 0 || p.win == nil {
		return
	}
	src, dir, gen := p.src, p.dir, p.srcGen
	d := dialog.NewConfirm("Delete", deleteQuestion(sel), func(ok bool) {
		if !ok {
			return
		}
		busy := fmt.Sprintf("Deleting %d items…", len(sel))
		if len(sel) == 1 {
			busy = fmt.Sprintf("Deleting %q…", sel[0].Name)
		}
		p.operate(busy, gen, dir, func(ctx context.Context) (string, string) {
			return "", deleteAll(ctx, src, dir, sel)
		})
	}, p.win)
	d.SetConfirmText("Delete")
	d.SetDismissText("Cancel")
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

// deleteAll deletes es from dir, going on after a failure, and says what
// failed ("" if nothing did).
func deleteAll(ctx context.Context, src Source, dir string, es []Entry) string {
	failed := 0
	var first string
	for _, e := range es {
		if ctx.Err() != nil {
			failed++
			continue
		}
		if err := src.Delete(ctx, dir, e); err != nil {
			failed++
			if first == "" {
				first = fmt.Sprintf("%q: %s", e.Name, reason(err))
			}
		}
	}
	switch {
	case failed == 0:
		return ""
	case first == "":
		return fmt.Sprintf("Deleted %d of %d items before the connection ended", len(es)-failed, len(es))
	case len(es) == 1:
		return "Could not delete " + first
	}
	return fmt.Sprintf("Could not delete %d of %d items; %s", failed, len(es), first)
}

// operate runs op off the UI goroutine, saying busy meanwhile. srcGen is
// the source the user was asked about: if it changed before the answer,
// nothing is done. op returns the entry to select afterwards and the error
// to show ("" if none); dir is listed again if it is still shown. A change
// of source while op runs drops its result.
func (p *Pane) operate(busy string, srcGen int, dir string, op func(ctx context.Context) (selectName, errText string)) {
	if srcGen != p.srcGen {
		return
	}
	p.opGen++
	gen, ctx, do := p.opGen, p.srcCtx, p.do
	p.errText, p.busy = "", busy
	p.updateState()
	go func() {
		name, msg := op(ctx)
		do(func() {
			if srcGen != p.srcGen {
				return
			}
			if gen == p.opGen {
				p.busy = ""
			}
			p.errText = msg
			if p.dir == dir {
				p.load(dir, loadOpts{selectName: name, keepErr: true})
				return
			}
			p.updateState()
		})
	}()
}

// copyPaths puts the paths of the selected entries on the clipboard, one
// per line, or the folder's path when nothing is selected.
func (p *Pane) copyPaths() {
	if p.src == nil || p.dir == "" {
		return
	}
	var paths []string
	for _, e := range p.Selected() {
		paths = append(paths, p.src.Join(p.dir, e.Name))
	}
	if len(paths) == 0 {
		paths = []string{p.dir}
	}
	fyne.CurrentApp().Clipboard().SetContent(strings.Join(paths, "\n"))
}

// dragThreshold is how far the pointer must move before a press becomes a
// drag out of the pane: Fyne starts a drag after 2 pixels, which a shaky
// click reaches.
const dragThreshold = 8

// dragState is a press on a row that may become a drag out of the pane.
type dragState struct {
	row      int
	start    fyne.Position     // where the press was, on the canvas
	at       fyne.Position     // where the pointer is
	active   bool              // past dragThreshold: entries are being dragged
	entries  []Entry           // what is dragged
	feedback *fyne.Container   // the overlay following the pointer
	badge    fyne.CanvasObject // what it shows
}

// dragMove follows a drag that started on row. Once past dragThreshold it
// picks what is dragged (the selection, or the row alone if it was not
// selected) and shows it under the pointer.
func (p *Pane) dragMove(row int, ev *fyne.DragEvent) {
	if p.drag == nil {
		if p.src == nil || p.win == nil || row < 0 || row >= len(p.rows) {
			return
		}
		p.drag = &dragState{row: row, start: ev.AbsolutePosition.Subtract(ev.Dragged)}
	}
	d := p.drag
	d.at = ev.AbsolutePosition
	if !d.active {
		dx, dy := d.at.X-d.start.X, d.at.Y-d.start.Y
		if dx*dx+dy*dy < dragThreshold*dragThreshold {
			return
		}
		p.startDrag(d)
	}
	d.badge.Move(d.at.Add(fyne.NewPos(12, 12)))
}

// startDrag makes d a drag of entries, with its badge over the window.
func (p *Pane) startDrag(d *dragState) {
	p.collapseTo = -1
	if !p.sel[p.rows[d.row].Name] {
		p.selectOnly(d.row)
	}
	d.entries = p.Selected()
	label := words.Plural(len(d.entries), "item")
	if len(d.entries) == 1 {
		label = d.entries[0].Name
	}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	bg.CornerRadius = theme.Size(theme.SizeNameSelectionRadius)
	badge := container.NewStack(bg, container.NewHBox(widget.NewIcon(entryIcon(d.entries[0])), widget.NewLabel(label)))
	badge.Resize(badge.MinSize())
	// A container without layout keeps the badge where it is put while
	// the overlay itself covers the canvas; it takes no input.
	d.feedback, d.badge, d.active = container.NewWithoutLayout(badge), badge, true
	p.win.Canvas().Overlays().Add(d.feedback)
}

// dragEnd ends a press that moved: a drag dropped outside the pane goes
// to OnDragDrop; a move too short to be a drag counts as a click.
func (p *Pane) dragEnd() {
	d := p.drag
	p.drag, p.pressed = nil, false
	if d == nil {
		return
	}
	if !d.active {
		p.release(d.row)
		return
	}
	p.win.Canvas().Overlays().Remove(d.feedback)
	p.focusTable()
	if p.OnDragDrop != nil && !p.Contains(d.at) {
		p.OnDragDrop(d.entries, d.at)
	}
}
