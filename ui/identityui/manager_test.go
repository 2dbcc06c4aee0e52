package identityui

import (
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/identity"
	"lockbox/client/secrets"
	"lockbox/client/verify"
	"lockbox/ui/internal/uitest"
)

// managerHarness is a manager on a test window whose file and keyring work
// reports through a queue the test drains.
type managerHarness struct {
	w fyne.Window
	q uitest.Queue
	m *Manager
}

func newManager(t *testing.T, s *identity.Store, sec secrets.Store) *managerHarness {
	t.Helper()
	h := &managerHarness{w: newTestWindow(t), q: uitest.NewQueue()}
	h.m = NewManager(h.w, s, sec, ManagerOptions{Now: fixedClock, Do: h.q.Do})
	h.w.SetContent(h.m.Content())
	return h
}

// row renders row i: name, subject, issuer and the expiry label.
func (h *managerHarness) row(i int) (cells []string, expires *widget.Label) {
	o := h.m.list.CreateItem()
	h.m.list.UpdateItem(i, o)
	for _, c := range o.(*fyne.Container).Objects {
		cells = append(cells, c.(*widget.Label).Text)
	}
	return cells, o.(*fyne.Container).Objects[3].(*widget.Label)
}

func TestManagerLists(t *testing.T) {
	p := newPKI(t)
	s := newStore(t)
	mustAdd(t, s, "work", identity.Files{CertFile: p.alicePEM}, "", nil)
	mustAdd(t, s, "Carol old", identity.Files{CertFile: p.expiredPEM}, "", nil)
	mustAdd(t, s, "dave", identity.Files{CertFile: p.soonPEM}, "", nil)
	h := newManager(t, s, nil)
	tests := []struct {
		cells []string
		imp   widget.Importance
	}{
		{[]string{"Carol old", "CN=carol,O=Lockbox Test", "CN=Test CA,O=Lockbox Test", "2026-06-11 (expired 4 days ago)"}, widget.DangerImportance},
		{[]string{"dave", "CN=dave,O=Lockbox Test", "CN=Test CA,O=Lockbox Test", "2026-07-01 (in 15 days)"}, widget.WarningImportance},
		{[]string{"work", "CN=alice,O=Lockbox Test", "CN=Test CA,O=Lockbox Test", "2027-01-01 (in 199 days)"}, widget.MediumImportance},
	}
	if n := h.m.list.Length(); n != len(tests) {
		t.Fatalf("list has %d rows, want %d", n, len(tests))
	}
	for i, tt := range tests {
		cells, expires := h.row(i)
		if strings.Join(cells, "|") != strings.Join(tt.cells, "|") || expires.Importance != tt.imp {
			t.Errorf("row %d = %q (expiry importance %v), want %q (%v)", i, cells, expires.Importance, tt.cells, tt.imp)
		}
	}
	if !h.m.remove.Disabled() {
		t.Error("Remove is enabled with nothing selected")
	}
	if !h.m.Select("dave") || h.m.Selected() != "dave" || h.m.panel == nil {
		t.Fatal("selecting dave does not show its certificate")
	}
	if h.m.remove.Disabled() {
		t.Error("Remove is disabled with an identity selected")
	}
	if got := h.m.panel.Model().Levels[0].Cert; !got.Equal(p.soon.Cert) {
		t.Errorf("the inspector shows %s, want dave's certificate", got.Subject)
	}
}

