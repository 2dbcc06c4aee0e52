// Package workshopui is the window side of the certificate workshop: the
// "New key and certificate" form, importing the certificate a CA sent
// back, and the private CAs (create one, sign a request).
//
// Threading: exported methods run on the UI goroutine. Key generation
// (an RSA 4096 key takes seconds) and the keyring run on goroutines of
// their own and come back through the injectable Do (fyne.Do by default).
package workshopui

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/workshop"
)

// Options are what the workshop's screens need besides the workshop.
type Options struct {
	// Do runs a function on the UI goroutine; nil means fyne.Do.
	Do func(func())
	// OnChange is called (on the UI goroutine) after an identity, a
	// request or a CA was made, so that lists can be refreshed; may be nil.
	OnChange func()
}

func (o *Options) fill() {
	if o.Do == nil {
		o.Do = fyne.Do
	}
	if o.OnChange == nil {
		o.OnChange = func() {}
	}
}

const (
	outputSelfSigned = "Self-signed certificate"
	outputRequest    = "Request (CSR) to send to a CA"
)

// Form is "New key and certificate".
type Form struct {
	win  fyne.Window
	ws   *workshop.Workshop
	opts Options

	name, cn, org, ou, country, email *widget.Entry
	dns, ips, emails, days            *widget.Entry
	key, usage                        *widget.Select
	output                            *widget.RadioGroup
	create                            *widget.Button
	status                            *widget.Label
	// result shows what was made and how to export it.
	result  *fyne.Container
	content fyne.CanvasObject

	// made is the last result, for the export buttons.
	made    workshop.Made
	pending workshop.Pending
}

// NewForm builds the form for win.
func NewForm(win fyne.Window, ws *workshop.Workshop, opts Options) *Form {
	opts.fill()
	f := &Form{win: win, ws: ws, opts: opts}
	entry := func(placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		return e
	}
	f.name = entry("how Lockbox lists it (default: the common name)")
	f.cn = entry("ftp.example.com, 192.0.2.7 or Alice Smith")
	f.org, f.ou = entry("optional"), entry("optional")
	f.country = entry("two letters, such as DE")
	f.email = entry("optional")
	f.dns = entry("more host names, comma-separated")
	f.ips = entry("IP addresses, comma-separated")
	f.emails = entry("e-mail addresses, comma-separated")
	f.days = entry("365")
	f.days.SetText("365")
	var keys []string
	for _, k := range workshop.KeyTypes {
		keys = append(keys, k.Label())
	}
	f.key = widget.NewSelect(keys, nil)
	f.key.SetSelected(keys[0])
	f.usage = widget.NewSelect([]string{"Client (log in to servers)", "Server", "Client and server"}, nil)
	f.usage.SetSelectedIndex(0)
	f.output = widget.NewRadioGroup([]string{outputSelfSigned, outputRequest}, nil)
	f.output.Horizontal = true
	f.output.SetSelected(outputRequest)
	f.create = widget.NewButton("Create", f.submit)
	f.create.Importance = widget.HighImportance
	f.status = widget.NewLabel("")
	f.status.Wrapping = fyne.TextWrapWord
	f.result = container.NewVBox()

	form := widget.NewForm(
		widget.NewFormItem("Name", f.name),
		widget.NewFormItem("Key", f.key),
		widget.NewFormItem("Common name (CN)", f.cn),
		widget.NewFormItem("Organization (O)", f.org),
		widget.NewFormItem("Unit (OU)", f.ou),
		widget.NewFormItem("Country (C)", f.country),
		widget.NewFormItem("E-mail", f.email),
		widget.NewFormItem("DNS names (SAN)", f.dns),
		widget.NewFormItem("IP addresses (SAN)", f.ips),
		widget.NewFormItem("E-mails (SAN)", f.emails),
		widget.NewFormItem("Valid for (days)", f.days),
		widget.NewFormItem("Usage", f.usage),
		widget.NewFormItem("Make", f.output),
	)
	note := widget.NewLabel("The common name is copied into the alternative names. The private key is kept only in an encrypted PKCS#12 file whose password goes to the keyring.")
	note.Wrapping = fyne.TextWrapWord
	f.content = container.NewVScroll(container.NewVBox(form, note, container.NewHBox(f.create), f.status, f.result))
	return f
}

// Content is the form's widget tree.
func (f *Form) Content() fyne.CanvasObject { return f.content }

