package browser

import (
	"context"
	"time"
)

// Entry is one row of a pane: a file, folder or link in the folder shown.
type Entry struct {
	// Name is the entry's name within its folder: one path element.
	Name string
	// Dir says the entry is a folder, or a link the source knows leads to
	// one; such an entry is entered, not transferred, on a double-click.
	Dir bool
	// Link says the entry is a symbolic link.
	Link bool
	// Size is the size in bytes of a file (or of the file a link leads to);
	// it is not shown for folders.
	Size int64
	// ModTime is the last modification time; the zero time when unknown.
	ModTime time.Time
	// Perm is the permission string as `ls -l` shows it ("drwxr-xr-x"), or
	// whatever the server reported; "" when unknown.
	Perm string
	// Target is where a link points, as the source reported it.
	Target string
}

// Crumb is one component of a folder's path in the breadcrumbs bar.
type Crumb struct {
	// Label is what the button shows: a folder name, or the root ("/", "C:\").
	Label string
	// Path is the folder the button goes to.
	Path string
}

// Source is what a pane browses: the local disk (Local) or a remote server
// (implemented by the main window around a client session; it can embed
// POSIX for the path methods).
//
// The pane calls List, MakeDir, Rename and Delete on goroutines of their
// own, never on the UI goroutine, and may call them concurrently (a listing
// while a delete is under way): an implementation must be safe for that,
// e.g. by serialising commands on one FTP control connection. The path
// methods (Join, Parent, Crumbs, Resolve, CheckName) are called on the UI
// goroutine and must not block.
//
// Errors are shown to the user after what the pane tried ("Could not delete
// "a.txt": ..."), so they need not repeat it; a *fs.PathError is shown as
// its reason alone.
type Source interface {
	// List returns the entries of folder dir, in any order. "." and ".."
	// are ignored if present.
	List(ctx context.Context, dir string) ([]Entry, error)
	// MakeDir creates the folder name inside dir. It must refuse a name
	// that CheckName refuses.
	MakeDir(ctx context.Context, dir, name string) error
	// Rename renames dir/oldName to dir/newName. It must refuse a newName
	// that CheckName refuses and should not replace an existing entry.
	Rename(ctx context.Context, dir, oldName, newName string) error
	// Delete deletes the entry e of folder dir. A folder (e.Dir without
	// e.Link) is deleted with everything in it; a link is deleted, never
	// what it points to. The pane has asked the user first.
	Delete(ctx context.Context, dir string, e Entry) error

	// Join returns the path of name inside dir.
	Join(dir, name string) string
	// Parent returns the folder holding dir, or dir itself at the root.
	Parent(dir string) string
	// Crumbs splits dir into the folders leading to it, the root first and
	// dir itself last.
	Crumbs(dir string) []Crumb
	// Resolve turns what the user typed into the path bar, while dir was
	// shown, into a folder to list: absolute paths stand, relative ones are
	// taken from dir.
	Resolve(dir, typed string) string
	// CheckName says why name cannot be the name of a new or renamed entry:
	// empty, "." or "..", or holding a path separator, NUL or a control
	// character. It returns nil for an acceptable name.
	CheckName(name string) error
}
