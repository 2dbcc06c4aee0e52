package browser

import (
	"image/color"

	"fyne.io/fyne/v2"
)

// Mark is how a row is marked: a background colour and an icon beside the
// name, so that colour is never the only signal.
type Mark struct {
	Color color.Color
	Icon  fyne.Resource
}

// Marker says how the entry e of folder dir is marked; false for no mark.
type Marker func(dir string, e Entry) (Mark, bool)

// SetMarker marks the rows with m (nil removes every mark) and redraws.
func (p *Pane) SetMarker(m Marker) {
	p.marker = m
	p.table.Refresh()
}
