package main

import (
	"errors"
	"strings"
	"testing"

	"lockbox/client"
	"lockbox/client/verify"
)

// TestFlagAdvice checks that each reason the engine gives is worded with
// the flag that fixes it, after the engine's own message.
func TestFlagAdvice(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"client certificate", &client.ClientCertRequiredError{Err: errors.New("remote error")},
			"the server requires a client certificate and none was sent (remote error); give one with --cert and --key (or a PKCS#12 file with --cert)"},
		{"old TLS", &client.TLSVersionError{Offered: 0x0301, Min: 0x0303, Err: errors.New("x")}, "(--tls-min)"},
		{"unknown root", &client.UntrustedError{Problems: []verify.Problem{{Code: verify.CodeUnknownAuthority, Severity: verify.SeverityError}}},
			"add its root with --ca only if you know and trust whoever runs it"},
		{"plain FTP", &client.StepError{Step: "login", Reason: client.ReasonPlaintextPassword, Err: errors.New("ftp:// sends your password unencrypted")},
			"login: ftp:// sends your password unencrypted; use ftpes:// or ftps://, or allow it explicitly (--allow-plaintext)"},
		{"resumption", &client.StepError{Step: "list", Reason: client.ReasonResumptionNeedsTickets, Err: errors.New("522")},
			"; connect with TLS 1.3 (--tls-min 1.3) or ask the administrator to enable session tickets"},
		{"no reason", errors.New("connection refused"), "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := withAdvice(tt.err)
			if !strings.Contains(got, tt.want) || !strings.HasPrefix(got, tt.err.Error()) {
				t.Errorf("withAdvice = %q, want %q after the message", got, tt.want)
			}
		})
	}
}

func TestRootAdvice(t *testing.T) {
	unknown := verify.Problem{Code: verify.CodeIncompleteChain, Severity: verify.SeverityError}
	selfSigned := verify.Problem{Code: verify.CodeSelfSigned, Severity: verify.SeverityError}
	if got := rootAdvice([]verify.Problem{selfSigned, unknown}); !strings.Contains(got, "--ca") {
		t.Errorf("rootAdvice(incomplete chain) = %q, want --ca advice", got)
	}
	if got := rootAdvice([]verify.Problem{selfSigned}); got != "" {
		t.Errorf("rootAdvice(self-signed) = %q, want none: there is no root to add", got)
	}
}
