// Package uitest holds what the window's tests share, so that every golden
// image is drawn alike and every wait is bounded alike. Only tests import it.
package uitest

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
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
