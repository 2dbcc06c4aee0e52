package dirsync

import (
	"fmt"
	"sort"
	"strings"
)

// Direction is which way a synchronisation copies.
type Direction string

// The directions.
const (
	// Up makes the server's folder like the local one.
	Up Direction = "up"
	// Down makes the local folder like the server's.
	Down Direction = "down"
	// Both copies each way; the newer side wins, and a file changed on both
	// sides since the last synchronisation is a conflict.
	Both Direction = "both"
)

// ParseDirection parses "up", "down" or "both".
func ParseDirection(s string) (Direction, error) {
	switch d := Direction(s); d {
	case Up, Down, Both:
		return d, nil
	}
	return "", fmt.Errorf("direction %q: use up, down or both", s)
}

// Op is what an action does.
type Op string

// The operations.
const (
	OpUpload       Op = "upload"
	OpDownload     Op = "download"
	OpMkdirRemote  Op = "mkdir-remote"
	OpMkdirLocal   Op = "mkdir-local"
	OpDeleteRemote Op = "delete-remote"
	OpDeleteLocal  Op = "delete-local"
	// OpConflict does nothing: it reports a file left alone.
	OpConflict Op = "conflict"
)

// Action is one step of a plan.
type Action struct {
	Op     Op     `json:"op"`
	Path   string `json:"path"`
	Dir    bool   `json:"dir,omitempty"`
	Size   int64  `json:"size"`
	Reason string `json:"reason"`
}

// PlanOptions say what a plan may do.
type PlanOptions struct {
	Direction Direction
	// Delete mirrors deletions (off by default).
	Delete bool
	// OnlyMissing copies only files the other side lacks.
	OnlyMissing bool
}

// Plan turns a comparison into actions, in order: folders to create
// (parents first), copies, then deletions (files, then folders, deepest
// first), with conflicts listed among the copies.
func Plan(c Comparison, o PlanOptions) []Action {
	var mk, copies, dels []Action
	up := o.Direction == Up || o.Direction == Both
	down := o.Direction == Down || o.Direction == Both
	add := func(list *[]Action, op Op, it Item, reason string) {
		a := Action{Op: op, Path: it.Path, Dir: it.Dir, Reason: reason}
		switch {
		case op == OpUpload || op == OpDeleteLocal:
			if it.Local != nil {
				a.Size = it.Local.Size
			}
		case it.Remote != nil:
			a.Size = it.Remote.Size
		}
		*list = append(*list, a)
	}
	for _, it := range c.Items {
		if it.Conflict {
			add(&copies, OpConflict, it, conflictReason(it))
			continue
		}
		switch it.Status {
		case OnlyLocal:
			switch {
			case o.Direction == Both && it.Known && o.Delete:
				add(&dels, OpDeleteLocal, it, "deleted on the server since the last synchronisation")
			case up && it.Dir:
				add(&mk, OpMkdirRemote, it, "folder only here")
			case up:
				add(&copies, OpUpload, it, "only here")
			case o.Delete && it.Dir:
				add(&dels, OpDeleteLocal, it, "folder not on the server")
			case o.Delete:
				add(&dels, OpDeleteLocal, it, "not on the server")
			}
		case OnlyRemote:
			switch {
			case o.Direction == Both && it.Known && o.Delete:
				add(&dels, OpDeleteRemote, it, "deleted here since the last synchronisation")
			case down && it.Dir:
				add(&mk, OpMkdirLocal, it, "folder only on the server")
			case down:
				add(&copies, OpDownload, it, "only on the server")
			case o.Delete && it.Dir:
				add(&dels, OpDeleteRemote, it, "folder not here")
			case o.Delete:
				add(&dels, OpDeleteRemote, it, "not here")
			}
		case NewerLocal, NewerRemote, DifferentSize:
			if o.OnlyMissing {
				continue
			}
			newer := "newer here"
			if it.Known {
				newer = "changed here since the last synchronisation"
			}
			older := "newer on the server"
			if it.Known {
				older = "changed on the server since the last synchronisation"
			}
			switch {
			case it.Status == NewerLocal && up:
				add(&copies, OpUpload, it, newer)
			case it.Status == NewerRemote && down:
				add(&copies, OpDownload, it, older)
			case it.Status == DifferentSize && o.Direction == Up:
				add(&copies, OpUpload, it, "a different size here, same time")
			case it.Status == DifferentSize && o.Direction == Down:
				add(&copies, OpDownload, it, "a different size on the server, same time")
			case it.Status == DifferentSize:
				add(&copies, OpConflict, it, conflictReason(it))
			case it.Status == NewerLocal:
				add(&copies, OpConflict, it, "newer here, but this synchronisation only downloads: not overwritten")
			case it.Status == NewerRemote:
				add(&copies, OpConflict, it, "newer on the server, but this synchronisation only uploads: not overwritten")
			}
		}
	}
	sort.SliceStable(mk, func(i, j int) bool { return mk[i].Path < mk[j].Path })
	sort.SliceStable(dels, func(i, j int) bool {
		a, b := dels[i], dels[j]
		if a.Dir != b.Dir {
			return !a.Dir // files first
		}
		if a.Dir {
			return strings.Count(a.Path, "/") > strings.Count(b.Path, "/")
		}
		return a.Path < b.Path
	})
	return append(append(mk, copies...), dels...)
}

func conflictReason(it Item) string {
	switch {
	case it.Local != nil && it.Remote != nil && it.Local.Dir != it.Remote.Dir:
		return "a folder on one side and a file on the other"
	case it.Known:
		return "changed on both sides since the last synchronisation"
	}
	return "same modification time but different sizes; cannot tell which is newer"
}

// Counts totals a plan's actions by operation.
func Counts(plan []Action) map[Op]int {
	m := map[Op]int{}
	for _, a := range plan {
		m[a.Op]++
	}
	return m
}
