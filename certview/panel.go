package certview

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/verify"
	"lockbox/client/words"
)

// Panel is the certificate inspector: the verdict on top, the chain's
// levels on the left (each with an icon for its worst problem) and the
// selected certificate's sections on the right, invalid rows tinted and
// marked "Invalid" with the problem's message. Its methods must be called
// from the goroutine that owns the window (the Fyne main goroutine).
type Panel struct {
	widget.BaseWidget

	win      fyne.Window
	model    *Model
	selected int

	summaryIcon *widget.Icon
	summary     *widget.RichText
	notes       *fyne.Container
	list        *widget.List
	levelTitle  *widget.RichText
	status      *widget.Label
	detail      *fyne.Container
	scroll      *container.Scroll

	copyButton, exportButton, chainButton, pemButton *widget.Button

	// problemAt is the section header to scroll to when the level is
	// shown: the first section with a problem, unless it is the first one.
	problemAt     fyne.CanvasObject
	pendingScroll bool
	// autoOffset is where scrollToProblem left the view; while the user
	// has not scrolled away, a new size scrolls to the problem again.
	autoOffset   float32
	autoScrolled bool

	content fyne.CanvasObject
}

// NewPanel shows m; win is the window its dialogs (export, View PEM)
// belong to. m may be nil, which shows an empty panel.
func NewPanel(m *Model, win fyne.Window) *Panel {
	p := &Panel{win: win}
	p.ExtendBaseWidget(p)

	p.summaryIcon = widget.NewIcon(nil)
	p.summary = widget.NewRichText()
	p.summary.Wrapping = fyne.TextWrapWord
	p.notes = container.NewVBox()
	top := container.NewVBox(
		container.NewBorder(nil, nil, alignTop(p.summaryIcon), nil, p.summary),
		p.notes,
		widget.NewSeparator(),
	)

	p.list = widget.NewList(p.levelCount, newLevelItem, p.updateLevelItem)
	p.list.OnSelected = func(id widget.ListItemID) { p.showLevel(id) }

	p.levelTitle = widget.NewRichText()
	p.levelTitle.Wrapping = fyne.TextWrapWord
	p.status = widget.NewLabel("")
	p.status.Importance = widget.LowImportance
	p.copyButton = widget.NewButtonWithIcon("Copy SHA-256", theme.ContentCopyIcon(), p.copySHA256)
	p.pemButton = widget.NewButtonWithIcon("View PEM", theme.VisibilityIcon(), p.viewPEM)
	p.exportButton = widget.NewButtonWithIcon("Export certificate…", theme.DocumentSaveIcon(), p.exportCert)
	p.chainButton = widget.NewButtonWithIcon("Export chain…", theme.DocumentSaveIcon(), p.exportChain)
	p.status.Wrapping = fyne.TextWrapWord
	buttons := container.NewVBox(p.copyButton, p.pemButton, p.exportButton, p.chainButton, p.status)
	left := container.NewBorder(nil, buttons, nil, nil, p.list)

	p.detail = container.New(layout.NewCustomPaddedVBoxLayout(theme.Padding() / 2))
	p.scroll = container.NewVScroll(p.detail)
	right := container.NewBorder(tight(p.levelTitle), nil, nil, nil, p.scroll)

	split := container.NewHSplit(left, right)
	split.SetOffset(0.24)
	p.content = container.NewThemeOverride(container.NewBorder(top, nil, nil, nil, split), readableTheme{})
	p.SetModel(m)
	return p
}

// CreateRenderer is part of fyne.Widget.
func (p *Panel) CreateRenderer() fyne.WidgetRenderer {
	return &panelRenderer{p: p}
}

// panelRenderer lays out the content and then, once the panel has a size,
// scrolls to the selected level's first problem.
type panelRenderer struct{ p *Panel }

// Layout is part of fyne.WidgetRenderer.
func (r *panelRenderer) Layout(size fyne.Size) {
	r.p.content.Resize(size)
	// Wrapped text knows its height only once it has its width, so the
	// first pass can leave room for lines that are not there; a second
	// pass settles it.
	if o, ok := r.p.content.(*container.ThemeOverride); ok {
		if c, ok := o.Content.(*fyne.Container); ok && c.Layout != nil {
			c.Layout.Layout(c.Objects, size)
		}
	}
	userScrolled := r.p.autoScrolled && r.p.scroll.Offset.Y != r.p.autoOffset
	if (r.p.pendingScroll || (r.p.autoScrolled && !userScrolled)) && size.Height > 0 {
		r.p.scrollToProblem()
	}
}

