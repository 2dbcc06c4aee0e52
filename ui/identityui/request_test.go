package identityui

import (
	"crypto/x509"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/client/identity"
	"lockbox/client/secrets"
	"lockbox/ui/internal/uitest"
)

// requestHarness is a request dialog on a test window whose file loading
// reports through a queue the test drains.
type requestHarness struct {
	w       fyne.Window
	q       uitest.Queue
	rd      *RequestDialog
	answers []Answer
}

func newRequest(t *testing.T, req client.IdentityRequest, opts RequestOptions) *requestHarness {
	t.Helper()
	h := &requestHarness{w: newTestWindow(t), q: uitest.NewQueue()}
	opts.Do = h.q.Do
	if opts.Now == nil {
		opts.Now = fixedClock
	}
	h.rd = NewRequestDialog(h.w, req, opts, func(a Answer) { h.answers = append(h.answers, a) })
	h.rd.Show()
	return h
}

// waitIdle runs posted work until nothing is being read or saved.
func (h *requestHarness) waitIdle(t *testing.T, what string) {
	t.Helper()
	h.q.Pump(t, what, func() bool { return !h.rd.busy && !strings.HasPrefix(h.rd.status.Text, "Reading ") })
}

// waitAnswer runs posted work until the dialog answered.
func (h *requestHarness) waitAnswer(t *testing.T) Answer {
	t.Helper()
	h.q.Pump(t, "the answer", func() bool { return len(h.answers) > 0 })
	if len(h.answers) != 1 {
		t.Fatalf("onAnswer called %d times, want once", len(h.answers))
	}
	return h.answers[0]
}

// request asks for a certificate from one of cas (nil: any).
func request(cas ...*testCert) client.IdentityRequest {
	r := client.IdentityRequest{HostPort: "files.example.test:990"}
	for _, c := range cas {
		r.AcceptableCAs = append(r.AcceptableCAs, c.Cert.Subject.String())
		r.AcceptableCADER = append(r.AcceptableCADER, c.Cert.RawSubject)
	}
	return r
}

func TestRequestListsCANames(t *testing.T) {
	p := newPKI(t)
	derOnly := request(p.testCA, p.partnerCA)
	derOnly.AcceptableCAs = nil
	many := request(p.testCA, p.partnerCA, p.alice, p.bob)
	tests := []struct {
		name    string
		req     client.IdentityRequest
		want    []string
		wantNot []string
	}{
		{"two CAs", request(p.testCA, p.partnerCA), []string{"CN=Test CA,O=Lockbox Test", "CN=Partner CA,O=Lockbox Test"}, []string{"Any CA"}},
		{"no CA list", request(), []string{"Any CA: the server did not name any."}, []string{"CN=Test CA"}},
		{"names only as DER", derOnly, []string{"CN=Test CA,O=Lockbox Test", "CN=Partner CA,O=Lockbox Test"}, nil},
		{"a long list scrolls", many, []string{"CN=Test CA,O=Lockbox Test", "CN=bob,O=Lockbox Test"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newRequest(t, tt.req, RequestOptions{})
			got := texts(h.rd.content)
			if h.rd.dlg == nil || !containsText([]string{h.rd.req.HostPort}, "files.example.test:990") {
				t.Fatal("the dialog was not built for the request")
			}
			for _, w := range tt.want {
				if !containsText(got, w) {
					t.Errorf("dialog does not show %q; it shows %q", w, got)
				}
			}
			for _, w := range tt.wantNot {
				if containsText(got, w) {
					t.Errorf("dialog shows %q, it must not", w)
				}
			}
		})
	}
}

// savedRow renders row i of the saved list: the name, whether "matches"
// shows, and the expiry text with its importance.
func savedRow(rd *RequestDialog, i int) (name string, matches bool, expires *widget.Label) {
	o := rd.list.CreateItem()
	rd.list.UpdateItem(i, o)
	top := o.(*fyne.Container).Objects[0].(*fyne.Container).Objects
	return top[0].(*widget.Label).Text, top[1].Visible(), top[2].(*widget.Label)
}

