package settings

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/transfer"
	"lockbox/ui/pick"
)

// The options of the radio group and selects, each a value stored in
// Settings and the words shown for it.
var (
	themeChoices = pick.Choices{
		{Value: ThemeSystem, Label: "System"},
		{Value: ThemeLight, Label: "Light"},
		{Value: ThemeDark, Label: "Dark"},
	}
	tlsChoices = pick.Choices{
		{Value: TLS12, Label: "TLS 1.2 or newer"},
		{Value: TLS13, Label: "TLS 1.3 only"},
	}
	existsChoices = pick.Choices{
		{Value: string(transfer.ExistsResume), Label: "Resume (continue partial files, skip complete ones)"},
		{Value: string(transfer.ExistsOverwrite), Label: "Overwrite"},
		{Value: string(transfer.ExistsSkip), Label: "Skip"},
		{Value: string(transfer.ExistsRename), Label: "Rename the new copy (keep both)"},
	}
)

// Form is the settings page: one control per setting, Save and Cancel. The
// main window may put Content in a dialog (see ShowDialog) or a tab. It is
// only used on the UI goroutine.
type Form struct {
	// Content is the page.
	Content fyne.CanvasObject
	// Pages are the settings' tabs (GeneralPage, ConnectionPage,
	// ProxyPage), inside Content.
	Pages *container.AppTabs

	theme       *widget.RadioGroup
	connections *widget.Select
	minTLS      *widget.Select
	timeout     *widget.Entry
	exists      *widget.Select
	notify      *widget.Check
	mode        *widget.Select
	activePorts *widget.Entry
	externalIP  *widget.Entry
	bindAddr    *widget.Entry
	proxy       *widget.Entry
	proxyPass   *widget.Entry
	noProxy     *widget.Entry
	problem     *widget.Label
	save        *widget.Button
	cancel      *widget.Button
}

// NewForm builds the page showing cur (a setting out of bounds shows its
// default). Save calls onSave with the edited settings, once they
// validate; Cancel calls onCancel. Either may be nil.
func NewForm(cur Settings, onSave func(Settings), onCancel func()) *Form {
	cur, _ = cur.repaired()
	f := &Form{}

	f.theme = widget.NewRadioGroup(themeChoices.Labels(), nil)
	f.theme.Horizontal = true
	f.theme.Required = true
	f.theme.SetSelected(themeChoices.Label(cur.Theme))

	var counts []string
	for n := MinConnections; n <= MaxConnections; n++ {
		counts = append(counts, strconv.Itoa(n))
	}
	f.connections = widget.NewSelect(counts, nil)
	f.connections.SetSelected(strconv.Itoa(cur.Connections))

	f.minTLS = widget.NewSelect(tlsChoices.Labels(), nil)
	f.minTLS.SetSelected(tlsChoices.Label(cur.MinTLS))

	f.timeout = widget.NewEntry()
	f.timeout.Validator = func(s string) error {
		_, err := parseTimeout(s)
		return err
	}
	f.timeout.SetText(strconv.Itoa(cur.TimeoutSeconds))

	f.exists = widget.NewSelect(existsChoices.Labels(), nil)
	f.exists.SetSelected(existsChoices.Label(cur.Exists))

	f.notify = widget.NewCheck("Notify me when a long transfer queue finishes", nil)
	f.notify.SetChecked(cur.Notify)

	f.mode = widget.NewSelect(pick.TransferModes.Labels(), nil)
	f.mode.SetSelected(pick.TransferModes.Label(cur.Mode))
	f.activePorts = newCheckedEntry(cur.ActivePorts, "any", func(s string) error { _, _, err := parsePorts(s); return err })
	f.externalIP = newCheckedEntry(cur.ExternalIP, "the bind address", func(s string) error { _, err := parseAddr(s, false); return err })
	f.bindAddr = newCheckedEntry(cur.BindAddr, "the address that reaches the server", func(s string) error { _, err := parseAddr(s, true); return err })
	f.proxy = widget.NewEntry()
	f.proxy.SetPlaceHolder("none, or socks5://user@host:1080, http://host:3128")
	f.proxy.SetText(cur.Proxy)
	f.proxyPass = widget.NewPasswordEntry()
	f.proxyPass.SetPlaceHolder("kept in the system keyring")
	f.noProxy = widget.NewEntry()
	f.noProxy.SetPlaceHolder("localhost, .example.com, 10.0.0.0/8")
	f.noProxy.SetText(cur.NoProxy)

	f.problem = widget.NewLabel("")
	f.problem.Importance = widget.DangerImportance
	f.problem.Wrapping = fyne.TextWrapWord
	f.problem.Hide()

	f.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() {
		s, err := f.Settings()
		if err != nil {
			f.problem.SetText(err.Error())
			f.problem.Show()
			return
		}
		f.problem.Hide()
		if onSave != nil {
			onSave(s)
		}
	})
	f.save.Importance = widget.HighImportance
	f.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() {
		if onCancel != nil {
			onCancel()
		}
	})
	// widget.Form takes the entry's validation callback for its hint, so
	// Save follows the text itself.
	checked := []*widget.Entry{f.timeout, f.activePorts, f.externalIP, f.bindAddr}
	for _, e := range checked {
		e.OnChanged = func(string) {
			for _, e := range checked {
				if e.Validator(e.Text) != nil {
					f.save.Disable()
					return
				}
			}
			f.save.Enable()
		}
	}

	general := widget.NewForm(
		&widget.FormItem{Text: "Theme", Widget: f.theme},
		&widget.FormItem{Text: "Transfers at once", Widget: f.connections,
			HintText: "Each runs on its own connection to the server"},
		&widget.FormItem{Text: "Existing files", Widget: f.exists},
		&widget.FormItem{Text: "Notifications", Widget: f.notify},
	)
	connection := widget.NewForm(
		&widget.FormItem{Text: "Oldest TLS", Widget: f.minTLS,
			HintText: "Servers that offer only older versions are refused"},
		&widget.FormItem{Text: "Timeout (seconds)", Widget: f.timeout,
			HintText: fmt.Sprintf("For a connect or a silent server, %d to %d", MinTimeoutSeconds, MaxTimeoutSeconds)},
		&widget.FormItem{Text: "Transfer mode", Widget: f.mode,
			HintText: "For sites that choose none; Auto tries passive, then active"},
		&widget.FormItem{Text: "Active mode ports", Widget: f.activePorts,
			HintText: "For a firewall that opens only these, such as 50000-50100"},
		&widget.FormItem{Text: "External IP address", Widget: f.externalIP,
			HintText: "Behind NAT: use the following IP address in active mode"},
		&widget.FormItem{Text: "Bind address", Widget: f.bindAddr,
			HintText: "The local address active mode listens on"},
	)
	proxy := widget.NewForm(
		&widget.FormItem{Text: "Proxy", Widget: f.proxy,
			HintText: "For every site that does not set its own; FTP must use passive mode through it"},
		&widget.FormItem{Text: "Proxy password", Widget: f.proxyPass,
			HintText: "Leave empty to keep the saved one"},
		&widget.FormItem{Text: "No proxy for", Widget: f.noProxy},
	)
	buttons := container.NewHBox(layout.NewSpacer(), f.cancel, f.save)
	// The settings outgrew a screen's height: they are grouped in pages,
	// as FileZilla's are, with the problem line and the buttons under
	// every page.
	f.Pages = container.NewAppTabs(
		container.NewTabItem(GeneralPage, general),
		container.NewTabItem(ConnectionPage, connection),
		container.NewTabItem(ProxyPage, proxy),
	)
	f.Content = container.NewBorder(nil, container.NewVBox(f.problem, buttons), nil, nil, f.Pages)
	return f
}

