package pick

import (
	"reflect"
	"testing"

	"lockbox/client"
	"lockbox/client/sites"
)

var modes = Choices{
	{"", "Default"},
	{"pasv", "PASV only"},
	{"epsv", "EPSV only"},
}

func TestChoicesLabels(t *testing.T) {
	for _, tc := range []struct {
		name string
		cs   Choices
		want []string
	}{
		{"in order", modes, []string{"Default", "PASV only", "EPSV only"}},
		{"one", Choices{{"x", "X"}}, []string{"X"}},
		{"none", Choices{}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cs.Labels(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Labels() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestChoicesLabel(t *testing.T) {
	for _, tc := range []struct {
		value, want string
	}{
		{"", "Default"},
		{"pasv", "PASV only"},
		{"epsv", "EPSV only"},
		{"active", "Default"}, // unknown: the first
		{"PASV only", "Default"},
	} {
		t.Run(tc.value, func(t *testing.T) {
			if got := modes.Label(tc.value); got != tc.want {
				t.Errorf("Label(%q) = %q, want %q", tc.value, got, tc.want)
			}
		})
	}
}

func TestChoicesValue(t *testing.T) {
	for _, tc := range []struct {
		label, want string
	}{
		{"Default", ""},
		{"PASV only", "pasv"},
		{"EPSV only", "epsv"},
		{"", ""},            // nothing selected: the first
		{"Active only", ""}, // unknown: the first
		{"pasv", ""},        // a value is not a label
		{"pasv only", ""},   // labels match exactly
	} {
		t.Run(tc.label, func(t *testing.T) {
			if got := modes.Value(tc.label); got != tc.want {
				t.Errorf("Value(%q) = %q, want %q", tc.label, got, tc.want)
			}
		})
	}
}

// Every label leads back to its value.
func TestChoicesRoundTrip(t *testing.T) {
	for _, c := range modes {
		if got := modes.Value(modes.Label(c.Value)); got != c.Value {
			t.Errorf("Value(Label(%q)) = %q", c.Value, got)
		}
	}
}

// Every transfer mode choice is a mode the engine reads, and the default
// choice is the site's "leave it to Settings".
func TestTransferModes(t *testing.T) {
	for _, c := range TransferModesWithDefault() {
		t.Run(c.Label, func(t *testing.T) {
			m, err := client.ParseDataMode(c.Value)
			if err != nil {
				t.Fatal(err)
			}
			if c.Value != "" && string(m) != c.Value {
				t.Errorf("%q reads as %q", c.Value, m)
			}
		})
	}
	if got := TransferModesWithDefault()[0]; got != TransferModeDefault || got.Value != sites.ModeDefault {
		t.Errorf("the first choice is %+v, want the default", got)
	}
	compact := TransferModesCompact()
	if compact[0].Value != TransferModeDefault.Value || compact[0].Label == TransferModeDefault.Label || !reflect.DeepEqual(compact[1:], TransferModes) {
		t.Errorf("compact choices %+v", compact)
	}
	if TransferModesWithDefault()[0] != TransferModeDefault {
		t.Error("the compact choices changed the shared default")
	}
	if len(TransferModesWithDefault()) != len(TransferModes)+1 {
		t.Error("the choices with the default are not the modes plus one")
	}
}
