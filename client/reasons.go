package client

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"reflect"
	"strconv"
	"strings"

	"lockbox/client/internal/fault"
	"lockbox/client/verify"
)

// Reason is a fact about a failed connection that the person can act on.
// Like x509.CertificateInvalidError's Reason, it lets the caller branch on
// the fact, not on the message: the engine says what happened, and each
// front end words the fix in its own terms (the command line names its
// flags, the window its menus and settings). It is defined in
// client/internal/fault, with StepError, which carries it.
type Reason = fault.Reason

// Reasons. ReasonNone is every failure without a known remedy.
const (
	// ReasonNone means the error carries no reason a front end can advise on.
	ReasonNone = fault.ReasonNone
	// ReasonClientCertRequired: the server requires a client certificate
	// and none was sent (see ClientCertRequiredError).
	ReasonClientCertRequired = fault.ReasonClientCertRequired
	// ReasonTLSTooOld: the server offers only TLS versions below the lowest
	// one allowed, such as TLS 1.0 or 1.1 (see TLSVersionError).
	ReasonTLSTooOld = fault.ReasonTLSTooOld
	// ReasonUnknownRoot: the certificate chain does not reach a trusted
	// root, because its root or its issuer is not among the trusted roots
	// (see UntrustedError and verify's unknown_authority and
	// incomplete_chain problems).
	ReasonUnknownRoot = fault.ReasonUnknownRoot
	// ReasonPlaintextPassword: plain FTP would send the password
	// unencrypted, and Options.AllowPlaintext did not allow it.
	ReasonPlaintextPassword = fault.ReasonPlaintextPassword
	// ReasonResumptionNeedsTickets: the server requires data connections to
	// resume the control connection's TLS session, but under TLS 1.2 it
	// issued no session ticket, and Go's TLS resumes only with tickets.
	ReasonResumptionNeedsTickets = fault.ReasonResumptionNeedsTickets
	// ReasonPassiveRefused: in passive mode the server refused PASV and
	// EPSV, or its data port could not be reached (see
	// PassiveRefusedError); active mode may work.
	ReasonPassiveRefused = fault.ReasonPassiveRefused
	// ReasonActiveUnreachable: in active mode the server never connected
	// to Lockbox's data port (the tcp_accept step failed), as when Lockbox
	// is behind NAT or a firewall.
	ReasonActiveUnreachable = fault.ReasonActiveUnreachable
	// ReasonActiveNoPort: Lockbox could not open a listening port for
	// active mode in the allowed range (the tcp_listen step failed).
	ReasonActiveNoPort = fault.ReasonActiveNoPort
	// ReasonProxyUnreachable: the proxy itself could not be reached, or
	// did not speak the protocol set (see ProxyError).
	ReasonProxyUnreachable = fault.ReasonProxyUnreachable
	// ReasonProxyAuthFailed: the proxy refused the user name and password
	// (see ProxyError).
	ReasonProxyAuthFailed = fault.ReasonProxyAuthFailed
	// ReasonProxyTargetRefused: the proxy would not or could not connect
	// to the server (see ProxyError).
	ReasonProxyTargetRefused = fault.ReasonProxyTargetRefused
	// ReasonActiveThroughProxy: active mode was asked for through a
	// proxy, which cannot relay the server's connection back (see
	// ActiveThroughProxyError).
	ReasonActiveThroughProxy = fault.ReasonActiveThroughProxy
)

// Reasons returns every reason but ReasonNone, so that a front end's
// tests can check each has its wording.
func Reasons() []Reason { return fault.Reasons() }

// ReasonOf returns the reason err carries, the outermost one when several
// are wrapped, or ReasonNone. It follows both Unwrap() error and
// Unwrap() []error, as errors.As does.
func ReasonOf(err error) Reason {
	switch e := err.(type) {
	case nil:
		return ReasonNone
	case *StepError:
		if e.Reason != ReasonNone {
			return e.Reason
		}
		switch e.Step {
		case "tcp_accept":
			return ReasonActiveUnreachable
		case "tcp_listen":
			return ReasonActiveNoPort
		}
	case *PassiveRefusedError:
		return ReasonPassiveRefused
	case *ClientCertRequiredError:
		return ReasonClientCertRequired
	case *ProxyError:
		switch e.Failure {
		case ProxyAuthFailed:
			return ReasonProxyAuthFailed
		case ProxyTargetRefused:
			return ReasonProxyTargetRefused
		}
		return ReasonProxyUnreachable
	case *ActiveThroughProxyError:
		return ReasonActiveThroughProxy
	case *TLSVersionError:
		if e.TooOld() {
			return ReasonTLSTooOld
		}
	case *UntrustedError:
		if e.UnknownRoot() {
			return ReasonUnknownRoot
		}
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return ReasonOf(u.Unwrap())
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if r := ReasonOf(e); r != ReasonNone {
				return r
			}
		}
	}
	return ReasonNone
}

