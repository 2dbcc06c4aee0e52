package tlstap

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"

	"lockbox/client/trace"
)

// TestConcurrentReadWriteFacts drives both directions of a tap from
// different goroutines while another reads Facts, for the race detector,
// and checks that every byte arrives unchanged.
func TestConcurrentReadWriteFacts(t *testing.T) {
	p := newPKI(t)
	r := dialTapped(t, startServer(t, p.serverConfig()), p.clientConfig())
	var clientBytes, serverBytes []byte
	for _, ev := range r.events {
		if ev.dir == trace.Send {
			clientBytes = append(clientBytes, ev.data...)
		} else {
			serverBytes = append(serverBytes, ev.data...)
		}
	}

	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	rec := trace.NewRecorder(nil)
	tap := New(client, rec.Conn("control"))

	var wg sync.WaitGroup
	var atServer, atClient bytes.Buffer
	var readErr, serverErr error
	wg.Add(4)
	go func() { // server side: read what the client wrote
		defer wg.Done()
		_, serverErr = io.CopyN(&atServer, server, int64(len(clientBytes)))
	}()
	go func() { // server side: write its half in small pieces
		defer wg.Done()
		for b := serverBytes; len(b) > 0; {
			n := min(len(b), 97)
			if _, err := server.Write(b[:n]); err != nil {
				return
			}
			b = b[n:]
		}
	}()
	go func() {
		defer wg.Done()
		for b := clientBytes; len(b) > 0; {
			n := min(len(b), 61)
			if _, err := tap.Write(b[:n]); err != nil {
				return
			}
			b = b[n:]
		}
	}()
	go func() {
		defer wg.Done()
		_, readErr = io.CopyN(&atClient, tap, int64(len(serverBytes)))
	}()
	for range 1000 {
		_ = tap.Facts()
	}
	wg.Wait()
	if readErr != nil || serverErr != nil {
		t.Fatalf("copy errors: client %v, server %v", readErr, serverErr)
	}
	if !bytes.Equal(atServer.Bytes(), clientBytes) || !bytes.Equal(atClient.Bytes(), serverBytes) {
		t.Fatalf("bytes changed in passing")
	}
	if len(rec.Steps()) == 0 {
		t.Fatalf("no steps recorded")
	}
}
