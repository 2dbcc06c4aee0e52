package ui

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"lockbox/certview"
	"lockbox/client"
	"lockbox/client/demo"
	"lockbox/client/trace"
	"lockbox/client/transfer"
	"lockbox/client/trust"
	"lockbox/client/verify"
	"lockbox/ui/browser"
	"lockbox/ui/identityui"
	"lockbox/ui/internal/uitest"
)

// harness is a window whose UI work is queued for the test goroutine: the
// engine's goroutines post to queue (as fyne.Do posts to the main loop) and
// the test drains it while it waits, so widgets are only ever touched by the
// test goroutine, as they are only by the main goroutine in the real app.
type harness struct {
	w       *MainWindow
	queue   uitest.Queue
	dialogs []*trustDialog
	results []result
	notes   []*fyne.Notification
	closed  bool // the test closed the window itself
}

type result struct {
	rep *client.Report
	err error
}

func newHarness(t *testing.T, deps Deps) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(uitest.LightTheme())
	h := &harness{queue: uitest.NewQueue()}
	if deps.Notify == nil {
		deps.Notify = func(n *fyne.Notification) { h.notes = append(h.notes, n) }
	}
	if deps.LocalSource == nil && deps.LocalDir == "" {
		// The golden images must not show this machine's home folder.
		deps.LocalSource, deps.LocalDir = &fakeFolder{}, "/home/alice"
	}
	deps.Do = h.queue.Do
	h.w = NewMainWindow(a, deps)
	h.w.tabs.queueView.Later = h.queue.Do
	h.w.hooks.closed = make(chan struct{}, 16)
	h.w.hooks.onDialog = func(td *trustDialog) { h.dialogs = append(h.dialogs, td) }
	h.w.hooks.onDone = func(rep *client.Report, err error) { h.results = append(h.results, result{rep, err}) }
	h.w.Window.Resize(DefaultSize)
	h.w.Window.Show()
	t.Cleanup(func() {
		// Wait for a connection to finish closing, so that no test's
		// goroutines outlive it.
		if h.closed {
			return
		}
		connected := h.w.ctl.conn != nil
		h.w.Window.Close()
		if connected {
			select {
			case <-h.w.hooks.closed:
			case <-time.After(uitest.Timeout):
				t.Error("the connection did not close")
			}
		}
	})
	return h
}

func (h *harness) inspect(url string) {
	h.w.top.quick.host.SetText(url)
	test.Tap(h.w.top.inspect)
}

// pump runs queued UI work until ready says so.
func (h *harness) pump(t *testing.T, what string, ready func() bool) {
	t.Helper()
	h.queue.Pump(t, what, ready)
}

func (h *harness) waitDialog(t *testing.T) *trustDialog {
	t.Helper()
	n := len(h.results)
	h.pump(t, "the trust dialog", func() bool { return len(h.dialogs) > 0 || len(h.results) > n })
	if len(h.dialogs) == 0 {
		t.Fatalf("inspection ended without asking: %v", h.results[len(h.results)-1].err)
	}
	td := h.dialogs[0]
	h.dialogs = h.dialogs[1:]
	return td
}

func (h *harness) waitDone(t *testing.T) result {
	t.Helper()
	h.pump(t, "the end of the inspection", func() bool { return len(h.results) > 0 })
	r := h.results[0]
	h.results = h.results[1:]
	return r
}

var (
	notBefore = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	notAfter  = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	// testNow is when the certificates of the golden images are judged.
	testNow = time.Date(2026, 6, 15, 11, 0, 0, 0, time.UTC)
	// afterExpiry is four days after the test certificate expired.
	afterExpiry = time.Date(2027, 1, 5, 11, 0, 0, 0, time.UTC)
)

// fixedClock returns a Deps.Now that always says at.
func fixedClock(at time.Time) func() time.Time { return func() time.Time { return at } }

