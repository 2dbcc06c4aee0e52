// Package uitest holds what the window's tests share, so that every golden
// image is drawn alike and every wait is bounded alike. Only tests import it.
package uitest

import (
	"image/color"
	"testing"
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

// Queue is a test's UI goroutine: the code under test posts work to it
// with Do, where it would call fyne.Do, and the test runs that work while
// it waits, so that widgets are only ever touched by the test goroutine,
// as they are only by the main goroutine in the real app.
type Queue chan func()

// NewQueue makes a Queue with room for bursts of posted work.
func NewQueue() Queue { return make(Queue, 1024) }

// Do posts f; it is what the code under test gets instead of fyne.Do.
func (q Queue) Do(f func()) { q <- f }

// Pump runs posted work until ready says so, failing t after Timeout.
func (q Queue) Pump(t testing.TB, what string, ready func() bool) {
	t.Helper()
	deadline := time.After(Timeout)
	for !ready() {
		select {
		case f := <-q:
			f()
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// Step runs exactly one piece of posted work, failing t after Timeout.
func (q Queue) Step(t testing.TB, what string) {
	t.Helper()
	select {
	case f := <-q:
		f()
	case <-time.After(Timeout):
		t.Fatalf("timed out waiting for %s", what)
	}
}
