// Package uitest holds what the window's tests share, so that every golden
// image is drawn alike and every wait is bounded alike. Only tests import it.
package uitest

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Timeout bounds every wait so that a broken test fails instead of
// hanging; it is never used to let something happen.
const Timeout = 20 * time.Second

// LightTheme is the default theme forced to its light variant, so that
// the golden images do not depend on the machine's preference.
func LightTheme() fyne.Theme { return lightTheme{theme.DefaultTheme()} }

type lightTheme struct{ fyne.Theme }

func (t lightTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, theme.VariantLight)
}

// Walk visits o and everything drawn inside it: a container's objects and
// a widget's renderer's, depth first.
func Walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	visit(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			Walk(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			Walk(c, visit)
		}
	}
}

// Button is the first button labelled text in o (a dialog, say), nil if
// there is none: what a test taps to press it as a user would.
func Button(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	Walk(o, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	return found
}