func TestManagerAdd(t *testing.T) {
	p := newPKI(t)
	tests := []struct {
		name       string
		sec        secrets.Store
		wantStatus string
		imp        widget.Importance
		inSecrets  bool
	}{
		{"password to the keyring", secrets.NewMemory(), `Saved "Work".`, widget.SuccessImportance, true},
		{"keyring unavailable", brokenSecrets{}, "asked each time", widget.WarningImportance, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			h := newManager(t, s, tt.sec)
			test.Tap(h.m.add)
			f := h.m.addForm
			if f == nil {
				t.Fatal("Add… opened no form")
			}
			if !f.save.Disabled() {
				t.Error("Add is enabled before a file was chosen")
			}
			f.files.pick(p.aliceP12)
			h.q.Pump(t, "alice.p12 to be read", func() bool { return f.complete })
			if f.name.Text != "alice" {
				t.Errorf("name defaults to %q, want the file's name", f.name.Text)
			}
			f.name.SetText("Work")

			steps := []struct {
				password, want string
			}{
				{"", "alice.p12 is protected by a password: type it, then press Add."},
				{wrongPassword, "That password does not open alice.p12; try again."},
			}
			for _, st := range steps {
				f.password.SetText(st.password)
				test.Tap(f.save)
				h.q.Pump(t, "the form to answer", func() bool { return !f.busy })
				if f.status.Text != st.want || h.m.addForm != f {
					t.Fatalf("with password %q: status %q, want %q and the form still open", st.password, f.status.Text, st.want)
				}
				assertNoSecret(t, "the form", strings.Join(texts(f.content), "\n"), []*testCert{p.alice}, goodPassword, wrongPassword)
			}
			f.password.SetText("")
			test.Type(f.password, goodPassword)
			test.Tap(f.save)
			h.q.Pump(t, "the identity to be saved", func() bool { return h.m.addForm == nil })

			if !strings.Contains(h.m.status.Text, tt.wantStatus) || h.m.status.Importance != tt.imp {
				t.Errorf("status %q (%v), want %q (%v)", h.m.status.Text, h.m.status.Importance, tt.wantStatus, tt.imp)
			}
			sv, ok := s.Get("Work")
			if !ok || sv.PKCS12 != p.aliceP12 || sv.HasPassword != tt.inSecrets {
				t.Fatalf("store has %+v, %v", sv, ok)
			}
			if h.m.Selected() != "Work" || h.m.list.Length() != 1 {
				t.Errorf("the new identity is not listed and selected (selected %q)", h.m.Selected())
			}
			if f.password.Text != "" {
				t.Error("the password stays in the closed form")
			}
			if mem, ok := tt.sec.(*secrets.Memory); ok {
				if got, err := mem.Get(identity.SecretKey("Work")); got != goodPassword {
					t.Errorf("secret store has %q (%v), want the password", got, err)
				}
			}
			data, err := os.ReadFile(s.Path())
			if err != nil {
				t.Fatal(err)
			}
			assertNoSecret(t, "identities.json", string(data), []*testCert{p.alice}, goodPassword, wrongPassword)
		})
	}
}

func TestManagerAddRefuses(t *testing.T) {
	p := newPKI(t)
	s := newStore(t)
	mustAdd(t, s, "alice", identity.Files{CertFile: p.bobPEM}, "", nil)
	h := newManager(t, s, nil)
	tests := []struct {
		name, first, second, saveAs, want string
	}{
		{"name taken", p.alicePEM, "", "alice", "a saved identity already has this name"},
		{"key of another certificate", p.aliceCrt, p.bobPEM, "x", "key does not match the certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			test.Tap(h.m.add)
			f := h.m.addForm
			t.Cleanup(func() { test.Tap(f.cancel) })
			f.files.pick(tt.first)
			h.q.Pump(t, "the first file", func() bool { return f.chosen != (identity.Files{}) })
			if tt.second != "" {
				f.files.pickSecond(tt.second)
				h.q.Pump(t, "the second file", func() bool { return f.complete })
			}
			f.name.SetText(tt.saveAs)
			test.Tap(f.save)
			h.q.Pump(t, "the form to answer", func() bool { return !f.busy })
			if !strings.Contains(f.status.Text, tt.want) || f.status.Importance != widget.DangerImportance || h.m.addForm != f {
				t.Errorf("status %q (%v), want %q with the form open", f.status.Text, f.status.Importance, tt.want)
			}
			if n := len(s.List()); n != 1 {
				t.Errorf("store has %d identities, want 1", n)
			}
		})
	}
}

