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
