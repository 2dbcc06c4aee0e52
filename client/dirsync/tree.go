package dirsync

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"lockbox/client/transfer"
)

// Entry is one file or folder of a scanned tree.
type Entry struct {
	// Size is the file's size in bytes (0 for a folder).
	Size int64 `json:"size"`
	// ModTime is the modification time in UTC, zero when unknown.
	ModTime time.Time `json:"mtime"`
	// Dir marks a folder.
	Dir bool `json:"dir,omitempty"`
	// Listed is, for a server file whose exact time came from MDTM (or
	// was reused from the last record), the time its LIST line gave, as
	// parsed; zero otherwise. See reusable.
	Listed time.Time `json:"listed,omitzero"`
}

// Tree maps slash-separated paths relative to a scanned root to entries.
type Tree map[string]Entry

// Paths returns the tree's paths, sorted.
func (t Tree) Paths() []string {
	out := make([]string, 0, len(t))
	for p := range t {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Filter selects the paths a comparison looks at. Patterns are path.Match
// globs, matched against a path's base name and against the whole relative
// path ("*.log", "build/*").
type Filter struct {
	// Include, when not empty, keeps only files matching one of them
	// (folders are still walked).
	Include []string `json:"include,omitempty"`
	// Exclude drops files and whole folders matching one of them.
	Exclude []string `json:"exclude,omitempty"`
}

// Check reports the first malformed pattern.
func (f Filter) Check() error {
	for _, p := range append(append([]string{}, f.Include...), f.Exclude...) {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("pattern %q: %w", p, err)
		}
	}
	return nil
}

func matchAny(patterns []string, rel string) bool {
	base := path.Base(rel)
	for _, p := range patterns {
		if ok, _ := path.Match(p, base); ok {
			return true
		}
		if ok, _ := path.Match(p, rel); ok {
			return true
		}
	}
	return false
}

// Keeps reports whether the filter keeps rel (a folder when dir).
func (f Filter) Keeps(rel string, dir bool) bool {
	if matchAny(f.Exclude, rel) {
		return false
	}
	return dir || len(f.Include) == 0 || matchAny(f.Include, rel)
}

// ignored are names a synchronisation never compares: unfinished downloads
// and the clock probe.
func ignored(name string) bool {
	return strings.HasSuffix(name, transfer.PartSuffix) || strings.HasPrefix(name, probePrefix)
}

// ScanLocal walks root (transfer.WalkLocal). Names that are not plain
// names (client.CheckName) are returned in refused and left alone;
// symbolic links to regular files count as files, other links and special
// files are skipped.
func ScanLocal(root string, f Filter) (t Tree, refused []string, err error) {
	t = Tree{}
	err = transfer.WalkLocal(root, func(_, rel string, _ fs.DirEntry, _ error) {
		refused = append(refused, rel)
	}, func(p, rel string, d fs.DirEntry) error {
		if ignored(d.Name()) {
			return nil
		}
		if !f.Keeps(rel, d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			t[rel] = Entry{Dir: true}
			return nil
		}
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			return nil // a dangling link, a socket, a device
		}
		t[rel] = Entry{Size: st.Size(), ModTime: st.ModTime().UTC()}
		return nil
	})
	if err != nil {
		return nil, refused, fmt.Errorf("scan %s: %w", root, err)
	}
	return t, refused, nil
}