// newCheckedEntry is an entry showing text whose validator is check.
func newCheckedEntry(text, placeholder string, check func(string) error) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(placeholder)
	e.Validator = check
	e.SetText(text)
	return e
}

// parseTimeout reads the timeout entry: whole seconds within bounds.
func parseTimeout(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < MinTimeoutSeconds || n > MaxTimeoutSeconds {
		return 0, &FieldError{"timeout_seconds", strings.TrimSpace(s),
			fmt.Sprintf("use a whole number of seconds from %d to %d", MinTimeoutSeconds, MaxTimeoutSeconds)}
	}
	return n, nil
}

// Settings returns the settings as edited, or why they cannot be saved.
func (f *Form) Settings() (Settings, error) {
	s := Settings{
		Theme:         themeChoices.Value(f.theme.Selected),
		MinTLS:        tlsChoices.Value(f.minTLS.Selected),
		Exists:        existsChoices.Value(f.exists.Selected),
		Notify:        f.notify.Checked,
		Proxy:         strings.TrimSpace(f.proxy.Text),
		NoProxy:       strings.TrimSpace(f.noProxy.Text),
		ProxyPassword: f.proxyPass.Text,
		Mode:          pick.TransferModes.Value(f.mode.Selected),
	}
	var errs []error
	n, err := strconv.Atoi(f.connections.Selected)
	if err != nil {
		errs = append(errs, &FieldError{"connections", f.connections.Selected, fmt.Sprintf("use %d to %d", MinConnections, MaxConnections)})
	}
	s.Connections = n
	if s.TimeoutSeconds, err = parseTimeout(f.timeout.Text); err != nil {
		errs = append(errs, err)
	}
	for _, c := range []struct {
		field string
		e     *widget.Entry
		to    *string
	}{
		{"active_ports", f.activePorts, &s.ActivePorts},
		{"active_external_ip", f.externalIP, &s.ExternalIP},
		{"active_bind_addr", f.bindAddr, &s.BindAddr},
	} {
		*c.to = strings.TrimSpace(c.e.Text)
		if err := c.e.Validator(c.e.Text); err != nil {
			errs = append(errs, &FieldError{c.field, *c.to, err.Error()})
		}
	}
	if len(errs) > 0 {
		return Settings{}, fmt.Errorf("settings: %w", errors.Join(errs...))
	}
	if err := s.Validate(); err != nil {
		return Settings{}, fmt.Errorf("settings: %w", err)
	}
	return s, nil
}

// The settings' pages, as their tabs name them.
const (
	GeneralPage    = "General"
	ConnectionPage = "Connection"
	ProxyPage      = "Proxy"
)

// DialogSize is the size ShowDialog opens the settings at.
var DialogSize = fyne.NewSize(620, 0)

// ShowDialog opens the settings page over win, showing cur. Save closes it
// and calls onSave with the edited settings; Cancel closes it. It returns
// the dialog, already shown. It must be called on the UI goroutine.
func ShowDialog(win fyne.Window, cur Settings, onSave func(Settings)) dialog.Dialog {
	var d dialog.Dialog
	f := NewForm(cur, func(s Settings) {
		d.Hide()
		if onSave != nil {
			onSave(s)
		}
	}, func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons("Settings", f.Content, win)
	d.Resize(DialogSize.Max(f.Content.MinSize()))
	d.Show()
	return d
}
