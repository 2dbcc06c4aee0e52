package workshopui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// pickList is what the Private CAs and Pending requests windows are built
// around: a list of items of one kind with at most one selected, a row of
// buttons (those in acts act on the selected item and are enabled only
// while there is one) and a status line under them.
type pickList[T any] struct {
	items    []T
	selected int
	list     *widget.List
	acts     []*widget.Button
	status   *widget.Label
}

// newPickList makes the list, each item shown by label, and the status
// line with its first text.
func newPickList[T any](label func(T) string, status string) *pickList[T] {
	p := &pickList[T]{selected: -1}
	p.list = widget.NewList(func() int { return len(p.items) }, func() fyne.CanvasObject { return widget.NewLabel("item") },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(label(p.items[id])) })
	p.list.OnSelected = func(id widget.ListItemID) { p.selected = id; p.update() }
	p.status = widget.NewLabel(status)
	p.status.Wrapping = fyne.TextWrapWord
	return p
}

// layout is the window's content: the list over the buttons and the
// status line; acts are the buttons that need a selection.
func (p *pickList[T]) layout(buttons []*widget.Button, acts ...*widget.Button) fyne.CanvasObject {
	p.acts = acts
	row := container.NewHBox()
	for _, b := range buttons {
		row.Add(b)
	}
	return container.NewBorder(nil, container.NewVBox(row, p.status), nil, nil, p.list)
}

// reload shows items, with nothing selected.
func (p *pickList[T]) reload(items []T) {
	p.items = items
	p.selected = -1
	p.list.UnselectAll()
	p.list.Refresh()
	p.update()
}

// current is the selected item, if any.
func (p *pickList[T]) current() (T, bool) {
	if p.selected < 0 || p.selected >= len(p.items) {
		var zero T
		return zero, false
	}
	return p.items[p.selected], true
}

// update enables the buttons that act on the selection while there is one.
func (p *pickList[T]) update() {
	_, ok := p.current()
	for _, b := range p.acts {
		if ok {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}