func TestManagerRemove(t *testing.T) {
	p := newPKI(t)
	tests := []struct {
		name       string
		sec        func(mem *secrets.Memory) secrets.Store
		wantStatus string
		imp        widget.Importance
		secretLeft bool
	}{
		{"with its password", func(mem *secrets.Memory) secrets.Store { return mem }, `Removed "alice"`, widget.SuccessImportance, false},
		{"keyring unavailable", func(*secrets.Memory) secrets.Store { return brokenSecrets{} }, "could not be deleted", widget.WarningImportance, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			mem := secrets.NewMemory()
			mustAdd(t, s, "alice", identity.Files{PKCS12: p.aliceP12}, goodPassword, mem)
			mustAdd(t, s, "bob", identity.Files{CertFile: p.bobPEM}, "", mem)
			h := newManager(t, s, tt.sec(mem))
			h.m.Select("alice")

			test.Tap(h.m.remove)
			if h.m.confirm == nil {
				t.Fatal("Remove did not ask first")
			}
			test.Tap(h.m.confirm.no)
			if _, ok := s.Get("alice"); !ok || h.m.confirm != nil {
				t.Fatal("Cancel removed the identity or left the question open")
			}

			test.Tap(h.m.remove)
			test.Tap(h.m.confirm.yes)
			h.q.Pump(t, "the identity to be removed", func() bool { return !strings.HasPrefix(h.m.status.Text, "Removing") })
			if !strings.Contains(h.m.status.Text, tt.wantStatus) || h.m.status.Importance != tt.imp {
				t.Errorf("status %q (%v), want %q (%v)", h.m.status.Text, h.m.status.Importance, tt.wantStatus, tt.imp)
			}
			if _, ok := s.Get("alice"); ok {
				t.Error("alice is still saved")
			}
			if cells, _ := h.row(0); h.m.list.Length() != 1 || cells[0] != "bob" {
				t.Errorf("list shows %d rows, first %q; want bob only", h.m.list.Length(), cells[0])
			}
			if h.m.Selected() != "" || !h.m.remove.Disabled() {
				t.Error("a removed identity is still selected")
			}
			if _, err := mem.Get(identity.SecretKey("alice")); (err == nil) != tt.secretLeft {
				t.Errorf("password left in the secret store = %v, want %v", err == nil, tt.secretLeft)
			}
		})
	}
}

func TestManagerWithoutStore(t *testing.T) {
	h := newManager(t, nil, nil)
	if !h.m.add.Disabled() || !strings.Contains(h.m.status.Text, "not available") {
		t.Errorf("without a store: Add enabled %v, status %q", !h.m.add.Disabled(), h.m.status.Text)
	}
}

func TestDetailModel(t *testing.T) {
	p := newPKI(t)
	s := newStore(t)
	tests := []struct {
		name, file  string
		now         time.Time
		trusted     bool
		severity    verify.Severity
		verdictPart string
	}{
		{"valid", p.alicePEM, testNow, true, "", "valid until 2027-01-01"},
		{"expiring soon", p.soonPEM, testNow, true, verify.SeverityWarning, "expires on 2026-07-01, in 15 days"},
		{"expired", p.expiredPEM, testNow, false, verify.SeverityError, "expired on 2026-06-11, 4 days ago"},
		{"not yet valid", p.alicePEM, notBefore.Add(-time.Hour), false, verify.SeverityError, "not valid before 2025-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sv := mustAdd(t, s, tt.name, identity.Files{CertFile: tt.file}, "", nil)
			m, err := detailModel(sv, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if m.Trusted != tt.trusted || m.Severity != tt.severity || !strings.Contains(m.Verdict, tt.verdictPart) {
				t.Errorf("model: trusted %v, severity %q, verdict %q; want %v, %q, %q", m.Trusted, m.Severity, m.Verdict, tt.trusted, tt.severity, tt.verdictPart)
			}
			if !strings.HasPrefix(m.Summary, m.Verdict) || len(m.Levels) != len(sv.Certificates) || !m.Levels[0].Cert.Equal(mustChain(t, sv)[0]) {
				t.Errorf("summary %q, %d levels; want the verdict first, then every saved certificate", m.Summary, len(m.Levels))
			}
		})
	}
	if _, err := detailModel(identity.Saved{Name: "x"}, testNow); err == nil {
		t.Error("an identity without certificates has a model")
	}
}