// MinSize is part of fyne.WidgetRenderer.
func (r *panelRenderer) MinSize() fyne.Size { return r.p.content.MinSize() }

// Refresh is part of fyne.WidgetRenderer.
func (r *panelRenderer) Refresh() {
	r.p.content.Refresh()
	if size := r.p.Size(); size.Height > 0 {
		r.Layout(size)
	}
}

// Objects is part of fyne.WidgetRenderer.
func (r *panelRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.p.content} }

// Destroy is part of fyne.WidgetRenderer.
func (r *panelRenderer) Destroy() {}

// scrollToProblem brings the first section with a problem into view.
func (p *Panel) scrollToProblem() {
	p.pendingScroll = false
	p.scroll.Refresh()
	if p.problemAt == nil {
		p.autoScrolled = false
		p.scroll.ScrollToTop()
		return
	}
	p.scroll.ScrollToOffset(fyne.NewPos(0, p.problemAt.Position().Y))
	p.autoOffset, p.autoScrolled = p.scroll.Offset.Y, true
}

// Model returns the model shown.
func (p *Panel) Model() *Model { return p.model }

// SetModel shows another model and selects its level 0.
func (p *Panel) SetModel(m *Model) {
	p.model = m
	p.selected = -1
	p.status.SetText("")
	p.showSummary()
	p.list.UnselectAll()
	p.list.Refresh()
	if p.levelCount() > 0 {
		p.list.Select(0) // calls showLevel through OnSelected
	} else {
		p.showLevel(-1)
	}
	// The summary's height changed: lay everything out again.
	p.Refresh()
}

// Select shows the certificate at level i.
func (p *Panel) Select(i int) {
	if i >= 0 && i < p.levelCount() {
		p.list.Select(i)
	}
}

func (p *Panel) levelCount() int {
	if p.model == nil {
		return 0
	}
	return len(p.model.Levels)
}

func (p *Panel) showSummary() {
	text, col, icon := "No certificate.", theme.ColorNameForeground, theme.InfoIcon()
	if m := p.model; m != nil {
		text = m.Summary
		switch {
		case !m.Trusted:
			col, icon = theme.ColorNameError, theme.NewErrorThemedResource(theme.ErrorIcon())
		case m.Severity != "":
			col, icon = theme.ColorNameWarning, theme.NewWarningThemedResource(theme.WarningIcon())
		default:
			col, icon = theme.ColorNameSuccess, theme.NewSuccessThemedResource(theme.ConfirmIcon())
		}
	}
	p.summaryIcon.SetResource(icon)
	segs := []widget.RichTextSegment{&widget.TextSegment{Text: text, Style: widget.RichTextStyle{
		ColorName: col, SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}}}}
	if p.model != nil {
		segs[0].(*widget.TextSegment).Text = p.model.Verdict
		if p.model.Advice != "" {
			segs = append(segs, &widget.TextSegment{Text: p.model.Advice, Style: widget.RichTextStyleParagraph})
		}
		if p.model.Source != "" {
			segs = append([]widget.RichTextSegment{&widget.TextSegment{Text: "File: " + p.model.Source,
				Style: widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder}}}, segs...)
		}
	}
	p.summary.Segments = segs
	p.summary.Refresh()

	p.notes.RemoveAll()
	p.notes.Hide()
	if p.model != nil && len(p.model.Notes) > 0 {
		seen := map[string]bool{}
		width := labelColumnWidth(p.model.Notes)
		for _, r := range p.model.Notes {
			p.notes.Add(rowObject(r, width, "", seen))
		}
		p.notes.Show()
	}
}

// levelItem is one entry of the chain list: an icon for the level's worst
// problem, its title and "Level 0 · server · 2 problems".
type levelItem struct {
	widget.BaseWidget
	icon     *widget.Icon
	title    *widget.Label
	subtitle *widget.Label
	box      fyne.CanvasObject
}

func newLevelItem() fyne.CanvasObject {
	it := &levelItem{icon: widget.NewIcon(nil), title: widget.NewLabel(""), subtitle: widget.NewLabel("")}
	it.title.TextStyle.Bold = true
	it.title.Truncation = fyne.TextTruncateEllipsis
	it.subtitle.Truncation = fyne.TextTruncateEllipsis
	it.subtitle.SizeName = theme.SizeNameCaptionText
	it.box = container.NewBorder(nil, nil, it.icon, nil,
		container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), it.title, it.subtitle))
	it.ExtendBaseWidget(it)
	return it
}

