package client

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fuzzSessions keeps one logged-in session per listing mode for a fuzz
// worker, so each input costs one listing, not a login.
type fuzzSessions struct {
	mu      sync.Mutex
	listing string
	sess    map[bool]*Session
	srv     map[bool]*badFTP
}

func (fs *fuzzSessions) body(dir string) string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if dir == "/" {
		return fs.listing
	}
	return "" // sub-directories are empty, so a listing cannot nest for ever
}

func (fs *fuzzSessions) session(tb testing.TB, mlsd bool) *Session {
	if s := fs.sess[mlsd]; s != nil {
		return s
	}
	s, _, err := Connect(bg, mustTargetTB(tb, "ftp://alice:pw@"+fs.srv[mlsd].addr()), Options{Timeout: 5 * time.Second, AllowPlaintext: true})
	if err != nil {
		tb.Fatalf("connect to the fake server: %v", err)
	}
	fs.sess[mlsd] = s
	return s
}

// FuzzListing: whatever listing a server sends (LIST in any of the formats
// jlaffaye/ftp parses, or MLSD), through jlaffaye/ftp's parsers and the
// engine's List and ListRecursive: no panic, every name shown is free of
// control characters, and every entry kept for a recursive download maps
// to a path inside the local folder; the others are refused with a
// printable reason.
func FuzzListing(f *testing.F) {
	seeds := []string{
		"-rw-r--r--   1 ftp ftp          6 Jan 01 2026 hello.txt\r\ndrwxr-xr-x   2 ftp ftp       4096 Jan 01 12:00 sub\r\n",
		"lrwxrwxrwx   1 ftp ftp          4 Jan 01 2026 link -> ../../etc/passwd\r\n-rw-r--r-- 1 ftp ftp 1 Jan 01 2026 ../escape\r\n",
		"01-02-26  10:00AM       <DIR>          dos dir\r\n01-02-26  10:00AM                 12 dos.txt\r\n",
		"type=file;size=5;modify=20200102030405; good.txt\r\ntype=dir;modify=20200102030405; d\r\ntype=file;size=1; /etc/x\r\n",
		"type=file;size=1; a\x1b[31mred\r\ntype=cdir; .\r\ntype=pdir; ..\r\n",
		"+i8388621.48594,m825718503,r,s280,\tdjb.html\r\n",
		"-rw-r--r-- 1 u g 18446744073709551616 Jan 1 2026 huge\r\n",
	}
	for _, s := range seeds {
		f.Add(s, strings.HasPrefix(s, "type=") || strings.HasPrefix(s, "+"))
	}
	fs := &fuzzSessions{sess: map[bool]*Session{}, srv: map[bool]*badFTP{}}
	for _, mlsd := range []bool{false, true} {
		fs.srv[mlsd] = startBadFTP(f, nil, fakeScript{mlsd: mlsd, listingFor: fs.body})
	}
	f.Cleanup(func() {
		for _, s := range fs.sess {
			if s != nil {
				s.Close()
			}
		}
	})
	root := filepath.Join(f.TempDir(), "local")
	f.Fuzz(func(t *testing.T, listing string, mlsd bool) {
		fs.mu.Lock()
		fs.listing = listing
		fs.mu.Unlock()
		sess := fs.session(t, mlsd)
		entries, err := sess.List("/")
		if err != nil {
			// A listing the client refuses (a line over bufio's limit,
			// say) must not leave the session unusable for long: start
			// afresh for the next input.
			sess.Close()
			fs.sess[mlsd] = nil
			return
		}
		for _, e := range entries {
			if hasControl(e.Name) || hasControl(e.Target) {
				t.Fatalf("List shows a control character: %q -> %q", e.Name, e.Target)
			}
			if e.Name == "." || e.Name == ".." {
				t.Fatalf("List kept %q", e.Name)
			}
		}
		tree, err := sess.ListRecursive(context.Background(), "/")
		if err != nil {
			sess.Close()
			fs.sess[mlsd] = nil
			return
		}
		for _, rf := range append(append([]RemoteFile(nil), tree.Dirs...), tree.Files...) {
			p, err := LocalPath(root, rf.Path)
			if err != nil || p == root || !insideRoot(root, p) {
				t.Fatalf("entry %q kept for download maps to %q (%v), outside %s", rf.Path, p, err, root)
			}
		}
		for _, ne := range tree.Refused {
			if hasControl(ne.Error()) {
				t.Fatalf("refusal prints a control character: %q", ne.Error())
			}
		}
	})
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f })
}

// insideRoot reports whether p is root itself or below it.
func insideRoot(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// FuzzNames: a name CheckName accepts is one plain path element, and
// LocalPath keeps any relative path it accepts strictly inside the root.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"a.txt", "..", "../x", "a/b", `a\b`, "/etc/passwd", "C:evil", "notes..txt", "a\x00b", "dir/../../x", ".hidden", "é/ü", "a//b", "./a"} {
		f.Add(s)
	}
	root := filepath.Join(f.TempDir(), "root")
	f.Fuzz(func(t *testing.T, rel string) {
		if CheckName(rel) == nil {
			if rel == "" || rel == "." || rel == ".." || strings.ContainsAny(rel, "/\\\x00") || hasControl(rel) {
				t.Fatalf("CheckName accepted %q", rel)
			}
			p, err := LocalPath(root, rel)
			if err != nil || filepath.Dir(p) != root {
				t.Fatalf("LocalPath(%q) = %q, %v; want a file directly in the root", rel, p, err)
			}
		}
		p, err := LocalPath(root, rel)
		if err != nil {
			return
		}
		if p == root || !insideRoot(root, p) {
			t.Fatalf("LocalPath(%q) = %q, outside %s", rel, p, root)
		}
		for _, el := range strings.Split(rel, "/") {
			if CheckName(el) != nil {
				t.Fatalf("LocalPath accepted %q with the refused element %q", rel, el)
			}
		}
	})
}