// testCert makes a self-signed certificate for files.example.test. It is
// signed with an Ed25519 key derived from seed: Ed25519 signatures are
// deterministic, so the certificate, and its fingerprints in the golden
// images, are the same on every run.
func testCert(t *testing.T, seed byte) (*x509.Certificate, []byte) {
	t.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(0x5eed),
		Subject:               pkix.Name{CommonName: "files.example.test", Organization: []string{"Example Files"}},
		DNSNames:              []string{"files.example.test"},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatalf("create certificate: %v", err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse certificate: %v", err)
	}
	return c, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// selfSignedReport is what the engine reports for a self-signed
// certificate whose name does not match, plus any extra problems.
func selfSignedReport(t *testing.T, extra ...verify.Problem) *client.Report {
	t.Helper()
	cert, _ := testCert(t, 7)
	problems := []verify.Problem{
		{Level: 0, Field: verify.FieldIssuer, Code: verify.CodeSelfSigned, Severity: verify.SeverityError,
			Message: "The certificate is self-signed: nobody vouches for it, so anyone could have made it."},
		{Level: 0, Field: verify.FieldOwner, Code: verify.CodeHostnameMismatch, Severity: verify.SeverityError,
			Message: "The certificate is for files.example.test, not for 127.0.0.1."},
	}
	return &client.Report{
		URL:          "ftpes://127.0.0.1:2121",
		Address:      "127.0.0.1:2121",
		TLS:          &client.TLSInfo{Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", Group: "X25519"},
		Chain:        []client.CertInfo{client.DescribeCert(0, cert)},
		Certificates: []*x509.Certificate{cert},
		Problems:     append(problems, extra...),
		Trust:        client.TrustUntrusted,
	}
}

var fakeSteps = []trace.Step{
	{At: 0, Conn: "control", Dir: trace.Info, Name: "tcp_connect", Summary: "127.0.0.1:2121",
		Explain: "Lockbox opened a TCP connection to the server."},
	{At: 2 * time.Millisecond, Conn: "control", Dir: trace.Recv, Name: "banner", Summary: "220 Example FTP ready",
		Explain: "The server greeted Lockbox in plain text."},
	{At: 3 * time.Millisecond, Conn: "control", Dir: trace.Send, Name: "auth_tls", Summary: "AUTH TLS",
		Explain: "Lockbox asked to switch this connection to TLS before sending any password."},
	{At: 9 * time.Millisecond, Conn: "control", Dir: trace.Info, Name: "verification", Summary: "NOT trusted: self-signed, wrong host name",
		Explain: "Lockbox cannot confirm the server's identity; see the problems listed for why.", Failed: true},
}

// fakeEngine plays a connection: four steps, the trust question, then the
// outcome the answer leads to. Every choice it was given goes to choices.
func fakeEngine(rep *client.Report, choices chan<- client.Choice) InspectFunc {
	return func(ctx context.Context, tg client.Target, o client.Options) (*client.Report, error) {
		r := *rep
		for _, s := range fakeSteps {
			o.Observer.Step(s)
		}
		snapshot := r
		c := o.Decide(ctx, client.Decision{HostPort: tg.Address(), Report: &snapshot})
		choices <- c
		switch c {
		case client.AcceptOnce, client.AcceptAlways:
			o.Observer.Step(trace.Step{At: 11 * time.Millisecond, Conn: "control", Dir: trace.Info, Name: "trust_decision",
				Summary: "accept once", Explain: "You chose to trust this certificate for this session only."})
			o.Observer.Step(trace.Step{At: 12 * time.Millisecond, Conn: "control", Dir: trace.Recv, Name: "reply",
				Summary: "200 PROT now Private", Explain: "The server confirmed that the connection is encrypted."})
			r.Trust, r.Trusted = client.TrustAcceptedOnce, true
			return &r, nil
		}
		o.Observer.Step(trace.Step{At: 11 * time.Millisecond, Conn: "control", Dir: trace.Info, Name: "trust_decision",
			Summary: "rejected", Explain: "The certificate is not trusted, so Lockbox ended the handshake.", Failed: true})
		return &r, &client.UntrustedError{Trust: r.Trust, Problems: r.Problems}
	}
}

// showWholeCertificateTab gives the Certificate tab room for its whole
// inspector, as a user dragging the divider up does: the test driver's
// painter does not clip the inspector's own scrolled rows to the scrolled
// tab (the real window does), so a scrolled tab would draw them over the
// status bar.
func showWholeCertificateTab(h *harness) {
	h.w.Window.Resize(fyne.NewSize(DefaultSize.Width, 1000))
	h.w.tabs.split.SetOffset(0.2)
}

func buttonTexts(td *trustDialog) []string {
	return []string{td.reject.Text, td.once.Text, td.always.Text}
}

func TestInspectAcceptOnce(t *testing.T) {
	choices := make(chan client.Choice, 1)
	expired := verify.Problem{Level: 0, Field: verify.FieldValidity, Code: verify.CodeExpired, Severity: verify.SeverityError,
		Message: "The certificate expired on 2027-01-01."}
	pins, err := trust.Open(filepath.Join(t.TempDir(), "pins.json"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Deps{Inspect: fakeEngine(selfSignedReport(t, expired), choices), Pins: pins, Now: fixedClock(afterExpiry)})

	h.inspect("ftpes://127.0.0.1:2121")
	td := h.waitDialog(t)

	if got := h.w.tabs.timeline.len(); got != len(fakeSteps) {
		t.Fatalf("timeline has %d rows when the question is asked, want %d", got, len(fakeSteps))
	}
	if got, want := buttonTexts(td), []string{"Reject", "Accept once", "Always accept for 127.0.0.1:2121"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("buttons = %q, want %q", got, want)
	}
	if td.reject.Disabled() || td.once.Disabled() {
		t.Error("Reject and Accept once must be enabled")
	}
	if !td.always.Disabled() {
		t.Error("Always accept must be disabled for an expired certificate (CanPin is false)")
	}
	if h.w.top.cancel.Disabled() || !h.w.top.inspect.Disabled() {
		t.Error("while connecting, Cancel must be enabled and Inspect disabled")
	}
	test.AssertImageMatches(t, "trust_dialog.png", h.w.Window.Canvas().Capture())

	test.Tap(td.once)
	if c := <-choices; c != client.AcceptOnce {
		t.Fatalf("engine got %v, want AcceptOnce", c)
	}
	r := h.waitDone(t)
	if r.err != nil {
		t.Fatalf("inspection failed: %v", r.err)
	}
	if got := h.w.tabs.timeline.len(); got != len(fakeSteps)+2 {
		t.Errorf("timeline has %d rows, want %d", got, len(fakeSteps)+2)
	}
	if h.w.dlg.trust != nil {
		t.Error("the trust dialog is still open")
	}
	if !h.w.top.cancel.Disabled() || h.w.top.inspect.Disabled() {
		t.Error("after the connection, Cancel must be disabled and Inspect enabled")
	}
	want := "Accepted once, not verified: self-signed, wrong host name, expired"
	if h.w.status.Text != want {
		t.Errorf("status = %q, want %q", h.w.status.Text, want)
	}
	test.AssertImageMatches(t, "main_window_handshake.png", h.w.Window.Canvas().Capture())
	h.w.tabs.SelectIndex(certificateTab)
	showWholeCertificateTab(h)
	test.AssertImageMatches(t, "main_window_certificate.png", h.w.Window.Canvas().Capture())
}

func TestInspectReject(t *testing.T) {
	choices := make(chan client.Choice, 1)
	pins, err := trust.Open(filepath.Join(t.TempDir(), "pins.json"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Deps{Inspect: fakeEngine(selfSignedReport(t), choices), Pins: pins})

	test.Type(h.w.top.quick.host, "ftpes://127.0.0.1:2121")
	test.Tap(h.w.top.inspect)
	td := h.waitDialog(t)
	if td.always.Disabled() {
		t.Error("Always accept must be enabled when the certificate may be pinned and a store exists")
	}
	if td.reject.Importance == widget.HighImportance {
		t.Error("Reject is only the highlighted default for a changed pin")
	}
	test.Tap(td.reject)
	if c := <-choices; c != client.Reject {
		t.Fatalf("engine got %v, want Reject", c)
	}
	r := h.waitDone(t)
	if !client.IsTrustFailure(r.err) {
		t.Fatalf("err = %v, want a trust failure", r.err)
	}
	if !strings.HasPrefix(h.w.status.Text, "Not trusted: self-signed, wrong host name") || h.w.status.Importance != widget.DangerImportance {
		t.Errorf("status = %q (importance %v)", h.w.status.Text, h.w.status.Importance)
	}
}

func TestAlwaysNeedsStore(t *testing.T) {
	choices := make(chan client.Choice, 1)
	h := newHarness(t, Deps{Inspect: fakeEngine(selfSignedReport(t), choices)})
	h.inspect("ftpes://127.0.0.1:2121")
	td := h.waitDialog(t)
	if !td.always.Disabled() {
		t.Error("Always accept must be disabled without a pin store")
	}
	test.Tap(td.reject)
	<-choices
	h.waitDone(t)
}

func TestPinChangeDialog(t *testing.T) {
	choices := make(chan client.Choice, 1)
	rep := selfSignedReport(t, verify.Problem{Level: 0, Field: verify.FieldPin, Code: verify.CodePinMismatch, Severity: verify.SeverityError,
		Message: "The certificate you accepted for 127.0.0.1:2121 on 2025-06-01 has changed. Do not continue unless you know why it changed."})
	rep.Trust = client.TrustPinChanged
	rep.PinChange = &client.PinChangeInfo{
		Old: trust.Pin{HostPort: "127.0.0.1:2121", SHA256: "aa11bb22cc33dd44ee55ff6600770088991100aa22bb33cc44dd55ee66ff7788",
			SPKISHA256: "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=",
			Subject:    "CN=files.example.test,O=Example Files", Issuer: "CN=Example CA",
			NotAfter: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), AcceptedAt: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)},
		NewSHA256: rep.Chain[0].SHA256,
		SameKey:   false, SameIssuer: false, SameSubject: true,
		Verdict: "possible interception: a different issuer signed this certificate; confirm the new fingerprint with the server's administrator before trusting it",
	}
	pins, err := trust.Open(filepath.Join(t.TempDir(), "pins.json"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Deps{Inspect: fakeEngine(rep, choices), Pins: pins, Now: fixedClock(testNow)})
	h.inspect("ftpes://127.0.0.1:2121")
	td := h.waitDialog(t)
	if td.reject.Importance != widget.HighImportance {
		t.Error("Reject must be the highlighted default for a changed pin")
	}
	if f := h.w.Window.Canvas().Focused(); f != td.reject {
		t.Errorf("focused = %T, want the Reject button", f)
	}
	if td.tabs == nil || td.tabs.SelectedIndex() != 0 {
		t.Error("the dialog must open on the comparison of the old and new certificate")
	}
	test.AssertImageMatches(t, "trust_dialog_pin_changed.png", h.w.Window.Canvas().Capture())
	test.Tap(td.reject)
	<-choices
	h.waitDone(t)
	h.w.tabs.SelectIndex(certificateTab)
	if tabs := h.w.tabs.cert.pinTabs; tabs == nil || tabs.SelectedIndex() != 0 {
		t.Error("the Certificate tab must open on the comparison of the old and new certificate")
	}
	showWholeCertificateTab(h)
	test.AssertImageMatches(t, "main_window_pin_changed.png", h.w.Window.Canvas().Capture())
}

func TestCancelAnswersReject(t *testing.T) {
	choices := make(chan client.Choice, 1)
	h := newHarness(t, Deps{Inspect: fakeEngine(selfSignedReport(t), choices)})
	h.inspect("ftpes://127.0.0.1:2121")
	h.waitDialog(t)
	test.Tap(h.w.top.cancel)
	if c := <-choices; c != client.Reject {
		t.Fatalf("engine got %v after Cancel, want Reject", c)
	}
	h.waitDone(t)
	if h.w.dlg.trust != nil {
		t.Error("the trust dialog is still open after Cancel")
	}
	if h.w.status.Text != "Cancelled." {
		t.Errorf("status = %q, want Cancelled.", h.w.status.Text)
	}
}

func TestBadURL(t *testing.T) {
	h := newHarness(t, Deps{Inspect: func(context.Context, client.Target, client.Options) (*client.Report, error) {
		t.Error("Inspect called for a bad URL")
		return nil, errors.New("unreachable")
	}})
	h.inspect("gopher://127.0.0.1")
	if !strings.Contains(h.w.status.Text, "unsupported scheme") || h.w.ctl.running {
		t.Errorf("status = %q, running = %v", h.w.status.Text, h.w.ctl.running)
	}
}

// TestRealInspect runs the real engine against a local HTTPS server whose
// certificate nobody trusts: the dialog must come up, Reject must refuse
// and Accept once must let the request through.
func TestRealInspect(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	url := srv.URL
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("test server at %s, want 127.0.0.1", url)
	}
	h := newHarness(t, Deps{})

	h.inspect(url)
	td := h.waitDialog(t)
	if h.w.tabs.timeline.len() == 0 {
		t.Error("no step shown before the trust question")
	}
	if !td.always.Disabled() {
		t.Error("Always accept must be disabled without a pin store")
	}
	test.Tap(td.reject)
	r := h.waitDone(t)
	if !client.IsTrustFailure(r.err) {
		t.Fatalf("err = %v, want a trust failure", r.err)
	}
	if r.rep.Trusted || len(r.rep.Chain) == 0 || len(r.rep.Problems) == 0 {
		t.Fatalf("report: trusted=%v chain=%d problems=%d", r.rep.Trusted, len(r.rep.Chain), len(r.rep.Problems))
	}
	if !strings.HasPrefix(h.w.status.Text, "Not trusted: ") {
		t.Errorf("status = %q", h.w.status.Text)
	}
	failed := false
	for _, s := range h.w.tabs.timeline.steps {
		failed = failed || (s.Failed && s.Name == "trust_decision")
	}
	if !failed {
		t.Error("the timeline does not show the rejected trust decision")
	}

	test.Tap(h.w.top.inspect)
	td = h.waitDialog(t)
	test.Tap(td.once)
	r = h.waitDone(t)
	if r.err != nil {
		t.Fatalf("accepted once, inspection failed: %v", r.err)
	}
	if r.rep.Trust != client.TrustAcceptedOnce {
		t.Errorf("trust = %v, want accepted_once", r.rep.Trust)
	}
	if !strings.HasPrefix(h.w.status.Text, "Accepted once, not verified") {
		t.Errorf("status = %q", h.w.status.Text)
	}
}

func TestSummary(t *testing.T) {
	verified := selfSignedReport(t)
	verified.Problems = nil
	verified.Trust, verified.Trusted = client.TrustVerified, true
	warn := selfSignedReport(t)
	warn.Problems = []verify.Problem{{Code: verify.CodeExpiresSoon, Severity: verify.SeverityWarning}}
	warn.Trust, warn.Trusted = client.TrustVerified, true
	for _, tc := range []struct {
		rep  *client.Report
		want string
	}{
		{verified, "Trusted: verified chain"},
		{warn, "Trusted: verified chain; warnings: expires soon"},
		{selfSignedReport(t), "Not trusted: self-signed, wrong host name"},
		{&client.Report{URL: "ftp://127.0.0.1:21"}, "Not encrypted: plain FTP has no certificate."},
		{nil, "No report."},
	} {
		if got := Summary(tc.rep); got != tc.want {
			t.Errorf("Summary = %q, want %q", got, tc.want)
		}
	}
}

// TestDemoFlowEndToEnd walks the newcomer's first minutes with the real
// engine and the built-in demo server: the handshake fills the timeline,
// the trust question marks the self-signed issuer, "Accept once" logs in,
// the remote pane lists the sample folder, a download's progress bar
// reaches 100% and the file arrives intact, then Disconnect closes it all.
func TestDemoFlowEndToEnd(t *testing.T) {
	h := newHarness(t, Deps{LocalDir: t.TempDir()})
	test.Tap(h.w.top.demo)
	td := h.waitDialog(t)
	if h.w.top.quick.host.Text != "127.0.0.1" || h.w.top.quick.scheme() != client.FTPES || h.w.top.quick.user.Text != demo.DemoUser {
		t.Errorf("quick connect shows %q %q %q", h.w.top.quick.scheme(), h.w.top.quick.host.Text, h.w.top.quick.user.Text)
	}
	names := map[string]bool{}
	for _, s := range h.w.tabs.timeline.steps {
		names[s.Name] = true
	}
	for _, want := range []string{"tcp_connect", "ftp_banner", "auth_tls", "client_hello", "server_hello", "verification"} {
		if !names[want] {
			t.Errorf("before the question, the timeline lacks %s", want)
		}
	}
	var codes []string
	for _, p := range td.decision.Report.Problems {
		codes = append(codes, p.Field+"/"+p.Code)
	}
	if strings.Join(codes, ",") != "issuer/self_signed" {
		t.Errorf("problems = %v", codes)
	}
	if got := invalidFields(td.panel.Model()); got != "issuer" {
		t.Errorf("the dialog's inspector marks %q invalid, want the issuer", got)
	}

	test.Tap(td.once)
	r := h.waitDone(t)
	if r.err != nil || r.rep.Trust != client.TrustAcceptedOnce {
		t.Fatalf("err = %v, report %+v", r.err, r.rep)
	}
	if h.w.ctl.conn == nil || h.w.top.disconnect.Disabled() {
		t.Fatal("not connected after accepting")
	}
	if h.w.padlock.button.Text != "Accepted once" || !strings.Contains(h.w.padlock.tls.Text, "TLS 1.3") {
		t.Errorf("status bar: %q, %q", h.w.padlock.button.Text, h.w.padlock.tls.Text)
	}
	log := h.w.tabs.protoLog.text()
	if !strings.Contains(log, "PASS ****") || strings.Contains(log, "PASS "+demo.DemoPassword) || !strings.Contains(log, "USER demo") {
		t.Errorf("protocol log:\n%s", log)
	}

	remote := h.w.remote.pane
	h.pump(t, "the remote listing", func() bool { return !remote.Loading() && len(remote.Entries()) > 0 })
	got := map[string]bool{}
	for _, e := range remote.Entries() {
		got[e.Name] = e.Dir
	}
	if !got["reports"] || !got["large"] || got["README.txt"] {
		t.Fatalf("remote pane shows %v", remote.Entries())
	}
	h.pump(t, "the local pane in the demo's folder", func() bool {
		return strings.HasPrefix(h.w.local.Dir(), filepath.Dir(h.w.demo.server.Root))
	})

	// Into the large folder, then download its file with the transfer action.
	remote.SetDir("/large")
	h.pump(t, "the large folder", func() bool { return !remote.Loading() && remote.Dir() == "/large" && len(remote.Entries()) == 1 })
	h.w.download(remote.Entries())
	if h.w.tabs.SelectedIndex() != transfersTab {
		t.Error("the Transfers tab is not shown after queueing a download")
	}
	h.pump(t, "the download", func() bool {
		p, _, _, ok := h.w.tabs.queueView.Job(1)
		return ok && (p.State == transfer.StateDone || p.State == transfer.StateFailed || p.State == transfer.StateCancelled)
	})
	p, bar, text, _ := h.w.tabs.queueView.Job(1)
	if p.State != transfer.StateDone || bar != 1 || text != "100%" || p.Done != demo.LargeSize {
		t.Fatalf("job %+v, bar %v %q", p, bar, text)
	}
	want, err := os.ReadFile(filepath.Join(h.w.demo.server.Root, filepath.FromSlash(demo.LargeFile)))
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile(filepath.Join(h.w.local.Dir(), "sample-64MiB.bin"))
	if err != nil || !bytes.Equal(have, want) {
		t.Fatalf("downloaded %d bytes (%v), want %d identical ones", len(have), err, len(want))
	}

	test.Tap(h.w.top.disconnect)
	select {
	case <-h.w.hooks.closed:
	case <-time.After(uitest.Timeout):
		t.Fatal("the connection did not close")
	}
	if h.w.ctl.conn != nil || remote.Source() != nil || h.w.padlock.button.Text != "Not connected" || !h.w.top.disconnect.Disabled() {
		t.Errorf("after Disconnect: conn %v, source %v, padlock %q", h.w.ctl.conn, remote.Source(), h.w.padlock.button.Text)
	}
	if !strings.HasPrefix(h.w.status.Text, "Disconnected from 127.0.0.1:") {
		t.Errorf("status = %q", h.w.status.Text)
	}

	// A second connection's jobs join the list under numbers of their own.
	h.w.StartDemo(false)
	test.Tap(h.waitDialog(t).once)
	if r := h.waitDone(t); r.err != nil {
		t.Fatal(r.err)
	}
	h.w.download([]browser.Entry{{Name: "README.txt", Size: -1}})
	second := jobIDsPerConnection + 1
	h.pump(t, "the second connection's download", func() bool {
		p, _, _, ok := h.w.tabs.queueView.Job(second)
		return ok && p.State == transfer.StateDone
	})
	if p, _, _, ok := h.w.tabs.queueView.Job(1); !ok || p.Remote != "/large/sample-64MiB.bin" {
		t.Errorf("the first connection's job was overwritten: %+v", p)
	}
	if _, ok := h.w.ctl.queueID(1); ok {
		t.Error("a job of the closed connection maps onto the new queue")
	}
	if id, ok := h.w.ctl.queueID(second); !ok || id != 1 {
		t.Errorf("queueID(%d) = %d, %v", second, id, ok)
	}
}

// invalidFields lists the verify fields of the rows m marks invalid.
func invalidFields(m *certview.Model) string {
	seen := map[string]bool{}
	var out []string
	for _, lv := range m.Levels {
		for _, sec := range lv.Sections {
			for _, r := range sec.Rows {
				if r.Status == certview.StatusInvalid && !seen[r.Field] {
					seen[r.Field] = true
					out = append(out, r.Field)
				}
			}
		}
	}
	return strings.Join(out, ",")
}

// TestCertPane shows each kind of outcome in the Certificate tab: the
// inspector when there is a certificate, a message when there is none.
func TestCertPane(t *testing.T) {
	plain := &client.Report{URL: "ftp://127.0.0.1:21", Address: "127.0.0.1:21"}
	for _, tc := range []struct {
		name      string
		rep       *client.Report
		err       error
		wantPanel bool
		wantText  string // the message shown instead of the inspector
		wantInfo  int    // objects above the inspector
	}{
		{"self-signed", selfSignedReport(t), nil, true, "", 2},
		{"refused", selfSignedReport(t), &client.UntrustedError{Trust: client.TrustUntrusted}, true, "", 2},
		{"plain FTP", plain, nil, false, "Not encrypted: plain FTP has no certificate.", 0},
		{"no report", nil, errors.New("dial tcp: connection refused"), false,
			"No certificate: the connection ended before the server sent one.", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			test.NewTempApp(t)
			p := newCertPane(test.NewTempWindow(t, nil))
			p.show(tc.rep, tc.err, "127.0.0.1", testNow)
			if got := p.panel.Visible(); got != tc.wantPanel {
				t.Errorf("inspector visible = %v, want %v", got, tc.wantPanel)
			}
			if !tc.wantPanel && (!p.empty.Visible() || p.empty.Text != tc.wantText) {
				t.Errorf("message = %q (visible %v), want %q", p.empty.Text, p.empty.Visible(), tc.wantText)
			}
			if tc.wantPanel && len(p.panel.Model().Levels) != len(tc.rep.Certificates) {
				t.Errorf("inspector shows %d levels, want %d", len(p.panel.Model().Levels), len(tc.rep.Certificates))
			}
			if got := len(p.info.Objects); got != tc.wantInfo || p.info.Visible() != (tc.wantInfo > 0) {
				t.Errorf("%d objects above the inspector (visible %v), want %d", got, p.info.Visible(), tc.wantInfo)
			}
		})
	}
}

func TestConnectionLines(t *testing.T) {
	alice := "CN=alice"
	for _, tc := range []struct {
		name string
		got  string
		want string
	}{
		{"tls", tlsLine(&client.TLSInfo{Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", Group: "X25519"}),
			"TLS 1.3 · TLS_AES_128_GCM_SHA256 · key exchange X25519 · new session (not resumed) · no ALPN"},
		{"tls resumed alpn", tlsLine(&client.TLSInfo{Version: "TLS 1.2", CipherSuite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Resumed: true, ALPN: "ftp"}),
			"TLS 1.2 · TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 · resumed session · ALPN ftp"},
		{"no handshake", tlsLine(nil), "the handshake did not complete, so nothing was negotiated."},
		{"not requested", clientCertLine(client.ClientCertInfo{}), "not requested by the server."},
		{"requested, none sent", clientCertLine(client.ClientCertInfo{Requested: true, AcceptableCAs: []string{"CN=Lockbox Client CA"}}),
			"requested by the server (acceptable issuers: CN=Lockbox Client CA); none sent."},
		{"requested, sent", clientCertLine(client.ClientCertInfo{Requested: true, Sent: &alice}),
			"requested by the server (acceptable issuers: any CA); sent CN=alice."},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

// TestShowCertificate is what happens once a certificate file is loaded:
// it opens in a window of its own, in the certificate inspector.
func TestShowCertificate(t *testing.T) {
	h := newHarness(t, Deps{})
	_, pemBytes := testCert(t, 7)
	m, err := certview.ModelFromFile("files.pem", pemBytes, "", testNow)
	if err != nil {
		t.Fatal(err)
	}
	cw := h.w.ShowCertificate(m)
	t.Cleanup(cw.Close)
	if got, want := cw.Title(), "Certificate — files.example.test"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	p, ok := cw.Content().(*certview.Panel)
	if !ok || p.Model() != m {
		t.Fatalf("content = %T, want the inspector showing the file", cw.Content())
	}
	test.AssertImageMatches(t, "certificate_window.png", cw.Canvas().Capture())
}

// TestOpenCertificate checks that the button and Ctrl+O both ask for a
// file (the dialog itself is certview's).
func TestOpenCertificate(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(h *harness)
	}{
		{"button", func(h *harness) { test.Tap(h.w.top.openCert) }},
		{"shortcut", func(h *harness) {
			h.w.Window.Canvas().(fyne.Shortcutable).TypedShortcut(OpenShortcut)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Deps{})
			if h.w.Window.Canvas().Overlays().Top() != nil {
				t.Fatal("a dialog is open before asking")
			}
			tc.open(h)
			top := h.w.Window.Canvas().Overlays().Top()
			if top == nil {
				t.Fatal("no file dialog opened")
			}
			top.Hide()
		})
	}
}

// TestDemoClientCertificate is the demo's second port: the server requires
// a client certificate, the question lists the demo CA and offers the
// demo identity, sending it logs in, and the padlock says it was sent.
func TestDemoClientCertificate(t *testing.T) {
	h := newHarness(t, Deps{LocalDir: t.TempDir()})
	var asked []*identityui.RequestDialog
	h.w.hooks.onIdentity = func(rd *identityui.RequestDialog) { asked = append(asked, rd) }
	h.w.StartDemo(true)
	td := h.waitDialog(t)
	test.Tap(td.once)
	h.pump(t, "the client-certificate question", func() bool { return len(asked) > 0 || len(h.results) > 0 })
	if len(asked) != 1 {
		t.Fatalf("no client-certificate question; result %+v", h.results)
	}
	rd := asked[0]
	if !rd.SelectSaved(DemoIdentityName) {
		t.Fatal("the demo identity is not offered")
	}
	send := uitest.Button(h.w.Window.Canvas().Overlays().Top(), "Send certificate")
	if send == nil {
		t.Fatal("the client-certificate question has no Send certificate button")
	}
	h.pump(t, "the demo identity to open", func() bool { return !send.Disabled() })
	test.Tap(send)
	r := h.waitDone(t)
	if r.err != nil {
		t.Fatalf("login with the demo identity: %v", r.err)
	}
	cc := r.rep.ClientCertificate
	if !cc.Requested || cc.Sent == nil || !strings.Contains(*cc.Sent, demo.ClientIdentityName) ||
		strings.Join(cc.AcceptableCAs, ";") != "CN="+demo.ClientCAName+",O=Lockbox demo" {
		t.Errorf("client certificate: %+v", cc)
	}
	if !strings.Contains(h.w.padlock.tls.Text, "client certificate: CN="+demo.ClientIdentityName) {
		t.Errorf("status bar: %q", h.w.padlock.tls.Text)
	}
	remote := h.w.remote.pane
	h.pump(t, "the remote listing", func() bool { return !remote.Loading() && len(remote.Entries()) > 0 })
	if len(asked) != 1 {
		t.Errorf("asked %d times; the pool must ask once", len(asked))
	}
}

// The timeline keeps its newest rows and says how many it dropped; a
// burst of steps is drawn in one go.
func TestTimelineKeepsNewestRows(t *testing.T) {
	tl := newTimeline()
	var burst []trace.Step
	for i := 0; i < maxTimelineRows+250; i++ {
		burst = append(burst, trace.Step{Conn: "data 1", Dir: trace.Recv, Name: fmt.Sprintf("step_%d", i)})
	}
	tl.addAll(burst[:100])
	tl.addAll(burst[100:])
	if tl.len() > maxTimelineRows || tl.steps[tl.len()-1].Name != burst[len(burst)-1].Name {
		t.Fatalf("%d rows, last %q", tl.len(), tl.steps[tl.len()-1].Name)
	}
	if got := len(tl.box.Objects); got != tl.len()+1 || tl.box.Objects[0] != tl.more {
		t.Errorf("%d objects for %d rows; the first is not the dropped-rows note", got, tl.len())
	}
	if want := fmt.Sprintf("%d earlier steps", tl.dropped); !strings.HasPrefix(tl.more.Text, want) || tl.dropped+tl.len() != len(burst) {
		t.Errorf("note %q, dropped %d", tl.more.Text, tl.dropped)
	}
	// One burst longer than the timeline: one row per step kept.
	one := newTimeline()
	one.addAll(burst)
	if got := len(one.box.Objects); one.len() > maxTimelineRows || got != one.len()+1 || one.dropped+one.len() != len(burst) {
		t.Errorf("one burst: %d objects for %d rows, %d dropped", got, one.len(), one.dropped)
	}
}

// Steps from any goroutine reach the UI goroutine in batches: one call of
// do per batch, every step once and in order.
func TestStepBatch(t *testing.T) {
	queue := make(chan func(), 100)
	var got []trace.Step
	b := newStepBatch(func(f func()) { queue <- f }, func(s []trace.Step) { got = append(got, s...) })
	for i := 0; i < 50; i++ {
		b.Step(trace.Step{Name: fmt.Sprint(i)})
	}
	if len(queue) != 1 {
		t.Fatalf("%d flushes queued for one burst", len(queue))
	}
	(<-queue)()
	b.Step(trace.Step{Name: "50"})
	(<-queue)()
	for i, s := range got {
		if s.Name != fmt.Sprint(i) {
			t.Fatalf("step %d is %q", i, s.Name)
		}
	}
	if len(got) != 51 {
		t.Errorf("%d steps", len(got))
	}
}
