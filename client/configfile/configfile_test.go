package configfile

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// names lists the entries of dir, sorted.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRead(t *testing.T) {
	tests := []struct {
		name     string
		content  *string // nil: no file
		folder   bool    // a folder where the file should be
		max      int64
		want     string // the content returned; "" means nil
		wantErr  string // "" means no error
		tooLarge bool
	}{
		{name: "missing is empty", max: 10},
		{name: "zero bytes is empty", content: new(""), max: 10},
		{name: "white space is empty", content: new(" \n\t\r\n "), max: 10},
		{name: "content", content: new(`{"a":1}`), max: 10, want: `{"a":1}`},
		{name: "exactly the limit", content: new("0123456789"), max: 10, want: "0123456789"},
		{name: "one byte over", content: new("0123456789A"), max: 10, wantErr: "is larger than 10 bytes, so Lockbox did not write it", tooLarge: true},
		{name: "white space over the limit", content: new(strings.Repeat(" ", 11)), max: 10, wantErr: "larger than 10 bytes", tooLarge: true},
		{name: "limit in MiB", content: new(strings.Repeat(" ", 1<<20+1)), max: 1 << 20, wantErr: "larger than 1 MiB", tooLarge: true},
		{name: "folder in place", folder: true, max: 10, wantErr: "cannot be read: read "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.json")
			if tt.content != nil {
				writeFile(t, path, *tt.content)
			}
			if tt.folder {
				if err := os.Mkdir(path, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Read(path, tt.max)
			if tt.wantErr == "" {
				if err != nil || string(got) != tt.want || (tt.want == "" && got != nil) {
					t.Fatalf("Read = %q, %v; want %q, nil", got, err, tt.want)
				}
				return
			}
			// The caller puts the file's role in front: "site list PATH …".
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), path+" ") {
				t.Fatalf("Read = %q, %v; want an error beginning with %s and saying %q", got, err, path, tt.wantErr)
			}
			var tl *TooLargeError
			if errors.As(err, &tl) != tt.tooLarge {
				t.Errorf("error %v: *TooLargeError = %v, want %v", err, !tt.tooLarge, tt.tooLarge)
			}
			if tt.content != nil {
				if data, err := os.ReadFile(path); err != nil || string(data) != *tt.content {
					t.Errorf("the refused file was changed (%v)", err)
				}
			}
		})
	}
}

func TestWriteAtomic(t *testing.T) {
	tests := []struct {
		name      string
		sub       []string // folders between the temporary folder and the file
		old       *string  // the file's content before, nil: no file
		newFolder bool     // the folder did not exist
	}{
		{name: "new file in an existing folder"},
		{name: "replaces a file", old: new("old content, mode 0644\n")},
		{name: "creates the folders", sub: []string{"a", "b"}, newFolder: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(append([]string{t.TempDir()}, tt.sub...)...)
			path := filepath.Join(dir, "c.json")
			if tt.old != nil {
				writeFile(t, path, *tt.old)
			}
			const data = "new content\n"
			if err := WriteAtomic(path, []byte(data)); err != nil {
				t.Fatal(err)
			}
			if got, err := os.ReadFile(path); err != nil || string(got) != data {
				t.Fatalf("file holds %q (%v), want %q", got, err, data)
			}
			if st, err := os.Stat(path); err != nil || (ModesApply && st.Mode().Perm() != FileMode) {
				t.Errorf("file mode %v (%v), want %v", st.Mode().Perm(), err, FileMode)
			}
			if tt.newFolder {
				if st, err := os.Stat(dir); err != nil || (ModesApply && st.Mode().Perm() != DirMode) {
					t.Errorf("folder mode %v (%v), want %v", st.Mode().Perm(), err, DirMode)
				}
			}
			if got := names(t, dir); !slices.Equal(got, []string{"c.json"}) {
				t.Errorf("folder holds %q, want only c.json (temporary file left behind?)", got)
			}
		})
	}
}

