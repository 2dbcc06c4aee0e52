package client

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockbox/client/certgen"
	"lockbox/client/trust"
)

// seenStore opens an empty TLS record in a temporary folder and records
// each host:port in it as seen at when.
func seenStore(t *testing.T, when time.Time, hostPorts ...string) *trust.SeenStore {
	t.Helper()
	s, err := trust.OpenSeen(filepath.Join(t.TempDir(), trust.SeenFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, hp := range hostPorts {
		if err := s.Record(hp, when); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

var seenDay = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// A server that negotiated TLS before and now refuses AUTH TLS, or a plain
// ftp:// URL to it, is refused as a possible downgrade attack; one never
// seen with TLS gets the ordinary answers.
func TestDowngradeIsFlagged(t *testing.T) {
	const wantDowngrade = "possible downgrade attack: this server spoke TLS on 2026-11-20"
	refuseAuth := fakeScript{replies: map[string]string{"AUTH": "502 TLS is switched off\r\n"}}
	tests := []struct {
		name     string
		scheme   string
		inspect  bool // Inspect instead of Connect
		seen     bool
		script   fakeScript
		wantStep string // "" = success
		wantText string
	}{
		{"AUTH TLS refused, TLS seen before", "ftpes", false, true, refuseAuth, "auth_tls", wantDowngrade},
		{"AUTH TLS refused on inspect, TLS seen before", "ftpes", true, true, refuseAuth, "auth_tls", wantDowngrade},
		{"AUTH TLS refused, never seen", "ftpes", false, false, refuseAuth, "auth_tls", "refused to switch to TLS"},
		{"plain ftp:// with --allow-plaintext, TLS seen before", "ftp", false, true, fakeScript{}, "downgrade", wantDowngrade},
		{"plain ftp:// inspected, TLS seen before", "ftp", true, true, fakeScript{}, "downgrade", wantDowngrade},
		{"plain ftp:// with --allow-plaintext, never seen", "ftp", false, false, fakeScript{}, "", ""},
		{"plain ftp:// inspected, never seen", "ftp", true, false, fakeScript{}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startBadFTP(t, nil, tc.script)
			var seen []string
			if tc.seen {
				seen = []string{srv.addr()}
			}
			opts := Options{Timeout: 5 * time.Second, AllowPlaintext: true, TLSSeen: seenStore(t, seenDay, seen...)}
			tg := mustTarget(t, tc.scheme+"://alice:pw@"+srv.addr())
			var report *Report
			var err error
			if tc.inspect {
				report, err = Inspect(bg, tg, opts)
			} else {
				var sess *Session
				sess, report, err = Connect(bg, tg, opts)
				if err == nil {
					sess.Close()
				}
			}
			if tc.wantStep == "" {
				if err != nil {
					t.Fatalf("err = %v, want success", err)
				}
				if _, ok := find(report.Steps, "control", "downgrade"); ok {
					t.Error("a downgrade step for a server never seen with TLS")
				}
				return
			}
			var se *StepError
			if !errors.As(err, &se) || se.Step != tc.wantStep || !strings.Contains(err.Error(), tc.wantText) {
				t.Fatalf("err = %v, want step %s saying %q", err, tc.wantStep, tc.wantText)
			}
			var de *DowngradeError
			if tc.seen != errors.As(err, &de) {
				t.Fatalf("err = %v: DowngradeError %v, want %v", err, !tc.seen, tc.seen)
			}
			if tc.seen {
				if !strings.Contains(err.Error(), opts.TLSSeen.Path()) {
					t.Errorf("err = %v does not say which file to edit if the server really dropped TLS", err)
				}
				if st, ok := find(report.Steps, "control", "downgrade"); !ok || !st.Failed {
					t.Errorf("no failed downgrade step in %v", names(report.Steps, "control"))
				}
			}
			for _, line := range srv.received() {
				if strings.HasPrefix(line, "USER") || strings.HasPrefix(line, "PASS") {
					t.Errorf("sent %q to a server suspected of a downgrade", line)
				}
			}
		})
	}
}

// The record is written by a TLS handshake that ended trusted or accepted,
// for the host:port dialled, and consulted on the next connection to it.
func TestTLSSeenIsRecordedThenConsulted(t *testing.T) {
	p := newPKI(t)
	self := selfSigned(t)
	tests := []struct {
		name       string
		scheme     string
		chain      []*certgen.Cert
		roots      []*certgen.Cert
		decide     Choice
		wantRecord bool
	}{
		{"explicit, verified", "ftpes", []*certgen.Cert{p.Leaf, p.Inter}, []*certgen.Cert{p.Root}, Reject, true},
		{"implicit, verified", "ftps", []*certgen.Cert{p.Leaf, p.Inter}, []*certgen.Cert{p.Root}, Reject, true},
		{"self-signed accepted once", "ftpes", []*certgen.Cert{self}, nil, AcceptOnce, true},
		{"self-signed rejected", "ftpes", []*certgen.Cert{self}, nil, Reject, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startDemo(t, tc.scheme == "ftps", serverTLS(tc.chain...))
			seen := seenStore(t, seenDay)
			start := time.Now()
			opts := Options{ExtraRoots: rootsOf(tc.roots...), NoSystemRoots: true, TLSSeen: seen,
				Decide: func(context.Context, Decision) Choice { return tc.decide }}
			Inspect(bg, mustTarget(t, tc.scheme+"://"+srv.Addr), opts)
			got, ok := seen.Lookup(srv.Addr)
			if ok != tc.wantRecord {
				t.Fatalf("recorded = %v, want %v", ok, tc.wantRecord)
			}
			if !ok {
				return
			}
			if got.Last.Before(start.Truncate(time.Second)) || got.HostPort != srv.Addr {
				t.Errorf("recorded %+v, want %s seen since %v", got, srv.Addr, start)
			}
			// The same host:port in plain FTP is now refused, without a connection.
			_, _, err := Connect(bg, mustTarget(t, "ftp://alice:pw@"+srv.Addr), Options{AllowPlaintext: true, TLSSeen: seen})
			if !strings.Contains(err.Error(), "possible downgrade attack: this server spoke TLS on "+got.Last.Format("2006-01-02")) {
				t.Errorf("plain FTP to a server seen with TLS: err = %v", err)
			}
		})
	}
}
