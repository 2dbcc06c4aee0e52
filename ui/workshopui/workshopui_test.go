package workshopui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"lockbox/client/certgen"
	"lockbox/client/identity"
	"lockbox/client/secrets"
	"lockbox/client/workshop"
	"lockbox/ui/internal/uitest"
)

func newWorkshop(t *testing.T) *workshop.Workshop {
	t.Helper()
	ids, err := identity.OpenStore(filepath.Join(t.TempDir(), identity.IdentitiesFile))
	if err != nil {
		t.Fatal(err)
	}
	ws, err := workshop.Open(ids, secrets.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func newForm(t *testing.T, ws *workshop.Workshop, q uitest.Queue) (fyne.Window, *Form) {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(uitest.LightTheme())
	w := test.NewTempWindow(t, nil)
	f := NewForm(w, ws, Options{Do: q.Do})
	w.SetContent(f.Content())
	w.Resize(fyne.NewSize(720, 820))
	return w, f
}

func TestFormGolden(t *testing.T) {
	q := uitest.NewQueue()
	w, f := newForm(t, newWorkshop(t), q)
	f.name.SetText("Work FTP login")
	f.cn.SetText("alice")
	f.org.SetText("Example Ltd")
	f.country.SetText("DE")
	f.emails.SetText("alice@example.com")
	test.AssertImageMatches(t, "new_certificate_form.png", w.Canvas().Capture())
}

func TestFormMakes(t *testing.T) {
	for _, tc := range []struct {
		name, output, key, days string
		wantStatus              string
		request                 bool
	}{
		{"request, ECDSA", outputRequest, "ECDSA P-256", "365", "Request \"alice\" made", true},
		{"self-signed, Ed25519", outputSelfSigned, "Ed25519", "30", "Identity \"alice\" saved", false},
		{"bad days", outputSelfSigned, "Ed25519", "many", "give a whole number", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := newWorkshop(t)
			q := uitest.NewQueue()
			_, f := newForm(t, ws, q)
			f.cn.SetText("alice")
			f.output.SetSelected(tc.output)
			f.key.SetSelected(tc.key)
			f.days.SetText(tc.days)
			test.Tap(f.create)
			q.Pump(t, "the result", func() bool {
				return strings.Contains(f.status.Text, tc.wantStatus) || strings.HasPrefix(f.status.Text, "Not created")
			})
			if !strings.Contains(f.status.Text, tc.wantStatus) {
				t.Fatalf("status %q, want %q", f.status.Text, tc.wantStatus)
			}
			if tc.days == "many" {
				return
			}
			if got := len(ws.Pending()); got != map[bool]int{true: 1, false: 0}[tc.request] {
				t.Errorf("%d pending requests", got)
			}
			if got := len(ws.Identities().List()); got != map[bool]int{true: 0, false: 1}[tc.request] {
				t.Errorf("%d identities", got)
			}
			if uitest.Button(f.result, map[bool]string{true: "Save request (PEM)…", false: "Export certificate (DER)…"}[tc.request]) == nil {
				t.Error("no export offered")
			}
		})
	}
}

func TestImportAndCA(t *testing.T) {
	ws := newWorkshop(t)
	q := uitest.NewQueue()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	_ = a
	c := NewCAs(w, ws, Options{Do: q.Do})
	done := false
	c.Create("Home CA", workshop.Spec{}, func(err error) {
		if err != nil {
			t.Error(err)
		}
		done = true
	})
	q.Pump(t, "the CA", func() bool { return done })
	if len(c.items) != 1 {
		t.Fatalf("%d CAs listed", len(c.items))
	}
	p, err := ws.NewRequest("nas", workshop.Spec{Subject: workshop.Subject{CommonName: "nas.home.arpa"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sign(p.RequestPEM(), 30, workshop.UsageServer); err == nil {
		t.Error("signed with no CA chosen")
	}
	if !c.sign.Disabled() || !c.exportCA.Disabled() || c.newCA.Disabled() {
		t.Errorf("no CA chosen: sign enabled %v, export enabled %v, new enabled %v", !c.sign.Disabled(), !c.exportCA.Disabled(), !c.newCA.Disabled())
	}
	c.Select(0)
	if c.sign.Disabled() || c.exportCA.Disabled() {
		t.Error("a CA chosen: sign or export still disabled")
	}
	cert, err := c.Sign(p.RequestPEM(), 30, workshop.UsageServer)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := Import(ws, workshop.CertificatePEM(cert))
	if err != nil || !strings.Contains(msg, `identity "nas" saved`) {
		t.Fatalf("import: %q, %v", msg, err)
	}
	stranger := certgen.Must(t, certgen.Spec{CommonName: "stranger"}, nil)
	if _, err := Import(ws, stranger.CertPEM()); err == nil || !strings.Contains(err.Error(), "matches no pending request") {
		t.Errorf("a certificate for no pending key: %v", err)
	}
}

func TestPendingRequests(t *testing.T) {
	ws := newWorkshop(t)
	for _, n := range []string{"a", "b"} {
		if _, err := ws.NewRequest(n, workshop.Spec{Subject: workshop.Subject{CommonName: n}}); err != nil {
			t.Fatal(err)
		}
	}
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(760, 420))
	r := NewRequests(w, ws)
	w.SetContent(r.Content())
	if len(r.items) != 2 || !r.remove.Disabled() {
		t.Fatalf("%d requests listed, remove enabled %v", len(r.items), !r.remove.Disabled())
	}
	r.Select(0)
	test.Tap(r.copy)
	if !strings.Contains(a.Clipboard().Content(), "BEGIN CERTIFICATE REQUEST") {
		t.Error("the request was not copied")
	}
	test.Tap(r.remove)
	if r.confirm == nil {
		t.Fatal("Remove did not ask")
	}
	test.Tap(uitest.Button(w.Canvas().Overlays().Top(), "Yes"))
	if len(ws.Pending()) != 1 || ws.Pending()[0].Name != "b" || len(r.items) != 1 {
		t.Errorf("after removing a: %+v", ws.Pending())
	}
}
