package ui

import (
	"errors"

	"fyne.io/fyne/v2/widget"

	"lockbox/client/configfile"
	"lockbox/client/identity"
	"lockbox/client/secrets"
	"lockbox/client/sites"
	"lockbox/ui/settings"
)

// ShowSettings opens the settings page. Saved settings apply to the next
// connection (connections, TLS minimum, timeout, existing files, transfer
// mode, active mode's ports and addresses) and at once (theme,
// notifications). It must be called on the UI goroutine.
func (w *MainWindow) ShowSettings() {
	settings.ShowDialog(w.Window, w.settings, func(s settings.Settings) {
		if pw := s.ProxyPassword; pw != "" {
			w.proxyPassword = pw
			s.ProxyPassword = ""
			if sec := w.deps.Secrets; sec != nil {
				do := w.do
				go func() {
					if err := sites.SaveProxyPassword(sec, sites.GlobalProxyKey, pw); err != nil {
						do(func() {
							w.setStatus("The proxy password applies until Lockbox closes but could not be saved: "+err.Error(), widget.WarningImportance)
						})
					}
				}()
			}
		}
		w.settings = s
		settings.ApplyTheme(w.app, s)
		if w.deps.SettingsPath == "" {
			return
		}
		if err := s.Save(w.deps.SettingsPath); err != nil {
			w.setStatus("The settings apply until Lockbox closes but could not be saved: "+err.Error(), widget.WarningImportance)
			return
		}
		w.setStatus("Settings saved; connections opened from now on use them.", widget.SuccessImportance)
	})
}

// openStores opens the user's saved sites, client identities and the
// system keyring. What cannot be opened is explained in the status line;
// the window works without it.
func (w *MainWindow) openStores() []string {
	var warnings []string
	// The keyring may wait on D-Bus or an unlock prompt: ask off the UI
	// goroutine; until it answers, the site manager waits.
	do := w.do
	go func() {
		sec, kerr := secrets.Open()
		proxyPW, _ := sites.ProxyPassword(sec, sites.GlobalProxyKey)
		do(func() {
			w.deps.Secrets, w.deps.KeyringErr = sec, kerr
			if w.proxyPassword == "" {
				w.proxyPassword = proxyPW
			}
			if kerr != nil {
				// One sentence; the technical reason (D-Bus sockets,
				// Secret Service) waits behind Details….
				w.setStatusDetails(secrets.UnavailableSummary, widget.WarningImportance,
					"Why passwords can't be saved", kerr.Error())
			}
		})
	}()
	st, err := sites.OpenDefault()
	var sce *configfile.CorruptError
	switch {
	case errors.As(err, &sce):
		warnings = append(warnings, "The site list was damaged and has been set aside: "+err.Error())
	case err != nil:
		w.stores.sites = err
		warnings = append(warnings, "Sites cannot be saved: "+err.Error())
	}
	w.deps.Sites = st
	ids, err := identity.OpenDefaultStore()
	var ice *configfile.CorruptError
	switch {
	case errors.As(err, &ice):
		warnings = append(warnings, "The identity list was damaged and has been set aside: "+err.Error())
	case err != nil:
		w.stores.identities = err
		warnings = append(warnings, "Client identities cannot be saved: "+err.Error())
	}
	w.deps.Identities = ids
	return warnings
}
