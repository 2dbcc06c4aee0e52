package client

import "testing"

// FTP URL paths as RFC 1738 and curl read them: relative to the login
// folder, absolute with %2F or a leading "//".
func TestFTPURLPaths(t *testing.T) {
	tests := []struct {
		url          string
		wantPath     string
		wantRelative bool
		home         string
		wantRemote   string
		wantString   string
	}{
		{"ftpes://h/pub", "/pub", true, "/home/u", "/home/u/pub", "ftpes://h:21/pub"},
		{"ftpes://h/pub/a%20b.txt", "/pub/a b.txt", true, "", "pub/a b.txt", "ftpes://h:21/pub/a%20b.txt"},
		{"ftpes://h/%2Ftmp", "/tmp", false, "/home/u", "/tmp", "ftpes://h:21/%2Ftmp"},
		{"ftpes://h/%2ftmp/x", "/tmp/x", false, "/home/u", "/tmp/x", "ftpes://h:21/%2Ftmp/x"},
		{"ftps://h//tmp", "/tmp", false, "", "/tmp", "ftps://h:990/%2Ftmp"},
		{"ftp://h/", "/", true, "/home/u", "/home/u", "ftp://h:21/"},
		{"ftpes://h", "", false, "/home/u", "", "ftpes://h:21"},
		{"https://h/pub", "/pub", false, "", "/pub", "https://h:443/pub"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			tg, err := ParseURL(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			if tg.Path != tc.wantPath || tg.LoginRelative != tc.wantRelative {
				t.Errorf("Path %q LoginRelative %t, want %q %t", tg.Path, tg.LoginRelative, tc.wantPath, tc.wantRelative)
			}
			if got := tg.RemotePath(tc.home); got != tc.wantRemote {
				t.Errorf("RemotePath(%q) = %q, want %q", tc.home, got, tc.wantRemote)
			}
			if got := tg.String(); got != tc.wantString {
				t.Errorf("String = %q, want %q", got, tc.wantString)
			}
			back, err := ParseURL(tg.String())
			if err != nil || back.Path != tg.Path || back.LoginRelative != tg.LoginRelative {
				t.Errorf("String does not parse back: %#v, %v", back, err)
			}
		})
	}
}
