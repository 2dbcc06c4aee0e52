//go:build ignore

// gen_icon draws Lockbox's application icon, a padlock in front of a
// box, and writes it to icon.png (512x512, transparent background).
//
// Run it from this directory: go run gen_icon.go
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

const size = 512

// shape reports whether a point (in pixels) is inside it.
type shape func(x, y float64) bool

type layer struct {
	inside shape
	color  color.NRGBA
}

// roundRect is a rectangle with rounded corners of radius r.
func roundRect(x0, y0, x1, y1, r float64) shape {
	return func(x, y float64) bool {
		if x < x0 || x > x1 || y < y0 || y > y1 {
			return false
		}
		cx := math.Max(x0+r, math.Min(x, x1-r))
		cy := math.Max(y0+r, math.Min(y, y1-r))
		return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
	}
}

// shackle is the padlock's U: a half ring of radii rIn..rOut centred on
// (cx, cy), continued straight down to bottom.
func shackle(cx, cy, rIn, rOut, bottom float64) shape {
	return func(x, y float64) bool {
		if y <= cy {
			d := math.Hypot(x-cx, y-cy)
			return d >= rIn && d <= rOut
		}
		if y > bottom {
			return false
		}
		dx := math.Abs(x - cx)
		return dx >= rIn && dx <= rOut
	}
}

func circle(cx, cy, r float64) shape {
	return func(x, y float64) bool { return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r }
}

// keyhole is a circle over a tapering slot.
func keyhole(cx, cy float64) shape {
	c := circle(cx, cy, 22)
	return func(x, y float64) bool {
		if c(x, y) {
			return true
		}
		if y < cy || y > cy+62 {
			return false
		}
		half := 9 + (y-cy)*0.12
		return math.Abs(x-cx) <= half
	}
}

func main() {
	var (
		boxSide   = color.NRGBA{0xC8, 0x8A, 0x3E, 0xFF} // cardboard
		boxLid    = color.NRGBA{0xE2, 0xA8, 0x5A, 0xFF}
		boxTape   = color.NRGBA{0xF3, 0xD9, 0xA4, 0xFF}
		boxEdge   = color.NRGBA{0x8A, 0x5A, 0x22, 0xFF}
		steel     = color.NRGBA{0x9A, 0xA7, 0xB4, 0xFF}
		steelDark = color.NRGBA{0x5E, 0x6B, 0x78, 0xFF}
		lockBody  = color.NRGBA{0x1F, 0x4E, 0x8C, 0xFF} // Lockbox blue
		lockShine = color.NRGBA{0x2E, 0x6B, 0xB8, 0xFF}
		hole      = color.NRGBA{0x0E, 0x22, 0x3D, 0xFF}
	)
	layers := []layer{
		// The box: an outline, the front, the lid band and a strip of tape.
		{roundRect(40, 196, 472, 480, 36), boxEdge},
		{roundRect(52, 208, 460, 468, 28), boxSide},
		{roundRect(52, 208, 460, 268, 28), boxLid},
		{roundRect(52, 250, 460, 268, 0), boxLid},
		{roundRect(52, 266, 460, 272, 0), boxEdge},
		{roundRect(226, 208, 286, 468, 0), boxTape},
		// The padlock in front of it: the shackle, then the body.
		{shackle(256, 180, 62, 98, 300), steelDark},
		{shackle(256, 180, 70, 90, 300), steel},
		{roundRect(146, 262, 366, 452, 34), hole},
		{roundRect(156, 272, 356, 442, 26), lockBody},
		{roundRect(168, 284, 344, 320, 16), lockShine},
		{keyhole(256, 350), hole},
	}

	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4 // 4x4 supersampling for smooth edges
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := float64(px) + (float64(sx)+0.5)/ss
					y := float64(py) + (float64(sy)+0.5)/ss
					for i := len(layers) - 1; i >= 0; i-- {
						if layers[i].inside(x, y) {
							c := layers[i].color
							r += float64(c.R)
							g += float64(c.G)
							b += float64(c.B)
							a++
							break
						}
					}
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(r/a + 0.5), G: uint8(g/a + 0.5), B: uint8(b/a + 0.5),
				A: uint8(a/(ss*ss)*255 + 0.5),
			})
		}
	}

	f, err := os.Create("icon.png")
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
