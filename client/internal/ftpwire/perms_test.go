package ftpwire

import (
	"strings"
	"testing"
)

func TestParsePerms(t *testing.T) {
	tests := []struct {
		name    string
		listing string
		want    map[string]string // name → perm; names absent here must have none
	}{
		{"vsftpd LIST",
			"drwxr-xr-x    2 0        0            4096 Nov 25 08:52 pub\r\n" +
				"-rw-r--r--    1 0        0              18 Nov 25 08:52 readme.txt\r\n",
			map[string]string{"pub": "drwxr-xr-x", "readme.txt": "-rw-r--r--"}},
		{"a year instead of a time",
			"-rw-------    1 1000     1000          512 Jan 01  2020 old.txt\n",
			map[string]string{"old.txt": "-rw-------"}},
		{"names with spaces keep them, leading ones too",
			"-rw-r--r--    1 ftp      ftp             3 Nov 25 08:52 my file  v2.txt\r\n" +
				"-rw-r--r--    1 ftp      ftp             3 Nov 25 08:52  leading\r\n",
			map[string]string{"my file  v2.txt": "-rw-r--r--", " leading": "-rw-r--r--"}},
		{"a link is known by its name, not its target",
			"lrwxrwxrwx    1 0        0               7 Nov 25 08:52 a b -> c d\r\n",
			map[string]string{"a b": "lrwxrwxrwx"}},
		{"setuid, sticky and an ACL marker",
			"-rwsr-xr-x    1 0        0               7 Nov 25 08:52 su\r\n" +
				"drwxrwxrwt+   9 0        0            4096 Nov 25 08:52 tmp\r\n",
			map[string]string{"su": "-rwsr-xr-x", "tmp": "drwxrwxrwt+"}},
		{"total line and blank lines are skipped",
			"total 8\r\n\r\n-rw-r--r--    1 0        0              18 Nov 25 08:52 a\r\n",
			map[string]string{"a": "-rw-r--r--"}},
		{"the first line of a name wins",
			"-rw-r--r--    1 0        0              18 Nov 25 08:52 a\n" +
				"-rwxrwxrwx    1 0        0              18 Nov 25 08:52 a\n",
			map[string]string{"a": "-rw-r--r--"}},
		{"no group column (folder 0)",
			"drwxrwxrwx   folder        0 Nov 25 08:52 docs\r\n",
			map[string]string{"docs": "drwxrwxrwx"}},
		{"link count 0 (hostedftp.com)",
			"-r--------   0 user group     65222236 Feb 24 00:39 UABlacklistingWeek8.csv\r\n",
			map[string]string{"UABlacklistingWeek8.csv": "-r--------"}},
		{"MLSD UNIX.mode",
			"type=file;size=3;modify=20261125085200;UNIX.mode=0644;UNIX.owner=ftp; a.txt\r\n" +
				"type=dir;modify=20261125085200;UNIX.mode=0755; pub\r\n" +
				"type=OS.unix=symlink;UNIX.mode=0777; ln\r\n" +
				"type=file;UNIX.mode=4755; suid\r\n" +
				"type=file;UNIX.mode=1644; sticky-no-x\r\n" +
				"type=cdir;UNIX.mode=0755; .\r\n",
			map[string]string{"a.txt": "-rw-r--r--", "pub": "drwxr-xr-x", "ln": "lrwxrwxrwx", "suid": "-rwsr-xr-x",
				"sticky-no-x": "-rw-r--r-T", ".": "drwxr-xr-x"}},
		{"MLSD mode with file-type bits and no type fact",
			"size=3;UNIX.mode=100600; f\r\nsize=3;UNIX.mode=040700; d\r\nsize=3;UNIX.mode=0600; what\r\n",
			map[string]string{"f": "-rw-------", "d": "drwx------", "what": "?rw-------"}},
		{"MLSD perm fact when there is no UNIX.mode",
			"type=file;size=3;perm=adfrw; a.txt\r\ntype=dir;perm=flcdmpe; sub dir\r\n",
			map[string]string{"a.txt": "adfrw", "sub dir": "flcdmpe"}},
		{"MLSD UNIX.mode wins over perm",
			"type=file;perm=r;UNIX.mode=0640; a\r\n",
			map[string]string{"a": "-rw-r-----"}},
		{"MLSD without either fact (goftp)",
			"Type=file;Modify=20261125085200;Size=18; hello.txt\n",
			nil},
		{"MLSD with a bad mode or bad perm letters",
			"type=file;UNIX.mode=0999; a\r\ntype=file;UNIX.mode=7777777; b\r\ntype=file;perm=rwz; c\r\ntype=file;perm=\x1b[31m; d\r\n",
			nil},
		{"DOS style has no permissions",
			"11-25-26  08:52AM       <DIR>          pub\r\n" +
				"11-25-26  08:52AM                   18 readme.txt\r\n" +
				"2026-11-25  08:52                   18 other.txt\r\n",
			nil},
		{"a control character is no permission",
			"-rw-r--\x1b[m    1 0        0              18 Nov 25 08:52 esc\r\n",
			nil},
		{"unknown type letter",
			"Xrw-r--r--    1 0        0              18 Nov 25 08:52 x\r\n",
			nil},
		{"a line cut short",
			"-rw-r--r--    1 0        0",
			nil},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ParsePerms([]byte(tc.listing))
			for name, perm := range tc.want {
				if got.Of(name) != perm {
					t.Errorf("perm of %q = %q, want %q", name, got.Of(name), perm)
				}
			}
			for name, perm := range got {
				if _, ok := tc.want[name]; !ok {
					t.Errorf("unexpected perm %q for %q", perm, name)
				}
			}
		})
	}
}

// FuzzParsePerms: any listing parses without panicking, and every
// permission it yields is a few letters that cannot drive a terminal.
func FuzzParsePerms(f *testing.F) {
	for _, s := range []string{
		"-rw-r--r--    1 0        0              18 Nov 25 08:52 readme.txt\r\n",
		"lrwxrwxrwx    1 0        0               7 Nov 25 08:52 a -> b\r\n",
		"drwxrwxrwx   folder        0 Nov 25 08:52 docs\r\n",
		"-r--------   0 user group     65222236 Feb 24 00:39 x.csv\r\n",
		"type=file;UNIX.mode=0644; a\r\ntype=dir;perm=flcdmpe; b\r\n",
		"11-25-26  08:52AM       <DIR>          pub\r\n",
		";", " ;", "a; b", "-rw-r--r-- ", "x=;UNIX.mode=; y",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for name, perm := range ParsePerms(raw) {
			if perm == "" || len(perm) > 11 || strings.ContainsFunc(perm, func(r rune) bool { return r <= ' ' || r > '~' }) {
				t.Fatalf("perm %q for %q", perm, name)
			}
			if strings.ContainsAny(name, "\n") {
				t.Fatalf("name %q spans lines", name)
			}
		}
	})
}
