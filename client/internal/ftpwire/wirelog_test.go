package ftpwire

import (
	"bytes"
	"net"
	"strings"
	"testing"

	"lockbox/client/trace"
)

// feedReplies sends chunks as a server's replies through a Log, checks
// that they arrive unchanged, and returns the steps recorded.
func feedReplies(t testing.TB, chunks [][]byte) []trace.Step {
	rec := trace.NewRecorder(nil)
	client, server := net.Pipe()
	defer client.Close()
	w := NewLog(client, rec.Conn("control"))
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
	w := NewLog(client, rec.Conn("control"))
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
