package browser

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Local is the Source for the computer Lockbox runs on. Its paths are
// absolute paths of the operating system. It is safe for concurrent use.
type Local struct{}

// readBatch is how many names List reads between two looks at its context,
// so that leaving a folder of 100,000 files stops its listing quickly.
const readBatch = 1024

// List reads folder dir. A link is described by what it leads to (a folder
// or a file and its size), so that it is entered or transferred as that; a
// broken link is listed as a file of size 0. An entry that vanishes while
// the folder is read is left out.
func (Local) List(ctx context.Context, dir string) ([]Entry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Entry
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("list %s: %w", dir, err)
		}
		batch, err := f.ReadDir(readBatch)
		for _, de := range batch {
			if e, ok := localEntry(dir, de); ok {
				out = append(out, e)
			}
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// localEntry describes one directory entry; ok is false if it vanished.
func localEntry(dir string, de fs.DirEntry) (e Entry, ok bool) {
	info, err := de.Info()
	if err != nil {
		return Entry{}, false
	}
	mode := info.Mode()
	e = Entry{Name: de.Name(), Dir: mode.IsDir(), ModTime: info.ModTime(), Perm: localPerm(info)}
	if mode.IsRegular() {
		e.Size = info.Size()
	}
	if mode&fs.ModeSymlink == 0 {
		return e, true
	}
	e.Link = true
	p := filepath.Join(dir, de.Name())
	e.Target, _ = os.Readlink(p) // unreadable: shown without a target
	if to, err := os.Stat(p); err == nil {
		e.Dir, e.ModTime = to.IsDir(), to.ModTime()
		if to.Mode().IsRegular() {
			e.Size = to.Size()
		}
	}
	return e, true
}

// permString formats mode as `ls -l` does ("drwxr-xr-x", "lrwxrwxrwx",
// "-rwsr-xr-x"); Go's own FileMode.String differs for links and special
// bits.
func permString(mode fs.FileMode) string {
	var b [10]byte
	switch {
	case mode.IsDir():
		b[0] = 'd'
	case mode&fs.ModeSymlink != 0:
		b[0] = 'l'
	case mode&fs.ModeNamedPipe != 0:
		b[0] = 'p'
	case mode&fs.ModeSocket != 0:
		b[0] = 's'
	case mode&fs.ModeCharDevice != 0:
		b[0] = 'c'
	case mode&fs.ModeDevice != 0:
		b[0] = 'b'
	default:
		b[0] = '-'
	}
	const rwx = "rwxrwxrwx"
	for i := range 9 {
		if mode&(1<<uint(8-i)) != 0 {
			b[1+i] = rwx[i]
		} else {
			b[1+i] = '-'
		}
	}
	special := func(i int, set bool, lower, upper byte) {
		if !set {
			return
		}
		if b[i] == 'x' {
			b[i] = lower
		} else {
			b[i] = upper
		}
	}
	special(3, mode&fs.ModeSetuid != 0, 's', 'S')
	special(6, mode&fs.ModeSetgid != 0, 's', 'S')
	special(9, mode&fs.ModeSticky != 0, 't', 'T')
	return string(b[:])
}

// MakeDir creates the folder name inside dir, with the permissions the
// user's umask leaves (as mkdir does). It refuses a name CheckName refuses,
// so that nothing is created outside dir.
func (l Local) MakeDir(ctx context.Context, dir, name string) error {
	if err := l.CheckName(name); err != nil {
		return fmt.Errorf("create folder %q in %s: %w", name, dir, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("create folder %q in %s: %w", name, dir, err)
	}
	return os.Mkdir(filepath.Join(dir, name), 0o777)
}

// Rename renames dir/oldName to dir/newName. It refuses a newName that
// CheckName refuses and an existing newName, which os.Rename would silently
// replace; a change of case only on a case-insensitive disk is allowed.
func (l Local) Rename(ctx context.Context, dir, oldName, newName string) error {
	if err := checkExisting(oldName); err != nil {
		return fmt.Errorf("rename %q in %s: %w", oldName, dir, err)
	}
	if err := l.CheckName(newName); err != nil {
		return fmt.Errorf("rename %q to %q in %s: %w", oldName, newName, dir, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("rename %q in %s: %w", oldName, dir, err)
	}
	from, to := filepath.Join(dir, oldName), filepath.Join(dir, newName)
	there, err := os.Lstat(to)
	switch {
	case err == nil:
		if here, err := os.Lstat(from); err != nil || !os.SameFile(here, there) {
			return &fs.PathError{Op: "rename", Path: to, Err: fs.ErrExist}
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	return os.Rename(from, to)
}

// Delete deletes dir/e.Name. What is deleted is decided by what is on disk
// now, not by the listing: a folder goes with everything in it, a link is
// removed without following it.
func (Local) Delete(ctx context.Context, dir string, e Entry) error {
	if err := checkExisting(e.Name); err != nil {
		return fmt.Errorf("delete %q in %s: %w", e.Name, dir, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete %q in %s: %w", e.Name, dir, err)
	}
	p := filepath.Join(dir, e.Name)
	info, err := os.Lstat(p)
	if err != nil {
		return err
	}
	if info.IsDir() {
		return os.RemoveAll(p)
	}
	return os.Remove(p)
}

// Join returns the path of name inside dir.
func (Local) Join(dir, name string) string { return filepath.Join(dir, name) }

// Parent returns the folder holding dir; a root is its own parent.
func (Local) Parent(dir string) string { return filepath.Dir(filepath.Clean(dir)) }

// Crumbs splits dir into its root ("/", "C:\", a UNC share) and each folder
// under it.
func (Local) Crumbs(dir string) []Crumb {
	dir = filepath.Clean(dir)
	sep := string(filepath.Separator)
	vol := filepath.VolumeName(dir)
	rest := dir[len(vol):]
	var out []Crumb
	acc := vol
	switch {
	case strings.HasPrefix(rest, sep):
		acc = vol + sep
		out = append(out, Crumb{Label: acc, Path: acc})
		rest = rest[len(sep):]
	case vol != "":
		out = append(out, Crumb{Label: vol, Path: vol})
	}
	if rest == "" {
		return out
	}
	for _, el := range strings.Split(rest, sep) {
		acc = filepath.Join(acc, el)
		out = append(out, Crumb{Label: el, Path: acc})
	}
	return out
}

// Resolve returns typed as a folder: "~" and "~/..." are taken from the
// user's home folder, an absolute path stands, and anything else is taken
// from dir. Surrounding white space is dropped.
func (Local) Resolve(dir, typed string) string {
	typed = strings.TrimSpace(typed)
	switch {
	case typed == "":
		return dir
	case typed == "~" || strings.HasPrefix(typed, "~/") || strings.HasPrefix(typed, "~"+string(filepath.Separator)):
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, typed[1:])
		}
	case filepath.IsAbs(typed):
		return filepath.Clean(typed)
	}
	return filepath.Join(dir, typed)
}

// CheckName refuses the empty name, "." and "..", names holding "/", "\",
// NUL or a control character and, on Windows, the characters Windows does
// not allow in a name.
func (Local) CheckName(name string) error {
	if runtime.GOOS == "windows" {
		return checkName(name, `/\:*?"<>|`)
	}
	return checkName(name, `/\`)
}

// checkExisting checks the name of an entry already on disk: it must be one
// path element, but may hold what CheckName refuses in new names (a
// backslash or a control character on Linux), so that such a file can
// still be renamed or deleted.
func checkExisting(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("%q is not the name of an entry in the folder", name)
	case strings.ContainsRune(name, 0) || strings.ContainsAny(name, "/"+string(filepath.Separator)):
		return fmt.Errorf("%q is not a single path element", name)
	}
	return nil
}
