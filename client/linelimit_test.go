package client

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

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
		run   func(c *ftpControl) error
	}{
		{"auth_tls", long("234"), func(c *ftpControl) error { return c.authTLS(bg, bufio.NewReader(c.wire)) }},
		{"pbsz", long("200"), func(c *ftpControl) error { _, err := c.protect(bg); return err }},
		{"feat", long("211"), func(c *ftpControl) error { return c.confirm(bg) }},
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
			opts := &Options{Timeout: 2 * time.Second, NoSystemRoots: true}
			tg := mustTarget(t, "ftpes://127.0.0.1:21")
			sec, err := newSecurity(bg, tg, opts, rec, &Report{})
			if err != nil {
				t.Fatal(err)
			}
			c := &ftpControl{target: tg, opts: opts, rec: rec, em: rec.Conn("control"), sec: sec, raw: client, ctx: context.Background()}
			c.wire = ftpwire.NewLog(client, c.em)
			err = tc.run(c)
			var se *StepError
			if !errors.As(err, &se) || se.Step != tc.step || !strings.Contains(err.Error(), "longer than 64 KiB") {
				t.Fatalf("err = %v, want a %s StepError for the over-long line", err, tc.step)
			}
		})
	}
}
