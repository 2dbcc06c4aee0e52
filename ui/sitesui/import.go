package sitesui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/secrets"
	"lockbox/client/sites"
	"lockbox/ui/pick"
)

// ChooseImport asks for FileZilla's sitemanager.xml, starting in
// FileZilla's configuration folder when there is one, and imports it.
func (m *Manager) ChooseImport() {
	m.pickFile(pick.File{Extensions: []string{".xml"}, Dir: fileZillaDir()}, m.Import)
}

// fileZillaDir is where FileZilla 3 keeps sitemanager.xml, "" when absent.
func fileZillaDir() string {
	var candidates []string
	if dir, err := os.UserConfigDir(); err == nil {
		candidates = append(candidates, filepath.Join(dir, "filezilla"), filepath.Join(dir, "FileZilla"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".filezilla"))
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
	}
	return ""
}

// Import reads FileZilla's sitemanager.xml at path, off the UI goroutine,
// saves its sites and their passwords (to the keyring only), and shows a
// summary with every warning. Call it on the UI goroutine.
func (m *Manager) Import(path string) {
	store, sec, keyringErr := m.store, m.sec, m.keyringErr
	m.setBusy(true)
	m.status.SetText("Importing " + path + " …")
	m.background(func() func() {
		res, err := importFile(store, sec, path)
		return func() {
			m.setBusy(false)
			m.status.SetText("")
			if err != nil {
				dialog.ShowError(err, m.win)
				return
			}
			first := ""
			if len(res.Added) > 0 {
				first = res.Added[0]
			}
			m.reloadList(first)
			m.showSummary(ImportSummary(res, keyringErr))
		}
	})
}

// importFile imports the sitemanager.xml at path into store, its
// passwords into sec (kept only in memory when the keyring cannot be used).
func importFile(store *sites.Store, sec secrets.Store, path string) (sites.ImportResult, error) {
	res, err := store.ImportFileZillaFile(path, func() (secrets.Store, error) { return sec, nil })
	var fe *sites.ImportFileError
	switch {
	case errors.As(err, &fe) && fe.Op == "open":
		return res, fmt.Errorf("import from FileZilla: %w", err)
	case errors.As(err, &fe):
		return res, fmt.Errorf("import %w", err) // "import PATH: …"
	}
	return res, err
}

// ImportSummary is the text shown after an import: how many sites and
// passwords were saved, why any password was not, and every warning.
// keyringErr is why the system keyring is unavailable, nil when it works.
func ImportSummary(res sites.ImportResult, keyringErr error) string {
	var b strings.Builder
	switch len(res.Added) {
	case 0:
		b.WriteString("No sites were imported.")
	case 1:
		b.WriteString("1 site was imported.")
	default:
		fmt.Fprintf(&b, "%d sites were imported.", len(res.Added))
	}
	switch {
	case res.PasswordsSaved > 0 && keyringErr != nil:
		fmt.Fprintf(&b, "\n%d passwords were not saved: %v. They are kept only until Lockbox closes.", res.PasswordsSaved, keyringErr)
	case res.PasswordsSaved > 0:
		fmt.Fprintf(&b, "\n%d passwords were saved in the system keyring.", res.PasswordsSaved)
	}
	if len(res.PasswordsNotSaved) > 0 {
		fmt.Fprintf(&b, "\nThe passwords of %s were not saved: %v.", strings.Join(quoteAll(res.PasswordsNotSaved), ", "), res.PasswordError)
		if !res.KeyringUnavailable() {
			// An unavailable keyring's reason already says so.
			b.WriteString(" You will be asked for them when you connect.")
		}
	}
	if len(res.Warnings) > 0 {
		b.WriteString("\n\nWarnings:")
		for _, w := range res.Warnings {
			b.WriteString("\n• " + w)
		}
	}
	return b.String()
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strconv.Quote(n)
	}
	return out
}

func (m *Manager) showSummary(text string) {
	label := widget.NewLabel(text)
	label.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(label)
	scroll.SetMinSize(fyne.NewSize(560, 320))
	d := dialog.NewCustom("Import from FileZilla", "OK", scroll, m.win)
	d.Show()
}
