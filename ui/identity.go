package ui

import (
	"context"
	"path/filepath"

	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/client/demo"
	"lockbox/client/identity"
	"lockbox/client/secrets"
	"lockbox/ui/identityui"
)

// chooseIdentity runs on the engine goroutine when a server asks for a
// client certificate and the site has none: it shows the question on the
// UI goroutine and waits for the answer (or for the attempt to end).
func (w *MainWindow) chooseIdentity(ctx context.Context, do func(func()), gen int, r client.IdentityRequest, p connectPrefs) *identity.Identity {
	answer := make(chan identityui.Answer, 1)
	do(func() {
		if !w.ctl.current(gen) {
			answer <- identityui.Answer{}
			return
		}
		w.showIdentityRequest(r, p, answer)
	})
	select {
	case a := <-answer:
		return a.Identity
	case <-ctx.Done():
		do(func() {
			if w.ctl.current(gen) {
				w.dismissIdentityDialog()
			}
		})
		return nil
	}
}

// showIdentityRequest opens the client-certificate question.
func (w *MainWindow) showIdentityRequest(r client.IdentityRequest, p connectPrefs, answer chan<- identityui.Answer) {
	w.setStatus(r.HostPort+" asks for a client certificate: choose one to send, or send none.", widget.WarningImportance)
	store, sec := w.deps.Identities, w.deps.Secrets
	if p.demo {
		store, sec = w.demo.ids, w.demo.secrets
	}
	var rd *identityui.RequestDialog
	rd = identityui.NewRequestDialog(w.Window, r, identityui.RequestOptions{
		Store: store, Secrets: sec, Now: w.deps.Now, Do: w.runUI, Preselect: p.preselectIdentity,
	}, func(a identityui.Answer) {
		if w.dlg.identity == rd {
			w.dlg.identity = nil
		}
		if a.Remember && p.rememberIdentity != nil {
			name := a.SavedName
			if a.Identity == nil {
				name = "none"
			}
			p.rememberIdentity(name)
		}
		if a.Warning != nil {
			w.setStatus(a.Warning.Error(), widget.WarningImportance)
		}
		select {
		case answer <- a:
		default:
		}
	})
	w.dlg.identity = rd
	rd.Show()
	if w.hooks.onIdentity != nil {
		w.hooks.onIdentity(rd)
	}
}

// dismissIdentityDialog closes an open client-certificate question
// (answering none).
func (w *MainWindow) dismissIdentityDialog() {
	if w.dlg.identity != nil {
		d := w.dlg.identity
		w.dlg.identity = nil
		d.Dismiss()
	}
}

// demoIdentities prepares a store holding the demo's own client identity,
// so that the demo's client-certificate port can be tried with nothing to
// set up. It lives in the demo's temporary folder, never among the user's
// identities. It decodes the PKCS#12 file, so it runs off the UI goroutine.
func demoIdentities(l *demo.Local) (*identity.Store, secrets.Store, error) {
	sec := secrets.NewMemory()
	st, err := identity.OpenStore(filepath.Join(filepath.Dir(l.IdentityPKCS12()), "identities.json"))
	if err != nil {
		return nil, nil, err
	}
	if _, ok := st.Get(DemoIdentityName); !ok {
		if _, err := st.Add(DemoIdentityName, identity.Files{PKCS12: l.IdentityPKCS12()}, demo.IdentityPassword, sec); err != nil {
			return nil, nil, err
		}
	}
	return st, sec, nil
}

// DemoIdentityName is the name the demo's client identity is offered under.
const DemoIdentityName = "Lockbox demo user (built in)"

// ShowIdentities opens the client identity manager. It must be called on
// the UI goroutine.
func (w *MainWindow) ShowIdentities() {
	if w.deps.Identities == nil {
		w.setStatus("Client identities cannot be saved: "+errString(w.stores.identities), widget.WarningImportance)
	}
	identityui.ShowManager(w.app, w.deps.Identities, w.deps.Secrets, identityui.ManagerOptions{Now: w.deps.Now, Do: w.runUI})
}

func errString(err error) string {
	if err == nil {
		return "no identity store"
	}
	return err.Error()
}
