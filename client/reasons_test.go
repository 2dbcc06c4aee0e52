package client

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"

	"lockbox/client/verify"
)

func TestReasonOf(t *testing.T) {
	unknownRoot := verify.Problem{Level: 1, Field: verify.FieldIssuer, Code: verify.CodeUnknownAuthority, Severity: verify.SeverityError}
	selfSigned := verify.Problem{Field: verify.FieldIssuer, Code: verify.CodeSelfSigned, Severity: verify.SeverityError}
	tests := []struct {
		name string
		err  error
		want Reason
	}{
		{"nil", nil, ReasonNone},
		{"plain error", errors.New("boom"), ReasonNone},
		{"client certificate, wrapped twice",
			&StepError{Step: "tls_handshake", Err: fmt.Errorf("x: %w", &ClientCertRequiredError{Err: io.EOF})}, ReasonClientCertRequired},
		{"server chose TLS 1.0", &StepError{Step: "tls_handshake", Err: &TLSVersionError{Offered: tls.VersionTLS10, Min: tls.VersionTLS12, Err: io.EOF}}, ReasonTLSTooOld},
		{"server refused every version up to 1.3", &TLSVersionError{Min: tls.VersionTLS12, Max: tls.VersionTLS13, Err: io.EOF}, ReasonTLSTooOld},
		{"server wants 1.3, client capped at 1.2", &TLSVersionError{Min: tls.VersionTLS12, Max: tls.VersionTLS12, Err: io.EOF}, ReasonNone},
		{"root unknown", &StepError{Step: "tls_handshake", Err: &UntrustedError{Trust: TrustUntrusted, Problems: []verify.Problem{unknownRoot}}}, ReasonUnknownRoot},
		{"incomplete chain", &UntrustedError{Problems: []verify.Problem{{Code: verify.CodeIncompleteChain, Severity: verify.SeverityError}}}, ReasonUnknownRoot},
		{"self-signed: no root to add", &UntrustedError{Problems: []verify.Problem{selfSigned}}, ReasonNone},
		{"pin changed: not a root to add", &UntrustedError{Trust: TrustPinChanged, Problems: []verify.Problem{unknownRoot}}, ReasonNone},
		{"plain FTP", &StepError{Step: "login", Reason: ReasonPlaintextPassword, Err: errors.New("x")}, ReasonPlaintextPassword},
		{"joined with another error", errors.Join(io.EOF, &ClientCertRequiredError{Err: io.EOF}), ReasonClientCertRequired},
		{"proxy refused the password", &StepError{Step: "proxy_connect", Err: &ProxyError{Failure: ProxyAuthFailed}}, ReasonProxyAuthFailed},
		{"proxy refused the target", &StepError{Step: "proxy_connect", Err: &ProxyError{Failure: ProxyTargetRefused}}, ReasonProxyTargetRefused},
		{"proxy unreachable", fmt.Errorf("dial: %w", &ProxyError{Failure: ProxyUnreachable, Err: io.EOF}), ReasonProxyUnreachable},
		{"active mode through a proxy", &ActiveThroughProxyError{Proxy: "socks5://p:1080"}, ReasonActiveThroughProxy},
		{"resumption without tickets", fmt.Errorf("list: %w", &StepError{Step: "list", Reason: ReasonResumptionNeedsTickets, Err: &textproto.Error{Code: 522}}), ReasonResumptionNeedsTickets},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReasonOf(tt.err); got != tt.want {
				t.Errorf("ReasonOf(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// TestOldTLSServer connects to servers that speak only TLS 1.0 or 1.1, the
// two ways they say so: a Go server refuses with a protocol_version alert,
// others answer with a ServerHello for a version Go refuses.
func TestOldTLSServer(t *testing.T) {
	alerting := httptest.NewUnstartedServer(http.NotFoundHandler())
	alerting.TLS = serverTLS(selfSigned(t))
	alerting.TLS.MinVersion, alerting.TLS.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	alerting.Config.ErrorLog = log.New(io.Discard, "", 0) // the refusal is the point
	alerting.StartTLS()
	t.Cleanup(alerting.Close)
	tests := []struct {
		name, url   string
		wantOffered uint16
		wantText    string
	}{
		{"protocol_version alert", alerting.URL + "/", 0, "it offers only older ones"},
		{"ServerHello for TLS 1.0", "https://" + oldServerHello(t, tls.VersionTLS10) + "/", tls.VersionTLS10, "offers only TLS 1.0, below the lowest TLS version allowed (TLS 1.2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Inspect(bg, mustTarget(t, tt.url), Options{})
			var ve *TLSVersionError
			if !errors.As(err, &ve) || ReasonOf(err) != ReasonTLSTooOld {
				t.Fatalf("err = %v (reason %v), want a TLSVersionError with ReasonTLSTooOld", err, ReasonOf(err))
			}
			if ve.Offered != tt.wantOffered || ve.Min != tls.VersionTLS12 || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("Offered %x, Min %x, message %q; want %x, %x, containing %q", ve.Offered, ve.Min, err, tt.wantOffered, tls.VersionTLS12, tt.wantText)
			}
		})
	}
}

// TestCertificateRequiredAlert connects to a server that answers the
// ClientHello with a certificate_required alert alone, without asking for
// a certificate first: the reason still reaches the front end.
func TestCertificateRequiredAlert(t *testing.T) {
	addr := answerHello(t, []byte{21, 3, 3, 0, 2, 2, alertCertificateRequired})
	_, err := Inspect(bg, mustTarget(t, "https://"+addr+"/"), Options{})
	var cr *ClientCertRequiredError
	if !errors.As(err, &cr) || ReasonOf(err) != ReasonClientCertRequired {
		t.Fatalf("err = %v (reason %v), want a ClientCertRequiredError", err, ReasonOf(err))
	}
}

// oldServerHello listens on loopback and answers one ClientHello with a
// bare ServerHello for version, as an old OpenSSL server does. It returns
// the address.
func oldServerHello(t *testing.T, version uint16) string {
	t.Helper()
	v1, v2 := byte(version>>8), byte(version)
	// version, 32 random bytes, empty session id, TLS_RSA_WITH_AES_128_CBC_SHA, no compression
	body := append([]byte{v1, v2}, make([]byte, 32)...)
	body = append(body, 0, 0x00, 0x2f, 0)
	msg := append([]byte{2, 0, byte(len(body) >> 8), byte(len(body))}, body...)
	return answerHello(t, append([]byte{22, v1, v2, byte(len(msg) >> 8), byte(len(msg))}, msg...))
}

// answerHello listens on loopback and answers one ClientHello with the
// records in reply. It returns the address.
func answerHello(t *testing.T, reply []byte) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		hdr := make([]byte, 5)
		if _, err := io.ReadFull(c, hdr); err != nil {
			return
		}
		if _, err := io.CopyN(io.Discard, c, int64(hdr[3])<<8|int64(hdr[4])); err != nil {
			return
		}
		c.Write(reply)
		io.Copy(io.Discard, c)
	}()
	return ln.Addr().String()
}

// Reasons lists every named reason once, the last one included, and none
// beyond them.
func TestReasons(t *testing.T) {
	all := Reasons()
	seen := map[Reason]bool{}
	for _, r := range all {
		if r == ReasonNone || seen[r] || strings.HasPrefix(r.String(), "reason(") {
			t.Errorf("Reasons() holds %v", r)
		}
		seen[r] = true
	}
	last := all[len(all)-1]
	if last != ReasonActiveThroughProxy || !strings.HasPrefix((last+1).String(), "reason(") {
		t.Errorf("Reasons() ends at %v; %v has a name too", last, last+1)
	}
}
