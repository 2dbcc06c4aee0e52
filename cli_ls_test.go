package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"lockbox/client"
)

func TestLsListingShowsPermissions(t *testing.T) {
	when := time.Date(2026, 11, 25, 8, 52, 0, 0, time.UTC)
	tests := []struct {
		name     string
		entries  []client.Entry
		want     []string // lines, spaces collapsed
		wantJSON string
	}{
		{"Unix permissions",
			[]client.Entry{
				{Name: "readme.txt", Type: "file", Size: 18, Time: when, Perm: "-rw-r--r--"},
				{Name: "pub", Type: "dir", Size: 4096, Time: when, Perm: "drwxr-xr-x"},
			},
			[]string{"-rw-r--r-- file 18 2026-11-25 08:52 readme.txt", "drwxr-xr-x dir 4096 2026-11-25 08:52 pub/"},
			`"perm":"-rw-r--r--"`},
		{"MLSD perm fact",
			[]client.Entry{{Name: "a.txt", Type: "file", Size: 3, Time: when, Perm: "adfrw"}},
			[]string{"adfrw file 3 2026-11-25 08:52 a.txt"},
			`"perm":"adfrw"`},
		{"no permissions listed: no column",
			[]client.Entry{{Name: "hello.txt", Type: "file", Size: 6, Time: when}},
			[]string{"file 6 2026-11-25 08:52 hello.txt"},
			`"name":"hello.txt"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			printListing(&out, "/", tc.entries)
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n")[1:] {
				lines = append(lines, strings.Join(strings.Fields(l), " "))
			}
			if strings.Join(lines, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("listing:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(tc.want, "\n"))
			}
			js, err := json.Marshal(tc.entries)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(js), tc.wantJSON) {
				t.Errorf("JSON %s lacks %s", js, tc.wantJSON)
			}
			if tc.entries[0].Perm == "" && strings.Contains(string(js), `"perm"`) {
				t.Errorf("JSON %s has an empty perm", js)
			}
		})
	}
}
