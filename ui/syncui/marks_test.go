package syncui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"lockbox/client/dirsync"
	"lockbox/ui/browser"
)

func TestRemoteRel(t *testing.T) {
	tests := []struct {
		root, dir string
		want      string
		inside    bool
	}{
		{"/", "/", "", true},
		{"/", "/a/b", "a/b", true},
		{"/srv/www", "/srv/www", "", true},
		{"/srv/www", "/srv/www/css", "css", true},
		{"/srv/www", "/srv/wwwx", "", false},
		{"/srv/www", "/srv", "", false},
	}
	for _, tc := range tests {
		got, ok := RemoteRel(tc.root)(tc.dir)
		if got != tc.want || ok != tc.inside {
			t.Errorf("RemoteRel(%q)(%q) = %q, %v; want %q, %v", tc.root, tc.dir, got, ok, tc.want, tc.inside)
		}
	}
}

func TestMarks(t *testing.T) {
	test.NewTempApp(t)
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	c := dirsync.Compare(
		dirsync.Tree{"a": {Dir: true}, "a/new.txt": {Size: 1, ModTime: at}, "same.txt": {Size: 2, ModTime: at}},
		dirsync.Tree{"a": {Dir: true}, "same.txt": {Size: 2, ModTime: at}, "srv.txt": {Size: 3, ModTime: at}},
		nil, dirsync.DefaultTolerance)
	m := NewMarks(c)
	marker := m.Marker(RemoteRel("/root"))
	tests := []struct {
		dir, name string
		want      bool
	}{
		{"/root", "a", true}, // a difference inside
		{"/root/a", "new.txt", true},
		{"/root", "same.txt", false},
		{"/root", "srv.txt", true},
		{"/elsewhere", "srv.txt", false},
	}
	for _, tc := range tests {
		mk, ok := marker(tc.dir, browser.Entry{Name: tc.name})
		if ok != tc.want || ok && (mk.Icon == nil || mk.Color == nil) {
			t.Errorf("%s/%s: mark %+v %v, want marked %v with colour and icon", tc.dir, tc.name, mk, ok, tc.want)
		}
	}
}
