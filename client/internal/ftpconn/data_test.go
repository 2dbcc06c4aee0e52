package ftpconn

import (
	"bytes"
	"net"
	"strconv"
	"testing"
	"time"

	"lockbox/client/internal/enginetest"
	"lockbox/client/internal/ftpwire"
	"lockbox/client/trace"
)

// dialData itself keeps the data connection on the control connection's
// address whatever address it is handed, so the protection does not rest
// on jlaffaye/ftp's own (optional) check.
func TestDialDataUsesControlAddress(t *testing.T) {
	ctlLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ctlLn.Close()
	dataLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer dataLn.Close()
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := dataLn.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	raw, err := net.Dial("tcp", ctlLn.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	dataPort := dataLn.Addr().(*net.TCPAddr).Port
	tests := []struct {
		name     string
		addr     string
		wantStep bool
	}{
		{"another host", net.JoinHostPort("192.0.2.1", strconv.Itoa(dataPort)), true},
		{"the control host", net.JoinHostPort("127.0.0.1", strconv.Itoa(dataPort)), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := trace.NewRecorder(nil)
			c := &Control{cfg: Config{Timeout: 300 * time.Millisecond}, rec: rec, em: rec.Conn("control"), raw: raw, ctx: bg}
			c.wire = ftpwire.NewLog(raw, c.em)
			conn, err := c.dialData(tc.addr)
			if err != nil {
				t.Fatalf("dialData(%s): %v", tc.addr, err)
			}
			conn.Close()
			if c, ok := <-accepted; !ok {
				t.Fatal("nothing reached the 127.0.0.1 data port")
			} else {
				c.Close()
			}
			_, stepped := trace.Find(rec.Steps(), "data 1", "pasv_address")
			if stepped != tc.wantStep {
				t.Errorf("pasv_address step = %v, want %v (steps %v)", stepped, tc.wantStep, enginetest.Names(rec.Steps(), ""))
			}
		})
	}
}

func TestListCaptureBound(t *testing.T) {
	line := []byte("-rw-r--r--    1 0        0              18 Nov 25 08:52 a-file-name-that-repeats\n")
	tests := []struct {
		name     string
		size     int // bytes read through the capture
		wantFull bool
	}{
		{"under the bound", 1000 * len(line), false},
		{"over the bound", maxListingCapture + 10*len(line), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var lc listCapture
			lc.start()
			chunk := bytes.Repeat(line, 4096)
			for n := 0; n < tc.size; n += len(chunk) {
				lc.add(chunk[:min(len(chunk), tc.size-n)])
			}
			raw := lc.stop()
			if len(raw) > maxListingCapture {
				t.Fatalf("captured %d bytes, more than %d", len(raw), maxListingCapture)
			}
			if tc.wantFull && (len(raw) == 0 || raw[len(raw)-1] != '\n') {
				t.Errorf("a bounded capture does not end with a whole line")
			}
			if !tc.wantFull && len(raw) != tc.size {
				t.Errorf("captured %d bytes of %d", len(raw), tc.size)
			}
			if lc.on.Load() || lc.buf != nil {
				t.Error("stop left the capture on or holding its buffer")
			}
		})
	}
}
