package configfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testFile is a versioned file of the usual shape.
type testFile struct {
	Version int      `json:"version"`
	Items   []string `json:"items"`
}

var testSpec = Versioned{What: "test list", Version: 2, MaxSize: 64, Lost: "no items are kept now"}

func TestVersionedLoad(t *testing.T) {
	tests := []struct {
		name      string
		content   *string // nil: no file
		wantFound bool
		wantItems int
		corrupt   bool   // a *CorruptError
		wantErr   string // "" = no error
	}{
		{"missing", nil, false, 0, false, ""},
		{"blank", ptr(" \n\t"), false, 0, false, ""},
		{"current version", ptr(`{"version":2,"items":["a","b"]}`), true, 2, false, ""},
		{"not JSON", ptr(`{"version":2,"items":[`), true, 0, true, "test list PATH is damaged: not valid JSON"},
		{"version of the wrong type", ptr(`{"version":"2","items":[]}`), true, 0, true, "not valid JSON"},
		{"older version", ptr(`{"version":1,"items":[]}`), true, 0, true, "test list PATH is damaged: format version 1, want 2"},
		{"no version", ptr(`{"items":[]}`), true, 0, true, "format version 0, want 2"},
		{"newer version: left alone", ptr(`{"version":3,"items":[]}`), true, 0, false, "test list PATH has format version 3, newer than this Lockbox understands (2)"},
		{"too large", ptr(strings.Repeat(" ", 65)), false, 0, false, "test list PATH is larger than 64 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "list.json")
			if tt.content != nil {
				if err := os.WriteFile(path, []byte(*tt.content), FileMode); err != nil {
					t.Fatal(err)
				}
			}
			var f testFile
			found, err := testSpec.Load(path, &f)
			var ce *CorruptError
			if found != tt.wantFound || len(f.Items) != tt.wantItems || errors.As(err, &ce) != tt.corrupt {
				t.Errorf("Load = found %t, %d items, %v; want found %t, %d items, corrupt %t", found, len(f.Items), err, tt.wantFound, tt.wantItems, tt.corrupt)
			}
			want := strings.ReplaceAll(tt.wantErr, "PATH", path)
			switch {
			case want == "" && err != nil:
				t.Errorf("Load error %v, want none", err)
			case want != "" && (err == nil || !strings.HasPrefix(err.Error(), want) && !strings.Contains(err.Error(), want)):
				t.Errorf("Load error %v, want %q", err, want)
			}
			if ce != nil && (ce.What != "test list" || ce.Path != path || ce.Lost != testSpec.Lost || ce.MovedTo != "") {
				t.Errorf("CorruptError %+v: want What, Path and Lost from the spec, not yet moved", ce)
			}
		})
	}
}

func TestCorruptErrorAndSetAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "list.json")
	if err := os.WriteFile(path, []byte("{"), FileMode); err != nil {
		t.Fatal(err)
	}
	ce := testSpec.Corrupt(path, errors.New("entry 3: no name"))
	if got, want := ce.Error(), "test list "+path+" is damaged: entry 3: no name"; got != want {
		t.Errorf("before the move: %q, want %q", got, want)
	}
	err := SetAside(ce)
	if err != ce || !strings.HasPrefix(ce.MovedTo, path+".corrupt-") {
		t.Fatalf("SetAside = %v, moved to %q", err, ce.MovedTo)
	}
	if got, want := err.Error(), "test list "+path+" is damaged (entry 3: no name); it was moved to "+ce.MovedTo+" and no items are kept now"; got != want {
		t.Errorf("after the move: %q, want %q", got, want)
	}
	if kept, rerr := os.ReadFile(ce.MovedTo); rerr != nil || string(kept) != "{" {
		t.Errorf("the damaged file was not kept intact: %q, %v", kept, rerr)
	}
	// A file that cannot be moved stays, and the error says so.
	gone := testSpec.Corrupt(filepath.Join(dir, "absent.json"), errors.New("bad"))
	if err := SetAside(gone); err == nil || !strings.Contains(err.Error(), "moving it aside failed, so it was left in place") || !errors.As(err, new(*CorruptError)) {
		t.Errorf("SetAside of a missing file = %v", err)
	}
}

func TestVersionedSave(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "list.json")
	if err := testSpec.Save(path, testFile{Version: testSpec.Version, Items: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	var f testFile
	if found, err := testSpec.Load(path, &f); !found || err != nil || len(f.Items) != 1 || f.Items[0] != "x" {
		t.Errorf("round trip: found %t, %v, %+v", found, err, f)
	}
	blocked := filepath.Join(dir, "file")
	if err := os.WriteFile(blocked, nil, FileMode); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		spec Versioned
		want string
	}{
		{testSpec, "save test list: "},
		{Versioned{What: "saved identities file", SaveWhat: "identities"}, "save identities: "},
	}
	for _, tt := range tests {
		err := tt.spec.Save(filepath.Join(blocked, "list.json"), testFile{})
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Save under a file = %v, want %q first", err, tt.want)
		}
	}
}

func ptr(s string) *string { return &s }
