package dirsync

import (
	"sort"
	"time"
)

// Status is how a path compares between the two sides.
type Status string

// The statuses.
const (
	OnlyLocal     Status = "only-local"
	OnlyRemote    Status = "only-remote"
	NewerLocal    Status = "newer-local"
	NewerRemote   Status = "newer-remote"
	DifferentSize Status = "different-size"
	Same          Status = "same"
)

// DefaultTolerance is how far two modification times may differ and still
// count as equal: FAT keeps times to 2 seconds.
const DefaultTolerance = 2 * time.Second

// Item is one path compared.
type Item struct {
	Path   string `json:"path"`
	Status Status `json:"status"`
	// Dir marks a folder.
	Dir    bool   `json:"dir,omitempty"`
	Local  *Entry `json:"local,omitempty"`
	Remote *Entry `json:"remote,omitempty"`
	// Conflict is set when both sides changed since the last
	// synchronisation (or, with no record, when neither can be said to
	// be newer).
	Conflict bool `json:"conflict,omitempty"`
	// Known says the path was in sync at the last synchronisation.
	Known bool `json:"known,omitempty"`
}

// Comparison is the result of Compare.
type Comparison struct {
	Items []Item `json:"items"`
	// Counts per status.
	Counts map[Status]int `json:"counts"`
}

// Compare classifies every path of local and remote. base is what both
// sides looked like at the last synchronisation (nil: none); tol is the
// time tolerance (at least the clock's precision).
func Compare(local, remote Tree, base *Record, tol time.Duration) Comparison {
	paths := map[string]bool{}
	for p := range local {
		paths[p] = true
	}
	for p := range remote {
		paths[p] = true
	}
	sorted := make([]string, 0, len(paths))
	for p := range paths {
		sorted = append(sorted, p)
	}
	sort.Strings(sorted)
	c := Comparison{Items: make([]Item, 0, len(sorted)), Counts: map[Status]int{}}
	for _, p := range sorted {
		l, lok := local[p]
		r, rok := remote[p]
		it := Item{Path: p}
		if lok {
			it.Local = &l
		}
		if rok {
			it.Remote = &r
		}
		var was *Pair
		if base != nil {
			if b, ok := base.Files[p]; ok {
				was = &b
				it.Known = true
			}
		}
		switch {
		case lok && !rok:
			it.Status, it.Dir = OnlyLocal, l.Dir
		case rok && !lok:
			it.Status, it.Dir = OnlyRemote, r.Dir
		case l.Dir && r.Dir:
			it.Status, it.Dir = Same, true
		case l.Dir != r.Dir:
			// A folder on one side, a file on the other: nothing can
			// replace the other safely.
			it.Status, it.Conflict = DifferentSize, true
		default:
			it.Status, it.Conflict = classify(l, r, was, tol)
		}
		c.Counts[it.Status]++
		c.Items = append(c.Items, it)
	}
	return c
}

// classify compares a file present on both sides.
func classify(l, r Entry, was *Pair, tol time.Duration) (Status, bool) {
	if was != nil {
		lch := !sameEntry(l, was.Local, tol)
		rch := !sameEntry(r, was.Remote, tol)
		switch {
		case !lch && !rch:
			return Same, false
		case lch && !rch:
			return NewerLocal, false
		case rch && !lch:
			return NewerRemote, false
		}
		// Both changed: the same new content on both sides is no conflict.
		if sameEntry(l, r, tol) {
			return Same, false
		}
		st, _ := byTimes(l, r, tol)
		return st, true
	}
	return byTimes(l, r, tol)
}

// byTimes compares by size and time alone.
func byTimes(l, r Entry, tol time.Duration) (Status, bool) {
	d := l.ModTime.Sub(r.ModTime)
	switch {
	case l.ModTime.IsZero() || r.ModTime.IsZero():
		if l.Size == r.Size {
			return Same, false
		}
		return DifferentSize, false
	case d > tol:
		return NewerLocal, false
	case d < -tol:
		return NewerRemote, false
	case l.Size != r.Size:
		return DifferentSize, false
	}
	return Same, false
}

func sameEntry(a, b Entry, tol time.Duration) bool {
	if a.Dir || b.Dir {
		return a.Dir == b.Dir
	}
	d := a.ModTime.Sub(b.ModTime)
	return a.Size == b.Size && d <= tol && d >= -tol
}