func TestRequestMatchingSavedFirst(t *testing.T) {
	p := newPKI(t)
	s := newStore(t)
	mustAdd(t, s, "aardvark (partner)", identity.Files{CertFile: p.bobPEM}, "", nil)
	mustAdd(t, s, "alice", identity.Files{CertFile: p.alicePEM}, "", nil)
	mustAdd(t, s, "bob", identity.Files{CertFile: p.bobPEM}, "", nil)
	mustAdd(t, s, "carol", identity.Files{CertFile: p.expiredPEM}, "", nil)
	tests := []struct {
		name      string
		req       client.IdentityRequest
		wantOrder []string
		matching  int
	}{
		{"Test CA listed", request(p.testCA), []string{"alice", "carol", "aardvark (partner)", "bob"}, 2},
		{"Partner CA listed", request(p.partnerCA), []string{"aardvark (partner)", "bob", "alice", "carol"}, 2},
		{"unknown CA listed", request(p.alice), []string{"aardvark (partner)", "alice", "bob", "carol"}, 0},
		{"any CA", request(), []string{"aardvark (partner)", "alice", "bob", "carol"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newRequest(t, tt.req, RequestOptions{Store: s})
			var order []string
			for i := range h.rd.saved {
				name, matches, _ := savedRow(h.rd, i)
				order = append(order, name)
				// "matches" is only said when the server named CAs.
				if want := i < tt.matching && len(tt.req.AcceptableCADER) > 0; matches != want {
					t.Errorf("row %d (%s): matches shown = %v, want %v", i, name, matches, want)
				}
			}
			if strings.Join(order, "|") != strings.Join(tt.wantOrder, "|") {
				t.Errorf("saved identities in order %q, want %q", order, tt.wantOrder)
			}
		})
	}
}

func TestRequestSavedExpiryColours(t *testing.T) {
	p := newPKI(t)
	s := newStore(t)
	mustAdd(t, s, "alice", identity.Files{CertFile: p.alicePEM}, "", nil)
	mustAdd(t, s, "carol", identity.Files{CertFile: p.expiredPEM}, "", nil)
	mustAdd(t, s, "dave", identity.Files{CertFile: p.soonPEM}, "", nil)
	h := newRequest(t, request(), RequestOptions{Store: s})
	tests := []struct {
		row  int
		text string
		imp  widget.Importance
	}{
		{0, "expires 2027-01-01 (in 199 days)", widget.MediumImportance},
		{1, "expires 2026-06-11 (expired 4 days ago)", widget.DangerImportance},
		{2, "expires 2026-07-01 (in 15 days)", widget.WarningImportance},
	}
	for _, tt := range tests {
		name, _, l := savedRow(h.rd, tt.row)
		if l.Text != tt.text || l.Importance != tt.imp {
			t.Errorf("%s: expiry %q (importance %v), want %q (%v)", name, l.Text, l.Importance, tt.text, tt.imp)
		}
	}
}

func TestRequestWrongPasswordThenRight(t *testing.T) {
	p := newPKI(t)
	h := newRequest(t, request(p.testCA), RequestOptions{})
	rd := h.rd

	rd.files.pick(p.aliceP12)
	h.waitIdle(t, "alice.p12 to be read")
	steps := []struct {
		name       string
		password   string
		wantStatus string
		imp        widget.Importance
		canSend    bool
	}{
		{"no password yet", "", "alice.p12 is protected by a password: type it, then press Open.", widget.WarningImportance, false},
		{"wrong password", wrongPassword, "That password does not open alice.p12; try again.", widget.DangerImportance, false},
		{"right password", goodPassword, "", widget.MediumImportance, true},
	}
	for i, st := range steps {
		if i > 0 {
			rd.password.SetText("")
			test.Type(rd.password, st.password)
			test.Tap(rd.open)
			h.waitIdle(t, st.name)
		}
		if rd.status.Text != st.wantStatus || rd.status.Importance != st.imp {
			t.Errorf("%s: status %q (%v), want %q (%v)", st.name, rd.status.Text, rd.status.Importance, st.wantStatus, st.imp)
		}
		if rd.send.Disabled() == st.canSend {
			t.Errorf("%s: Send certificate enabled = %v, want %v", st.name, !rd.send.Disabled(), st.canSend)
		}
		shown := strings.Join(texts(rd.content), "\n")
		assertNoSecret(t, st.name+": the dialog", shown, []*testCert{p.alice}, goodPassword, wrongPassword)
	}
	shown := texts(rd.content)
	for _, want := range []string{"CN=alice,O=Lockbox Test", "CN=Test CA,O=Lockbox Test", "2027-01-01 (in 199 days)", "alice.p12"} {
		if !containsText(shown, want) {
			t.Errorf("the preview does not show %q: %q", want, shown)
		}
	}
	if rd.mismatch.Visible() {
		t.Error("the issuer warning shows for a certificate from a listed CA")
	}

	test.Tap(rd.send)
	a := h.waitAnswer(t)
	if a.Identity == nil || !a.Identity.Leaf.Equal(p.alice.Cert) || a.Remember || a.SavedName != "" || a.Warning != nil {
		t.Errorf("answer = %+v, want alice, not remembered", a)
	}
	if rd.password.Text != "" {
		t.Error("the password is still in the entry after the answer")
	}
}

