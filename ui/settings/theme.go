package settings

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// variantTheme is a theme forced to one variant, light or dark, whatever
// the desktop prefers.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

// Color answers for the forced variant.
func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// ThemeFor is the Fyne theme for s.Theme: the default theme for "system"
// (it follows the desktop's light or dark preference), or the default
// theme forced to light or dark.
func ThemeFor(s Settings) fyne.Theme {
	switch s.Theme {
	case ThemeLight:
		return variantTheme{Theme: theme.DefaultTheme(), variant: theme.VariantLight}
	case ThemeDark:
		return variantTheme{Theme: theme.DefaultTheme(), variant: theme.VariantDark}
	}
	return theme.DefaultTheme()
}

// ApplyTheme sets the application's theme from s.Theme (see ThemeFor).
// It must be called on the UI goroutine.
func ApplyTheme(a fyne.App, s Settings) {
	a.Settings().SetTheme(ThemeFor(s))
}
