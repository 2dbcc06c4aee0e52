package dirsync

import (
	"reflect"
	"testing"
	"time"
)

func TestPlanOnTrees(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	later := t0.Add(time.Hour)
	f := func(size int64, tm time.Time) Entry { return Entry{Size: size, ModTime: tm} }
	dir := Entry{Dir: true}
	local := Tree{"a.txt": f(1, t0), "new.txt": f(2, t0), "up.txt": f(3, later), "down.txt": f(4, t0),
		"size.txt": f(5, t0), "d": dir, "d/x": f(6, t0), "gone-remote.txt": f(7, t0)}
	remote := Tree{"a.txt": f(1, t0.Add(time.Second)), "up.txt": f(3, t0), "down.txt": f(4, later),
		"size.txt": f(9, t0), "r": dir, "r/y": f(8, t0), "gone-local.txt": f(7, t0)}
	base := &Record{Files: map[string]Pair{"gone-remote.txt": {f(7, t0), f(7, t0)}, "gone-local.txt": {f(7, t0), f(7, t0)}}}
	type act struct {
		op   Op
		path string
	}
	tests := []struct {
		name string
		base *Record
		opts PlanOptions
		want []act
	}{
		{"up", nil, PlanOptions{Direction: Up}, []act{{OpMkdirRemote, "d"}, {OpUpload, "d/x"}, {OpConflict, "down.txt"},
			{OpUpload, "gone-remote.txt"}, {OpUpload, "new.txt"}, {OpUpload, "size.txt"}, {OpUpload, "up.txt"}}},
		{"up with delete", nil, PlanOptions{Direction: Up, Delete: true}, []act{{OpMkdirRemote, "d"}, {OpUpload, "d/x"}, {OpConflict, "down.txt"},
			{OpUpload, "gone-remote.txt"}, {OpUpload, "new.txt"}, {OpUpload, "size.txt"}, {OpUpload, "up.txt"},
			{OpDeleteRemote, "gone-local.txt"}, {OpDeleteRemote, "r/y"}, {OpDeleteRemote, "r"}}},
		{"down", nil, PlanOptions{Direction: Down}, []act{{OpMkdirLocal, "r"}, {OpDownload, "down.txt"}, {OpDownload, "gone-local.txt"},
			{OpDownload, "r/y"}, {OpDownload, "size.txt"}, {OpConflict, "up.txt"}}},
		{"down only missing", nil, PlanOptions{Direction: Down, OnlyMissing: true}, []act{{OpMkdirLocal, "r"},
			{OpDownload, "gone-local.txt"}, {OpDownload, "r/y"}}},
		{"both without record", nil, PlanOptions{Direction: Both, Delete: true}, []act{{OpMkdirRemote, "d"}, {OpMkdirLocal, "r"},
			{OpUpload, "d/x"}, {OpDownload, "down.txt"}, {OpDownload, "gone-local.txt"}, {OpUpload, "gone-remote.txt"}, {OpUpload, "new.txt"},
			{OpDownload, "r/y"}, {OpConflict, "size.txt"}, {OpUpload, "up.txt"}}},
		{"both with record deletes what went", base, PlanOptions{Direction: Both, Delete: true}, []act{{OpMkdirRemote, "d"}, {OpMkdirLocal, "r"},
			{OpUpload, "d/x"}, {OpDownload, "down.txt"}, {OpUpload, "new.txt"},
			{OpDownload, "r/y"}, {OpConflict, "size.txt"}, {OpUpload, "up.txt"}, {OpDeleteRemote, "gone-local.txt"}, {OpDeleteLocal, "gone-remote.txt"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []act
			for _, a := range Plan(Compare(local, remote, tc.base, DefaultTolerance), tc.opts) {
				got = append(got, act{a.Op, a.Path})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("plan:\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestCompareWithRecord(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	f := func(size int64, tm time.Time) Entry { return Entry{Size: size, ModTime: tm} }
	// The server could not keep the upload's time: its copy is later, and
	// the record says that is how it was left.
	was := Pair{Local: f(5, t0), Remote: f(5, t0.Add(time.Hour))}
	tests := []struct {
		name         string
		local, rem   Entry
		want         Status
		wantConflict bool
	}{
		{"unchanged since the record", f(5, t0), f(5, t0.Add(time.Hour)), Same, false},
		{"changed here", f(6, t0.Add(time.Minute)), f(5, t0.Add(time.Hour)), NewerLocal, false},
		{"changed on the server", f(5, t0), f(7, t0.Add(2*time.Hour)), NewerRemote, false},
		{"changed on both", f(6, t0.Add(3*time.Hour)), f(7, t0.Add(2*time.Hour)), NewerLocal, true},
		{"changed on both to the same", f(8, t0.Add(3*time.Hour)), f(8, t0.Add(3*time.Hour)), Same, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Compare(Tree{"f": tc.local}, Tree{"f": tc.rem}, &Record{Files: map[string]Pair{"f": was}}, DefaultTolerance)
			it := c.Items[0]
			if it.Status != tc.want || it.Conflict != tc.wantConflict {
				t.Errorf("got %s conflict=%v, want %s conflict=%v", it.Status, it.Conflict, tc.want, tc.wantConflict)
			}
		})
	}
}

func TestFilter(t *testing.T) {
	tests := []struct {
		f    Filter
		rel  string
		dir  bool
		want bool
	}{
		{Filter{}, "a/b.txt", false, true},
		{Filter{Exclude: []string{"*.log"}}, "a/b.log", false, false},
		{Filter{Exclude: []string{"build"}}, "build", true, false},
		{Filter{Include: []string{"*.txt"}}, "a/b.log", false, false},
		{Filter{Include: []string{"*.txt"}}, "a", true, true},
		{Filter{Include: []string{"a/*.txt"}}, "a/b.txt", false, true},
	}
	for _, tc := range tests {
		if got := tc.f.Keeps(tc.rel, tc.dir); got != tc.want {
			t.Errorf("%+v.Keeps(%q) = %v, want %v", tc.f, tc.rel, got, tc.want)
		}
	}
	if err := (Filter{Include: []string{"["}}).Check(); err == nil {
		t.Error("a malformed pattern was accepted")
	}
}