// UnknownRoot reports whether the chain failed because it does not reach a
// trusted root: its root, or the issuer of its top certificate, is not
// among the trusted roots. A self-signed server certificate is not this
// case: there is no root to add, only a fingerprint to compare.
func (e *UntrustedError) UnknownRoot() bool {
	if e.Trust == TrustPinChanged {
		return false
	}
	for _, p := range e.Problems {
		if p.Severity == verify.SeverityError && verify.RootUnknown(p) {
			return true
		}
	}
	return false
}

// TLSVersionError ends a handshake in which the client and the server
// found no TLS version in common.
type TLSVersionError struct {
	// Offered is the version the server chose (tls.VersionTLS10...), or 0
	// when it refused the handshake with a protocol_version alert instead.
	Offered uint16
	// Min and Max are the lowest and highest versions Lockbox offered.
	Min, Max uint16
	// Err is what crypto/tls reported.
	Err error
}

// TooOld reports whether the server wants a version below Min: it chose
// one, or it refused every version up to the newest.
func (e *TLSVersionError) TooOld() bool {
	if e.Offered != 0 {
		return e.Offered < e.Min
	}
	return e.Max == 0 || e.Max >= tls.VersionTLS13
}

// Error says which versions did not meet.
func (e *TLSVersionError) Error() string {
	lowest := tls.VersionName(e.Min)
	switch {
	case e.Offered != 0 && e.TooOld():
		return fmt.Sprintf("the server offers only %s, below the lowest TLS version allowed (%s) (%v)", tls.VersionName(e.Offered), lowest, e.Err)
	case e.TooOld():
		return fmt.Sprintf("the server refused every TLS version from %s up: it offers only older ones, such as TLS 1.0 or 1.1 (%v)", lowest, e.Err)
	}
	return fmt.Sprintf("the server and Lockbox share no TLS version between %s and %s (%v)", lowest, tls.VersionName(e.Max), e.Err)
}

// Unwrap returns what crypto/tls reported.
func (e *TLSVersionError) Unwrap() error { return e.Err }

// TLS alerts (RFC 8446 §6) that carry a reason.
const (
	alertProtocolVersion     = 70
	alertCertificateRequired = 116
)

// versionError recognises a handshake that failed for want of a common TLS
// version: the server picked one Go refused ("server selected unsupported
// protocol version 301"), or it sent a protocol_version alert.
func versionError(err error, min, max uint16) (*TLSVersionError, bool) {
	const picked = "tls: server selected unsupported protocol version "
	msg := err.Error()
	if i := strings.Index(msg, picked); i >= 0 {
		hex := msg[i+len(picked):]
		if j := strings.IndexFunc(hex, func(r rune) bool { return !strings.ContainsRune("0123456789abcdef", r) }); j >= 0 {
			hex = hex[:j]
		}
		if v, perr := strconv.ParseUint(hex, 16, 16); perr == nil {
			return &TLSVersionError{Offered: uint16(v), Min: min, Max: max, Err: err}, true
		}
	}
	if a, ok := remoteAlert(err); ok && a == alertProtocolVersion {
		return &TLSVersionError{Min: min, Max: max, Err: err}, true
	}
	return nil, false
}

// remoteAlert returns the alert a server sent to end the handshake.
// crypto/tls reports it as a *net.OpError "remote error" around its
// unexported alert type, a uint8, which tls.AlertError does not match.
func remoteAlert(err error) (uint8, bool) {
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "remote error" || op.Err == nil {
		return 0, false
	}
	v := reflect.ValueOf(op.Err)
	if v.Kind() != reflect.Uint8 {
		return 0, false
	}
	return uint8(v.Uint()), true
}
