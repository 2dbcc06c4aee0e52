//go:build linux

package client

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockbox/client/servertest"
)

// Through jlaffaye/ftp and Session.List: every entry gets the permissions
// of its own line, whatever its name looks like.
func TestListMatchesPermsToEntries(t *testing.T) {
	tests := []struct {
		name    string
		mlsd    bool
		listing string
		want    map[string]string // entry name → Perm
	}{
		{"LIST", false,
			"total 4\r\n" +
				"-rw-r--r--    1 0        0              18 Nov 25 08:52 readme.txt\r\n" +
				"-rw-------    1 0        0               3 Jan 01  2020 my  file.txt\r\n" +
				"lrwxrwxrwx    1 0        0               7 Nov 25 08:52 a b -> c d\r\n" +
				"drwxr-x---    2 0        0            4096 Nov 25 08:52 sub dir\r\n" +
				"11-25-26  08:52AM                   18 dos.txt\r\n",
			map[string]string{"readme.txt": "-rw-r--r--", "my  file.txt": "-rw-------", "a b": "lrwxrwxrwx", "sub dir": "drwxr-x---", "dos.txt": ""}},
		{"MLSD", true,
			"type=file;size=3;modify=20261125085200;UNIX.mode=0640; a file.txt\r\n" +
				"type=dir;modify=20261125085200;perm=flcdmpe; sub\r\n" +
				"type=file;size=1;modify=20261125085200; plain\r\n",
			map[string]string{"a file.txt": "-rw-r-----", "sub": "flcdmpe", "plain": ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startBadFTP(t, nil, fakeScript{mlsd: tc.mlsd, listingFor: func(dir string) string {
				if dir == "/" {
					return tc.listing
				}
				return ""
			}})
			sess, _, err := Connect(bg, mustTarget(t, "ftp://alice:pw@"+srv.addr()), Options{AllowPlaintext: true})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			entries, err := sess.List("/")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, e := range entries {
				got[e.Name] = e.Perm
			}
			if len(got) != len(tc.want) {
				t.Errorf("entries = %q, want %d", got, len(tc.want))
			}
			for name, perm := range tc.want {
				if p, ok := got[name]; !ok || p != perm {
					t.Errorf("perm of %q = %q (listed %v), want %q", name, p, ok, perm)
				}
			}
		})
	}
}

func TestVsftpdListShowsPermissions(t *testing.T) {
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{
		Files: map[string][]byte{"readme.txt": []byte("hello\n"), "my notes.txt": []byte("x"), "pub/data.bin": {1, 2, 3}},
	})
	if err := os.Chmod(filepath.Join(srv.Root, "my notes.txt"), 0o640); err != nil {
		t.Fatal(err)
	}
	opts := Options{ExtraRoots: rootsOf(srv.ServerCert), NoSystemRoots: true, ServerName: srv.ServerCert.Cert.DNSNames[0]}
	sess, _ := vsftpdLogin(t, srv, "ftpes", opts)
	entries, err := sess.List("/")
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	got := map[string]string{}
	for _, e := range entries {
		got[e.Name] = e.Perm
	}
	want := map[string]string{"readme.txt": "-rw-", "my notes.txt": "-rw-r-----", "pub": "drwx"}
	for name, prefix := range want {
		if !strings.HasPrefix(got[name], prefix) || len(got[name]) != 10 {
			t.Errorf("perm of %q = %q, want %s…", name, got[name], prefix)
		}
	}
	tree, err := sess.ListRecursive(bg, "/")
	if err != nil {
		t.Fatalf("list recursive: %v", err)
	}
	for _, f := range tree.Files {
		if !strings.HasPrefix(f.Perm, "-rw-") {
			t.Errorf("%s: perm %q", f.Path, f.Perm)
		}
	}
	if len(tree.Dirs) != 1 || !strings.HasPrefix(tree.Dirs[0].Perm, "d") {
		t.Errorf("dirs = %+v", tree.Dirs)
	}
}
