package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/client/verify"
)

// certPane shows, after a connection, the verdict, the problems and the
// chain one certificate per level.
type certPane struct {
	box    *fyne.Container
	scroll *container.Scroll
}

func newCertPane() *certPane {
	p := &certPane{box: container.NewVBox(quiet("No certificate yet: inspect a URL first."))}
	p.scroll = container.NewVScroll(p.box)
	return p
}

func (p *certPane) set(objs ...fyne.CanvasObject) {
	p.box.Objects = objs
	p.box.Refresh()
	p.scroll.ScrollToTop()
}

func (p *certPane) showPending(url string) {
	p.set(quiet("Connecting to " + url + " … the certificate appears here once the server has sent it."))
}

// show fills the pane from a finished inspection.
func (p *certPane) show(rep *client.Report, err error) {
	if rep == nil {
		p.set(quiet("No report."))
		return
	}
	objs := []fyne.CanvasObject{heading(Summary(rep), verdictColor(rep))}
	if rep.TLS != nil {
		t := rep.TLS
		line := fmt.Sprintf("%s, %s", t.Version, t.CipherSuite)
		if t.Group != "" {
			line += ", " + t.Group
		}
		if t.ALPN != "" {
			line += ", ALPN " + t.ALPN
		}
		if t.Resumed {
			line += ", resumed session"
		}
		objs = append(objs, wrapped("Connection: "+line))
	}
	if err != nil {
		objs = append(objs, errorText("Error: "+err.Error()))
	}
	if rep.PinChange != nil {
		objs = append(objs, pinChangeBox(rep.PinChange))
	}
	if len(rep.Problems) > 0 {
		objs = append(objs, widget.NewSeparator(), subHeading(fmt.Sprintf("Problems (%d)", len(rep.Problems))))
		for _, pr := range rep.Problems {
			objs = append(objs, problemRow(pr))
		}
	} else if len(rep.Chain) > 0 {
		objs = append(objs, wrapped("No problems: every check passed."))
	}
	if len(rep.Chain) > 0 {
		objs = append(objs, widget.NewSeparator(), subHeading(fmt.Sprintf("Chain (%s, level 0 is the server's own)", plural(len(rep.Chain), "certificate"))))
		for _, ci := range rep.Chain {
			objs = append(objs, certCard(ci, len(rep.Chain), rep.Problems))
		}
	}
	p.set(objs...)
}

// levelName says what a level of the chain is.
func levelName(ci client.CertInfo, n int) string {
	switch {
	case ci.Level == 0 && ci.SelfSigned:
		return "server certificate (self-signed)"
	case ci.Level == 0:
		return "server certificate"
	case ci.Level == n-1 && ci.SelfSigned:
		return "root"
	}
	return "intermediate"
}

// certCard shows one certificate; a field with a problem takes the
// problem's colour.
func certCard(ci client.CertInfo, n int, problems []verify.Problem) fyne.CanvasObject {
	worst := map[string]verify.Severity{}
	for _, pr := range problems {
		if pr.Level == ci.Level && worst[pr.Field] != verify.SeverityError {
			worst[pr.Field] = pr.Severity
		}
	}
	names := append(append([]string{}, ci.DNSNames...), ci.IPAddresses...)
	nameText := strings.Join(names, ", ")
	if nameText == "" {
		nameText = "(none)"
	}
	flags := []string{}
	if ci.IsCA {
		flags = append(flags, "CA")
	}
	if ci.SelfSigned {
		flags = append(flags, "self-signed")
	}
	rows := []struct {
		label, value, field string
		mono                bool
	}{
		{"Subject", ci.Subject, "", false},
		{"Issuer", ci.Issuer, verify.FieldIssuer, false},
		{"Valid", formatTime(ci.NotBefore) + "  to  " + formatTime(ci.NotAfter), verify.FieldValidity, false},
		{"Names", nameText, verify.FieldOwner, false},
		{"Key", ci.PublicKey, verify.FieldKey, false},
		{"Signature", ci.SignatureAlgorithm, verify.FieldSignature, false},
		{"SHA-256", ci.SHA256, verify.FieldPin, true},
	}
	if len(flags) > 0 {
		rows = append(rows, struct {
			label, value, field string
			mono                bool
		}{"Kind", strings.Join(flags, ", "), verify.FieldChain, false})
	}
	form := container.New(layout.NewFormLayout())
	for _, r := range rows {
		key := widget.NewLabelWithStyle(r.label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		val := widget.NewLabel(r.value)
		val.Wrapping = fyne.TextWrapWord
		if r.mono {
			val.TextStyle = fyne.TextStyle{Monospace: true}
			val.Wrapping = fyne.TextWrapBreak
		}
		val.Selectable = true
		switch worst[r.field] {
		case verify.SeverityError:
			val.Importance = widget.DangerImportance
		case verify.SeverityWarning:
			val.Importance = widget.WarningImportance
		}
		form.Add(key)
		form.Add(val)
	}
	title := subHeading(fmt.Sprintf("Level %d: %s", ci.Level, levelName(ci, n)))
	return container.NewVBox(title, form)
}

func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// problemRow shows one problem: an icon, "Invalid" or "Warning", where it
// is (level and field, with the code) and the message.
func problemRow(pr verify.Problem) fyne.CanvasObject {
	word, color := "Warning", theme.ColorNameWarning
	var icon fyne.Resource = theme.NewWarningThemedResource(theme.WarningIcon())
	if pr.Severity == verify.SeverityError {
		word, color = "Invalid", theme.ColorNameError
		icon = theme.NewErrorThemedResource(theme.ErrorIcon())
	}
	text := widget.NewRichText(
		&widget.TextSegment{Text: word, Style: widget.RichTextStyle{Inline: true, ColorName: color, TextStyle: fyne.TextStyle{Bold: true}}},
		&widget.TextSegment{Text: fmt.Sprintf("  level %d · %s · %s", pr.Level, pr.Field, pr.Code),
			Style: widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder}},
		&widget.TextSegment{Text: pr.Message, Style: widget.RichTextStyleParagraph},
	)
	text.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, nil, alignIcon(icon), nil, text)
}