func TestRequestSendNone(t *testing.T) {
	p := newPKI(t)
	tests := []struct {
		name     string
		remember bool
		answer   func(rd *RequestDialog)
		want     Answer
	}{
		{"Send none", false, func(rd *RequestDialog) { test.Tap(rd.sendNone) }, Answer{}},
		{"Send none, remembered", true, func(rd *RequestDialog) { test.Tap(rd.sendNone) }, Answer{Remember: true}},
		{"dialog closed", true, func(rd *RequestDialog) { rd.dlg.Hide() }, Answer{}},
		{"dismissed", false, func(rd *RequestDialog) { rd.Dismiss() }, Answer{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// With a store "Remember for this site" can be checked for a
			// file, as the window offers it.
			h := newRequest(t, request(p.testCA), RequestOptions{Store: newStore(t)})
			// A loaded identity must not be sent by anything but "Send certificate".
			h.rd.files.pick(p.alicePEM)
			h.waitIdle(t, "alice.pem to load")
			if h.rd.send.Disabled() {
				t.Fatalf("alice.pem did not load: %s", h.rd.status.Text)
			}
			if tt.remember {
				test.Tap(h.rd.remember) // as the user does: the box starts unchecked
			}
			if h.rd.remember.Checked != tt.remember {
				t.Fatalf("Remember for this site: checked %v, want %v", h.rd.remember.Checked, tt.remember)
			}
			tt.answer(h.rd)
			if a := h.waitAnswer(t); a != tt.want {
				t.Errorf("answer = %+v, want %+v", a, tt.want)
			}
			if !h.rd.answered {
				t.Error("not marked answered after the answer")
			}
		})
	}
}

func TestRequestDismissAnswersOnce(t *testing.T) {
	p := newPKI(t)
	h := newRequest(t, request(), RequestOptions{})
	h.rd.files.pick(p.alicePEM) // the file is being read when the dialog goes
	h.rd.Dismiss()
	h.rd.Dismiss()
	test.Tap(h.rd.sendNone)
	test.Tap(h.rd.send)
	h.rd.dlg.Hide()
	h.q.Step(t, "the file's classification")
	for len(h.q) > 0 {
		h.q.Step(t, "the rest of the posted work")
	}
	if len(h.answers) != 1 || h.answers[0] != (Answer{}) {
		t.Fatalf("answers = %+v, want one \"send none\"", h.answers)
	}
	if h.rd.busy || h.rd.loaded != nil {
		t.Error("work finished after Dismiss still changed the dialog")
	}
}

