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
			"the server requires a client certificate and none was sent (remote error); give one with --cert and --key (or a PKCS#12 file with --cert), or a saved identity with --identity"},
		{"old TLS", &client.TLSVersionError{Offered: 0x0301, Min: 0x0303, Err: errors.New("x")}, "(--tls-min)"},
		{"unknown root", &client.UntrustedError{Problems: []verify.Problem{{Code: verify.CodeUnknownAuthority, Severity: verify.SeverityError}}},
			"add its root with --ca only if you know and trust whoever runs it"},
		{"plain FTP", &client.StepError{Step: "login", Reason: client.ReasonPlaintextPassword, Err: errors.New("ftp:// sends your password unencrypted")},
			"login: ftp:// sends your password unencrypted; use ftpes:// or ftps://, or allow it explicitly (--allow-plaintext)"},
		{"resumption", &client.StepError{Step: "list", Reason: client.ReasonResumptionNeedsTickets, Err: errors.New("522")},
			"; connect with TLS 1.3 (--tls-min 1.3) or ask the administrator to enable session tickets"},
		{"proxy password", &client.StepError{Step: "proxy_connect", Err: &client.ProxyError{Proxy: "socks5://u@p:1080", Failure: client.ProxyAuthFailed}},
			"proxy_connect: the proxy socks5://u@p:1080 refused the user name or password; give the proxy's user and password in --proxy"},
		{"proxy refused target", &client.ProxyError{Proxy: "http://p:3128", Target: "h:21", Failure: client.ProxyTargetRefused, Answer: "HTTP/1.0 403 Access violation"},
			"could not or would not connect to h:21: it answered \"HTTP/1.0 403 Access violation\"; the proxy's rules may forbid"},
		{"proxy unreachable", &client.ProxyError{Proxy: "http://p:3128", Failure: client.ProxyUnreachable, Err: errors.New("connection refused")},
			"cannot be reached: connection refused; check the proxy's address and kind in --proxy"},
		{"active through proxy", &client.ActiveThroughProxyError{Proxy: "http://p:3128"}, "use passive mode"},
		{"passive refused", &client.StepError{Step: "list", Err: &client.PassiveRefusedError{Reply: "502 Passive mode is disabled on this server.", Err: errors.New("502")}},
			"try active mode, where the server connects to Lockbox: --active (or --mode auto"},
		{"server never connected back", &client.StepError{Step: "tcp_accept", Err: errors.New("i/o timeout")},
			"give your public address with --external-ip and open a --port-range in the firewall, or use passive mode (--mode passive)"},
		{"no port for active mode", &client.StepError{Step: "tcp_listen", Err: errors.New("address already in use")},
			"choose another --port-range, or use passive mode (--mode passive)"},
		{"no reason", errors.New("connection refused"), "connection refused"},
	}
	// Every reason the engine has is in the table: a new one needs its
	// flag advice and a row here.
	covered := map[client.Reason]bool{}
	for _, tt := range tests {
		covered[client.ReasonOf(tt.err)] = true
	}
	for _, r := range client.Reasons() {
		if !covered[r] {
			t.Errorf("no row for the reason %s", r)
		}
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
