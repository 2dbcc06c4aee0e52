package client

import "testing"

func TestParseDataMode(t *testing.T) {
	tests := []struct {
		in   string
		want DataMode
		ok   bool
	}{
		{"", ModePassive, true},
		{"passive", ModePassive, true},
		{" Active ", ModeActive, true},
		{"AUTO", ModeAuto, true},
		{"pasv", "", false},
	}
	for _, tc := range tests {
		got, err := ParseDataMode(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseDataMode(%q) = %q, %v", tc.in, got, err)
		}
	}
}