// CreateRenderer is part of fyne.Widget.
func (it *levelItem) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(it.box)
}

func (p *Panel) updateLevelItem(id widget.ListItemID, o fyne.CanvasObject) {
	it, ok := o.(*levelItem)
	if !ok || p.model == nil || id < 0 || id >= len(p.model.Levels) {
		return
	}
	lv := p.model.Levels[id]
	it.icon.SetResource(severityIcon(lv.Severity))
	it.title.SetText(lv.Title)
	sub := fmt.Sprintf("Level %d · %s · %s", lv.Index, lv.Role, levelVerdict(p.model, lv))
	if lv.Note != "" {
		sub += " · not in the chain"
	}
	it.subtitle.SetText(sub)
	switch lv.Severity {
	case verify.SeverityError:
		it.subtitle.Importance = widget.DangerImportance
	case verify.SeverityWarning:
		it.subtitle.Importance = widget.WarningImportance
	default:
		it.subtitle.Importance = widget.MediumImportance
	}
	it.subtitle.Refresh()
}

// levelVerdict counts the level's problems in words.
func levelVerdict(m *Model, lv Level) string {
	errs, warns := 0, 0
	for _, pr := range m.Problems {
		if pr.Level != lv.Index {
			continue
		}
		if pr.Severity == verify.SeverityError {
			errs++
		} else {
			warns++
		}
	}
	// Rows marked without a verify problem (a revoked OCSP status, say).
	if errs == 0 && lv.Severity == verify.SeverityError {
		errs = 1
	}
	if errs+warns == 0 && lv.Severity == verify.SeverityWarning {
		warns = 1
	}
	switch {
	case errs > 0 && warns > 0:
		return fmt.Sprintf("%s, %s", words.Plural(errs, "problem"), words.Plural(warns, "warning"))
	case errs > 0:
		return words.Plural(errs, "problem")
	case warns > 0:
		return words.Plural(warns, "warning")
	}
	return "OK"
}

func severityIcon(s verify.Severity) fyne.Resource {
	switch s {
	case verify.SeverityError:
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	case verify.SeverityWarning:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	}
	return theme.NewSuccessThemedResource(theme.ConfirmIcon())
}

// current returns the selected level, if any.
func (p *Panel) current() (Level, bool) {
	if p.model == nil || p.selected < 0 || p.selected >= len(p.model.Levels) {
		return Level{}, false
	}
	return p.model.Levels[p.selected], true
}

func (p *Panel) showLevel(i int) {
	p.selected = i
	p.detail.RemoveAll()
	lv, ok := p.current()
	for _, b := range []*widget.Button{p.copyButton, p.pemButton, p.exportButton} {
		if ok && lv.Cert != nil {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if p.levelCount() > 0 && p.model.Levels[0].Role != RoleRequest {
		p.chainButton.Enable()
	} else {
		p.chainButton.Disable()
	}
	if !ok {
		p.levelTitle.Segments = nil
		p.levelTitle.Refresh()
		p.problemAt = nil
		p.scroll.ScrollToTop()
		return
	}
	role := fmt.Sprintf("   level %d, %s certificate", lv.Index, lv.Role)
	if lv.Role == RoleRequest {
		role = "   a PKCS#10 certificate request, not yet a certificate"
	}
	title := []widget.RichTextSegment{
		&widget.TextSegment{Text: lv.Title, Style: widget.RichTextStyle{Inline: true,
			SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}}},
		&widget.TextSegment{Text: role,
			Style: widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePlaceHolder}},
	}
	if lv.Note != "" {
		title = append(title, &widget.TextSegment{Text: "This certificate " + lv.Note + ".",
			Style: widget.RichTextStyle{ColorName: theme.ColorNameWarning}})
	}
	p.levelTitle.Segments = title
	p.levelTitle.Refresh()

	width := labelColumnWidth(lv.allRows())
	p.problemAt = nil
	for i, s := range lv.Sections {
		header := sectionHeader(s)
		if p.problemAt == nil && i > 0 && worstOfRows(s.Rows) != "" && worstOfRows(lv.Sections[0].Rows) == "" {
			p.problemAt = header
		}
		p.detail.Add(header)
		seen := map[string]bool{}
		for _, r := range s.Rows {
			p.detail.Add(rowObject(r, width, p.model.DialedName, seen))
		}
	}
	p.pendingScroll = true
	if p.Size().Height > 0 {
		p.scrollToProblem()
	}
}

