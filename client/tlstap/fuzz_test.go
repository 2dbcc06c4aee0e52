package tlstap

import (
	"bytes"
	"testing"

	"lockbox/client/trace"
)

// A fuzz script is a sequence of segments: one control byte (top bit set
// for server->client, low 7 bits the length) followed by that many bytes.
// It lets the fuzzer vary content, direction and chunking together.

// encodeScript turns recorded events into a fuzz script.
func encodeScript(events []event) []byte {
	var out []byte
	for _, ev := range events {
		var dirBit byte
		if ev.dir == trace.Recv {
			dirBit = 0x80
		}
		for p := ev.data; len(p) > 0; {
			n := min(len(p), 0x7f)
			out = append(out, dirBit|byte(n))
			out = append(out, p[:n]...)
			p = p[n:]
		}
	}
	return out
}

// decodeScript is the inverse of encodeScript; a short last segment is kept.
func decodeScript(script []byte) []event {
	var events []event
	for len(script) > 0 {
		ctl := script[0]
		script = script[1:]
		n := min(int(ctl&0x7f), len(script))
		dir := trace.Send
		if ctl&0x80 != 0 {
			dir = trace.Recv
		}
		events = append(events, event{dir, script[:n]})
		script = script[n:]
	}
	return events
}

// countingEmitter counts steps by name.
type countingEmitter map[string]int

func (c countingEmitter) Emit(_ trace.Dir, name, _, _ string) { c[name]++ }
func (c countingEmitter) Fail(_ trace.Dir, name, _, _ string) { c[name]++ }

func FuzzTap(f *testing.F) {
	p := newPKI(f)
	for _, tc := range handshakeCases {
		srv := p.serverConfig()
		if tc.server != nil {
			tc.server(p, srv)
		}
		cli := p.clientConfig()
		if tc.client != nil {
			tc.client(p, cli)
		}
		f.Add(encodeScript(dialTapped(f, startServer(f, srv), cli).events))
	}
	f.Add([]byte{0x85, 22, 3, 3, 0, 4, 0x81, 2})
	f.Fuzz(func(t *testing.T, script []byte) {
		events := decodeScript(script)
		var wantSent, wantRecv []byte
		for _, ev := range events {
			if ev.dir == trace.Send {
				wantSent = append(wantSent, ev.data...)
			} else {
				wantRecv = append(wantRecv, ev.data...)
			}
		}
		sc := &scriptConn{}
		counts := countingEmitter{}
		tap := New(sc, counts)
		var gotRecv []byte
		buf := make([]byte, 0x7f)
		for _, ev := range events {
			if ev.dir == trace.Send {
				if n, err := tap.Write(ev.data); n != len(ev.data) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
				continue
			}
			sc.in = ev.data
			for len(sc.in) > 0 {
				n, _ := tap.Read(buf)
				gotRecv = append(gotRecv, buf[:n]...)
			}
		}
		if !bytes.Equal(sc.out, wantSent) || !bytes.Equal(gotRecv, wantRecv) {
			t.Fatalf("bytes changed in passing: sent %x want %x, received %x want %x", sc.out, wantSent, gotRecv, wantRecv)
		}
		if counts["tap_lost_sync"] > 1 {
			t.Fatalf("tap_lost_sync emitted %d times", counts["tap_lost_sync"])
		}
		_ = tap.Facts()
	})
}

func TestScriptRoundTrip(t *testing.T) {
	events := []event{{trace.Send, bytes.Repeat([]byte{1}, 200)}, {trace.Recv, []byte{2, 3}}}
	got := decodeScript(encodeScript(events))
	var sent, recv []byte
	for _, ev := range got {
		if ev.dir == trace.Send {
			sent = append(sent, ev.data...)
		} else {
			recv = append(recv, ev.data...)
		}
	}
	if !bytes.Equal(sent, events[0].data) || !bytes.Equal(recv, events[1].data) {
		t.Fatalf("round trip changed the script: %v", got)
	}
}