func TestRequestRemember(t *testing.T) {
	p := newPKI(t)
	tests := []struct {
		name      string
		sec       secrets.Store
		choose    func(h *requestHarness)
		password  string
		wantSaved string
		wantWarn  bool
		secret    bool // the password must be in the secret store
	}{
		{"saved identity", secrets.NewMemory(), func(h *requestHarness) { h.rd.SelectSaved("bob") }, "", "bob", false, false},
		{"PEM file is saved", secrets.NewMemory(), func(h *requestHarness) { h.rd.files.pick(p.alicePEM) }, "", "alice", false, false},
		{"PKCS#12 file is saved with its password", secrets.NewMemory(), func(h *requestHarness) { h.rd.files.pick(p.aliceP12) }, goodPassword, "alice", false, true},
		{"keyring unavailable", brokenSecrets{}, func(h *requestHarness) { h.rd.files.pick(p.aliceP12) }, goodPassword, "alice", true, false},
		{"expired file is saved, with a warning", secrets.NewMemory(), func(h *requestHarness) { h.rd.files.pick(p.expiredPEM) }, "", "carol", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			mustAdd(t, s, "bob", identity.Files{CertFile: p.bobPEM}, "", nil)
			h := newRequest(t, request(), RequestOptions{Store: s, Secrets: tt.sec})
			test.Type(h.rd.password, tt.password)
			tt.choose(h)
			h.waitIdle(t, "the identity to load")
			if h.rd.send.Disabled() {
				t.Fatalf("nothing loaded: %s", h.rd.status.Text)
			}
			test.Tap(h.rd.remember)
			test.Tap(h.rd.send)
			a := h.waitAnswer(t)
			if a.Identity == nil || !a.Remember || a.SavedName != tt.wantSaved || (a.Warning != nil) != tt.wantWarn {
				t.Fatalf("answer = %+v, want remembered as %q (warning %v)", a, tt.wantSaved, tt.wantWarn)
			}
			sv, ok := s.Get(tt.wantSaved)
			if !ok || !a.Identity.Leaf.Equal(mustChain(t, sv)[0]) {
				t.Fatalf("the store has no %q holding the certificate sent", tt.wantSaved)
			}
			if mem, ok := tt.sec.(*secrets.Memory); ok {
				got, err := mem.Get(identity.SecretKey(tt.wantSaved))
				if tt.secret && got != tt.password {
					t.Errorf("secret store has %q (%v), want the password", got, err)
				}
				if !tt.secret && err == nil {
					t.Errorf("secret store has a password for %q", tt.wantSaved)
				}
			}
			data, err := os.ReadFile(s.Path())
			if err != nil {
				t.Fatal(err)
			}
			assertNoSecret(t, "identities.json", string(data), []*testCert{p.alice, p.bob}, goodPassword)
		})
	}
}

func mustChain(t *testing.T, sv identity.Saved) []*x509.Certificate {
	t.Helper()
	chain, err := sv.Chain()
	if err != nil {
		t.Fatal(err)
	}
	return chain
}

func TestRequestSavedPasswordAsked(t *testing.T) {
	p := newPKI(t)
	s := newStore(t)
	mustAdd(t, s, "alice", identity.Files{PKCS12: p.aliceP12}, goodPassword, brokenSecrets{})
	h := newRequest(t, request(p.testCA), RequestOptions{Store: s, Secrets: secrets.NewMemory(), Preselect: "alice"})
	rd := h.rd
	h.waitIdle(t, "the saved identity to be tried")
	if want := `The password of "alice" is not saved: type it, then press Open.`; rd.status.Text != want {
		t.Fatalf("status %q, want %q", rd.status.Text, want)
	}
	if !rd.send.Disabled() {
		t.Fatal("Send certificate is enabled before the identity opened")
	}
	test.Type(rd.password, goodPassword)
	test.Tap(rd.open)
	h.waitIdle(t, "the saved identity to open")
	if rd.send.Disabled() || rd.from.Text != `saved identity "alice"` {
		t.Fatalf("the identity did not open: status %q, from %q", rd.status.Text, rd.from.Text)
	}
	test.Tap(rd.send)
	if a := h.waitAnswer(t); a.SavedName != "alice" || a.Identity == nil {
		t.Errorf("answer = %+v, want saved identity alice", a)
	}
}

// pickFiles picks first, then second (when not ""), as the file pickers
// do, waiting for each to be read.
func (h *requestHarness) pickFiles(t *testing.T, first, second string) {
	t.Helper()
	h.rd.files.pick(first)
	h.waitIdle(t, "the first file")
	if second != "" {
		h.rd.files.pickSecond(second)
		h.waitIdle(t, "the second file")
	}
}

