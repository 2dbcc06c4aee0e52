package main

import (
	"lockbox/client"
	"lockbox/client/verify"
)

// flagAdvice words the fix for a reason the engine gave, in the command
// line's own flags; "" when the reason has no fix a flag can make. The
// window words the same reasons in its menus and settings (ui/advice.go).
func flagAdvice(r client.Reason) string {
	switch r {
	case client.ReasonClientCertRequired:
		return "give one with --cert and --key (or a PKCS#12 file with --cert)"
	case client.ReasonTLSTooOld:
		return "Lockbox accepts TLS 1.2 and 1.3 only (--tls-min), so ask the server's administrator to enable TLS 1.2 or later"
	case client.ReasonUnknownRoot:
		return "add its root with --ca only if you know and trust whoever runs it"
	case client.ReasonPlaintextPassword:
		return "use ftpes:// or ftps://, or allow it explicitly (--allow-plaintext)"
	case client.ReasonResumptionNeedsTickets:
		return "connect with TLS 1.3 (--tls-min 1.3) or ask the administrator to enable session tickets"
	case client.ReasonProxyUnreachable:
		return "check the proxy's address and kind in --proxy (or ALL_PROXY, HTTPS_PROXY), or go without it with --noproxy '*'"
	case client.ReasonProxyAuthFailed:
		return "give the proxy's user and password in --proxy as scheme://user:password@host:port"
	case client.ReasonProxyTargetRefused:
		return "the proxy's rules may forbid this server or port: ask its administrator, or go without it with --noproxy '*'"
	case client.ReasonActiveThroughProxy:
		return "use passive mode, or go without the proxy (--noproxy '*')"
	}
	return ""
}

// withAdvice is err's message followed by the flag advice for its reason,
// as the engine's messages read before they left the flags to the front
// ends.
func withAdvice(err error) string {
	if a := flagAdvice(client.ReasonOf(err)); a != "" {
		return err.Error() + "; " + a
	}
	return err.Error()
}

// rootAdvice is the advice for a chain whose root is not trusted, judged
// from its problems when no error was returned (inspect and cert report an
// untrusted chain without failing); "" when no problem is about the root.
func rootAdvice(problems []verify.Problem) string {
	for _, p := range problems {
		if p.Severity == verify.SeverityError && verify.RootUnknown(p) {
			return "the chain's root is not among your trusted roots: add it with --ca only if you know and trust whoever runs it"
		}
	}
	return ""
}
