package client

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"

	"lockbox/client/tlstap"
	"lockbox/client/trace"
)

// What the trace says of the connection an HTTPS request or a tls:// inspect
// opened.
const (
	explainHTTPSConnect = "Lockbox opened a network connection to the web server."
	explainTLSConnect   = "Lockbox opened a network connection to the TLS service; it will speak only TLS on it."
)

// handshake runs the TLS handshake of conn through the record-layer tap and
// records its outcome. The tap goes under crypto/tls so it sees the bytes on
// the wire.
func handshake(ctx context.Context, raw net.Conn, cfg *tls.Config, sec *security, em trace.Emitter) (*tls.Conn, error) {
	tc := tls.Client(tlstap.New(raw, em), cfg)
	if err := sec.Handshake(ctx, tc, em, true); err != nil {
		return nil, err
	}
	return tc, nil
}

// Handshake runs tc's handshake and records its outcome on em: the control
// connection's (or an HTTPS or TLS connection's), or with control false a
// data connection's, which fails as data_tls_handshake.
func (s *security) Handshake(ctx context.Context, tc *tls.Conn, em trace.Emitter, control bool) error {
	if err := tc.HandshakeContext(ctx); err != nil {
		err = s.ExplainHandshakeError(err)
		em.Fail(trace.Info, "handshake_failed", err.Error(), handshakeFailExplain(err))
		step := "tls_handshake"
		if !control {
			step = "data_tls_handshake"
		}
		return &StepError{Step: step, Err: err}
	}
	cs := tc.ConnectionState()
	if control {
		s.setGroup(cs)
	}
	em.Emit(trace.Info, "handshake_done", handshakeSummary(cs), handshakeDoneExplain(cs))
	return nil
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
