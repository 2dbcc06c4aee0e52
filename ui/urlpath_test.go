//go:build linux

package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"lockbox/client"
	"lockbox/client/servertest"
)

// What the bar shows for a target connects to the same folder again: a
// site's absolute folder is written with %2F, a URL's path under the login
// folder stays relative.
func TestQuickConnectFillKeepsPath(t *testing.T) {
	h := newHarness(t, Deps{})
	tests := []struct {
		name     string
		target   client.Target
		wantHost string
	}{
		{"no path", client.Target{Scheme: client.FTPES, Host: "files.example.test", Port: 21}, "files.example.test"},
		{"site's absolute folder", client.Target{Scheme: client.FTPES, Host: "files.example.test", Port: 21, Path: "/pub"},
			"files.example.test/%2Fpub"},
		{"URL under the login folder", client.Target{Scheme: client.FTPS, Host: "files.example.test", Port: 990, Path: "/pub/2026", LoginRelative: true},
			"files.example.test/pub/2026"},
		{"space and IPv6", client.Target{Scheme: client.FTPES, Host: "::1", Port: 2121, Path: "/my files"},
			"[::1]/%2Fmy%20files"},
		{"https", client.Target{Scheme: client.HTTPS, Host: "files.example.test", Port: 443, Path: "/a/report.txt"},
			"files.example.test/a/report.txt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.w.top.quick.fill(tc.target)
			if got := h.w.top.quick.host.Text; got != tc.wantHost {
				t.Errorf("host field %q, want %q", got, tc.wantHost)
			}
			got, err := h.w.top.quick.target()
			if err != nil {
				t.Fatal(err)
			}
			if got.Scheme != tc.target.Scheme || got.Host != tc.target.Host || got.Port != tc.target.Port ||
				got.RemotePath("/home/u") != tc.target.RemotePath("/home/u") {
				t.Errorf("the bar connects to %#v, want %#v", got, tc.target)
			}
		})
	}
}

// A quick-connect URL's path is under the login folder, and %2F (or a
// leading //) makes it absolute, as curl reads it; the remote pane opens
// there. The vsftpd does not chroot, so the two differ.
func TestQuickConnectURLPaths(t *testing.T) {
	marker, err := os.MkdirTemp("/tmp", "lockbox-ui-urlpath-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(marker) })
	if err := os.Chmod(marker, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(marker, "in-tmp.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{Files: map[string][]byte{"pub/in-home.txt": []byte("y")},
		Extra: map[string]string{"chroot_local_user": "NO"}})
	tests := []struct {
		name, path, wantDir, wantFile string
	}{
		{"under the login folder", "/pub", srv.Root + "/pub", "in-home.txt"},
		{"%2F", "/%2F" + strings.TrimPrefix(marker, "/"), marker, "in-tmp.txt"},
		{"leading //", "/" + marker, marker, "in-tmp.txt"},
		{"login folder", "/", srv.Root, "pub"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Deps{LocalDir: t.TempDir()})
			h.w.top.quick.host.SetText("ftpes://" + srv.User + "@" + srv.Addr + tc.path)
			h.w.top.quick.password.SetText(srv.Password)
			test.Tap(h.w.top.connect)
			test.Tap(h.waitDialog(t).once)
			// vsftpd asks for a client certificate, which may be declined.
			h.pump(t, "the client certificate question", func() bool { return h.w.dlg.identity != nil || len(h.results) > 0 })
			if h.w.dlg.identity != nil {
				h.w.dlg.identity.Dismiss()
			}
			if r := h.waitDone(t); r.err != nil {
				t.Fatal(r.err)
			}
			remote := h.w.remote.pane
			h.pump(t, "the listing", func() bool { return !remote.Loading() && remote.Dir() != "" })
			if remote.Dir() != tc.wantDir {
				t.Errorf("the remote pane opened %q, want %q", remote.Dir(), tc.wantDir)
			}
			found := false
			for _, e := range remote.Entries() {
				found = found || e.Name == tc.wantFile
			}
			if !found {
				t.Errorf("the listing lacks %s: %+v", tc.wantFile, remote.Entries())
			}
		})
	}
}
