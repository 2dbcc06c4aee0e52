// Package assets holds the files Lockbox ships inside its binary.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

// The icon is drawn by gen_icon.go; run `go generate ./assets/` after
// changing it.
//
//go:generate go run gen_icon.go

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon: a padlock in front of a box, 512x512 PNG.
var Icon fyne.Resource = fyne.NewStaticResource("icon.png", iconPNG)

//go:embed padlock_closed.svg
var padlockClosedSVG []byte

//go:embed padlock_open.svg
var padlockOpenSVG []byte

// PadlockClosed is the status bar's icon for an encrypted connection (an
// SVG the theme recolours: green verified, orange or red otherwise).
var PadlockClosed fyne.Resource = fyne.NewStaticResource("padlock_closed.svg", padlockClosedSVG)

// PadlockOpen is the status bar's icon for no connection or plain FTP.
var PadlockOpen fyne.Resource = fyne.NewStaticResource("padlock_open.svg", padlockOpenSVG)
