package browser

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func skipWindows(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("Unix paths, links and permissions")
	}
}

func TestLocalList(t *testing.T) {
	skipWindows(t)
	dir := t.TempDir()
	mtime := time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC)
	write := func(name string, size int, perm os.FileMode) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, make([]byte, size), perm); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, perm); err != nil { // past the umask
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	write("data.bin", 1500, 0o640)
	write("run.sh", 10, 0o755)
	if err := os.Mkdir(filepath.Join(dir, "folder"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "folder"), 0o750); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"to-folder": "folder", "to-data": "data.bin", "broken": "nowhere"} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}

	es, err := Local{}.List(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Entry{}
	for _, e := range es {
		got[e.Name] = e
	}
	for _, tc := range []struct {
		name         string
		dir, link    bool
		size         int64
		perm, target string
		checkTime    bool
		permPrefix   bool // links' permissions depend on the system
	}{
		{name: "data.bin", size: 1500, perm: "-rw-r-----", checkTime: true},
		{name: "run.sh", size: 10, perm: "-rwxr-xr-x", checkTime: true},
		{name: "folder", dir: true, perm: "drwxr-x---"},
		{name: "to-folder", dir: true, link: true, perm: "l", target: "folder", permPrefix: true},
		{name: "to-data", link: true, size: 1500, perm: "l", target: "data.bin", permPrefix: true, checkTime: true},
		{name: "broken", link: true, perm: "l", target: "nowhere", permPrefix: true},
	} {
		e, ok := got[tc.name]
		if !ok {
			t.Errorf("%s not listed", tc.name)
			continue
		}
		if e.Dir != tc.dir || e.Link != tc.link || e.Size != tc.size || e.Target != tc.target {
			t.Errorf("%s: dir %v link %v size %d target %q; want %v %v %d %q", tc.name, e.Dir, e.Link, e.Size, e.Target, tc.dir, tc.link, tc.size, tc.target)
		}
		if tc.permPrefix && !strings.HasPrefix(e.Perm, tc.perm) || !tc.permPrefix && e.Perm != tc.perm {
			t.Errorf("%s: perm %q, want %q", tc.name, e.Perm, tc.perm)
		}
		if tc.checkTime && !e.ModTime.Equal(mtime) {
			t.Errorf("%s: modified %v, want %v", tc.name, e.ModTime, mtime)
		}
	}
	if len(es) != 6 {
		t.Errorf("%d entries, want 6", len(es))
	}
}

func TestLocalListErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		dir  string
		is   error
	}{
		{"missing", context.Background(), filepath.Join(dir, "nope"), fs.ErrNotExist},
		{"cancelled", cancelled, dir, context.Canceled},
	} {
		if _, err := (Local{}).List(tc.ctx, tc.dir); !errors.Is(err, tc.is) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.is)
		}
	}
	if _, err := (Local{}).List(context.Background(), file); err == nil {
		t.Error("listing a file succeeded")
	}
}

func TestLocalRefusesBadNames(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"", ".", "..", "a/b", `a\b`, "../escape", "nul\x00byte", "tab\there", "bell\x07"} {
		t.Run(strings.ToValidUTF8(name, "?"), func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "in")
			if err := os.MkdirAll(filepath.Join(dir, "a"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("k"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := (Local{}).MakeDir(ctx, dir, name); err == nil {
				t.Errorf("MakeDir(%q) succeeded", name)
			}
			if err := (Local{}).Rename(ctx, dir, "keep.txt", name); err == nil {
				t.Errorf("Rename to %q succeeded", name)
			}
			if err := (Local{}).CheckName(name); err == nil {
				t.Errorf("CheckName(%q) accepted it", name)
			}
			if got := tree(t, parent); !slices.Equal(got, []string{"in", "in/a", "in/keep.txt"}) {
				t.Errorf("the disk changed: %q", got)
			}
		})
	}
}

