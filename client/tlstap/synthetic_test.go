package tlstap

import (
	"crypto/tls"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"

	"lockbox/client/certgen"
	"lockbox/client/trace"
)

// hsMsg frames a handshake message.
func hsMsg(typ uint8, body []byte) []byte {
	var b cryptobyte.Builder
	b.AddUint8(typ)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(body) })
	return b.BytesOrPanic()
}

// record frames a TLS 1.2 record.
func record(typ uint8, payload []byte) []byte {
	var b cryptobyte.Builder
	b.AddUint8(typ)
	b.AddUint16(tls.VersionTLS12)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(payload) })
	return b.BytesOrPanic()
}

// synthClientHello is a TLS 1.2 ClientHello asking for lockbox.test.
func synthClientHello() []byte {
	var b cryptobyte.Builder
	b.AddUint16(tls.VersionTLS12)
	b.AddBytes(make([]byte, 32))
	b.AddUint8(0) // empty session id
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
		b.AddUint16(0x1a1a) // GREASE, not counted
	})
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(extServerName)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint8(0)
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte("lockbox.test")) })
			})
		})
	})
	return hsMsg(typeClientHello, b.BytesOrPanic())
}

// synthServerHello is a TLS 1.2 ServerHello without extensions.
func synthServerHello() []byte {
	var b cryptobyte.Builder
	b.AddUint16(tls.VersionTLS12)
	b.AddBytes(make([]byte, 32))
	b.AddUint8(0)
	b.AddUint16(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
	b.AddUint8(0)
	return hsMsg(typeServerHello, b.BytesOrPanic())
}

// synthCertificate is a TLS 1.2 Certificate message holding ders.
func synthCertificate(ders ...[]byte) []byte {
	var b cryptobyte.Builder
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, d := range ders {
			b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(d) })
		}
	})
	return hsMsg(typeCertificate, b.BytesOrPanic())
}

func TestSyntheticStreams(t *testing.T) {
	leaf := certgen.Must(t, certgen.Spec{CommonName: "lockbox.test"}, nil)
	ch := record(recordHandshake, synthClientHello())
	sh, cert, done := synthServerHello(), synthCertificate(leaf.Cert.Raw), hsMsg(typeServerHelloDone, nil)
	third := len(cert) / 3
	flight := []string{"send client_hello", "recv server_hello", "recv certificate", "recv server_hello_done"}

	tests := []struct {
		name   string
		server [][]byte // Read chunks from the server, after the ClientHello
		want   []string
	}{
		{"one record per message",
			[][]byte{record(recordHandshake, sh), record(recordHandshake, cert), record(recordHandshake, done)},
			flight},
		{"several messages in one record",
			[][]byte{record(recordHandshake, slices.Concat(sh, cert, done))},
			flight},
		{"one message split across three records",
			[][]byte{slices.Concat(
				record(recordHandshake, slices.Concat(sh, cert[:third])),
				record(recordHandshake, cert[third:2*third]),
				record(recordHandshake, slices.Concat(cert[2*third:], done)))},
			flight},
		{"empty handshake record between fragments",
			[][]byte{record(recordHandshake, slices.Concat(sh, cert[:third])), record(recordHandshake, nil),
				record(recordHandshake, slices.Concat(cert[third:], done))},
			flight},
		{"alert after the server hello",
			[][]byte{record(recordHandshake, sh), record(recordAlert, []byte{2, 40})},
			[]string{"send client_hello", "recv server_hello", "recv alert!"}},
		{"not TLS at all",
			[][]byte{[]byte("220 FTP server ready\r\n"), record(recordHandshake, sh)},
			[]string{"send client_hello", "info tap_lost_sync"}},
		{"handshake message larger than the cap",
			[][]byte{record(recordHandshake, []byte{typeCertificate, 0xff, 0xff, 0xff}), record(recordHandshake, sh)},
			[]string{"send client_hello", "info tap_lost_sync"}},
		{"record longer than TLS allows",
			[][]byte{{recordHandshake, 3, 3, 0xff, 0xff}},
			[]string{"send client_hello", "info tap_lost_sync"}},
		{"unknown handshake message type",
			[][]byte{record(recordHandshake, slices.Concat(sh, hsMsg(99, []byte{1, 2, 3})))},
			[]string{"send client_hello", "recv server_hello", "recv handshake_message"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events := []event{{trace.Send, ch}}
			for _, chunk := range tc.server {
				events = append(events, event{trace.Recv, chunk})
			}
			for _, size := range []int{0, 1, 2, 7} {
				steps, _, _ := replay(t, events, size)
				if got := stepNames(steps); !slices.Equal(got, tc.want) {
					t.Fatalf("chunk %d: steps\n got %q\nwant %q", size, got, tc.want)
				}
			}
		})
	}
}

