package pick

import "lockbox/client"

// Choice is one option of a select or radio group: the value it stands for
// and the label the widget shows for it.
type Choice struct {
	Value, Label string
}

// Choices are the options of one select or radio group, in the order
// shown. The first is the one shown for a value that has no choice of its
// own, so put the default (or safest) option first.
type Choices []Choice

// Labels are the labels of cs in order: the options to give the widget.
func (cs Choices) Labels() []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Label
	}
	return out
}

// Label is the label of the choice whose value is value, or the first
// choice's label when none is.
func (cs Choices) Label(value string) string {
	for _, c := range cs {
		if c.Value == value {
			return c.Label
		}
	}
	return cs[0].Label
}

// Value is the value of the choice labelled label, or the first choice's
// value when none is.
func (cs Choices) Value(label string) string {
	for _, c := range cs {
		if c.Label == label {
			return c.Value
		}
	}
	return cs[0].Value
}

// TransferModes are the data connection modes (client.DataMode's values):
// who opens each data connection. Passive, the engine's default, is first.
// Settings offers these; a site and the quick-connect bar offer
// TransferModeDefault before them.
var TransferModes = Choices{
	{Value: string(client.ModePassive), Label: "Passive"},
	{Value: string(client.ModeActive), Label: "Active"},
	{Value: string(client.ModeAuto), Label: "Auto"},
}

// TransferModeDefault is the choice that leaves the mode to Settings (a
// site's sites.ModeDefault, "").
var TransferModeDefault = Choice{Value: "", Label: "Default (from Settings)"}

// TransferModesWithDefault are TransferModeDefault, then TransferModes: the
// choices of a site and of the quick-connect bar.
func TransferModesWithDefault() Choices {
	return append(Choices{TransferModeDefault}, TransferModes...)
}

// TransferModesCompact are TransferModesWithDefault with the default
// labelled "Default", for a bar with little room that labels the choice
// itself (the default is still Settings').
func TransferModesCompact() Choices {
	cs := TransferModesWithDefault()
	cs[0].Label = "Default"
	return cs
}

// TransferModeHint says what the transfer mode choices mean, for a form's
// hint.
const TransferModeHint = "Active: the server connects to Lockbox. Auto: passive, then active if the server refuses it"
