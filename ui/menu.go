package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
)

// mainMenu is the window's menu bar. Every item that has a shortcut shows
// it, and the same shortcut works from anywhere in the window.
func (w *MainWindow) mainMenu() *fyne.MainMenu {
	item := func(label string, icon fyne.Resource, sc fyne.Shortcut, f func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, f)
		it.Icon = icon
		it.Shortcut = sc
		return it
	}
	quit := item("Quit", nil, QuitShortcut, w.Quit)
	quit.IsQuit = true
	file := fyne.NewMenu("File",
		item("Site manager…", theme.StorageIcon(), SitesShortcut, w.ShowSiteManager),
		item("Import FileZilla sites…", theme.DownloadIcon(), nil, w.ImportFileZilla),
		fyne.NewMenuItemSeparator(),
		item("Open certificate…", theme.FileIcon(), OpenShortcut, w.OpenCertificate),
		fyne.NewMenuItemSeparator(),
		item("Settings…", theme.SettingsIcon(), SettingsShortcut, w.ShowSettings),
		fyne.NewMenuItemSeparator(),
		quit,
	)
	w.top.demoMenu = fyne.NewMenu("Local demo",
		fyne.NewMenuItem("Connect to the demo server", func() { w.StartDemo(false) }),
		fyne.NewMenuItem("Connect to the demo server that requires a client certificate", func() { w.StartDemo(true) }),
	)
	conn := fyne.NewMenu("Connection",
		item("Connect", theme.LoginIcon(), ConnectShortcut, w.Connect),
		item("Inspect certificate only", theme.SearchIcon(), nil, w.Start),
		item("Refresh", theme.ViewRefreshIcon(), RefreshShortcut, w.Refresh),
		item("Disconnect", theme.LogoutIcon(), DisconnectShortcut, w.Disconnect),
		fyne.NewMenuItemSeparator(),
		item("Connection security…", theme.VisibilityIcon(), nil, func() {
			if w.ShowSecurity() == nil {
				w.setStatus("Not connected: there is no connection to show.", 0)
			}
		}),
		item("Trusted servers and CAs…", theme.ConfirmIcon(), nil, w.ShowTrustManager),
		fyne.NewMenuItemSeparator(),
		&fyne.MenuItem{Label: "Local demo", ChildMenu: w.top.demoMenu},
	)
	ids := fyne.NewMenu("Identities",
		item("Client identities…", theme.AccountIcon(), IdentitiesShortcut, w.ShowIdentities),
		fyne.NewMenuItemSeparator(),
		item("New key and certificate…", theme.ContentAddIcon(), nil, w.ShowNewCertificate),
		item("Pending requests…", theme.HistoryIcon(), nil, w.ShowPendingRequests),
		item("Import signed certificate…", theme.DownloadIcon(), nil, w.ImportSignedCertificate),
		item("Private CAs…", theme.ConfirmIcon(), nil, w.ShowPrivateCAs),
	)
	help := fyne.NewMenu("Help",
		fyne.NewMenuItem("Keyboard shortcuts", w.showShortcuts),
	)
	return fyne.NewMainMenu(file, conn, ids, help)
}

// addShortcuts makes the menu's shortcuts work from the canvas too (the
// test driver and some platforms have no native menu).
func (w *MainWindow) addShortcuts() {
	c := w.Window.Canvas()
	for sc, f := range map[*desktop.CustomShortcut]func(){
		OpenShortcut:       w.OpenCertificate,
		ConnectShortcut:    w.Connect,
		RefreshShortcut:    w.Refresh,
		DisconnectShortcut: w.Disconnect,
		QuitShortcut:       w.Quit,
		SitesShortcut:      w.ShowSiteManager,
		IdentitiesShortcut: w.ShowIdentities,
		SettingsShortcut:   w.ShowSettings,
	} {
		c.AddShortcut(sc, func(fyne.Shortcut) { f() })
	}
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyF5 {
			w.Refresh()
		}
	})
}

// Quit closes the window, which ends the application (its connections
// are closed first). Running transfers are cancelled only after asking.
func (w *MainWindow) Quit() { w.whenIdle("Quit", w.Window.Close) }

// showShortcuts lists the keyboard shortcuts.
func (w *MainWindow) showShortcuts() {
	dialog.ShowInformation("Keyboard shortcuts",
		"Ctrl+Enter  connect\n"+
			"Ctrl+R, F5  refresh both panes\n"+
			"Ctrl+D  disconnect\n"+
			"Ctrl+S  site manager\n"+
			"Ctrl+I  client identities\n"+
			"Ctrl+O  open a certificate file\n"+
			"Ctrl+,  settings\n"+
			"Ctrl+Q  quit\n"+
			"Enter in the quick-connect bar  connect", w.Window)
}