func sectionHeader(s Section) fyne.CanvasObject {
	worst := worstOfRows(s.Rows)
	t := widget.NewRichText(&widget.TextSegment{Text: s.Title, Style: widget.RichTextStyle{
		SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}, ColorName: theme.ColorNameForeground}})
	if worst == "" {
		return container.NewVBox(widget.NewSeparator(), tight(t))
	}
	return container.NewVBox(widget.NewSeparator(),
		tight(container.NewHBox(alignTop(widget.NewIcon(severityIcon(worst))), t)))
}

// maxLabelWidth keeps the value column wide enough on narrow windows.
const maxLabelWidth = 250

// labelColumnWidth is the width of the widest label (with its icon slot).
func labelColumnWidth(rows []Row) float32 {
	var w float32
	for _, r := range rows {
		size := fyne.MeasureText(r.Label, theme.TextSize(), fyne.TextStyle{Bold: true})
		if size.Width > w {
			w = size.Width
		}
	}
	if w > maxLabelWidth {
		w = maxLabelWidth
	}
	return w + 2*theme.InnerPadding() + theme.IconInlineSize() + theme.Padding()
}

// rowObject draws one row: [icon] label | value. A row a problem is about
// gets a tinted background with a bar on its leading edge, a bold label
// and value, an INVALID or WARNING badge at the right, and the message
// below, across the row. A message already shown in the section is not
// repeated. The highlighted name gets a check mark.
func rowObject(r Row, labelWidth float32, dialed string, seen map[string]bool) fyne.CanvasObject {
	label := widget.NewLabel(r.Label)
	label.Truncation = fyne.TextTruncateEllipsis
	value := widget.NewLabel(r.Value)
	value.Selectable = true
	value.Wrapping = fyne.TextWrapWord
	if r.Mono {
		value.TextStyle.Monospace = true
		value.Wrapping = fyne.TextWrapBreak
	}

	var icon fyne.CanvasObject = layout.NewSpacer()
	var colorName fyne.ThemeColorName
	word := ""
	switch r.Status {
	case StatusInvalid:
		colorName, word = theme.ColorNameError, "INVALID"
		label.Importance, value.Importance = widget.DangerImportance, widget.DangerImportance
	case StatusWarning:
		colorName, word = theme.ColorNameWarning, "WARNING"
		label.Importance, value.Importance = widget.WarningImportance, widget.WarningImportance
	}
	var badge fyne.CanvasObject
	if word != "" {
		label.TextStyle.Bold = true
		value.TextStyle.Bold = true
		icon = widget.NewIcon(severityIcon(severityOf(r.Status)))
		badge = widget.NewRichText(&widget.TextSegment{Text: word, Style: widget.RichTextStyle{
			ColorName: colorName, TextStyle: fyne.TextStyle{Bold: true}}})
	}
	if r.Highlight {
		value.TextStyle.Bold = true
		value.Importance = widget.SuccessImportance
		value.SetText(r.Value + "   (the name you connected to)")
		if word == "" {
			colorName = theme.ColorNameSuccess
			icon = widget.NewIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		}
	}
	iconSlot := container.New(&fixedWidth{w: theme.IconInlineSize()}, alignTop(icon))
	left := container.New(&fixedWidth{w: labelWidth}, container.NewBorder(nil, nil, iconSlot, nil, label))
	line := tight(container.NewBorder(nil, nil, left, badge, value))

	body := line
	if word != "" && !seen[r.Message] && r.Message != "" {
		var segs []widget.RichTextSegment
		for _, m := range strings.Split(r.Message, "\n") {
			segs = append(segs, &widget.TextSegment{Text: m, Style: widget.RichTextStyleParagraph})
		}
		msg := widget.NewRichText(segs...)
		msg.Wrapping = fyne.TextWrapWord
		indent := theme.IconInlineSize() + theme.Padding()
		body = container.NewVBox(line, tight(container.New(layout.NewCustomPaddedLayout(0, 0, indent, 0), msg)))
	}
	if word != "" {
		seen[r.Message] = true
	}
	if colorName == "" {
		return body
	}
	return container.NewStack(newTint(colorName), body)
}

// tight trims the padding text widgets keep above and below themselves,
// so that rows are compact.
func tight(o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(layout.NewCustomPaddedLayout(-theme.Padding(), -theme.Padding(), 0, 0), o)
}

// alignTop keeps an icon at the height of the first line of text beside it.
func alignTop(o fyne.CanvasObject) fyne.CanvasObject {
	line := fyne.MeasureText("Mg", theme.TextSize(), fyne.TextStyle{}).Height
	top := theme.InnerPadding() + (line-theme.IconInlineSize())/2
	return container.New(layout.NewCustomPaddedLayout(top, 0, 0, 0), container.NewVBox(o))
}

