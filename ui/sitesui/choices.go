// Package sitesui is Lockbox's site manager: a list of saved sites with a
// form to edit one (protocol, host, port, user, password in the keyring,
// passive mode, TLS minimum, CA files, client identity, folders), import
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
)

// choice pairs what a select shows with the value it stands for.
type choice struct {
	label, value string
}

// protocols are the protocol choices, safest first.
var protocols = []choice{
	{"FTPES (explicit TLS)", string(client.FTPES)},
	{"FTPS (implicit TLS)", string(client.FTPS)},
	{"HTTPS", string(client.HTTPS)},
	{"FTP (not encrypted)", string(client.FTP)},
}

// ProtocolLabel is what a select shows for scheme; ok is false (and the
// label the first, safest protocol's) for a scheme Lockbox does not speak.
// The window's quick-connect bar offers the same protocols as the site
// manager.
func ProtocolLabel(scheme client.Scheme) (label string, ok bool) {
	for _, p := range protocols {
		if p.value == string(scheme) {
			return p.label, true
		}
	}
	return protocols[0].label, false
}

// ProtocolLabels are the protocol choices' labels, safest first.
func ProtocolLabels() []string { return labels(protocols) }

// ProtocolScheme is the scheme of the i-th protocol choice.
func ProtocolScheme(i int) client.Scheme { return client.Scheme(protocols[i].value) }

// passiveModes are the passive-mode choices; EPSV is the same as the default.
var passiveModes = []choice{
	{"EPSV, then PASV", sites.PassiveDefault},
	{"PASV only", sites.PassivePASV},
}

// tlsMinimums are the TLS minimum choices.
var tlsMinimums = []choice{
	{"Default (TLS 1.2)", sites.MinTLSDefault},
	{"TLS 1.2 or later", sites.MinTLS12},
	{"TLS 1.3 only", sites.MinTLS13},
}

// The fixed client identity choices; saved identities follow them.
const (
	identityAskLabel   = "Ask when requested"
	identityNeverLabel = "Never send"
)

func labels(cs []choice) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.label
	}
	return out
}

// labelFor returns the label of value, or the first label when none has it.
func labelFor(cs []choice, value string) string {
	for _, c := range cs {
		if c.value == value {
			return c.label
		}
	}
	return cs[0].label
}

// valueFor returns the value of label, or the first value when none has it.
func valueFor(cs []choice, label string) string {
	for _, c := range cs {
		if c.label == label {
			return c.value
		}
	}
	return cs[0].value
}
