package workshopui

import (
	"crypto/x509"
	"fmt"
	"io"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/workshop"
)

// ShowImport asks for the file the CA sent back and joins it with its
// pending key into an identity; report gets the outcome (on the UI
// goroutine).
func ShowImport(win fyne.Window, ws *workshop.Workshop, opts Options, report func(msg string, err error)) {
	opts.fill()
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		go func() {
			data, err := io.ReadAll(io.LimitReader(r, 4*workshop.MaxRequestSize))
			r.Close()
			msg := ""
			if err == nil {
				msg, err = Import(ws, data)
			}
			opts.Do(func() {
				if err == nil {
					opts.OnChange()
				}
				report(msg, err)
			})
		}()
	}, win)
}

// Import joins the CA's answer in data with its pending key and says what
// it did.
func Import(ws *workshop.Workshop, data []byte) (string, error) {
	im, err := ws.Import(data, "")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("The certificate answers the request %q: identity %q saved (%s, issued by %s). It is offered when a server asks for a client certificate.",
		im.Request, im.Identity.Name, im.Identity.Subject, im.Identity.Issuer), nil
}

// CAs is the "Private CAs" window: the CAs the workshop made, a new one,
// and signing a request with one.
type CAs struct {
	win  fyne.Window
	ws   *workshop.Workshop
	opts Options

	*pickList[workshop.CA]
	newCA, sign, exportCA *widget.Button
	content               fyne.CanvasObject
}

// ShowCAs opens the private CAs window.
func ShowCAs(a fyne.App, ws *workshop.Workshop, opts Options) *CAs {
	w := a.NewWindow("Private CAs")
	c := NewCAs(w, ws, opts)
	w.SetContent(c.Content())
	w.Resize(fyne.NewSize(760, 480))
	w.Show()
	return c
}

// NewCAs builds the private CAs view for win.
func NewCAs(win fyne.Window, ws *workshop.Workshop, opts Options) *CAs {
	opts.fill()
	c := &CAs{win: win, ws: ws, opts: opts}
	c.pickList = newPickList(func(ca workshop.CA) string { return fmt.Sprintf("%s — %s", ca.Name, ca.Subject) },
		"A private CA signs certificates for your own servers and users. Give its certificate (never its key) to whoever must trust it.")
	c.newCA = widget.NewButtonWithIcon("New CA…", theme.ContentAddIcon(), c.askNew)
	c.sign = widget.NewButtonWithIcon("Sign a request…", theme.ConfirmIcon(), c.askSign)
	c.exportCA = widget.NewButtonWithIcon("Export CA certificate…", theme.DocumentSaveIcon(), c.export)
	c.content = c.layout([]*widget.Button{c.newCA, c.sign, c.exportCA}, c.sign, c.exportCA)
	c.Reload()
	return c
}

// Content is the view's widget tree.
func (c *CAs) Content() fyne.CanvasObject { return c.content }

// Reload lists the CAs again.
func (c *CAs) Reload() { c.reload(c.ws.CAs()) }

// Create makes a CA called name off the UI goroutine; done gets the error.
func (c *CAs) Create(name string, spec workshop.Spec, done func(error)) {
	go func() {
		_, err := c.ws.NewCA(name, spec)
		c.opts.Do(func() {
			if err == nil {
				c.Reload()
				c.status.SetText(fmt.Sprintf("CA %q made. Export its certificate for the servers and clients that must trust it.", name))
				c.opts.OnChange()
			} else {
				c.status.SetText("No CA made: " + err.Error())
			}
			if done != nil {
				done(err)
			}
		})
	}()
}

func (c *CAs) askNew() {
	name := widget.NewEntry()
	name.SetPlaceHolder("Home CA")
	org := widget.NewEntry()
	var keys []string
	for _, k := range workshop.KeyTypes {
		keys = append(keys, k.Label())
	}
	key := widget.NewSelect(keys, nil)
	key.SetSelected(keys[0])
	dialog.ShowForm("New private CA", "Create", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Name", name), widget.NewFormItem("Organization", org), widget.NewFormItem("Key", key),
	}, func(ok bool) {
		if !ok {
			return
		}
		c.Create(strings.TrimSpace(name.Text), workshop.Spec{Key: workshop.KeyTypes[indexOf(keys, key.Selected)],
			Subject: workshop.Subject{Organization: strings.TrimSpace(org.Text)}}, nil)
	}, c.win)
}

// Sign signs the request in csr with the selected CA.
func (c *CAs) Sign(csr []byte, days int, usage workshop.Usage) (*x509.Certificate, error) {
	ca, ok := c.current()
	if !ok {
		return nil, fmt.Errorf("choose a CA first")
	}
	return c.ws.Sign(ca.Name, csr, days, usage)
}

// Select selects CA i.
func (c *CAs) Select(i int) { c.list.Select(i) }

func (c *CAs) askSign() {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		name := r.URI().Name()
		go func() {
			csr, err := io.ReadAll(io.LimitReader(r, workshop.MaxRequestSize+1))
			r.Close()
			c.opts.Do(func() {
				if err != nil {
					c.status.SetText(err.Error())
					return
				}
				c.askSignOptions(name, csr)
			})
		}()
	}, c.win)
}

// askSignOptions asks the validity and usage, then signs off the UI
// goroutine (opening the CA's key derives its PKCS#12 password) and asks
// where to save the certificate.
func (c *CAs) askSignOptions(name string, csr []byte) {
	{
		days := widget.NewEntry()
		days.SetText("365")
		usage := widget.NewSelect([]string{"Client", "Server", "Client and server"}, nil)
		usage.SetSelectedIndex(0)
		dialog.ShowForm("Sign "+name, "Sign", "Cancel", []*widget.FormItem{
			widget.NewFormItem("Valid for (days)", days), widget.NewFormItem("Usage", usage),
		}, func(ok bool) {
			if !ok {
				return
			}
			n, err := strconv.Atoi(strings.TrimSpace(days.Text))
			if err != nil {
				c.status.SetText("Not signed: give the validity in whole days")
				return
			}
			u := []workshop.Usage{workshop.UsageClient, workshop.UsageServer, workshop.UsageBoth}[indexOf(usage.Options, usage.Selected)]
			ca, ok := c.current()
			if !ok {
				c.status.SetText("Not signed: choose a CA first")
				return
			}
			caName := ca.Name
			c.status.SetText("Signing…")
			go func() {
				cert, err := c.ws.Sign(caName, csr, n, u)
				c.opts.Do(func() {
					if err != nil {
						c.status.SetText("Not signed: " + err.Error())
						return
					}
					c.status.SetText("Signed: " + cert.Subject.String())
					saveFile(c.win, cert.Subject.CommonName+".crt", workshop.CertificatePEM(cert), c.status)
				})
			}()
		}, c.win)
	}
}

func (c *CAs) export() {
	ca, ok := c.current()
	if !ok {
		return
	}
	cert, err := ca.Cert()
	if err != nil {
		c.status.SetText(err.Error())
		return
	}
	saveFile(c.win, ca.Name+".crt", workshop.CertificatePEM(cert), c.status)
}
