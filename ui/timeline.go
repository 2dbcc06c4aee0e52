package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/trace"
)

// maxTimelineRows is how many step rows the timeline shows at once: a long
// session (one handshake per data connection) drops its oldest rows, so
// that the window stays light however many files it moves.
const maxTimelineRows = 600

// timeline is the live list of handshake steps, one row per step.
type timeline struct {
	box     *fyne.Container
	scroll  *container.Scroll
	empty   *widget.Label
	steps   []trace.Step
	dropped int           // oldest rows removed
	more    *widget.Label // says how many, above the rows
}

func newTimeline() *timeline {
	tl := &timeline{empty: widget.NewLabel("No connection yet: the handshake appears here step by step as it happens.")}
	tl.empty.Importance = widget.LowImportance
	tl.box = container.NewVBox(tl.empty)
	tl.scroll = container.NewVScroll(tl.box)
	return tl
}

func (tl *timeline) len() int { return len(tl.steps) }

func (tl *timeline) clear() {
	tl.steps, tl.dropped = nil, 0
	tl.empty.SetText("Waiting for the first step …")
	tl.box.Objects = []fyne.CanvasObject{tl.empty}
	tl.box.Refresh()
	tl.scroll.ScrollToTop()
}

// add appends one step and keeps the newest visible.
func (tl *timeline) add(s trace.Step) { tl.addAll([]trace.Step{s}) }

// addAll appends steps with one redraw, dropping the oldest rows beyond
// maxTimelineRows, and keeps the newest visible.
func (tl *timeline) addAll(steps []trace.Step) {
	if len(steps) == 0 {
		return
	}
	if len(tl.steps) == 0 {
		tl.box.Objects = nil
	}
	rows := tl.box.Objects // one per step in tl.steps, after tl.more if shown
	if len(rows) > 0 && rows[0] == tl.more {
		rows = rows[1:]
	}
	tl.steps = append(tl.steps, steps...)
	if extra := len(tl.steps) - maxTimelineRows; extra > 0 {
		n := max(extra, maxTimelineRows/10)
		tl.steps = tl.steps[n:]
		tl.dropped += n
		// The oldest rows go, and no row is built for a new step that
		// would go at once (a burst longer than the timeline).
		drop := min(n, len(rows))
		rows = rows[drop:]
		steps = steps[n-drop:]
		if tl.more == nil {
			tl.more = quiet("")
		}
		tl.more.SetText(fmt.Sprintf("%d earlier steps are not shown here (the protocol log and lockbox inspect --json have them).", tl.dropped))
	}
	for _, s := range steps {
		rows = append(rows, stepRow(s))
	}
	if tl.dropped > 0 {
		rows = append([]fyne.CanvasObject{tl.more}, rows...)
	}
	tl.box.Objects = rows
	tl.box.Refresh()
	tl.scroll.ScrollToBottom()
}

func dirIcon(s trace.Step) fyne.Resource {
	if s.Failed {
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	}
	switch s.Dir {
	case trace.Send:
		return theme.NewPrimaryThemedResource(theme.UploadIcon())
	case trace.Recv:
		return theme.NewPrimaryThemedResource(theme.DownloadIcon())
	}
	return theme.InfoIcon()
}

// timelineGlyphs replaces, in what the timeline draws, the arrows the
// engine and trace.Dir.Arrow use (and a terminal draws) with the bundled
// Noto Sans's « and »: Noto Sans has no → or ←, and Fyne then takes them
// from a system font, which Linux has (DejaVu) and Windows may not, where
// they drew as boxes. TestTimelineGlyphsInBundledFont checks the result.
var timelineGlyphs = strings.NewReplacer("→", "»", "←", "«")

// stepRow renders one step: "12 ms  control  »  client_hello  summary" with
// the plain-language explanation under it in smaller, quieter text.
func stepRow(s trace.Step) fyne.CanvasObject {
	nameColor := theme.ColorNamePrimary
	textColor := theme.ColorNameForeground
	if s.Failed {
		nameColor, textColor = theme.ColorNameError, theme.ColorNameError
	}
	mono := fyne.TextStyle{Monospace: true}
	head := widget.NewRichText(
		&widget.TextSegment{Text: fmt.Sprintf("%5d ms ", s.At.Milliseconds()),
			Style: widget.RichTextStyle{Inline: true, TextStyle: mono, ColorName: theme.ColorNamePlaceHolder}},
		&widget.TextSegment{Text: fmt.Sprintf("%-8s", s.Conn),
			Style: widget.RichTextStyle{Inline: true, TextStyle: mono, ColorName: theme.ColorNamePlaceHolder}},
		&widget.TextSegment{Text: " " + timelineGlyphs.Replace(s.Dir.Arrow()) + " ",
			Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Bold: true}, ColorName: textColor}},
		&widget.TextSegment{Text: s.Name,
			Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Bold: true}, ColorName: nameColor}},
		&widget.TextSegment{Text: "  " + timelineGlyphs.Replace(s.Summary),
			Style: widget.RichTextStyle{Inline: true, ColorName: textColor}},
	)
	head.Wrapping = fyne.TextWrapWord
	rows := []fyne.CanvasObject{head}
	if s.Explain != "" {
		explain := widget.NewRichText(&widget.TextSegment{Text: s.Explain,
			Style: widget.RichTextStyle{SizeName: theme.SizeNameCaptionText, ColorName: theme.ColorNamePlaceHolder}})
		explain.Wrapping = fyne.TextWrapWord
		rows = append(rows, explain)
	}
	return container.NewBorder(nil, nil, alignIcon(dirIcon(s)), nil, container.New(&tightVBox{}, rows...))
}

// tightVBox stacks objects vertically without padding, so that a step's
// explanation sits right under its heading.
type tightVBox struct{}

func (*tightVBox) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height
	}
	s.Height -= 2 * theme.Padding() * float32(max(len(objs)-1, 0))
	return s
}

func (*tightVBox) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for i, o := range objs {
		m := o.MinSize()
		if i > 0 {
			y -= 2 * theme.Padding()
		}
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, m.Height))
		y += m.Height
	}
}
