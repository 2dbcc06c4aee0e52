package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"lockbox/client"
	"lockbox/client/identity"
	"lockbox/client/trace"
	"lockbox/client/transfer"
	"lockbox/ui/browser"
	"lockbox/ui/identityui"
)

// fakeFolder is a browser source with fixed contents, for golden images
// that do not depend on the machine's folders or the clock.
type fakeFolder struct {
	browser.POSIX
	entries []browser.Entry
}

func (f *fakeFolder) List(context.Context, string) ([]browser.Entry, error) {
	return append([]browser.Entry(nil), f.entries...), nil
}
func (f *fakeFolder) MakeDir(context.Context, string, string) error        { return nil }
func (f *fakeFolder) Rename(context.Context, string, string, string) error { return nil }
func (f *fakeFolder) Delete(context.Context, string, browser.Entry) error  { return nil }

var goldenDay = time.Date(2026, 6, 14, 9, 30, 0, 0, time.UTC)

// TestMainWindowGolden draws the main window of a connected site: both
// panes, the handshake timeline, a transfer under way and the padlock, so
// that anyone can look at what the window shows (ui/testdata/main_window.png).
func TestMainWindowGolden(t *testing.T) {
	h := newHarness(t, Deps{Now: fixedClock(testNow)})
	w := h.w
	w.local.SetLocation(time.UTC)
	w.remote.pane.SetLocation(time.UTC)
	w.local.SetSource(&fakeFolder{entries: []browser.Entry{
		{Name: "invoices", Dir: true, ModTime: goldenDay, Perm: "drwxr-xr-x"},
		{Name: "report-2026-q2.pdf", Size: 1_234_567, ModTime: goldenDay, Perm: "-rw-r--r--"},
		{Name: "backup.tar.gz", Size: 734_003_200, ModTime: goldenDay.Add(-48 * time.Hour), Perm: "-rw-------"},
	}})
	w.local.SetDir("/home/alice/Documents")
	w.remote.pane.SetSource(&fakeFolder{entries: []browser.Entry{
		{Name: "incoming", Dir: true, ModTime: goldenDay, Perm: "drwxrwx---"},
		{Name: "statement.csv", Size: 48_213, ModTime: goldenDay, Perm: "-rw-r-----"},
		{Name: "archive-2025.zip", Size: 2_147_483_648, ModTime: goldenDay.Add(-720 * time.Hour), Perm: "-rw-r-----"},
	}})
	w.remote.pane.SetDir("/srv/files")
	rep := selfSignedReport(t)
	rep.Trust, rep.Trusted = client.TrustAcceptedOnce, true
	for _, s := range fakeSteps {
		w.tabs.timeline.add(s)
		w.tabs.protoLog.add(s)
	}
	w.tabs.timeline.add(trace.Step{At: 14 * time.Millisecond, Conn: "data 1", Dir: trace.Info, Name: "handshake_done",
		Summary: "TLS 1.3, resumed the control connection's session", Explain: "The data connection resumed the control connection's TLS session, as the server requires."})
	target := client.Target{Scheme: client.FTPES, Host: "127.0.0.1", Port: 2121, User: "alice", Password: "secret", HasPassword: true}
	w.top.quick.fill(target)
	w.top.disconnect.Enable()
	w.setPadlock(rep, target)
	w.setStatus("Connected to 127.0.0.1:2121 as alice. "+Summary(rep), 0)
	w.tabs.queueView.Update(transfer.Progress{ID: 1, Kind: transfer.KindDownload, Remote: "/srv/files/archive-2025.zip", Local: "archive-2025.zip",
		State: transfer.StateRunning, Done: 805_306_368, Total: 2_147_483_648, Speed: 96_000_000, ETA: 14 * time.Second})
	w.tabs.queueView.Update(transfer.Progress{ID: 2, Kind: transfer.KindUpload, Remote: "/srv/files/incoming/report-2026-q2.pdf", Local: "/home/alice/Documents/report-2026-q2.pdf",
		State: transfer.StateDone, Done: 1_234_567, Total: 1_234_567})
	h.pump(t, "both listings", func() bool {
		return len(w.local.Entries()) == 3 && len(w.remote.pane.Entries()) == 3
	})
	w.tabs.queueView.Flush()
	test.AssertImageMatches(t, "main_window.png", w.Window.Canvas().Capture())
	w.tabs.SelectIndex(transfersTab)
	test.AssertImageMatches(t, "main_window_transfers.png", w.Window.Canvas().Capture())
}

// TestIdentityDialogGolden draws the question a server's request for a
// client certificate opens (ui/testdata/identity_dialog.png), and checks
// that closing it sends none.
func TestIdentityDialogGolden(t *testing.T) {
	h := newHarness(t, Deps{Now: fixedClock(testNow)})
	var shown *identityui.RequestDialog
	h.w.hooks.onIdentity = func(rd *identityui.RequestDialog) { shown = rd }
	answer := make(chan identityui.Answer, 1)
	req := client.IdentityRequest{HostPort: "files.example.test:990",
		AcceptableCAs: []string{"CN=Example Client CA,O=Example Files", "CN=Example Partners CA,O=Example Files"}}
	h.w.showIdentityRequest(req, connectPrefs{}, answer)
	if shown == nil || h.w.dlg.identity != shown {
		t.Fatal("the identity question did not open")
	}
	test.AssertImageMatches(t, "identity_dialog.png", h.w.Window.Canvas().Capture())
	h.w.dismissIdentityDialog()
	select {
	case a := <-answer:
		if a.Identity != nil {
			t.Error("closing the question sent an identity")
		}
	default:
		t.Error("closing the question gave no answer")
	}
	var _ *identity.Identity
}
