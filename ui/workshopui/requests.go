package workshopui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/workshop"
)

// Requests is the "Pending requests" window: the requests whose
// certificate has not come back yet, to save or copy again, or to forget
// with their key.
type Requests struct {
	win fyne.Window
	ws  *workshop.Workshop

	*pickList[workshop.Pending]
	save, copy, remove *widget.Button
	content            fyne.CanvasObject
	confirm            *dialog.ConfirmDialog
}

// ShowRequests opens the pending requests window.
func ShowRequests(a fyne.App, ws *workshop.Workshop) *Requests {
	w := a.NewWindow("Pending requests")
	r := NewRequests(w, ws)
	w.SetContent(r.Content())
	w.Resize(fyne.NewSize(760, 420))
	w.Show()
	return r
}

// NewRequests builds the pending requests view for win.
func NewRequests(win fyne.Window, ws *workshop.Workshop) *Requests {
	r := &Requests{win: win, ws: ws}
	r.pickList = newPickList(func(p workshop.Pending) string {
		return fmt.Sprintf("%s — %s, %s key, made %s", p.Name, p.Subject, p.Key.Label(), p.Created.Format("2006-01-02"))
	}, "When the CA's certificate comes back, use Identities › Import signed certificate….")
	r.save = widget.NewButtonWithIcon("Save request (PEM)…", theme.DocumentSaveIcon(), func() {
		if p, ok := r.current(); ok {
			saveFile(r.win, p.Name+".csr", p.RequestPEM(), r.status)
		}
	})
	r.copy = widget.NewButtonWithIcon("Copy request", theme.ContentCopyIcon(), func() {
		if p, ok := r.current(); ok {
			fyne.CurrentApp().Clipboard().SetContent(string(p.RequestPEM()))
			r.status.SetText("Request " + p.Name + " copied.")
		}
	})
	r.remove = widget.NewButtonWithIcon("Remove…", theme.DeleteIcon(), r.askRemove)
	r.content = r.layout([]*widget.Button{r.save, r.copy, r.remove}, r.save, r.copy, r.remove)
	r.Reload()
	return r
}

// Content is the view's widget tree.
func (r *Requests) Content() fyne.CanvasObject { return r.content }

// Reload lists the pending requests again.
func (r *Requests) Reload() { r.reload(r.ws.Pending()) }

// Select selects request i.
func (r *Requests) Select(i int) { r.list.Select(i) }

func (r *Requests) askRemove() {
	p, ok := r.current()
	if !ok {
		return
	}
	r.confirm = dialog.NewConfirm("Remove the request?", fmt.Sprintf("Forget the request %q and delete its key? A certificate the CA signs for it later can then never be used.", p.Name), func(yes bool) {
		r.confirm = nil
		if !yes {
			return
		}
		if err := r.ws.RemovePending(p.Name); err != nil {
			r.status.SetText(err.Error())
			return
		}
		r.Reload()
		r.status.SetText("Request " + p.Name + " and its key were removed.")
	}, r.win)
	r.confirm.Show()
}
