// Package sitesui is Lockbox's site manager: a list of saved sites with a
// form to edit one (protocol, host, port, user, password in the keyring,
// transfer mode, passive mode, TLS minimum, CA files, client identity, folders), import
// from FileZilla, and a quick-connect bar.
//
// Threading: widgets are only touched on the UI goroutine. Disk and keyring
// work (which may wait on D-Bus or an unlock prompt) runs on its own
// goroutine and reports back through the injected do function: fyne.Do in
// the application, a queue the test drains in tests.
package sitesui

import (
	"lockbox/client"
	"lockbox/client/sites"
	"lockbox/ui/pick"
)

// protocols are the protocol choices, safest first.
var protocols = pick.Choices{
	{Value: string(client.FTPES), Label: "FTPES (explicit TLS)"},
	{Value: string(client.FTPS), Label: "FTPS (implicit TLS)"},
	{Value: string(client.HTTPS), Label: "HTTPS"},
	{Value: string(client.FTP), Label: "FTP (not encrypted)"},
}

// ProtocolLabel is what a select shows for scheme; ok is false (and the
// label the first, safest protocol's) for a scheme Lockbox does not speak.
// The window's quick-connect bar offers the same protocols as the site
// manager.
func ProtocolLabel(scheme client.Scheme) (label string, ok bool) {
	for _, p := range protocols {
		if p.Value == string(scheme) {
			return p.Label, true
		}
	}
	return protocols[0].Label, false
}

// ProtocolLabels are the protocol choices' labels, safest first.
func ProtocolLabels() []string { return protocols.Labels() }

// ProtocolScheme is the scheme of the i-th protocol choice.
func ProtocolScheme(i int) client.Scheme { return client.Scheme(protocols[i].Value) }

// transferModes are the data connection mode choices: Settings' mode
// unless the site names one.
var transferModes = pick.TransferModesWithDefault()

// passiveModes are the passive-mode choices; EPSV is the same as the
// default, so it shows as the first.
var passiveModes = pick.Choices{
	{Value: sites.PassiveDefault, Label: "EPSV, then PASV"},
	{Value: sites.PassivePASV, Label: "PASV only"},
}

// tlsMinimums are the TLS minimum choices.
var tlsMinimums = pick.Choices{
	{Value: sites.MinTLSDefault, Label: "Default (TLS 1.2)"},
	{Value: sites.MinTLS12, Label: "TLS 1.2 or later"},
	{Value: sites.MinTLS13, Label: "TLS 1.3 only"},
}

// The fixed client identity choices; saved identities follow them.
const (
	identityAskLabel   = "Ask when requested"
	identityNeverLabel = "Never send"
)
