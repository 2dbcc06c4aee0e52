package ui

import (
	"strings"

	"lockbox/client"
	"lockbox/client/verify"
	"lockbox/ui/settings"
	"lockbox/ui/sitesui"
)

// The window's own names for the places where a fix is made. They are the
// labels of the menu (menu.go), the site manager's form (sitesui) and the
// settings page (ui/settings); advice_test.go checks them against those.
const (
	siteManagerPath = "File › Site manager…"
	identitiesPath  = "Identities › Client identities…"
	settingsPath    = "File › Settings…"
	// settingsConnection and settingsProxy are the settings' pages.
	settingsConnection = settingsPath + " › " + settings.ConnectionPage
	settingsProxy      = settingsPath + " › " + settings.ProxyPage
	siteTLSField       = "TLS minimum"
	siteCAField        = "Extra CA roots"
	siteCertField      = "Client certificate"
	settingsTLS        = "Oldest TLS"
	tls13Choice        = "TLS 1.3 only"
	proxyField         = "Proxy"
	// modeField is "Transfer mode" in the site manager and in Settings
	// alike; passiveChoice, activeChoice and autoChoice are its choices.
	modeField        = "Transfer mode"
	passiveChoice    = "Passive"
	activeChoice     = "Active"
	autoChoice       = "Auto"
	settingsPorts    = "Active mode ports"
	settingsExternal = "External IP address"
	settingsBind     = "Bind address"
)

// Advice words the fix for the reason err carries (client.ReasonOf) in the
// window's terms: its menus, the site manager's fields and the settings,
// never the command line's flags. It is "" when the reason has no fix
// the window can offer.
func Advice(err error) string {
	return reasonAdvice(client.ReasonOf(err))
}

// withAdvice is msg followed by the advice for err's reason, if any, as
// the next sentence.
func withAdvice(msg string, err error) string {
	a := Advice(err)
	switch {
	case a == "":
		return msg
	case strings.HasSuffix(msg, "."):
		return msg + " " + a
	}
	return msg + ". " + a
}

// reasonAdvice is Advice for one reason.
func reasonAdvice(r client.Reason) string {
	switch r {
	case client.ReasonClientCertRequired:
		return "Choose a " + siteCertField + " for this site in " + siteManagerPath +
			" (add one first under " + identitiesPath + " if none is listed), and connect again."
	case client.ReasonTLSTooOld:
		return "Lockbox accepts TLS 1.2 and 1.3 only, and no setting goes lower: ask the server's administrator to enable TLS 1.2 or later."
	case client.ReasonUnknownRoot:
		return "If you know and trust whoever runs its root, add the root's certificate to this site's " + siteCAField +
			" in " + siteManagerPath + ", and connect again."
	case client.ReasonPlaintextPassword:
		return "Choose " + protocolLabel(client.FTPES) + " or " + protocolLabel(client.FTPS) +
			" as the protocol, or confirm sending the password unencrypted when asked."
	case client.ReasonResumptionNeedsTickets:
		return "Set this site's " + siteTLSField + " to " + tls13Choice + " in " + siteManagerPath +
			" (or " + settingsTLS + " in " + settingsConnection + "), or ask the server's administrator to enable session tickets."
	case client.ReasonProxyUnreachable:
		return "Check the " + proxyField + " of this site in " + siteManagerPath + " (or in " + settingsProxy +
			"): its address, port and kind must be those of a running proxy."
	case client.ReasonProxyAuthFailed:
		return "Check the proxy's user and password in the " + proxyField + " of this site in " + siteManagerPath +
			" (or in " + settingsProxy + "), and connect again."
	case client.ReasonProxyTargetRefused:
		return "The proxy's rules may forbid this server or port: ask its administrator, or set the site's " + proxyField +
			" to none in " + siteManagerPath + "."
	case client.ReasonActiveThroughProxy:
		return "Use passive mode for this site, or set its " + proxyField + " to none in " + siteManagerPath + "."
	case client.ReasonPassiveRefused:
		return "Set " + modeField + " to " + activeChoice + " (or " + autoChoice +
			") for this site in " + siteManagerPath + ", in the quick-connect bar's " + quickModeLabel +
			", or for every server in " + settingsConnection + ", and connect again."
	case client.ReasonActiveUnreachable:
		return "The server never connected back to Lockbox (active mode). Behind NAT or a firewall, set " + settingsExternal +
			" and " + settingsPorts + " in " + settingsConnection + " (and let those ports in), or set " + modeField + " to " + passiveChoice + "."
	case client.ReasonActiveNoPort:
		return "Lockbox could not open a port for active mode. Choose other " + settingsPorts + " (or none) and check the " +
			settingsBind + " in " + settingsConnection + ", or set " + modeField + " to " + passiveChoice + "."
	}
	return ""
}

// protocolLabel is the label the quick-connect bar and the site manager
// show for scheme.
func protocolLabel(scheme client.Scheme) string {
	l, _ := sitesui.ProtocolLabel(scheme)
	return l
}

// rootAdvice is, for a report whose chain's root or issuer is not among the
// trusted roots, the sentence (with a leading space) saying where the
// window lets the user trust it; "" otherwise. It reads the report, not an
// error: the trust dialog asks before the connection fails.
func rootAdvice(rep *client.Report) string {
	if rep == nil {
		return ""
	}
	for _, p := range rep.Problems {
		if p.Severity == verify.SeverityError && verify.RootUnknown(p) {
			return " To trust its root from now on, add the root's certificate to this site's " + siteCAField + " in " + siteManagerPath + "."
		}
	}
	return ""
}
