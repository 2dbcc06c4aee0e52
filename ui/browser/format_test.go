package browser

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"testing"
	"time"
)

func TestFormatTime(t *testing.T) {
	at := time.Date(2026, 6, 15, 23, 30, 59, 0, time.UTC)
	east := time.FixedZone("UTC+2", 2*3600)
	for _, tc := range []struct {
		t    time.Time
		loc  *time.Location
		want string
	}{
		{at, time.UTC, "2026-06-15 23:30"},
		{at, east, "2026-06-16 01:30"},
		{time.Time{}, time.UTC, ""},
	} {
		if got := formatTime(tc.t, tc.loc); got != tc.want {
			t.Errorf("formatTime(%v, %v) = %q, want %q", tc.t, tc.loc, got, tc.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		es   []Entry
		want string
	}{
		{nil, "Empty folder"},
		{[]Entry{{Name: "a", Dir: true}}, "1 folder, 0 files, 0 B"},
		{[]Entry{{Name: "a", Size: 1024}, {Name: "b", Size: 512}}, "0 folders, 2 files, 1.5 kB"},
		{[]Entry{{Name: "d", Dir: true}, {Name: "e", Dir: true}, {Name: "f", Size: 3}}, "2 folders, 1 file, 3 B"},
	} {
		if got := summarize(tc.es); got != tc.want {
			t.Errorf("summarize(%v) = %q, want %q", tc.es, got, tc.want)
		}
	}
}

func TestDeleteQuestion(t *testing.T) {
	for _, tc := range []struct {
		es   []Entry
		want string
	}{
		{[]Entry{{Name: "a.txt"}}, `Delete the file "a.txt"?`},
		{[]Entry{{Name: "docs", Dir: true}}, `Delete the folder "docs" and everything in it?`},
		{[]Entry{{Name: "cur", Dir: true, Link: true}}, `Delete the link "cur"? What it points to is kept.`},
		{[]Entry{{Name: "a"}, {Name: "b"}}, `Delete these 2 items: "a", "b"?`},
		{[]Entry{{Name: "a", Dir: true}, {Name: "b", Dir: true}, {Name: "c"}, {Name: "d"}, {Name: "e"}},
			`Delete these 5 items (2 folders with everything in them): "a", "b", "c" and 2 more?`},
	} {
		if got, want := deleteQuestion(tc.es), tc.want+"\n\nThis cannot be undone."; got != want {
			t.Errorf("deleteQuestion = %q, want %q", got, want)
		}
	}
}

func TestReason(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&fs.PathError{Op: "open", Path: "/x", Err: fs.ErrPermission}, "permission denied"},
		{&os.LinkError{Op: "rename", Old: "/a", New: "/b", Err: fs.ErrExist}, "file already exists"},
		{fmt.Errorf("list /x: %w", &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrPermission}), "list /x: open /x: permission denied"},
		{errors.New("550 No such file"), "550 No such file"},
	} {
		if got := reason(tc.err); got != tc.want {
			t.Errorf("reason(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
