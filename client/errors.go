package client

import (
	"errors"
	"fmt"
	"strings"

	"lockbox/client/internal/fault"
	"lockbox/client/verify"
)

// StepError is a failure of one named step of a connection ("tcp_connect",
// "auth_tls", "login", "list"), with the server's reply when there was one
// and the Reason a front end can advise on. It is defined in
// client/internal/fault, so that the dialler and the FTP connection return it too.
type StepError = fault.StepError

// UntrustedError ends a handshake whose certificate nobody trusted.
type UntrustedError struct {
	Trust    Trust
	Problems []verify.Problem
}

func (e *UntrustedError) Error() string {
	var codes []string
	for _, p := range e.Problems {
		if p.Severity == verify.SeverityError {
			codes = append(codes, fmt.Sprintf("%s (level %d)", verify.Title(p.Code), p.Level))
		}
	}
	if e.Trust == TrustPinChanged {
		return "the certificate pinned for this server changed: " + strings.Join(codes, ", ")
	}
	return "certificate not trusted: " + strings.Join(codes, ", ")
}

// InterceptionError refuses a data connection that showed another certificate
// than its control connection.
type InterceptionError struct {
	Conn string
}

func (e *InterceptionError) Error() string {
	return "the " + e.Conn + " presented a different certificate than the control connection: possible interception, refused"
}

// ClientCertRequiredError says that the server required a client certificate
// and none was sent.
type ClientCertRequiredError struct {
	AcceptableCAs []string
	Err           error
}

func (e *ClientCertRequiredError) Error() string {
	msg := "the server requires a client certificate and none was sent"
	if len(e.AcceptableCAs) > 0 {
		msg += "; it accepts certificates issued by: " + strings.Join(e.AcceptableCAs, "; ")
	}
	return fmt.Sprintf("%s (%v)", msg, e.Err)
}

func (e *ClientCertRequiredError) Unwrap() error { return e.Err }

// IsTrustFailure reports whether err ended a connection because its
// certificate was not trusted (exit code 3 on the command line).
func IsTrustFailure(err error) bool {
	var ue *UntrustedError
	var ie *InterceptionError
	return errors.As(err, &ue) || errors.As(err, &ie)
}

// FailedAt reports whether err, or any error it wraps (errors.Join
// included), is a *StepError of the named step: a listing can fail
// because its data connection's tcp_accept did, and a caller's advice
// depends on which.
func FailedAt(err error, step string) bool {
	if err == nil {
		return false
	}
	if se, ok := err.(*StepError); ok && se.Step == step {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return FailedAt(u.Unwrap(), step)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if FailedAt(e, step) {
				return true
			}
		}
	}
	return false
}
