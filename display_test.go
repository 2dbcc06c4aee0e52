package main

import (
	"strings"
	"testing"
)

func TestHaveDisplay(t *testing.T) {
	for _, tc := range []struct {
		name string
		goos string
		env  map[string]string
		want bool
	}{
		{"linux without a display", "linux", nil, false},
		{"linux with X11", "linux", map[string]string{"DISPLAY": ":0"}, true},
		{"linux with Wayland", "linux", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, true},
		{"freebsd without a display", "freebsd", nil, false},
		{"windows needs no variable", "windows", nil, true},
		{"macOS needs no variable", "darwin", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := haveDisplay(tc.goos, func(k string) string { return tc.env[k] }); got != tc.want {
				t.Fatalf("haveDisplay(%s, %v) = %v, want %v", tc.goos, tc.env, got, tc.want)
			}
		})
	}
	var b strings.Builder
	noDisplay(&b)
	if !strings.Contains(b.String(), "DISPLAY") || !strings.Contains(b.String(), "lockbox help") {
		t.Fatalf("the message does not say why or what to do instead: %q", b.String())
	}
}