// fixedWidth lays out its objects at a fixed width and their own height.
type fixedWidth struct{ w float32 }

// MinSize is the fixed width and the tallest object's height.
func (f *fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		if m := o.MinSize(); m.Height > h {
			h = m.Height
		}
	}
	return fyne.NewSize(f.w, h)
}

// Layout gives every object the whole area.
func (f *fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// tint is a faint background in a theme colour with a solid bar on its
// leading edge; it follows theme changes.
type tint struct {
	widget.BaseWidget
	color fyne.ThemeColorName
}

func newTint(c fyne.ThemeColorName) *tint {
	t := &tint{color: c}
	t.ExtendBaseWidget(t)
	return t
}

// CreateRenderer is part of fyne.Widget.
func (t *tint) CreateRenderer() fyne.WidgetRenderer {
	r := &tintRenderer{t: t, bg: canvas.NewRectangle(color.Transparent), bar: canvas.NewRectangle(color.Transparent)}
	r.Refresh()
	return r
}

type tintRenderer struct {
	t       *tint
	bg, bar *canvas.Rectangle
}

// Layout is part of fyne.WidgetRenderer.
func (r *tintRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.bar.Move(fyne.NewPos(0, 0))
	r.bar.Resize(fyne.NewSize(3, size.Height))
}

// MinSize is part of fyne.WidgetRenderer.
func (r *tintRenderer) MinSize() fyne.Size { return fyne.NewSize(0, 0) }

// Refresh is part of fyne.WidgetRenderer.
func (r *tintRenderer) Refresh() {
	c := color.NRGBAModel.Convert(theme.ColorForWidget(r.t.color, r.t)).(color.NRGBA)
	r.bar.FillColor = c
	c.A = 0x24
	r.bg.FillColor = c
	r.bg.Refresh()
	r.bar.Refresh()
}

// Objects is part of fyne.WidgetRenderer.
func (r *tintRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.bar} }

// Destroy is part of fyne.WidgetRenderer.
func (r *tintRenderer) Destroy() {}

func (p *Panel) copySHA256() {
	lv, ok := p.current()
	if !ok || lv.Cert == nil {
		return
	}
	fp := fingerprintRows(lv.Cert)[0].Value
	if app := fyne.CurrentApp(); app != nil {
		app.Clipboard().SetContent(fp)
	}
	p.status.SetText("SHA-256 of " + lv.Title + " copied.")
}

func (p *Panel) viewPEM() {
	lv, ok := p.current()
	if !ok || lv.Cert == nil || p.win == nil {
		return
	}
	text := string(CertPEM(lv))
	body := widget.NewLabel(strings.TrimSpace(text))
	body.TextStyle.Monospace = true
	body.Selectable = true
	copyBtn := widget.NewButtonWithIcon("Copy PEM", theme.ContentCopyIcon(), func() {
		if app := fyne.CurrentApp(); app != nil {
			app.Clipboard().SetContent(text)
		}
	})
	scroll := container.NewScroll(body)
	scroll.SetMinSize(fyne.NewSize(600, 360))
	d := dialog.NewCustom("PEM of "+lv.Title, "Close", container.NewBorder(nil, container.NewHBox(copyBtn), nil, nil, scroll), p.win)
	d.Show()
}

func (p *Panel) exportCert() {
	lv, ok := p.current()
	if !ok || lv.Cert == nil {
		return
	}
	p.save(fileName(lv.Title, ".pem"), CertPEM(lv), "certificate")
}

func (p *Panel) exportChain() {
	if p.levelCount() == 0 {
		return
	}
	p.save(fileName(p.model.Levels[0].Title, "-chain.pem"), ChainPEM(p.model), "chain")
}

// save asks where to write data and writes it there.
func (p *Panel) save(name string, data []byte, what string) {
	if p.win == nil {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("export %s: %w", what, err), p.win)
			return
		}
		if w == nil {
			return // cancelled
		}
		if err := writeExport(w, data); err != nil {
			dialog.ShowError(fmt.Errorf("export %s: %w", what, err), p.win)
			return
		}
		p.status.SetText("Saved " + w.URI().Name() + ".")
	}, p.win)
	d.SetFileName(name)
	d.Show()
}

// writeExport writes data to w and closes it.
func writeExport(w fyne.URIWriteCloser, data []byte) error {
	_, err := w.Write(data)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", w.URI().Name(), err)
	}
	return nil
}
