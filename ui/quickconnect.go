package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/ui/pick"
	"lockbox/ui/sitesui"
)

// quickConnect is the bar at the top of the window: protocol, host (or a
// whole URL), port, user, password and transfer mode, as in FileZilla's
// quick connect.
type quickConnect struct {
	content  fyne.CanvasObject
	protocol *widget.Select
	host     *widget.Entry
	port     *widget.Entry
	user     *widget.Entry
	password *widget.Entry
	// mode is the transfer mode of a quick connect; its default is
	// Settings'.
	mode *widget.Select
}

// quickModeLabel labels the bar's transfer mode choice (advice.go names it).
const quickModeLabel = "Mode"

// quickModes are the bar's transfer mode choices: the site manager's,
// with the default's label short enough for the bar.
var quickModes = pick.TransferModesCompact()

// newQuickConnect builds the bar; submit is called when Enter is pressed in
// any of its entries.
func newQuickConnect(submit func()) *quickConnect {
	q := &quickConnect{
		host:     widget.NewEntry(),
		port:     widget.NewEntry(),
		user:     widget.NewEntry(),
		password: widget.NewPasswordEntry(),
	}
	q.protocol = widget.NewSelect(sitesui.ProtocolLabels(), func(string) { q.port.SetPlaceHolder(strconv.Itoa(q.scheme().DefaultPort())) })
	q.protocol.SetSelectedIndex(0)
	q.mode = widget.NewSelect(quickModes.Labels(), nil)
	q.mode.SetSelectedIndex(0)
	q.host.SetPlaceHolder(URLPlaceholder)
	q.user.SetPlaceHolder("user")
	q.password.SetPlaceHolder("password")
	q.host.OnChanged = func(s string) {
		// A pasted URL names its protocol: show it.
		if scheme, _, ok := strings.Cut(s, "://"); ok {
			sc := client.Scheme(strings.ToLower(scheme))
			if label, ok := sitesui.ProtocolLabel(sc); ok && sc != q.scheme() {
				q.protocol.SetSelected(label)
			}
		}
	}
	for _, e := range []*widget.Entry{q.host, q.port, q.user, q.password} {
		e.OnSubmitted = func(string) { submit() }
	}
	fixed := func(o fyne.CanvasObject, w float32) fyne.CanvasObject {
		return container.New(layout.NewGridWrapLayout(fyne.NewSize(w, o.MinSize().Height)), o)
	}
	right := container.NewHBox(
		widget.NewLabel("Port"), fixed(q.port, 70),
		widget.NewLabel("User"), fixed(q.user, 120),
		widget.NewLabel("Password"), fixed(q.password, 120),
		widget.NewLabel(quickModeLabel), fixed(q.mode, 110),
	)
	q.content = container.NewBorder(nil, nil, container.NewHBox(fixed(q.protocol, 190), widget.NewLabel("Host")), right, q.host)
	return q
}

// dataMode is the transfer mode chosen; "" leaves it to Settings.
func (q *quickConnect) dataMode() client.DataMode {
	return client.DataMode(quickModes.Value(q.mode.Selected))
}

// setMode shows mode (a sites.Site.Mode: "" is the default) in the bar.
func (q *quickConnect) setMode(mode string) {
	q.mode.SetSelected(quickModes.Label(mode))
}

// scheme is the protocol chosen.
func (q *quickConnect) scheme() client.Scheme {
	i := q.protocol.SelectedIndex()
	if i < 0 {
		return client.FTPES
	}
	return sitesui.ProtocolScheme(i)
}

// target builds the connection's target: the host entry may hold a host
// or a whole URL; the port, user and password entries, when filled in,
// take precedence over the URL's.
func (q *quickConnect) target() (client.Target, error) {
	raw := strings.TrimSpace(q.host.Text)
	if raw == "" {
		return client.Target{}, errors.New("enter a host or a URL first: " + URLPlaceholder)
	}
	if !strings.Contains(raw, "://") {
		raw = string(q.scheme()) + "://" + raw
	}
	t, err := client.ParseURL(raw)
	if err != nil {
		return client.Target{}, err
	}
	if p := strings.TrimSpace(q.port.Text); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return client.Target{}, fmt.Errorf("port %q: use a number from 1 to 65535", p)
		}
		t.Port = n
	}
	if u := strings.TrimSpace(q.user.Text); u != "" {
		t.User = u
	}
	if q.password.Text != "" {
		t.Password, t.HasPassword = q.password.Text, true
	}
	return t, nil
}

// fill shows a target in the bar (the password is not shown, only kept).
// Its path is written as a URL's, so that connecting from the bar again
// reaches the same folder: a site's absolute folder as "/%2Fpub", a path
// under the login folder as "/pub" (RFC 1738, as curl).
func (q *quickConnect) fill(t client.Target) {
	label, _ := sitesui.ProtocolLabel(t.Scheme)
	q.protocol.SetSelected(label)
	host := t.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if t.Path != "" && t.Path != "/" {
		host += urlPath(t)
	}
	q.host.SetText(host)
	q.port.SetText(strconv.Itoa(t.Port))
	q.user.SetText(t.User)
	q.password.SetText(t.Password)
}

func (q *quickConnect) setEnabled(on bool) {
	for _, e := range []*widget.Entry{q.host, q.port, q.user, q.password} {
		if on {
			e.Enable()
		} else {
			e.Disable()
		}
	}
	for _, s := range []*widget.Select{q.protocol, q.mode} {
		if on {
			s.Enable()
		} else {
			s.Disable()
		}
	}
}

// urlPath is t's path as its URL writes it (escaped, with "%2F" in front
// of an absolute FTP path).
func urlPath(t client.Target) string {
	t.User, t.Password, t.HasPassword = "", "", false
	u := t.String()
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+len("://"):]
	}
	return strings.TrimPrefix(u, t.Address())
}
