package sites

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzImportFileZilla checks that any input either fails cleanly or yields
// sites that validate, with unique names, and passwords only for them.
func FuzzImportFileZilla(f *testing.F) {
	sample, err := os.ReadFile(filepath.Join("testdata", "sitemanager.xml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(sample))
	f.Add(fzXML(`<Folder>A<Server>Old<Host>[::1]</Host><Pass encoding="base64">cHc=</Pass><RemoteDir>3 0 2 C: 1 x</RemoteDir></Server></Folder>`))
	f.Add(fzXML(`<Server><Host>h</Host><Port>-1</Port></Server>`))
	f.Add(`<FileZilla3><Servers><Folder><Folder>`)
	f.Fuzz(func(t *testing.T, input string) {
		imp, err := ImportFileZilla(strings.NewReader(input))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, s := range imp.Sites {
			if err := s.Validate(); err != nil {
				t.Fatalf("imported an invalid site: %v", err)
			}
			if seen[s.Name] {
				t.Fatalf("name %q imported twice", s.Name)
			}
			seen[s.Name] = true
			if _, err := s.Target(imp.Passwords[s.Name]); err != nil {
				t.Fatalf("imported site has no target: %v", err)
			}
		}
		for name, pw := range imp.Passwords {
			if !seen[name] {
				t.Fatalf("a password for %q, which was not imported", name)
			}
			if pw == "" || strings.ContainsAny(pw, "\r\n\x00") {
				t.Fatalf("unusable password imported for %q", name)
			}
		}
	})
}

// FuzzDecodeRemoteDir checks that decoding never panics and never yields a
// path with a line break, which FTP would take as a second command.
func FuzzDecodeRemoteDir(f *testing.F) {
	for _, s := range []string{"1 0 4 home 4 user", "3 0 2 C: 4 data", "2 5 DISK: 3 USR", "1 0 2 😀", "1 0 0 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := decodeRemoteDir(s)
		if err != nil {
			return
		}
		if strings.ContainsAny(got, "\r\n") && !strings.ContainsAny(s, "\r\n") {
			t.Fatalf("decodeRemoteDir(%q) = %q invents a line break", s, got)
		}
	})
}