func TestWriteJSON(t *testing.T) {
	tests := []struct {
		name    string
		v       any
		want    string // "" means an error and no file
		wantErr string
	}{
		{name: "indented with a final newline", v: map[string]any{"version": 1, "list": []int{1, 2}},
			want: "{\n  \"list\": [\n    1,\n    2\n  ],\n  \"version\": 1\n}\n"},
		{name: "value JSON cannot hold", v: map[string]any{"c": make(chan int)}, wantErr: "as JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "c.json")
			err := WriteJSON(path, tt.v)
			if tt.want == "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("WriteJSON = %v; want an error naming %s and saying %q", err, path, tt.wantErr)
				}
				if got := names(t, dir); len(got) != 0 {
					t.Errorf("a failed WriteJSON left %q", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, err := os.ReadFile(path); err != nil || string(got) != tt.want {
				t.Errorf("file holds %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

// readOnlyFolder makes dir read-only, or skips the test when this process
// may write there anyway (root ignores folder permissions).
func readOnlyFolder(t *testing.T, dir string) {
	t.Helper()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	probe := filepath.Join(dir, "probe")
	if f, err := os.Create(probe); err == nil {
		f.Close()
		os.Remove(probe)
		t.Skip("this user may write into a read-only folder (running as root?)")
	}
}

func TestWriteAtomicFails(t *testing.T) {
	const old = "old content\n"
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) (path string)
		is    error // the error wraps this, when not nil
	}{
		{"read-only folder", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "c.json")
			writeFile(t, path, old)
			readOnlyFolder(t, dir)
			return path
		}, fs.ErrPermission},
		{"a file where the folder should be", func(t *testing.T, dir string) string {
			writeFile(t, filepath.Join(dir, "sub"), old)
			return filepath.Join(dir, "sub", "c.json")
		}, nil},
		{"a folder where the file should be", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "c.json")
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(path, "inside"), old)
			return path
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.setup(t, dir)
			before := snapshot(t, dir)
			err := WriteAtomic(path, []byte("new content\n"))
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Fatalf("WriteAtomic = %v; want an error naming %s", err, path)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
			if after := snapshot(t, dir); !maps.Equal(before, after) {
				t.Errorf("the folder changed: before %q, after %q", before, after)
			}
		})
	}
}

// snapshot maps every file under dir to its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		out[p] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMoveAside(t *testing.T) {
	// 13:04:05 in UTC+2: the name must carry the UTC time.
	now := time.Date(2024, 3, 9, 15, 4, 5, 0, time.FixedZone("UTC+2", 2*60*60))
	const stamp = "c.json.corrupt-20240309T130405Z"
	tests := []struct {
		name  string
		taken []string // names already in the folder
		want  string
	}{
		{"first", nil, stamp},
		{"second in the same second", []string{stamp}, stamp + "-2"},
		{"third", []string{stamp, stamp + "-2"}, stamp + "-3"},
		{"fills a gap", []string{stamp, stamp + "-3"}, stamp + "-2"},
		{"another second", []string{"c.json.corrupt-20240309T130404Z"}, stamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "c.json")
			writeFile(t, path, "damaged")
			for _, n := range tt.taken {
				writeFile(t, filepath.Join(dir, n), "earlier "+n)
			}
			got, err := MoveAside(path, now)
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(dir, tt.want); got != want {
				t.Fatalf("MoveAside = %s, want %s", got, want)
			}
			if data, err := os.ReadFile(got); err != nil || string(data) != "damaged" {
				t.Errorf("%s holds %q (%v), want the damaged content", got, data, err)
			}
			if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s is still there (%v)", path, err)
			}
			for _, n := range tt.taken {
				if data, err := os.ReadFile(filepath.Join(dir, n)); err != nil || string(data) != "earlier "+n {
					t.Errorf("earlier %s was changed: %q (%v)", n, data, err)
				}
			}
		})
	}
}

func TestMoveAsideFails(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		is    error
	}{
		{"missing file", func(*testing.T, string) {}, fs.ErrNotExist},
		{"read-only folder", func(t *testing.T, path string) {
			writeFile(t, path, "damaged")
			readOnlyFolder(t, filepath.Dir(path))
		}, fs.ErrPermission},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "c.json")
			tt.setup(t, path)
			before := snapshot(t, dir)
			got, err := MoveAside(path, time.Now())
			if got != "" || err == nil || !errors.Is(err, tt.is) || !strings.Contains(err.Error(), path) {
				t.Fatalf("MoveAside = %q, %v; want an error naming %s and wrapping %v", got, err, path, tt.is)
			}
			if after := snapshot(t, dir); !maps.Equal(before, after) {
				t.Errorf("the folder changed: before %q, after %q", before, after)
			}
		})
	}
}