func TestRequestPreview(t *testing.T) {
	p := newPKI(t)
	tests := []struct {
		name          string
		first, second string
		secondButton  string // what the button for the missing half says after the first pick
		wantExpires   string
		imp           widget.Importance
		mismatch      bool
		from          string
	}{
		{"certificate then key", p.aliceCrt, p.aliceKey, "Choose key file…",
			"2027-01-01 (in 199 days)", widget.MediumImportance, false, "alice.crt + alice.key"},
		{"key then certificate", p.aliceKey, p.aliceCrt, "Choose certificate file…",
			"2027-01-01 (in 199 days)", widget.MediumImportance, false, "alice.crt + alice.key"},
		{"certificate and key in one file", p.alicePEM, "", "",
			"2027-01-01 (in 199 days)", widget.MediumImportance, false, "alice.pem"},
		{"expired", p.expiredPEM, "", "", "2026-06-11 (expired 4 days ago)", widget.DangerImportance, false, "carol.pem"},
		{"expiring soon", p.soonPEM, "", "", "2026-07-01 (in 15 days)", widget.WarningImportance, false, "dave.pem"},
		{"issuer not listed", p.bobPEM, "", "", "2027-01-01 (in 199 days)", widget.MediumImportance, true, "bob.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newRequest(t, request(p.testCA), RequestOptions{})
			rd, fc := h.rd, h.rd.files
			h.pickFiles(t, tt.first, "")
			if tt.second != "" {
				if !fc.second.Visible() || fc.second.Text != tt.secondButton || !rd.send.Disabled() || rd.loaded != nil {
					t.Fatalf("after half an identity: second button %q shown %v, send enabled %v",
						fc.second.Text, fc.second.Visible(), !rd.send.Disabled())
				}
				h.pickFiles(t, tt.first, tt.second)
			}
			if fc.second.Visible() {
				t.Error("the button for a missing file still shows")
			}
			if rd.loaded == nil {
				t.Fatalf("nothing loaded: %s", rd.status.Text)
			}
			if rd.expires.Text != tt.wantExpires || rd.expires.Importance != tt.imp {
				t.Errorf("Expires %q (%v), want %q (%v)", rd.expires.Text, rd.expires.Importance, tt.wantExpires, tt.imp)
			}
			if rd.mismatch.Visible() != tt.mismatch {
				t.Errorf("issuer warning shown = %v, want %v", rd.mismatch.Visible(), tt.mismatch)
			}
			if rd.from.Text != tt.from {
				t.Errorf("From %q, want %q", rd.from.Text, tt.from)
			}
		})
	}
}

func TestRequestFileErrors(t *testing.T) {
	p := newPKI(t)
	notes := p.write(t, "notes.txt", []byte("hello"))
	tests := []struct {
		name          string
		first, second string
		want          string
	}{
		{"not a certificate", notes, "", "neither PEM"},
		{"a certificate as the key", p.aliceCrt, p.aliceCrt,
			"alice.crt holds a certificate without its private key, not the private key file that is missing."},
		{"key of another certificate", p.aliceCrt, p.bobPEM, "key does not match the certificate"},
		{"protected file, wrong password typed first", p.aliceP12, "", "alice.p12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newRequest(t, request(), RequestOptions{})
			if tt.first == p.aliceP12 {
				test.Type(h.rd.password, wrongPassword)
			}
			h.pickFiles(t, tt.first, tt.second)
			if !strings.Contains(h.rd.status.Text, tt.want) || h.rd.status.Importance != widget.DangerImportance {
				t.Errorf("status %q (%v), want an error saying %q", h.rd.status.Text, h.rd.status.Importance, tt.want)
			}
			if !h.rd.send.Disabled() {
				t.Error("Send certificate is enabled after an error")
			}
			assertNoSecret(t, "status", h.rd.status.Text, []*testCert{p.alice, p.bob}, wrongPassword)
		})
	}
}

func TestRequestGolden(t *testing.T) {
	p := newPKI(t)
	s := newStore(t)
	mustAdd(t, s, "alice", identity.Files{CertFile: p.alicePEM}, "", nil)
	mustAdd(t, s, "bob (partner)", identity.Files{CertFile: p.bobPEM}, "", nil)
	mustAdd(t, s, "carol", identity.Files{CertFile: p.expiredPEM}, "", nil)
	archive := newCert(t, "Archive CA", notBefore, notAfter, true, nil)
	h := newRequest(t, request(p.testCA, archive), RequestOptions{Store: s, Preselect: "alice"})
	h.waitIdle(t, "alice to load")
	if h.rd.send.Disabled() {
		t.Fatalf("alice did not load: %s", h.rd.status.Text)
	}
	test.AssertImageMatches(t, "request_dialog.png", h.w.Canvas().Capture())
}

func TestRequestChooseFileOpensPicker(t *testing.T) {
	h := newRequest(t, request(), RequestOptions{})
	before := len(h.w.Canvas().Overlays().List())
	test.Tap(h.rd.files.choose)
	if got := len(h.w.Canvas().Overlays().List()); got != before+1 {
		t.Fatalf("Choose file… left %d overlays, want %d (the file dialog on top of the question)", got, before+1)
	}
	if len(h.answers) != 0 {
		t.Error("opening the file picker answered the question")
	}
}
