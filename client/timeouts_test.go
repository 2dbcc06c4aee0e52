package client

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// verifyNoLeaks fails t if goroutines started during the test outlive it
// (goleak retries for a while, so goroutines that are ending pass). It is
// registered first so that it runs after every other cleanup, servers
// included.
func verifyNoLeaks(t *testing.T) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// Every step that waits on the server ends within Options.Timeout with a
// StepError naming the step, whether the server is silent, stops mid-reply,
// drips bytes (each well within the timeout: the deadline is per step, not
// per read) or floods one endless line; and no goroutine outlives it.
func TestEveryStepTimesOut(t *testing.T) {
	verifyNoLeaks(t)
	const timeout = 300 * time.Millisecond
	p := newPKI(t)
	cfg := serverTLS(p.Leaf, p.Inter)
	type step struct {
		at       string // where the server misbehaves
		wantStep string
		list     bool // the failure is in List, after a good login
	}
	steps := []step{
		{"banner", "ftp_banner", false},
		{"AUTH", "auth_tls", false},
		{"USER", "login", false},
		{"PASS", "login", false},
		{"LIST", "list", true},
	}
	// The error says what happened, and not something else: a reply
	// line cut off by the length limit is not taken for a whole reply
	// (and then waited on), and a silent server has not "refused".
	const timedOut, tooLong = "did not answer within 300ms", "longer than 64 KiB"
	wantText := map[misbehaviour][2]string{
		silent: {timedOut, "refused"},
		stall:  {timedOut, "refused"},
		drip:   {timedOut, "refused"},
		flood:  {tooLong, timedOut},
	}
	type testCase struct {
		name     string
		script   fakeScript
		wantStep string
		wantText string
		notText  string
		list     bool
	}
	var tests []testCase
	for _, st := range steps {
		for _, how := range []misbehaviour{silent, stall, drip, flood} {
			w := wantText[how]
			tests = append(tests, testCase{st.at + " " + how.String(), fakeScript{at: st.at, how: how}, st.wantStep, w[0], w[1], st.list})
		}
	}
	tests = append(tests,
		testCase{"data connection never starts TLS", fakeScript{dataSilent: true}, "list", "data_tls_handshake", "refused", true},
		testCase{"data connection sends nothing after TLS", fakeScript{dataMute: true}, "list", timedOut, "refused", true},
	)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startBadFTP(t, cfg, tc.script)
			opts := Options{Timeout: timeout, ExtraRoots: rootsOf(p.Root), NoSystemRoots: true}
			sess, _, err := Connect(bg, mustTarget(t, "ftpes://alice:pw@"+srv.addr()), opts)
			if tc.list {
				if err != nil {
					t.Fatalf("Connect: %v", err)
				}
				_, err = sess.List("/")
				sess.Close()
			} else if err == nil {
				sess.Close()
			}
			var se *StepError
			if !errors.As(err, &se) || se.Step != tc.wantStep || !strings.Contains(err.Error(), tc.wantText) || strings.Contains(err.Error(), tc.notText) {
				t.Fatalf("err = %v\nwant a StepError for step %s saying %q and not %q", err, tc.wantStep, tc.wantText, tc.notText)
			}
		})
	}
}

// A plain FTP data connection that never sends its data ends on the idle
// timeout, naming the command.
func TestSilentPlainDataConnectionTimesOut(t *testing.T) {
	verifyNoLeaks(t)
	srv := startBadFTP(t, nil, fakeScript{dataSilent: true})
	sess, _, err := Connect(bg, mustTarget(t, "ftp://alice:pw@"+srv.addr()), Options{Timeout: 300 * time.Millisecond, AllowPlaintext: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sess.List("/")
	sess.Close()
	var se *StepError
	if !errors.As(err, &se) || se.Step != "list" || !strings.Contains(err.Error(), "did not answer within 300ms") {
		t.Fatalf("err = %v, want a list StepError for the timeout", err)
	}
}

// Inspect has the same deadlines as Connect for the steps it shares.
func TestInspectTimesOut(t *testing.T) {
	verifyNoLeaks(t)
	tests := []struct {
		at, wantStep string
		how          misbehaviour
	}{
		{"banner", "ftp_banner", drip},
		{"AUTH", "auth_tls", drip},
		{"FEAT", "feat", stall},
	}
	p := newPKI(t)
	for _, tc := range tests {
		t.Run(tc.at, func(t *testing.T) {
			srv := startBadFTP(t, serverTLS(p.Leaf, p.Inter), fakeScript{at: tc.at, how: tc.how})
			_, err := Inspect(bg, mustTarget(t, "ftpes://"+srv.addr()), Options{Timeout: 300 * time.Millisecond, ExtraRoots: rootsOf(p.Root), NoSystemRoots: true})
			var se *StepError
			if !errors.As(err, &se) || se.Step != tc.wantStep || !strings.Contains(err.Error(), "did not answer within 300ms") {
				t.Fatalf("err = %v, want a %s StepError for the timeout", err, tc.wantStep)
			}
		})
	}
}
