package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/certview"
	"lockbox/client"
)

// certPane is the Certificate tab. On top it shows what the certificate
// inspector does not: what the handshake negotiated and whether a client
// certificate was asked for and sent. Under that the certificate inspector
// (certview.Panel) shows the chain, every field, and every problem on the
// field it is about. For a changed pin, the engine's verdict comes first
// and the inspector shares two tabs with the pinned certificate put beside
// the new one (pinChangeView).
type certPane struct {
	content *fyne.Container // the tab's content
	info    *fyne.Container // the lines above the inspector
	panel   *certview.Panel
	empty   *widget.Label // shown instead of the inspector when there is no certificate

	body     *fyne.Container    // the inspector (alone or in the pin change view) and empty
	emptyBox *fyne.Container    // holds empty at the top
	pinTabs  *container.AppTabs // the pin change view's tabs, for a changed pin
}

// newCertPane builds the tab; win owns the inspector's dialogs.
func newCertPane(win fyne.Window) *certPane {
	p := &certPane{
		info:  container.NewVBox(),
		panel: certview.NewPanel(nil, win),
		empty: quiet("No certificate yet: inspect a URL first."),
	}
	p.info.Hide()
	p.panel.Hide()
	p.emptyBox = container.NewVBox(p.empty)
	p.body = container.NewStack(p.panel, p.emptyBox)
	p.content = container.NewBorder(p.info, nil, nil, nil, p.body)
	return p
}

// showMessage replaces the inspector with a message.
func (p *certPane) showMessage(info []fyne.CanvasObject, msg string) {
	p.setInfo(info)
	p.panel.Hide()
	p.setBody(p.panel)
	p.empty.SetText(msg)
	p.empty.Show()
}

func (p *certPane) setInfo(objs []fyne.CanvasObject) {
	p.info.Objects = objs
	p.info.Hidden = len(objs) == 0
	p.info.Refresh()
}

func (p *certPane) showPending(url string) {
	p.showMessage(nil, "Connecting to "+url+" … the certificate appears here once the server has sent it.")
}

// show fills the tab from a finished inspection. dialed is the host the
// user connected to, now the time validity is judged at.
func (p *certPane) show(rep *client.Report, err error, dialed string, now time.Time) {
	var info []fyne.CanvasObject
	if err != nil && !client.IsTrustFailure(err) && !errors.Is(err, context.Canceled) {
		info = append(info, errorText("Error: "+err.Error()))
	}
	if rep == nil {
		p.showMessage(info, "No certificate: the connection ended before the server sent one.")
		return
	}
	if rows := connectionRows(rep); rows != nil {
		info = append(info, rows)
	}
	if len(info) > 0 {
		info = append(info, widget.NewSeparator())
	}
	if len(rep.Certificates) == 0 && len(rep.Problems) == 0 {
		p.showMessage(info, Summary(rep))
		return
	}
	p.setInfo(info)
	p.empty.Hide()
	p.panel.SetModel(certview.FromReport(rep, dialed, now))
	p.panel.Show()
	if rep.PinChange != nil {
		var view fyne.CanvasObject
		view, p.pinTabs = pinChangeView(rep, p.panel)
		p.setBody(view)
	} else {
		p.setBody(p.panel)
	}
}

// setBody shows main (the inspector, alone or inside the pin change view)
// under the lines on top.
func (p *certPane) setBody(main fyne.CanvasObject) {
	if main == p.panel {
		p.pinTabs = nil
	}
	p.body.Objects = []fyne.CanvasObject{main, p.emptyBox}
	p.body.Refresh()
}

// connectionRows shows the TLS parameters and the client certificate
// exchange as label/value rows, or nil when no TLS handshake started.
func connectionRows(rep *client.Report) fyne.CanvasObject {
	if rep.TLS == nil && len(rep.Certificates) == 0 && !rep.ClientCertificate.Requested {
		return nil
	}
	form := container.New(&formLayout{})
	add := func(label, value string) {
		v := widget.NewLabel(value)
		v.Wrapping = fyne.TextWrapWord
		v.Selectable = true
		form.Add(widget.NewLabelWithStyle(label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
		form.Add(v)
	}
	add("TLS", tlsLine(rep.TLS))
	add("Client certificate", clientCertLine(rep.ClientCertificate))
	return form
}

// tlsLine says what the handshake negotiated: version, cipher suite, key
// exchange group, whether the session was resumed, and ALPN.
func tlsLine(t *client.TLSInfo) string {
	if t == nil {
		return "the handshake did not complete, so nothing was negotiated."
	}
	parts := []string{t.Version, t.CipherSuite}
	if t.Group != "" {
		parts = append(parts, "key exchange "+t.Group)
	}
	if t.Resumed {
		parts = append(parts, "resumed session")
	} else {
		parts = append(parts, "new session (not resumed)")
	}
	if t.ALPN != "" {
		parts = append(parts, "ALPN "+t.ALPN)
	} else {
		parts = append(parts, "no ALPN")
	}
	return strings.Join(parts, " · ")
}

// clientCertLine says whether the server asked for a client certificate,
// which CAs it would accept, and what Lockbox sent.
func clientCertLine(c client.ClientCertInfo) string {
	if !c.Requested {
		return "not requested by the server."
	}
	cas := "any CA"
	if len(c.AcceptableCAs) > 0 {
		cas = strings.Join(c.AcceptableCAs, "; ")
	}
	sent := "none sent"
	if c.Sent != nil {
		sent = "sent " + *c.Sent
	}
	return fmt.Sprintf("requested by the server (acceptable issuers: %s); %s.", cas, sent)
}

// leafOf is the report's level-0 certificate, or nil.
func leafOf(rep *client.Report) *client.CertInfo {
	if rep == nil || len(rep.Chain) == 0 {
		return nil
	}
	return &rep.Chain[0]
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

// formLayout is a two-column label/value layout whose value column takes
// the rest of the width, so long values wrap instead of widening the
// window. Rows are tight: the labels' own padding separates them.
type formLayout struct{}

func (*formLayout) labelWidth(objs []fyne.CanvasObject) float32 {
	w := float32(0)
	for i := 0; i < len(objs); i += 2 {
		w = max(w, objs[i].MinSize().Width)
	}
	return w
}

// rowGap pulls rows together: a label keeps padding above and below.
func rowGap() float32 { return -theme.Padding() }

func (l *formLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	lw := l.labelWidth(objs)
	var s fyne.Size
	for i := 0; i+1 < len(objs); i += 2 {
		a, b := objs[i].MinSize(), objs[i+1].MinSize()
		s.Width = max(s.Width, lw+b.Width)
		if i > 0 {
			s.Height += rowGap()
		}
		s.Height += max(a.Height, b.Height)
	}
	return s
}

func (l *formLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	lw := l.labelWidth(objs)
	y := float32(0)
	for i := 0; i+1 < len(objs); i += 2 {
		objs[i+1].Resize(fyne.NewSize(size.Width-lw, objs[i+1].MinSize().Height))
		h := max(objs[i].MinSize().Height, objs[i+1].MinSize().Height)
		objs[i].Move(fyne.NewPos(0, y))
		objs[i].Resize(fyne.NewSize(lw, h))
		objs[i+1].Move(fyne.NewPos(lw, y))
		objs[i+1].Resize(fyne.NewSize(size.Width-lw, h))
		y += h + rowGap()
	}
}