// pinChangeBox states prominently that a pinned certificate changed and
// what the comparison concluded.
func pinChangeBox(pc *client.PinChangeInfo) fyne.CanvasObject {
	same := func(b bool) string {
		if b {
			return "same"
		}
		return "different"
	}
	text := widget.NewRichText(
		&widget.TextSegment{Text: "The certificate you accepted for this server has changed",
			Style: widget.RichTextStyle{ColorName: theme.ColorNameError, SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}}},
		&widget.TextSegment{Text: pc.Verdict, Style: widget.RichTextStyle{ColorName: theme.ColorNameError, TextStyle: fyne.TextStyle{Bold: true}}},
		&widget.TextSegment{Text: fmt.Sprintf("Accepted on %s: SHA-256 %s (%s)", pc.Old.AcceptedAt.UTC().Format("2006-01-02"), pc.Old.SHA256, pc.Old.Subject),
			Style: widget.RichTextStyleParagraph},
		&widget.TextSegment{Text: "Presented now: SHA-256 " + pc.NewSHA256, Style: widget.RichTextStyleParagraph},
		&widget.TextSegment{Text: fmt.Sprintf("Subject %s, issuer %s, key %s.", same(pc.SameSubject), same(pc.SameIssuer), same(pc.SameKey)),
			Style: widget.RichTextStyleParagraph},
	)
	text.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, nil, alignIcon(theme.NewErrorThemedResource(theme.WarningIcon())), nil, text)
}

// verdictColor is the colour of a verdict: success only for a chain that
// was verified or pinned, warning for one accepted once, error otherwise.
func verdictColor(rep *client.Report) fyne.ThemeColorName {
	switch {
	case rep == nil || !rep.Trusted || len(rep.Chain) == 0:
		return theme.ColorNameError
	case rep.Trust == client.TrustAcceptedOnce:
		return theme.ColorNameWarning
	}
	return theme.ColorNameSuccess
}

// alignIcon places an icon so that it lines up with the first line of the
// text next to it.
func alignIcon(res fyne.Resource) fyne.CanvasObject {
	line := fyne.MeasureText("Mg", theme.TextSize(), fyne.TextStyle{}).Height
	top := theme.InnerPadding() + (line-theme.IconInlineSize())/2
	return container.New(layout.NewCustomPaddedLayout(top, 0, 0, 0),
		container.NewVBox(widget.NewIcon(res)))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func heading(s string, color fyne.ThemeColorName) fyne.CanvasObject {
	t := widget.NewRichText(&widget.TextSegment{Text: s,
		Style: widget.RichTextStyle{ColorName: color, SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}}})
	t.Wrapping = fyne.TextWrapWord
	return t
}

func subHeading(s string) fyne.CanvasObject {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func wrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func quiet(s string) *widget.Label {
	l := wrapped(s)
	l.Importance = widget.LowImportance
	return l
}

func errorText(s string) *widget.Label {
	l := wrapped(s)
	l.Importance = widget.DangerImportance
	return l
}
