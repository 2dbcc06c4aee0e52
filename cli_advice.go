package main

import (
	"errors"
	"fmt"
	"net/netip"

	"lockbox/client"
	"lockbox/client/verify"
)

// flagAdvice words the fix for a reason the engine gave, in the command
// line's own flags; "" when the reason has no fix a flag can make. The
// window words the same reasons in its menus and settings (ui/advice.go).
func flagAdvice(r client.Reason) string {
	switch r {
	case client.ReasonClientCertRequired:
		return "give one with --cert and --key (or a PKCS#12 file with --cert), or a saved identity with --identity"
	case client.ReasonTLSTooOld:
		return "Lockbox accepts TLS 1.2 and 1.3 only (--tls-min), so ask the server's administrator to enable TLS 1.2 or later"
	case client.ReasonUnknownRoot:
		return "add its root with --ca only if you know and trust whoever runs it"
	case client.ReasonPlaintextPassword:
		return "use ftpes:// or ftps://, or allow it explicitly (--allow-plaintext)"
	case client.ReasonResumptionNeedsTickets:
		return "connect with TLS 1.3 (--tls-min 1.3) or ask the administrator to enable session tickets"
	case client.ReasonPassiveRefused:
		return "try active mode, where the server connects to Lockbox: --active (or --mode auto, which falls back to active mode by itself)"
	case client.ReasonActiveUnreachable:
		return "in active mode the server must connect to Lockbox: behind NAT, give your public address with --external-ip and open a --port-range in the firewall, or use passive mode (--mode passive)"
	case client.ReasonActiveNoPort:
		return "Lockbox could not open a port for active mode: choose another --port-range, or use passive mode (--mode passive)"
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

// dataModeFlags are the flags that choose how FTP data connections are
// opened.
type dataModeFlags struct {
	mode       string
	active     bool
	portRange  string
	externalIP string
}

// apply sets the data connection mode and active mode's listener in o.
func (d dataModeFlags) apply(o *client.Options) error {
	mode, err := client.ParseDataMode(d.mode)
	if err != nil {
		return usageError{fmt.Errorf("--mode: %w", err)}
	}
	if d.active {
		if d.mode != "" && mode != client.ModeActive {
			return usageError{fmt.Errorf("--active contradicts --mode %s", mode)}
		}
		mode = client.ModeActive
	}
	o.Mode = mode
	if d.portRange != "" {
		if o.Active.PortMin, o.Active.PortMax, err = client.ParsePortRange(d.portRange); err != nil {
			return usageError{fmt.Errorf("--port-range: %w", err)}
		}
	}
	if d.externalIP != "" {
		a, err := netip.ParseAddr(d.externalIP)
		if err != nil || a.Zone() != "" {
			return usageError{fmt.Errorf("--external-ip: %q is not an IP address", d.externalIP)}
		}
		o.Active.ExternalAddr = a
	}
	if (d.portRange != "" || d.externalIP != "") && mode == client.ModePassive {
		return usageError{errors.New("--port-range and --external-ip place active mode's port: use them with --active or --mode active|auto")}
	}
	return nil
}
