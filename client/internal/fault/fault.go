// Package fault holds the error facts every part of the engine shares:
// StepError, the failure of one named step of a connection, and Reason,
// the fact behind a failure that a front end words its advice for. The
// client package re-exports both (client.StepError, client.Reason and its
// constants, where each reason is documented); the internal packages that
// dial, speak FTP and move data return them without importing client.
package fault

import (
	"fmt"
	"net/textproto"
	"strconv"
)

// Reason is a fact about a failed connection that the person can act on;
// client.Reason documents it and each of its values.
type Reason int

// The reasons, documented at their client names (client.ReasonNone…).
const (
	ReasonNone Reason = iota
	ReasonClientCertRequired
	ReasonTLSTooOld
	ReasonUnknownRoot
	ReasonPlaintextPassword
	ReasonResumptionNeedsTickets
	ReasonPassiveRefused
	ReasonActiveUnreachable
	ReasonActiveNoPort
	ReasonProxyUnreachable
	ReasonProxyAuthFailed
	ReasonProxyTargetRefused
	ReasonActiveThroughProxy
)

// reasonNames are the Reasons' codes, for logs and JSON.
var reasonNames = map[Reason]string{
	ReasonNone:                   "none",
	ReasonClientCertRequired:     "client_cert_required",
	ReasonTLSTooOld:              "tls_too_old",
	ReasonUnknownRoot:            "unknown_root",
	ReasonPlaintextPassword:      "plaintext_password",
	ReasonResumptionNeedsTickets: "resumption_needs_tickets",
	ReasonPassiveRefused:         "passive_refused",
	ReasonActiveUnreachable:      "active_unreachable",
	ReasonActiveNoPort:           "active_no_port",
	ReasonProxyUnreachable:       "proxy_unreachable",
	ReasonProxyAuthFailed:        "proxy_auth_failed",
	ReasonProxyTargetRefused:     "proxy_target_refused",
	ReasonActiveThroughProxy:     "active_through_proxy",
}

// Reasons returns every reason but ReasonNone, in order.
func Reasons() []Reason {
	out := make([]Reason, 0, len(reasonNames)-1)
	for r := ReasonNone + 1; int(r) < len(reasonNames); r++ {
		out = append(out, r)
	}
	return out
}

// String returns the reason's code, such as "client_cert_required".
func (r Reason) String() string {
	if s, ok := reasonNames[r]; ok {
		return s
	}
	return "reason(" + strconv.Itoa(int(r)) + ")"
}

// StepError is a failure of one named step of a connection ("tcp_connect",
// "auth_tls", "login", "list"), with the server's reply when there was one.
type StepError struct {
	Step  string
	Reply string
	// Hint explains a failure whose reply alone says little.
	Hint string
	// Reason is the fact behind the failure that a front end can advise
	// on, when there is one (see client.ReasonOf).
	Reason Reason
	Err    error
}

// Error names the step, quotes the server's reply and adds the hint.
func (e *StepError) Error() string {
	msg := fmt.Sprintf("%s: %v", e.Step, e.Err)
	if e.Reply != "" {
		if _, bare := e.Err.(*textproto.Error); bare {
			// The error is the reply itself: say it once.
			msg = fmt.Sprintf("%s: server replied %q", e.Step, shorten(e.Reply))
		} else {
			msg = fmt.Sprintf("%s: server replied %q: %v", e.Step, shorten(e.Reply), e.Err)
		}
	}
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *StepError) Unwrap() error { return e.Err }

// shorten keeps a server's reply readable in an error message.
func shorten(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
