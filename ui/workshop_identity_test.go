//go:build linux

package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"lockbox/client/identity"
	"lockbox/client/secrets"
	"lockbox/client/servertest"
	"lockbox/client/workshop"
	"lockbox/ui/identityui"
	"lockbox/ui/internal/uitest"
)

// The workshop's first story, end to end in the window: a key and a
// request made by Lockbox, signed by the server's CA, imported back, is
// offered by the window's client-certificate question when a real vsftpd
// (require_cert=YES, validate_cert=YES) asks for one, and logs in.
func TestWorkshopIdentityLogsInFromTheQuestion(t *testing.T) {
	sec := secrets.NewMemory()
	ids, err := identity.OpenStore(filepath.Join(t.TempDir(), identity.IdentitiesFile))
	if err != nil {
		t.Fatal(err)
	}
	ws, err := workshop.Open(ids, sec)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := ws.NewCA("FTP users CA", workshop.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := ca.Cert()
	caFile := filepath.Join(t.TempDir(), "users-ca.pem")
	if err := os.WriteFile(caFile, workshop.CertificatePEM(caCert), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{RequireClientCert: true,
		Extra: map[string]string{"ca_certs_file": caFile}})
	p, err := ws.NewRequest("work", workshop.Spec{Subject: workshop.Subject{CommonName: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := ws.Sign("FTP users CA", p.RequestPEM(), 30, workshop.UsageClient)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Import(workshop.CertificatePEM(signed, caCert), ""); err != nil {
		t.Fatalf("import the signed certificate: %v", err)
	}

	h := newHarness(t, Deps{LocalDir: t.TempDir(), Identities: ids, Secrets: sec})
	var asked []*identityui.RequestDialog
	h.w.hooks.onIdentity = func(rd *identityui.RequestDialog) { asked = append(asked, rd) }
	q := h.w.top.quick
	q.host.SetText("ftpes://" + srv.Addr)
	q.user.SetText(srv.User)
	q.password.SetText(srv.Password)
	test.Tap(h.w.top.connect)
	test.Tap(h.waitDialog(t).once) // vsftpd's own certificate is self-signed
	h.pump(t, "the client-certificate question", func() bool { return len(asked) > 0 || len(h.results) > 0 })
	if len(asked) != 1 {
		t.Fatalf("no client-certificate question; result %+v", h.results)
	}
	if !asked[0].SelectSaved("work") {
		t.Fatal("the imported identity is not offered")
	}
	send := uitest.Button(h.w.Window.Canvas().Overlays().Top(), "Send certificate")
	if send == nil {
		t.Fatal("the question has no Send certificate button")
	}
	h.pump(t, "the identity to open", func() bool { return !send.Disabled() })
	test.Tap(send)
	r := h.waitDone(t)
	if r.err != nil {
		t.Fatalf("login with the imported identity: %v\nvsftpd log: %s", r.err, srv.LogPath)
	}
	if cc := r.rep.ClientCertificate; cc.Sent == nil || !strings.Contains(*cc.Sent, "alice") {
		t.Errorf("client certificate sent: %+v", cc)
	}
	remote := h.w.remote.pane
	h.pump(t, "the remote listing", func() bool { return !remote.Loading() })
}
