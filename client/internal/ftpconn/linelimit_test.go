package ftpconn

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"lockbox/client/internal/fault"
	"lockbox/client/internal/ftpwire"
	"lockbox/client/trace"
)

// A reply line over the length limit is refused even when bufio hands
// textproto its cut-off start as a complete line: over net.Pipe the read
// that crosses the limit leaves bufio's buffer partly filled, and the next
// read's error is then dropped by bufio.Reader.ReadLine. Each step the
// engine reads itself must check the protocol log afterwards.
func TestCutOffReplyIsNotTakenForAReply(t *testing.T) {
	verifyNoLeaks(t)
	// 16 reads of 4096 bytes, then one of a single byte that crosses
	// the limit and leaves bufio's 4096-byte buffer almost empty.
	long := func(code string) string { return code + " " + strings.Repeat("A", ftpwire.MaxReplyLine-len(code)) }
	tests := []struct {
		step  string
		reply string
		run   func(c *Control) error
	}{
		{"auth_tls", long("234"), func(c *Control) error { return c.authTLS(bg, bufio.NewReader(c.wire)) }},
		{"pbsz", long("200"), func(c *Control) error { _, err := c.protect(bg); return err }},
		{"feat", long("211"), func(c *Control) error { return c.Confirm(bg) }},
	}
	for _, tc := range tests {
		t.Run(tc.step, func(t *testing.T) {
			client, server := net.Pipe()
			defer client.Close()
			done := make(chan struct{})
			go func() {
				defer close(done)
				defer server.Close()
				r := bufio.NewReader(server)
				if _, err := r.ReadString('\n'); err != nil {
					return
				}
				if _, err := io.WriteString(server, tc.reply); err != nil {
					return
				}
				io.Copy(io.Discard, r) // until the client hangs up
			}()
			defer func() { client.Close(); <-done }()

			rec := trace.NewRecorder(nil)
			cfg := Config{Address: "127.0.0.1:21", Host: "127.0.0.1", TLS: noHandshake{}, Timeout: 2 * time.Second}
			c := &Control{cfg: cfg, rec: rec, em: rec.Conn("control"), raw: client, ctx: context.Background()}
			c.wire = ftpwire.NewLog(client, c.em)
			err := tc.run(c)
			var se *fault.StepError
			if !errors.As(err, &se) || se.Step != tc.step || !strings.Contains(err.Error(), "longer than 64 KiB") {
				t.Fatalf("err = %v, want a %s StepError for the over-long line", err, tc.step)
			}
		})
	}
}

var bg = context.Background()

// verifyNoLeaks fails the test if it leaves a goroutine behind.
func verifyNoLeaks(t *testing.T) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// noHandshake is the TLS side of a test that ends before any handshake:
// it explains errors as they are.
type noHandshake struct{}

func (noHandshake) Config(context.Context, trace.Emitter, bool, net.Conn) *tls.Config {
	return &tls.Config{}
}

func (noHandshake) Handshake(context.Context, *tls.Conn, trace.Emitter, bool) error {
	return errors.New("this test shakes no hands")
}

func (noHandshake) ExplainHandshakeError(err error) error { return err }
