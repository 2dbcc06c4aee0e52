package tlstap

import (
	"crypto/tls"
	"io"
	"net"
	"testing"

	"lockbox/client/trace"
)

// BenchmarkTapPassthrough measures bulk throughput after the handshake,
// with and without the tap, both through TLS over loopback and over a bare
// net.Pipe (where only the tap's own cost differs).
func BenchmarkTapPassthrough(b *testing.B) {
	p := newPKI(b)
	for _, tapped := range []bool{false, true} {
		name := "untapped"
		if tapped {
			name = "tapped"
		}
		b.Run("tls13-loopback/"+name, func(b *testing.B) { benchTLS(b, p, tapped) })
		b.Run("pipe/"+name, func(b *testing.B) { benchPipe(b, p, tapped) })
	}
}

const benchChunk = 32 << 10

// benchTLS streams b.N chunks from a TLS server to a (tapped) client.
func benchTLS(b *testing.B, p *pki, tapped bool) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	serverDone := make(chan error, 1)
	n := b.N
	go func() {
		c, err := ln.Accept()
		if err != nil {
			serverDone <- err
			return
		}
		tc := tls.Server(c, p.serverConfig())
		defer tc.Close()
		chunk := make([]byte, benchChunk)
		for i := 0; i < n; i++ {
			if _, err := tc.Write(chunk); err != nil {
				serverDone <- err
				return
			}
		}
		serverDone <- nil
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatalf("dial: %v", err)
	}
	var conn net.Conn = raw
	if tapped {
		conn = New(raw, trace.Discard)
	}
	tc := tls.Client(conn, p.clientConfig())
	defer tc.Close()
	if err := tc.Handshake(); err != nil {
		b.Fatalf("handshake: %v", err)
	}
	buf := make([]byte, benchChunk)
	b.SetBytes(benchChunk)
	b.ResetTimer()
	for i := 0; i < n; i++ {
		if _, err := io.ReadFull(tc, buf); err != nil {
			b.Fatalf("read: %v", err)
		}
	}
	b.StopTimer()
	if err := <-serverDone; err != nil {
		b.Fatalf("server: %v", err)
	}
}

// benchPipe streams raw bytes through a tap that has already seen a whole
// handshake, so what is measured is the tap's passthrough path alone.
func benchPipe(b *testing.B, p *pki, tapped bool) {
	events := recordHandshake13(b, p)
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	var conn net.Conn = client
	if tapped {
		tap := New(client, trace.Discard)
		feedEvents(tap, events)
		if !tap.in.done.Load() || !tap.out.done.Load() {
			b.Fatalf("tap not in passthrough after a full handshake")
		}
		conn = tap
	}
	n := b.N
	go func() {
		chunk := make([]byte, benchChunk)
		for i := 0; i < n; i++ {
			if _, err := server.Write(chunk); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, benchChunk)
	b.SetBytes(benchChunk)
	b.ResetTimer()
	for i := 0; i < n; i++ {
		if _, err := io.ReadFull(conn, buf); err != nil {
			b.Fatalf("read: %v", err)
		}
	}
}

// BenchmarkTapHandshake measures parsing a complete recorded handshake.
func BenchmarkTapHandshake(b *testing.B) {
	p := newPKI(b)
	for _, tc := range handshakeCases {
		if tc.name != "tls13" && tc.name != "tls12 client certificate" {
			continue
		}
		srv := p.serverConfig()
		if tc.server != nil {
			tc.server(p, srv)
		}
		cli := p.clientConfig()
		if tc.client != nil {
			tc.client(p, cli)
		}
		events := dialTapped(b, startServer(b, srv), cli).events
		total := 0
		for _, ev := range events {
			total += len(ev.data)
		}
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(total))
			b.ReportAllocs()
			for b.Loop() {
				feedEvents(New(nil, trace.Discard), events)
			}
		})
	}
}

// recordHandshake13 records one full TLS 1.3 handshake.
func recordHandshake13(b *testing.B, p *pki) []event {
	b.Helper()
	return dialTapped(b, startServer(b, p.serverConfig()), p.clientConfig()).events
}

// feedEvents feeds recorded events straight into the tap's parser.
func feedEvents(tap *Conn, events []event) {
	for _, ev := range events {
		s := &tap.out
		if ev.dir == trace.Recv {
			s = &tap.in
		}
		if !s.done.Load() {
			tap.feed(s, ev.data)
		}
	}
}
