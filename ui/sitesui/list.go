package sitesui

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/client/sites"
)

// schemeIcon marks plain FTP sites as unprotected in the list.
func schemeIcon(s client.Scheme) fyne.Resource {
	if s == client.FTP {
		return theme.WarningIcon()
	}
	return theme.StorageIcon()
}

// reloadList shows the store's sites and selects the one called name ("" =
// leave the selection to the caller).
func (m *Manager) reloadList(name string) {
	m.items = m.store.List()
	m.list.Refresh()
	if name == "" {
		return
	}
	for i, s := range m.items {
		if s.Name == name {
			m.current = -2 // force selectRow to load it
			m.list.Select(i + 1)
			if m.current != i+1 {
				m.selectRow(i + 1)
			}
			return
		}
	}
}

// selectRow shows the demo (row 0) or a saved site.
func (m *Manager) selectRow(id widget.ListItemID) {
	if id == m.current {
		return
	}
	m.current = id
	m.clearErrors()
	m.status.SetText("")
	if id == 0 {
		m.editing = ""
		m.gen++
		m.form.Hide()
		m.demoNote.Show()
		m.deleteBtn.Disable()
		m.saveBtn.Disable()
		return
	}
	if id-1 >= len(m.items) {
		return
	}
	m.demoNote.Hide()
	m.form.Show()
	m.deleteBtn.Enable()
	m.saveBtn.Enable()
	m.load(m.items[id-1], true)
}

// confirmDelete asks before deleting the selected site and its password.
func (m *Manager) confirmDelete() {
	name := m.editing
	if name == "" || m.current <= 0 {
		return
	}
	d := dialog.NewConfirm("Delete site", fmt.Sprintf("Delete the site %q and its saved password?", name), func(ok bool) {
		if ok {
			m.delete(name)
		}
	}, m.win)
	d.SetConfirmText("Delete")
	d.SetDismissText("Cancel")
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

func (m *Manager) delete(name string) {
	store, sec := m.store, m.sec
	m.setBusy(true)
	m.background(func() func() {
		err := store.Delete(name, sec)
		return func() {
			m.setBusy(false)
			m.reloadList("")
			if _, still := store.Get(name); still {
				m.showError(err)
				return
			}
			m.newSite()
			if err != nil && !errors.Is(err, sites.ErrNotFound) {
				m.showError(err)
				return
			}
			m.status.SetText(fmt.Sprintf("The site %q was deleted.", name))
		}
	})
}
