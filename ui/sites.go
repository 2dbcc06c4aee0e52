package ui

import (
	"fmt"

	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/client/identity"
	"lockbox/client/sites"
	"lockbox/ui/sitesui"
)

// siteManager builds the site manager over the window's stores, wired to
// connect, to start the demo and to offer the saved identities.
func (w *MainWindow) siteManager() *sitesui.Manager {
	m := sitesui.New(w.Window, w.deps.Sites, w.deps.Secrets, w.deps.KeyringErr, w.runUI)
	m.OnDemo = func() { w.StartDemo(false) }
	m.OnConnect = func(s sites.Site, password string) { w.ConnectSite(s, password) }
	m.Identities = func() []string {
		if w.deps.Identities == nil {
			return nil
		}
		var names []string
		for _, s := range w.deps.Identities.List() {
			names = append(names, s.Name)
		}
		return names
	}
	return m
}

// ShowSiteManager opens the site manager. It must be called on the UI
// goroutine.
func (w *MainWindow) ShowSiteManager() {
	if w.sitesReady() {
		w.siteManager().Show()
	}
}

// sitesReady says whether the site list and the keyring answer are there,
// telling the user why not.
func (w *MainWindow) sitesReady() bool {
	switch {
	case w.deps.Sites == nil:
		w.setStatus("The site list cannot be opened: "+errString(w.stores.sites), widget.DangerImportance)
		return false
	case w.deps.Secrets == nil:
		w.setStatus("Still asking the system keyring whether it can keep passwords; try again in a moment.", widget.WarningImportance)
		return false
	}
	return true
}

// ImportFileZilla opens the site manager and asks for FileZilla's
// sitemanager.xml to import; the passwords go to the system keyring,
// never to a file.
func (w *MainWindow) ImportFileZilla() {
	if !w.sitesReady() {
		return
	}
	m := w.siteManager()
	m.Show()
	m.ChooseImport()
}

// ConnectSite connects to a saved site with password ("" for none): its
// TLS minimum, transfer mode, passive mode, proxy, expected fingerprint,
// extra CA roots and client identity apply, and its local folder opens.
// The quick-connect bar shows the site, its mode included, so that Connect
// there reaches it again. It must be called on the UI goroutine.
func (w *MainWindow) ConnectSite(s sites.Site, password string) {
	t, err := s.Target(password)
	if err != nil {
		w.setStatus(err.Error(), widget.DangerImportance)
		return
	}
	w.top.quick.fill(t)
	w.top.quick.setMode(s.Mode)
	p := connectPrefs{localDir: s.LocalDir, noIdentity: s.Identity == sites.IdentityNever, verify: s.Verify, siteName: s.Name}
	if store := w.deps.Sites; store != nil {
		p.rememberIdentity = func(name string) {
			cur, ok := store.Get(s.Name)
			if !ok {
				return
			}
			cur.Identity = name
			if err := store.Put(cur); err != nil {
				w.setStatus("The identity choice could not be saved: "+err.Error(), widget.WarningImportance)
			}
		}
	}
	// The site's CA files and saved identity are read off the UI
	// goroutine, once; what is wrong with them is said before dialling.
	ids, sec, do := w.deps.Identities, w.deps.Secrets, w.do
	global := sites.GlobalProxy{URL: w.settings.Proxy, NoProxy: w.settings.NoProxy, Password: w.proxyPassword}
	go func() {
		var site client.Options
		err := s.Apply(&site)
		if err == nil {
			// The proxy password comes from the keyring, which may wait.
			site.Proxy, err = s.ResolveProxy(global, sec)
		}
		var id *identity.Identity
		var idErr error
		if err == nil && s.Identity != sites.IdentityAsk && s.Identity != sites.IdentityNever {
			idErr = fmt.Errorf("no identity store")
			if ids != nil {
				id, idErr = ids.LoadSaved(s.Identity, sec)
			}
		}
		do(func() {
			if err != nil {
				w.setStatus(err.Error(), widget.DangerImportance)
				return
			}
			p.site = &site
			p.identity = id
			if idErr != nil {
				// Offered first when the server asks.
				p.preselectIdentity = s.Identity
				w.setStatus(fmt.Sprintf("Client identity %q: %v — you will be asked when the server wants it.", s.Identity, idErr), widget.WarningImportance)
			}
			w.connectTo(t, p)
		})
	}()
}
