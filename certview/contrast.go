package certview

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// readableTheme is the app's theme with the status colours (success,
// warning, error) darkened or lightened until text in them has a contrast
// of at least 4.5:1 with the background, the WCAG level for body text. The
// default light theme's green and orange are far too pale for text
// (about 1.6:1 and 2.2:1 on white).
type readableTheme struct{}

// minContrast is WCAG AA for normal text.
const minContrast = 4.5

func (readableTheme) base() fyne.Theme {
	if a := fyne.CurrentApp(); a != nil && a.Settings().Theme() != nil {
		return a.Settings().Theme()
	}
	return theme.DefaultTheme()
}

// Color is part of fyne.Theme.
func (t readableTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	c := t.base().Color(n, v)
	switch n {
	case theme.ColorNameSuccess, theme.ColorNameWarning, theme.ColorNameError:
		return readable(c, t.base().Color(theme.ColorNameBackground, v))
	}
	return c
}

// Font is part of fyne.Theme.
func (t readableTheme) Font(s fyne.TextStyle) fyne.Resource { return t.base().Font(s) }

// Icon is part of fyne.Theme.
func (t readableTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base().Icon(n) }

// Size is part of fyne.Theme.
func (t readableTheme) Size(n fyne.ThemeSizeName) float32 { return t.base().Size(n) }

// readable moves fg toward black (on a light background) or white (on a
// dark one) until it contrasts enough with bg.
func readable(fg, bg color.Color) color.Color {
	f := color.NRGBAModel.Convert(fg).(color.NRGBA)
	if contrast(f, bg) >= minContrast {
		return f
	}
	target := color.NRGBA{A: 0xff}
	if luminance(bg) < 0.5 {
		target = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	}
	for step := 1; step <= 10; step++ {
		m := mix(f, target, float64(step)/10)
		if contrast(m, bg) >= minContrast {
			return m
		}
	}
	return target
}

func mix(a, b color.NRGBA, t float64) color.NRGBA {
	l := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-t) + float64(y)*t)) }
	return color.NRGBA{R: l(a.R, b.R), G: l(a.G, b.G), B: l(a.B, b.B), A: a.A}
}

// luminance is WCAG relative luminance.
func luminance(c color.Color) float64 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	ch := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(n.R) + 0.7152*ch(n.G) + 0.0722*ch(n.B)
}

func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}