// tree lists every path under root, slash-separated.
func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLocalOperations(t *testing.T) {
	skipWindows(t)
	ctx := context.Background()
	dir := t.TempDir()
	outside := t.TempDir()
	mustWrite := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	mustWrite(filepath.Join(dir, "a.txt"), "a")
	mustWrite(filepath.Join(dir, "b.txt"), "b")
	mustWrite(filepath.Join(outside, "precious"), "p")
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	l := Local{}

	if err := l.MakeDir(ctx, dir, "new"); err != nil {
		t.Fatal(err)
	}
	if err := l.MakeDir(ctx, dir, "new"); !errors.Is(err, fs.ErrExist) {
		t.Errorf("MakeDir of an existing folder: %v", err)
	}
	mustWrite(filepath.Join(dir, "new", "inside"), "i")

	if err := l.Rename(ctx, dir, "a.txt", "b.txt"); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Rename onto an existing file: %v, want it refused", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "b.txt")); string(b) != "b" {
		t.Errorf("b.txt was replaced: %q", b)
	}
	if err := l.Rename(ctx, dir, "a.txt", "c.txt"); err != nil {
		t.Fatal(err)
	}
	if err := l.Rename(ctx, dir, "../"+filepath.Base(outside), "stolen"); err == nil {
		t.Error("Rename of an entry outside the folder succeeded")
	}

	// A link to a folder is deleted, not what it leads to.
	if err := l.Delete(ctx, dir, Entry{Name: "link", Dir: true, Link: true}); err != nil {
		t.Fatal(err)
	}
	if !exists(filepath.Join(outside, "precious")) {
		t.Fatal("deleting a link deleted its target's content")
	}
	if err := l.Delete(ctx, dir, Entry{Name: "new", Dir: true}); err != nil {
		t.Fatal(err)
	}
	if err := l.Delete(ctx, dir, Entry{Name: "c.txt"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Delete(ctx, dir, Entry{Name: ".."}); err == nil {
		t.Error("Delete of .. succeeded")
	}
	if err := l.Delete(ctx, dir, Entry{Name: "gone"}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Delete of a missing entry: %v", err)
	}
	if got := tree(t, dir); !slices.Equal(got, []string{"b.txt"}) {
		t.Errorf("left: %q", got)
	}
}

// pathCase is a folder, the folder holding it and its breadcrumbs.
type pathCase struct {
	dir, parent string
	crumbs      []Crumb
}

// resolveCase is what a user typed into the path bar while dir was shown,
// and the folder it names.
type resolveCase struct{ dir, typed, want string }

// checkPaths checks a source's path rules, which Local and POSIX each
// implement for their own kind of path.
func checkPaths(t *testing.T, src interface {
	Parent(string) string
	Crumbs(string) []Crumb
	Resolve(dir, typed string) string
}, paths []pathCase, resolves []resolveCase) {
	t.Helper()
	for _, tc := range paths {
		if got := src.Parent(tc.dir); got != tc.parent {
			t.Errorf("Parent(%q) = %q, want %q", tc.dir, got, tc.parent)
		}
		if got := src.Crumbs(tc.dir); !slices.Equal(got, tc.crumbs) {
			t.Errorf("Crumbs(%q) = %v, want %v", tc.dir, got, tc.crumbs)
		}
	}
	for _, tc := range resolves {
		if got := src.Resolve(tc.dir, tc.typed); got != tc.want {
			t.Errorf("Resolve(%q, %q) = %q, want %q", tc.dir, tc.typed, got, tc.want)
		}
	}
}

func TestLocalPaths(t *testing.T) {
	skipWindows(t)
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home folder:", err)
	}
	l := Local{}
	checkPaths(t, l, []pathCase{
		{"/", "/", []Crumb{{"/", "/"}}},
		{"/home", "/", []Crumb{{"/", "/"}, {"home", "/home"}}},
		{"/home/alice/", "/home", []Crumb{{"/", "/"}, {"home", "/home"}, {"alice", "/home/alice"}}},
	}, []resolveCase{
		{"/home/alice", "docs", "/home/alice/docs"},
		{"/home/alice", "../bob/", "/home/bob"},
		{"/home/alice", "/etc/", "/etc"},
		{"/home/alice", "  /tmp\n", "/tmp"},
		{"/home/alice", "", "/home/alice"},
		{"/srv", "~", home},
		{"/srv", "~/x", filepath.Join(home, "x")},
	})
	if got := l.Join("/home", "alice"); got != "/home/alice" {
		t.Errorf("Join = %q", got)
	}
}

func TestPOSIXPaths(t *testing.T) {
	var p POSIX
	checkPaths(t, p, []pathCase{
		{"/", "/", []Crumb{{"/", "/"}}},
		{"/pub", "/", []Crumb{{"/", "/"}, {"pub", "/pub"}}},
		{"/pub/linux/", "/pub", []Crumb{{"/", "/"}, {"pub", "/pub"}, {"linux", "/pub/linux"}}},
		{"a back\\slash/x", "a back\\slash", []Crumb{{"a back\\slash", "a back\\slash"}, {"x", "a back\\slash/x"}}},
		{".", ".", []Crumb{{".", "."}}},
	}, []resolveCase{
		{"/pub", "linux", "/pub/linux"},
		{"/pub", "..", "/"},
		{"/pub", "/incoming/", "/incoming"},
		{"/pub", " ", "/pub"},
		{"/", "../..", "/"},
	})
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"report.pdf", true},
		{"..hidden", true},
		{"notes..txt", true},
		{"with space", true},
		{"ünïcödé", true},
		{"", false},
		{".", false},
		{"..", false},
		{"a/b", false},
		{`a\b`, false},
		{"a\x00b", false},
		{"line\nbreak", false},
		{"del\x7f", false},
	} {
		if err := p.CheckName(tc.name); (err == nil) != tc.ok {
			t.Errorf("CheckName(%q) = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

func TestPermString(t *testing.T) {
	for _, tc := range []struct {
		mode fs.FileMode
		want string
	}{
		{0o644, "-rw-r--r--"},
		{fs.ModeDir | 0o755, "drwxr-xr-x"},
		{fs.ModeSymlink | 0o777, "lrwxrwxrwx"},
		{fs.ModeSetuid | 0o755, "-rwsr-xr-x"},
		{fs.ModeSetgid | 0o640, "-rw-r-S---"},
		{fs.ModeDir | fs.ModeSticky | 0o777, "drwxrwxrwt"},
		{fs.ModeDir | fs.ModeSticky | 0o770, "drwxrwx--T"},
		{fs.ModeNamedPipe | 0o600, "prw-------"},
		{fs.ModeSocket | 0o600, "srw-------"},
		{fs.ModeDevice | fs.ModeCharDevice | 0o666, "crw-rw-rw-"},
		{fs.ModeDevice | 0o660, "brw-rw----"},
	} {
		if got := permString(tc.mode); got != tc.want {
			t.Errorf("permString(%v) = %q, want %q", tc.mode, got, tc.want)
		}
	}
}
