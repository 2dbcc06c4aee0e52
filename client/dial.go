package client

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"

	"lockbox/client/internal/netconn"
	"lockbox/client/internal/proxydial"
	"lockbox/client/tlstap"
	"lockbox/client/trace"
)

// dialTCP opens a TCP connection with Go's dialer, through px when it is
// set, and records it.
func dialTCP(ctx context.Context, addr string, px *Proxy, em trace.Emitter, explain string) (net.Conn, error) {
	return proxydial.Dial(ctx, addr, px, em, explain, netconn.Dial)
}

// dialTCPWith is dialTCP with its own dial function (netconn.DialData for
// the data connections). With a proxy, dial connects to the proxy.
func dialTCPWith(ctx context.Context, addr string, px *Proxy, em trace.Emitter, explain string, dial func(context.Context, string) (net.Conn, error)) (net.Conn, error) {
	return proxydial.Dial(ctx, addr, px, em, explain, dial)
}

// handshake runs the TLS handshake of conn through the record-layer tap and
// records its outcome. The tap goes under crypto/tls so it sees the bytes on
// the wire.
func handshake(ctx context.Context, raw net.Conn, cfg *tls.Config, sec *security, em trace.Emitter) (*tls.Conn, *tlstap.Conn, error) {
	tap := tlstap.New(raw, em)
	tc := tls.Client(tap, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		err = sec.explainHandshakeError(err)
		em.Fail(trace.Info, "handshake_failed", err.Error(), handshakeFailExplain(err))
		return nil, tap, &StepError{Step: "tls_handshake", Err: err}
	}
	cs := tc.ConnectionState()
	sec.setGroup(cs)
	em.Emit(trace.Info, "handshake_done", handshakeSummary(cs), handshakeDoneExplain(cs))
	return tc, tap, nil
}

func handshakeSummary(cs tls.ConnectionState) string {
	s := fmt.Sprintf("%s, %s", tls.VersionName(cs.Version), tls.CipherSuiteName(cs.CipherSuite))
	if cs.CurveID != 0 {
		s += ", " + cs.CurveID.String()
	}
	if cs.DidResume {
		return s + ", resumed: yes"
	}
	return s + ", resumed: no"
}

func handshakeDoneExplain(cs tls.ConnectionState) string {
	if cs.DidResume {
		return "The encrypted channel is ready; it reused an earlier session, which proves it talks to the same server as before."
	}
	return "The encrypted channel is ready: from here on, everything on this connection is private and tamper-evident."
}

func handshakeFailExplain(err error) string {
	switch err.(type) {
	case *UntrustedError:
		return "The handshake was stopped because the server's certificate is not trusted."
	case *ClientCertRequiredError:
		return "The server refused the connection because it requires a client certificate."
	case *InterceptionError:
		return "The handshake was stopped because the certificate differs from the control connection's."
	case *TLSVersionError:
		return "The server and Lockbox found no TLS version they both accept."
	}
	return "The client and server could not agree on a secure channel."
}
