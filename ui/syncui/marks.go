// Package syncui is the window's part of folder synchronisation: how a
// comparison marks the rows of both panes (colour and icon), the legend
// and summary line under the panes, and the Synchronize dialog that shows a
// plan as a checklist with its direction and filters.
package syncui

import (
	"image/color"
	"path"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/dirsync"
	"lockbox/ui/browser"
)

// kind is one sort of mark, with its words for the legend.
type kind struct {
	name  string
	color color.NRGBA
	icon  func() fyne.Resource // theme icons are asked for when drawn: the theme is the app's
}

var (
	kindOnlyLocal  = kind{"only here", color.NRGBA{R: 0x2e, G: 0xa0, B: 0x43, A: 0x50}, theme.ComputerIcon}
	kindOnlyRemote = kind{"only on the server", color.NRGBA{R: 0x1f, G: 0x6f, B: 0xeb, A: 0x50}, theme.StorageIcon}
	kindNewerLocal = kind{"newer here", color.NRGBA{R: 0xe3, G: 0x8b, B: 0x00, A: 0x58}, theme.MoveUpIcon}
	kindNewerRem   = kind{"newer on the server", color.NRGBA{R: 0x8a, G: 0x3f, B: 0xd1, A: 0x50}, theme.MoveDownIcon}
	kindSize       = kind{"different size", color.NRGBA{R: 0xc9, G: 0xb2, B: 0x00, A: 0x58}, theme.QuestionIcon}
	kindConflict   = kind{"conflict", color.NRGBA{R: 0xd1, G: 0x24, B: 0x2f, A: 0x58}, theme.WarningIcon}
	kindInside     = kind{"differences inside", color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0x38}, theme.MoreHorizontalIcon}
)

// legendKinds are the legend's entries, in order.
var legendKinds = []kind{kindNewerLocal, kindNewerRem, kindOnlyLocal, kindOnlyRemote, kindSize, kindConflict, kindInside}

func kindOf(it dirsync.Item) (kind, bool) {
	if it.Conflict {
		return kindConflict, true
	}
	switch it.Status {
	case dirsync.OnlyLocal:
		return kindOnlyLocal, true
	case dirsync.OnlyRemote:
		return kindOnlyRemote, true
	case dirsync.NewerLocal:
		return kindNewerLocal, true
	case dirsync.NewerRemote:
		return kindNewerRem, true
	case dirsync.DifferentSize:
		return kindSize, true
	}
	return kind{}, false
}

// Marks are a comparison's marks by relative path.
type Marks struct {
	items  map[string]kind
	inside map[string]bool // folders with a difference somewhere under them
}

// NewMarks indexes a comparison's differences.
func NewMarks(c dirsync.Comparison) *Marks {
	m := &Marks{items: map[string]kind{}, inside: map[string]bool{}}
	for _, it := range c.Items {
		k, ok := kindOf(it)
		if !ok {
			continue
		}
		m.items[it.Path] = k
		for d := path.Dir(it.Path); d != "."; d = path.Dir(d) {
			m.inside[d] = true
		}
	}
	return m
}

// Of returns the mark of the relative path rel.
func (m *Marks) Of(rel string) (browser.Mark, bool) {
	if k, ok := m.items[rel]; ok {
		return browser.Mark{Color: k.color, Icon: k.icon()}, true
	}
	if m.inside[rel] {
		return browser.Mark{Color: kindInside.color, Icon: kindInside.icon()}, true
	}
	return browser.Mark{}, false
}

// Marker marks a pane's rows: rel turns the pane's folder into a path
// relative to the compared root (false: outside it).
func (m *Marks) Marker(rel func(dir string) (string, bool)) browser.Marker {
	return func(dir string, e browser.Entry) (browser.Mark, bool) {
		r, ok := rel(dir)
		if !ok {
			return browser.Mark{}, false
		}
		if r != "" {
			r += "/"
		}
		return m.Of(r + e.Name)
	}
}

// RemoteRel is the rel function of a server pane compared at root.
func RemoteRel(root string) func(string) (string, bool) {
	root = path.Clean(root)
	return func(dir string) (string, bool) {
		dir = path.Clean(dir)
		switch {
		case dir == root:
			return "", true
		case root == "/" && strings.HasPrefix(dir, "/"):
			return dir[1:], true
		case strings.HasPrefix(dir, root+"/"):
			return dir[len(root)+1:], true
		}
		return "", false
	}
}

// Legend is the row of colour swatches, icons and words under the panes.
func Legend() fyne.CanvasObject {
	box := container.NewHBox()
	for _, k := range legendKinds {
		sw := canvas.NewRectangle(k.color)
		sw.SetMinSize(fyne.NewSize(14, 14))
		box.Add(container.NewHBox(container.NewCenter(sw), widget.NewIcon(k.icon()), widget.NewLabel(k.name)))
	}
	return box
}