func TestSyntheticSummaries(t *testing.T) {
	leaf := certgen.Must(t, certgen.Spec{CommonName: "lockbox.test"}, nil)
	events := []event{
		{trace.Send, record(recordHandshake, synthClientHello())},
		{trace.Recv, record(recordHandshake, slices.Concat(synthServerHello(), synthCertificate(leaf.Cert.Raw, []byte("junk"))))},
		{trace.Recv, record(recordAlert, []byte{1, 0, 2, 200})},
	}
	steps, _, _ := replay(t, events, 0)
	want := []string{
		"TLS 1.2 offered; SNI lockbox.test; 1 cipher suite",
		"TLS 1.2, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, new session",
		"2 certificates; leaf CN lockbox.test",
		"warning: close_notify (0)",
		"fatal: unknown alert (200)",
	}
	var got []string
	for _, s := range steps {
		got = append(got, s.Summary)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("summaries\n got %q\nwant %q", got, want)
	}
}

// TestByteAtATime replays real handshakes in several chunkings: the steps
// and the bytes passed through must not depend on how the bytes arrive.
func TestByteAtATime(t *testing.T) {
	p := newPKI(t)
	for _, tc := range handshakeCases {
		t.Run(tc.name, func(t *testing.T) {
			r := runCase(t, p, tc)
			whole, sentWhole, recvWhole := replay(t, r.events, 0)
			checkSteps(t, tc, whole)
			for _, size := range []int{1, 3, 100} {
				steps, sent, recv := replay(t, r.events, size)
				if !sameSteps(steps, whole) {
					t.Errorf("chunk %d: steps differ from whole chunks:\n%v\n%v", size, steps, whole)
				}
				if !slices.Equal(sent, sentWhole) || !slices.Equal(recv, recvWhole) {
					t.Errorf("chunk %d: bytes passed through differ", size)
				}
			}
		})
	}
}

func sameSteps(a, b []trace.Step) bool {
	return slices.EqualFunc(a, b, func(x, y trace.Step) bool {
		return x.Dir == y.Dir && x.Name == y.Name && x.Summary == y.Summary && x.Explain == y.Explain && x.Failed == y.Failed
	})
}

func TestReadWithDataAndError(t *testing.T) {
	sc := &scriptConn{in: record(recordHandshake, synthServerHello()), readErr: io.ErrUnexpectedEOF}
	rec := trace.NewRecorder(nil)
	tap := New(sc, rec.Conn("control"))
	buf := make([]byte, 1024)
	n, err := tap.Read(buf)
	if n == 0 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("Read = %d, %v; want data and the underlying error", n, err)
	}
	if got := stepNames(rec.Steps()); !slices.Equal(got, []string{"recv server_hello"}) {
		t.Fatalf("steps = %q, want the server_hello fed despite the error", got)
	}
}

func TestZeroAndOneByteCalls(t *testing.T) {
	sc := &scriptConn{}
	rec := trace.NewRecorder(nil)
	tap := New(sc, rec.Conn("control"))
	if n, err := tap.Write(nil); n != 0 || err != nil {
		t.Fatalf("Write(nil) = %d, %v", n, err)
	}
	sc.in = record(recordHandshake, synthServerHello())
	if n, err := tap.Read(nil); n != 0 || err != nil {
		t.Fatalf("Read(nil) = %d, %v", n, err)
	}
	one := make([]byte, 1)
	for len(sc.in) > 0 {
		if n, err := tap.Read(one); n != 1 || err != nil {
			t.Fatalf("Read(1 byte) = %d, %v", n, err)
		}
	}
	if got := stepNames(rec.Steps()); !slices.Equal(got, []string{"recv server_hello"}) {
		t.Fatalf("steps = %q, want server_hello", got)
	}
}

// TestObserverMayCallFacts checks that steps are emitted without the tap's
// lock held and after the facts they describe are recorded.
func TestObserverMayCallFacts(t *testing.T) {
	var tap *Conn
	var versionAtServerHello uint16
	rec := trace.NewRecorder(trace.ObserverFunc(func(s trace.Step) {
		if s.Name == "server_hello" {
			versionAtServerHello = tap.Facts().Version
		}
	}))
	sc := &scriptConn{in: record(recordHandshake, synthServerHello())}
	tap = New(sc, rec.Conn("control"))
	if _, err := tap.Read(make([]byte, 512)); err != nil {
		t.Fatalf("read: %v", err)
	}
	if versionAtServerHello != tls.VersionTLS12 {
		t.Fatalf("Facts().Version inside the observer = %x, want %x", versionAtServerHello, tls.VersionTLS12)
	}
}

func TestLostSyncOnce(t *testing.T) {
	sc := &scriptConn{}
	rec := trace.NewRecorder(nil)
	tap := New(sc, rec.Conn("control"))
	garbage := []byte("GET / HTTP/1.1\r\n\r\n")
	if _, err := tap.Write(garbage); err != nil {
		t.Fatalf("write: %v", err)
	}
	sc.in = slices.Clone(garbage)
	if _, err := io.ReadAll(tap); err != nil {
		t.Fatalf("read: %v", err)
	}
	steps := rec.Steps()
	if got := stepNames(steps); !slices.Equal(got, []string{"info tap_lost_sync"}) {
		t.Fatalf("steps = %q, want one tap_lost_sync", got)
	}
	if !strings.Contains(steps[0].Summary, "not TLS") {
		t.Errorf("summary %q should say why", steps[0].Summary)
	}
	if string(sc.out) != string(garbage) {
		t.Errorf("written bytes changed: %q", sc.out)
	}
}
