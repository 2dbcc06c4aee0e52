package client

import (
	"bytes"
	"errors"
	"net"
	"net/textproto"
	"strings"
	"testing"

	"lockbox/client/trace"
)

// feedReplies sends chunks as a server's replies through a wireLog, checks
// that they arrive unchanged, and returns the steps recorded.
func feedReplies(t testing.TB, chunks [][]byte) []trace.Step {
	rec := trace.NewRecorder(nil)
	client, server := net.Pipe()
	defer client.Close()
	w := newWireLog(client, rec.Conn("control"))
	go func() {
		for _, c := range chunks {
			server.Write(c)
		}
		server.Close()
	}()
	var got bytes.Buffer
	buf := make([]byte, 7)
	for {
		n, err := w.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if want := bytes.Join(chunks, nil); !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("the log changed the bytes: got %q, want %q", got.Bytes(), want)
	}
	return rec.Steps()
}

func TestWireLogReplies(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		want   []string // summaries of the reply steps
	}{
		{"single line", []string{"220 hello\r\n"}, []string{"220 hello"}},
		{"split across reads", []string{"22", "0 hel", "lo\r", "\n"}, []string{"220 hello"}},
		{"multi-line reply", []string{"211-Features:\r\n MLST\r\n211 End\r\n"}, []string{"211-Features: |  MLST | 211 End"}},
		{"two replies in one read", []string{"150 go\r\n226 done\r\n"}, []string{"150 go", "226 done"}},
		{"control characters", []string{"220 \x1b[31mred\x00\r\n"}, []string{"220 ?[31mred?"}},
		{"garbage line", []string{"hello\n"}, []string{"hello"}},
		{"over-long line", []string{"220 " + strings.Repeat("x", 10000) + "\r\n"}, []string{"220 " + strings.Repeat("x", maxWireLine-4) + " …(line truncated)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var chunks [][]byte
			for _, c := range tc.chunks {
				chunks = append(chunks, []byte(c))
			}
			var got []string
			for _, s := range feedReplies(t, chunks) {
				got = append(got, s.Summary)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("replies = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWireLogRedactsPassword(t *testing.T) {
	rec := trace.NewRecorder(nil)
	client, server := net.Pipe()
	defer client.Close()
	go func() {
		buf := make([]byte, 1024)
		for {
			if _, err := server.Read(buf); err != nil {
				return
			}
		}
	}()
	w := newWireLog(client, rec.Conn("control"))
	for _, line := range []string{"USER alice\r\n", "PASS hunter2-secret\r\n", "ACCT also-secret\r\n"} {
		if _, err := w.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	server.Close()
	var summaries []string
	for _, s := range rec.Steps() {
		summaries = append(summaries, s.Summary)
	}
	if got := strings.Join(summaries, ","); got != "USER alice,PASS ****,ACCT ****" {
		t.Errorf("commands logged as %s", got)
	}
}

// FuzzWireLog: whatever a server sends, the protocol log never panics and
// never changes the bytes.
func FuzzWireLog(f *testing.F) {
	f.Add([]byte("220 hi\r\n"), 3)
	f.Add([]byte("211-a\r\n b\r\n211 c\r\n150 x\r\n"), 1)
	f.Add([]byte("\r\n\n\x00-\xff"), 2)
	f.Fuzz(func(t *testing.T, data []byte, cut int) {
		if cut <= 0 || cut > len(data) {
			cut = len(data)
		}
		chunks := [][]byte{data[:cut], data[cut:]}
		feedReplies(t, chunks)
	})
}

// The hint that a data connection did not resume is given for the replies
// servers use for that (522; 425 and 426 after a fresh data handshake), not
// for every refusal that follows one.
func TestResumptionHintOnlyForDataRefusals(t *testing.T) {
	c := &ftpControl{opts: &Options{}, rec: trace.NewRecorder(nil)}
	for _, tc := range []struct {
		code     int
		fresh    bool
		wantHint bool
	}{
		{522, false, true},
		{425, true, true},
		{426, true, true},
		{425, false, false},
		{550, true, false},
		{530, true, false},
	} {
		c.dataFresh.Store(tc.fresh)
		err := c.stepErr(bg, "retr", &textproto.Error{Code: tc.code, Msg: "refused"})
		var se *StepError
		if !errors.As(err, &se) || (se.Hint != "") != tc.wantHint {
			t.Errorf("%d (fresh %v): hint %q, want one: %v", tc.code, tc.fresh, se.Hint, tc.wantHint)
		}
	}
}