// Show opens the form in a window of its own.
func Show(a fyne.App, ws *workshop.Workshop, opts Options) *Form {
	w := a.NewWindow("New key and certificate")
	f := NewForm(w, ws, opts)
	w.SetContent(f.Content())
	w.Resize(fyne.NewSize(720, 760))
	w.Show()
	return f
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// spec reads the form.
func (f *Form) spec() (workshop.Spec, error) {
	s := workshop.Spec{Key: workshop.KeyTypes[indexOf(f.key.Options, f.key.Selected)],
		Subject: workshop.Subject{CommonName: f.cn.Text, Organization: strings.TrimSpace(f.org.Text),
			OrganizationalUnit: strings.TrimSpace(f.ou.Text), Country: strings.TrimSpace(f.country.Text), Email: strings.TrimSpace(f.email.Text)},
		DNSNames: splitList(f.dns.Text), Emails: splitList(f.emails.Text),
		Usage: []workshop.Usage{workshop.UsageClient, workshop.UsageServer, workshop.UsageBoth}[indexOf(f.usage.Options, f.usage.Selected)]}
	for _, raw := range splitList(f.ips.Text) {
		ip := net.ParseIP(raw)
		if ip == nil {
			return s, fmt.Errorf("%q is not an IP address", raw)
		}
		s.IPs = append(s.IPs, ip)
	}
	if t := strings.TrimSpace(f.days.Text); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil {
			return s, fmt.Errorf("valid for %q days: give a whole number", t)
		}
		s.Days = n
	}
	return s.Normalize()
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return 0
}

func (f *Form) submit() {
	spec, err := f.spec()
	if err != nil {
		f.status.SetText("Not created: " + err.Error())
		return
	}
	name := strings.TrimSpace(f.name.Text)
	if name == "" {
		name = spec.Subject.CommonName
	}
	request := f.output.Selected == outputRequest
	f.create.Disable()
	f.status.SetText("Making a " + spec.Key.Label() + " key…")
	f.result.RemoveAll()
	do := f.opts.Do
	go func() {
		var made workshop.Made
		var p workshop.Pending
		var err error
		if request {
			p, err = f.ws.NewRequest(name, spec)
		} else {
			made, err = f.ws.NewSelfSigned(name, spec)
		}
		do(func() {
			f.create.Enable()
			if err != nil {
				f.status.SetText("Not created: " + err.Error())
				return
			}
			f.made, f.pending = made, p
			f.showResult(request)
			f.opts.OnChange()
		})
	}()
}

// showResult offers the exports of what was just made.
func (f *Form) showResult(request bool) {
	f.result.RemoveAll()
	if request {
		f.status.SetText(fmt.Sprintf("Request %q made. Send it to your CA; when the certificate comes back, use Identities › Import signed certificate….", f.pending.Name))
		pemText := widget.NewMultiLineEntry()
		pemText.SetText(string(f.pending.RequestPEM()))
		pemText.Disable()
		pemText.SetMinRowsVisible(6)
		f.result.Add(pemText)
		f.result.Add(container.NewHBox(
			widget.NewButton("Save request (PEM)…", func() { f.saveFile(f.pending.Name+".csr", f.pending.RequestPEM()) }),
			widget.NewButton("Copy request", func() { fyne.CurrentApp().Clipboard().SetContent(string(f.pending.RequestPEM())) }),
		))
		return
	}
	c := f.made.Certificate
	f.status.SetText(fmt.Sprintf("Identity %q saved: %s, self-signed, valid until %s. It is offered when a server asks for a client certificate.",
		f.made.Identity.Name, c.Subject, c.NotAfter.UTC().Format("2006-01-02")))
	f.result.Add(container.NewHBox(
		widget.NewButton("Export certificate (PEM)…", func() { f.saveFile(f.made.Identity.Name+".pem", workshop.CertificatePEM(c)) }),
		widget.NewButton("Export certificate (DER)…", func() { f.saveFile(f.made.Identity.Name+".cer", c.Raw) }),
	))
}

// saveFile asks where to write data (a certificate or request, never a
// key) and writes it.
func (f *Form) saveFile(name string, data []byte) {
	saveFile(f.win, name, data, f.status)
}

func saveFile(win fyne.Window, name string, data []byte, status *widget.Label) {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		path := wc.URI().Path()
		wc.Close()
		if err := os.WriteFile(path, data, 0o644); err != nil {
			status.SetText("Not saved: " + err.Error())
			return
		}
		status.SetText("Saved " + path + ".")
	}, win)
	d.SetFileName(name)
	d.Show()
}
