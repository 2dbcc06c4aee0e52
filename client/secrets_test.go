package client

import (
	"fmt"
	"strings"
	"testing"
)

// No way of printing a Target (fmt verbs, nested in a struct, a panic
// value) shows its password.
func TestTargetNeverPrintsPassword(t *testing.T) {
	const secret = "Sup3r-Secret-pw"
	tg := mustTarget(t, "ftpes://alice:"+secret+"@ftp.example.com:2121/dir")
	if tg.Password != secret {
		t.Fatalf("password not parsed: %q", tg.Password)
	}
	nested := struct {
		Target Target
		Ptr    *Target
	}{tg, &tg}
	panicText := func() (s string) {
		defer func() { s = fmt.Sprint(recover()) }()
		panic(tg)
	}()
	tests := []struct {
		name string
		got  string
	}{
		{"%v", fmt.Sprintf("%v", tg)},
		{"%+v", fmt.Sprintf("%+v", tg)},
		{"%#v", fmt.Sprintf("%#v", tg)},
		{"%s", fmt.Sprintf("%s", tg)},
		{"%q", fmt.Sprintf("%q", tg)},
		{"pointer %v", fmt.Sprintf("%v", &tg)},
		{"pointer %+v", fmt.Sprintf("%+v", &tg)},
		{"pointer %#v", fmt.Sprintf("%#v", &tg)},
		{"nested %v", fmt.Sprintf("%v", nested)},
		{"nested %+v", fmt.Sprintf("%+v", nested)},
		{"nested %#v", fmt.Sprintf("%#v", nested)},
		{"panic value", panicText},
		{"report URL", (&Report{URL: tg.String()}).URL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Contains(tc.got, secret) {
				t.Errorf("%s shows the password: %s", tc.name, tc.got)
			}
			if !strings.Contains(tc.got, "ftp.example.com") {
				t.Errorf("%s lost the host: %s", tc.name, tc.got)
			}
		})
	}
	if gs := tg.GoString(); !strings.Contains(gs, `Password:"****"`) || !strings.Contains(gs, `User:"alice"`) {
		t.Errorf("GoString = %s, want the user and a masked password", gs)
	}
}

// ParseURL's errors quote the URL without its password.
func TestParseURLErrorsHidePassword(t *testing.T) {
	const secret = "Sup3r-Secret-pw"
	for _, raw := range []string{
		"ftpes://alice:" + secret + "@host:99999/",
		"ftpes://alice:" + secret + "@host:port/",
		"gopher://alice:" + secret + "@host/",
		"ftpes://alice:" + secret + "@/nohost",
		"ftpes://alice:" + secret + "@ho st/%zz",
	} {
		if _, err := ParseURL(raw); err == nil {
			t.Errorf("ParseURL(%q) accepted it", Redact(raw))
		} else if strings.Contains(err.Error(), secret) {
			t.Errorf("ParseURL error shows the password: %v", err)
		}
	}
}
