package client

import (
	"strings"
	"testing"
	"time"
)

// A passive reply naming another address than the control connection's
// (192.0.2.1, TEST-NET-1, never contacted) does not move the data
// connection: it goes to 127.0.0.1, and the trace says so.
func TestPassiveReplyNamingAnotherAddress(t *testing.T) {
	p := newPKI(t)
	tests := []struct {
		name     string
		scheme   string
		pasvHost string // "" = the server offers EPSV
		wantStep string // the pasv_address summary; "" = none
	}{
		{"PASV names another host, plain FTP", "ftp", "192.0.2.1", "server said 192.0.2.1, using 127.0.0.1"},
		{"PASV names another host, explicit FTPS", "ftpes", "192.0.2.1", "server said 192.0.2.1, using 127.0.0.1"},
		{"PASV names the control host", "ftpes", "127.0.0.1", ""},
		{"EPSV names no host", "ftpes", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startBadFTP(t, serverTLS(p.Leaf, p.Inter), fakeScript{pasvHost: tc.pasvHost})
			opts := Options{Timeout: 2 * time.Second, ExtraRoots: rootsOf(p.Root), NoSystemRoots: true, AllowPlaintext: true}
			sess, _, err := Connect(bg, mustTarget(t, tc.scheme+"://alice:pw@"+srv.addr()), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			entries, err := sess.List("/")
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if len(entries) != 1 || entries[0].Name != "hello.txt" {
				t.Fatalf("entries = %+v", entries)
			}
			if n := srv.dataConnections(); n != 1 {
				t.Fatalf("the server's 127.0.0.1 data port got %d connections, want 1", n)
			}
			steps := sess.Report().Steps
			st, ok := find(steps, "data 1", "pasv_address")
			if tc.wantStep == "" && ok {
				t.Errorf("unexpected pasv_address step: %s", st.Summary)
			}
			if tc.wantStep != "" && (!ok || st.Summary != tc.wantStep) {
				t.Errorf("pasv_address step = %+v, %v; want %q", st, ok, tc.wantStep)
			}
			conn, ok := find(steps, "data 1", "tcp_connect")
			if !ok || !strings.Contains(conn.Summary, "→ 127.0.0.1:") {
				t.Errorf("data tcp_connect = %q, want it to 127.0.0.1", conn.Summary)
			}
			for _, s := range steps {
				if s.Name == "tcp_connect" && strings.Contains(s.Summary, "192.0.2.1") {
					t.Errorf("connected to the address the server named: %s", s.Summary)
				}
			}
		})
	}
}

// PROT P goes before the user name, once; a server that only takes it
// after login (530 to PBSZ) gets it then, and its listing still travels
// encrypted.
func TestProtectSentOnce(t *testing.T) {
	p := newPKI(t)
	for _, tc := range []struct {
		name       string
		script     fakeScript
		beforeUser bool
	}{
		{"before login", fakeScript{}, true},
		{"only after login", fakeScript{protAfterLogin: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startBadFTP(t, serverTLS(p.Leaf, p.Inter), tc.script)
			opts := Options{Timeout: 2 * time.Second, ExtraRoots: rootsOf(p.Root), NoSystemRoots: true}
			sess, _, err := Connect(bg, mustTarget(t, "ftpes://alice:pw@"+srv.addr()), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			if entries, err := sess.List("/"); err != nil || len(entries) != 1 {
				t.Fatalf("List: %v, %+v", err, entries)
			}
			got := srv.received()
			prots, protAt, userAt := 0, -1, -1
			for i, line := range got {
				switch {
				case line == "PROT P":
					prots++
					protAt = i
				case strings.HasPrefix(line, "USER "):
					userAt = i
				}
			}
			if prots != 1 || (protAt < userAt) != tc.beforeUser {
				t.Errorf("PROT P sent %d times, before USER %v (want once, %v): %q", prots, protAt < userAt, tc.beforeUser, got)
			}
		})
	}
}
