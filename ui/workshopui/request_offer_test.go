package workshopui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"lockbox/client"
	"lockbox/client/identity"
	"lockbox/client/secrets"
	"lockbox/client/workshop"
	"lockbox/ui/identityui"
	"lockbox/ui/internal/uitest"
)

// TestImportedIdentityOfferedByTheQuestion: an identity joined from a
// request and the CA's answer is offered, and sent, by the window's
// question when a server asks for a certificate from that CA.
func TestImportedIdentityOfferedByTheQuestion(t *testing.T) {
	sec := secrets.NewMemory()
	ids, err := identity.OpenStore(t.TempDir() + "/" + identity.IdentitiesFile)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := workshop.Open(ids, sec)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := ws.NewCA("Users CA", workshop.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := ws.NewRequest("work", workshop.Spec{Subject: workshop.Subject{CommonName: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ws.Sign("Users CA", p.RequestPEM(), 30, workshop.UsageClient)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Import(ws, workshop.CertificatePEM(cert)); err != nil {
		t.Fatal(err)
	}
	caCert, _ := ca.Cert()

	a := test.NewTempApp(t)
	a.Settings().SetTheme(uitest.LightTheme())
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1000, 700))
	q := uitest.NewQueue()
	var got *identityui.Answer
	rd := identityui.NewRequestDialog(w, client.IdentityRequest{HostPort: "127.0.0.1:2121",
		AcceptableCAs: []string{caCert.Subject.String()}, AcceptableCADER: [][]byte{caCert.RawSubject}},
		identityui.RequestOptions{Store: ids, Secrets: sec, Do: q.Do}, func(an identityui.Answer) { got = &an })
	rd.Show()
	if !rd.SelectSaved("work") {
		t.Fatal("the imported identity is not offered")
	}
	send := uitest.Button(w.Canvas().Overlays().Top(), "Send certificate")
	if send == nil {
		t.Fatal("no Send certificate button")
	}
	q.Pump(t, "the identity to load", func() bool { return !send.Disabled() })
	test.Tap(send)
	if got == nil || got.Identity == nil || !got.Identity.Leaf.Equal(cert) || got.SavedName != "work" {
		t.Fatalf("answer %+v, want the imported identity", got)
	}
}
