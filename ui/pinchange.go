package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/client/verify"
	"lockbox/client/words"
)

// pinChangeView is what Lockbox shows for a changed pin: the verdict on
// top, then two tabs, "What changed" (the comparison, selected) and the
// certificate presented now in inspector. The comparison and the inspector
// do not both fit in the window, and the comparison is what matters first.
func pinChangeView(rep *client.Report, inspector fyne.CanvasObject) (fyne.CanvasObject, *container.AppTabs) {
	compare := []fyne.CanvasObject{pinCompareTable(rep.PinChange, leafOf(rep))}
	if n := otherErrors(rep); n > 0 {
		hint := wrapped(fmt.Sprintf("The certificate presented now also has %s besides not being the one you accepted: see \"%s\".",
			words.Plural(n, "problem"), presentedTab))
		hint.Importance = widget.DangerImportance
		compare = append(compare, widget.NewSeparator(), hint)
	}
	tabs := container.NewAppTabs(
		container.NewTabItemWithIcon("What changed", theme.NewErrorThemedResource(theme.WarningIcon()),
			container.NewVScroll(container.NewVBox(compare...))),
		container.NewTabItemWithIcon(presentedTab, theme.DocumentIcon(), inspector),
	)
	return container.NewBorder(pinChangeHead(rep.PinChange), nil, nil, nil, tabs), tabs
}

// presentedTab is the title of the tab with the certificate presented now.
const presentedTab = "Certificate presented now"

// otherErrors counts the report's errors other than the pin mismatch.
func otherErrors(rep *client.Report) int {
	n := 0
	for _, p := range rep.Problems {
		if p.Severity == verify.SeverityError && p.Code != verify.CodePinMismatch {
			n++
		}
	}
	return n
}

// pinChangeHead states prominently that a pinned certificate changed,
// with the engine's verdict.
func pinChangeHead(pc *client.PinChangeInfo) fyne.CanvasObject {
	head := widget.NewRichText(
		&widget.TextSegment{Text: "The certificate you accepted for this server has changed",
			Style: widget.RichTextStyle{ColorName: theme.ColorNameError, SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}}},
		&widget.TextSegment{Text: upperFirst(pc.Verdict) + ".",
			Style: widget.RichTextStyle{ColorName: theme.ColorNameError, TextStyle: fyne.TextStyle{Bold: true}}},
	)
	head.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, nil, alignIcon(theme.NewErrorThemedResource(theme.WarningIcon())), nil, head)
}

// pinCompareTable puts the certificate accepted earlier beside the one
// presented now, field by field, saying for each whether it changed. leaf
// is the certificate presented now, nil when the report has none.
func pinCompareTable(pc *client.PinChangeInfo, leaf *client.CertInfo) fyne.CanvasObject {
	var now client.CertInfo
	if leaf != nil {
		now = *leaf
	}
	now.SHA256 = pc.NewSHA256
	old := pc.Old
	table := container.New(&compareLayout{},
		widget.NewLabel(""),
		columnHeading("Accepted on "+day(old.AcceptedAt)),
		columnHeading("Presented now"),
		columnHeading("Changed?"),
	)
	row := func(label, was, is string, mono bool, same *bool) {
		key := widget.NewLabelWithStyle(label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		table.Add(key)
		for _, v := range []string{was, is} {
			l := widget.NewLabel(orUnknown(v))
			l.Wrapping = fyne.TextWrapWord
			l.Selectable = true
			l.TextStyle.Monospace = mono
			table.Add(l)
		}
		verdict := widget.NewLabel("")
		if same != nil {
			verdict.SetText("same")
			verdict.Importance = widget.SuccessImportance
			if !*same {
				verdict.SetText("DIFFERENT")
				verdict.Importance = widget.DangerImportance
				verdict.TextStyle.Bold = true
			}
		}
		table.Add(verdict)
	}
	sameCert := strings.EqualFold(old.SHA256, pc.NewSHA256)
	row("Subject", old.Subject, now.Subject, false, &pc.SameSubject)
	row("Issuer", old.Issuer, now.Issuer, false, &pc.SameIssuer)
	row("Public key", old.SPKISHA256, now.SPKISHA256, true, &pc.SameKey)
	row("Expires", day(old.NotAfter), day(now.NotAfter), false, nil)
	row("SHA-256", groupHex(old.SHA256), groupHex(now.SHA256), true, &sameCert)
	return table
}

func columnHeading(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	return l
}

// day is the UTC date of t, or "" for the zero time.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// groupHex splits a hex fingerprint into groups of eight digits, so that
// it wraps between groups and two can be compared by eye.
func groupHex(h string) string {
	var groups []string
	for len(h) > 8 {
		groups = append(groups, h[:8])
		h = h[8:]
	}
	if h != "" {
		groups = append(groups, h)
	}
	return strings.Join(groups, " ")
}

// compareLayout is a four-column table: a label column and a "changed?"
// column as wide as their widest cell, and two equal value columns (before
// and now) sharing the rest, whose text wraps.
type compareLayout struct{}

const compareColumns = 4

func (*compareLayout) widths(objs []fyne.CanvasObject, total float32) [compareColumns]float32 {
	var w [compareColumns]float32
	for i, o := range objs {
		if c := i % compareColumns; c == 0 || c == compareColumns-1 {
			w[c] = max(w[c], o.MinSize().Width)
		}
	}
	rest := max(total-w[0]-w[3], 0)
	w[1], w[2] = rest/2, rest/2
	return w
}

func (l *compareLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	var side [compareColumns]float32
	for row := 0; row*compareColumns < len(objs); row++ {
		var h float32
		for c := 0; c < compareColumns && row*compareColumns+c < len(objs); c++ {
			m := objs[row*compareColumns+c].MinSize()
			side[c] = max(side[c], m.Width)
			h = max(h, m.Height)
		}
		if row > 0 {
			s.Height += rowGap()
		}
		s.Height += h
	}
	s.Width = side[0] + side[3] + 2*max(side[1], side[2])
	return s
}

func (l *compareLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := l.widths(objs, size.Width)
	y := float32(0)
	for row := 0; row*compareColumns < len(objs); row++ {
		cells := objs[row*compareColumns : min(len(objs), (row+1)*compareColumns)]
		var h float32
		for c, o := range cells {
			o.Resize(fyne.NewSize(w[c], o.MinSize().Height))
			h = max(h, o.MinSize().Height)
		}
		x := float32(0)
		for c, o := range cells {
			o.Move(fyne.NewPos(x, y))
			o.Resize(fyne.NewSize(w[c], h))
			x += w[c]
		}
		y += h + rowGap()
	}
}
