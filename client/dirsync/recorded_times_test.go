//go:build linux

package dirsync

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockbox/client"
	"lockbox/client/certgen"
	"lockbox/client/internal/enginetest"
	"lockbox/client/servertest"
)

// TestReusable covers every branch of the rule that lets a recorded exact
// time stand in for MDTM.
func TestReusable(t *testing.T) {
	start := time.Date(2026, 12, 6, 12, 30, 20, 0, time.UTC)
	exact := time.Date(2026, 12, 6, 10, 15, 42, 0, time.UTC)
	listedMin := time.Date(2026, 12, 6, 11, 15, 0, 0, time.UTC) // an hh:mm line in UTC+1
	rec := func(remote Entry, src TimeSource, st time.Time) *Record {
		return &Record{Clock: Clock{Source: src}, Start: st, Files: map[string]Pair{"f": {Local: Entry{Size: 5, ModTime: exact}, Remote: remote}}}
	}
	at := func(listed time.Time) Entry { return Entry{Size: 5, ModTime: exact, Listed: listed} }
	// A file written 30 s before the scan began: its minute had not ended.
	recent := time.Date(2026, 12, 6, 12, 29, 50, 0, time.UTC)
	// One written 5 minutes before: its minute had ended, but the server's
	// clock could lag by skewMargin.
	withinMargin := time.Date(2026, 12, 6, 12, 25, 30, 0, time.UTC)
	oldDay := time.Date(2025, 12, 6, 0, 0, 0, 0, time.UTC) // "Dec 06 2025"
	oldExact := time.Date(2025, 12, 6, 7, 1, 2, 0, time.UTC)
	yesterday := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	yesterdayExact := time.Date(2026, 12, 5, 20, 0, 0, 0, time.UTC) // day ends 24 h after midnight: too close
	tests := []struct {
		name   string
		base   *Record
		listed Entry
		want   bool
	}{
		{"unchanged, minute long over", rec(at(listedMin), TimesMDTM, start), Entry{Size: 5, ModTime: listedMin}, true},
		{"unchanged, old file listed with a year", rec(Entry{Size: 5, ModTime: oldExact, Listed: oldDay}, TimesMDTM, start), Entry{Size: 5, ModTime: oldDay}, true},
		{"date-only listing whose day had not ended long enough", rec(Entry{Size: 5, ModTime: yesterdayExact, Listed: yesterday}, TimesMDTM, start), Entry{Size: 5, ModTime: yesterday}, false},
		{"listing with seconds", rec(Entry{Size: 5, ModTime: withinMargin.Add(-10 * time.Minute), Listed: withinMargin.Add(-10 * time.Minute)}, TimesMDTM, start),
			Entry{Size: 5, ModTime: withinMargin.Add(-10 * time.Minute)}, true},
		{"no record", nil, Entry{Size: 5, ModTime: listedMin}, false},
		{"record without a start (older version)", rec(at(listedMin), TimesMDTM, time.Time{}), Entry{Size: 5, ModTime: listedMin}, false},
		{"record without the listed time (older version)", rec(at(time.Time{}), TimesMDTM, start), Entry{Size: 5, ModTime: listedMin}, false},
		{"file missing from the record", rec(at(listedMin), TimesMDTM, start), Entry{Size: 5, ModTime: listedMin}, true},
		{"size changed", rec(at(listedMin), TimesMDTM, start), Entry{Size: 6, ModTime: listedMin}, false},
		{"listed time changed", rec(at(listedMin), TimesMDTM, start), Entry{Size: 5, ModTime: listedMin.Add(time.Minute)}, false},
		{"listed time unknown", rec(at(listedMin), TimesMDTM, start), Entry{Size: 5}, false},
		{"written in the minute the last scan began", rec(Entry{Size: 5, ModTime: recent, Listed: recent.Truncate(time.Minute)}, TimesMDTM, start),
			Entry{Size: 5, ModTime: recent.Truncate(time.Minute)}, false},
		{"minute over, but within the clock-skew margin", rec(Entry{Size: 5, ModTime: withinMargin, Listed: withinMargin.Truncate(time.Minute)}, TimesMDTM, start),
			Entry{Size: 5, ModTime: withinMargin.Truncate(time.Minute)}, false},
		{"record from a LIST-only server", rec(at(listedMin), TimesLIST, start), Entry{Size: 5, ModTime: listedMin}, false},
		{"record from an MLSD server", rec(at(listedMin), TimesMLSD, start), Entry{Size: 5, ModTime: listedMin}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rel := "f"
			if tc.name == "file missing from the record" {
				rel, tc.want = "other", false
			}
			got, ok := reusable(tc.base, rel, tc.listed)
			if ok != tc.want {
				t.Fatalf("reusable = %v, want %v", ok, tc.want)
			}
			if ok && !got.Equal(tc.base.Files[rel].Remote.ModTime) {
				t.Errorf("time %v, want the recorded %v", got, tc.base.Files[rel].Remote.ModTime)
			}
		})
	}
}

// TestRecordedTimesSkipMDTM runs synchronisations against vsftpd (LIST
// and MDTM only) and counts the MDTM commands in the server's protocol
// log: an unchanged tree asks none and leaves the state file alone, while
// same-size changes the listing cannot vouch for are still found.
func TestRecordedTimesSkipMDTM(t *testing.T) {
	p := enginetest.NewPKI(t)
	files := map[string][]byte{"a.txt": []byte("alpha"), "d/b.txt": []byte("bravo"), "old.txt": []byte("old file"), "risky.txt": []byte("risky-1")}
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter}, Files: files,
		Extra: map[string]string{"mdtm_write": "YES"}})
	s := newSyncer(t, server{"vsftpd", srv.Root, target(t, srv.FTPServer), client.Options{ExtraRoots: enginetest.RootsOf(p.Root), NoSystemRoots: true,
		Pins: enginetest.PinStore(t), MDTMWrite: true}}, Up)
	now := time.Now()
	// Times on both sides: two hours ago (an hh:mm line), 400 days ago (a
	// line with a year), and, for risky.txt, a minute that ended only a
	// few minutes ago: inside the margin for a lagging server clock.
	risky := now.Truncate(time.Minute).Add(-3*time.Minute + 5*time.Second)
	times := map[string]time.Time{"a.txt": now.Add(-2 * time.Hour), "d/b.txt": now.Add(-2 * time.Hour), "old.txt": now.Add(-400 * 24 * time.Hour), "risky.txt": risky}
	for rel, data := range files {
		write(t, filepath.Join(s.local, rel), string(data), times[rel])
		if err := os.Chtimes(filepath.Join(srv.Root, rel), times[rel], times[rel]); err != nil {
			t.Fatal(err)
		}
	}
	logged := 0
	mdtms := func() int {
		t.Helper()
		b, err := os.ReadFile(srv.LogPath)
		if err != nil {
			t.Fatal(err)
		}
		n := strings.Count(string(b), `"MDTM `)
		defer func() { logged = n }()
		return n - logged
	}
	statePath := s.cfg.State.Path()
	steps := []struct {
		what       string
		change     func()
		wantOps    []string
		wantMDTMs  int
		wantReused int
		stateKept  bool
	}{
		{"first run: no record, every file asked", nil, nil, 4, 0, false},
		{"unchanged tree: only the file inside the margin is asked", nil, nil, 1, 3, false},
		{"same-size change inside the margin", func() {
			// Same size, same listed minute, another second: only MDTM
			// can see it.
			pth := filepath.Join(srv.Root, "risky.txt")
			os.WriteFile(pth, []byte("risky-2"), 0o644)
			os.Chtimes(pth, risky.Add(30*time.Second), risky.Add(30*time.Second))
		}, []string{"download risky.txt"}, 1, 3, false},
		{"same-size change with a new listed time", func() {
			pth := filepath.Join(srv.Root, "a.txt")
			os.WriteFile(pth, []byte("ALPHA"), 0o644)
			at := now.Add(-90 * time.Minute)
			os.Chtimes(pth, at, at)
		}, []string{"download a.txt"}, 2, 2, false}, // and risky.txt, still inside the margin
		{"a file missing from the record", func() {
			at := now.Add(-2 * time.Hour)
			write(t, filepath.Join(s.local, "new.txt"), "same", at)
			os.WriteFile(filepath.Join(srv.Root, "new.txt"), []byte("same"), 0o644)
			os.Chtimes(filepath.Join(srv.Root, "new.txt"), at, at)
		}, nil, 2, 3, false},
		{"risky.txt set two hours back on both sides", func() {
			at := now.Add(-2 * time.Hour)
			os.Chtimes(filepath.Join(s.local, "risky.txt"), at, at)
			os.Chtimes(filepath.Join(srv.Root, "risky.txt"), at, at)
		}, nil, 1, 4, false},
		{"unchanged tree: no MDTM at all, state file not written", nil, nil, 0, 5, true},
	}
	for _, st := range steps {
		if st.change != nil {
			st.change()
		}
		old := now.Add(-time.Hour)
		os.Chtimes(statePath, old, old) // to see whether it is written again
		s.cfg.Plan.Direction = Both
		scan, err := CompareTrees(bg, s.pool, s.cfg)
		if err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
		plan := Plan(scan.Comparison, s.cfg.Plan)
		wantOps(t, st.what, plan, st.wantOps...)
		if got := mdtms(); got != st.wantMDTMs {
			t.Errorf("%s: %d MDTM commands in the server's log, want %d", st.what, got, st.wantMDTMs)
		}
		if scan.Reused != st.wantReused {
			t.Errorf("%s: %d recorded times reused, want %d", st.what, scan.Reused, st.wantReused)
		}
		s.execute(scan, plan)
		mdtms() // the record's own scan after a download
		fi, err := os.Stat(statePath)
		if err != nil {
			t.Fatal(err)
		}
		if kept := fi.ModTime().Equal(old); kept != st.stateKept {
			t.Errorf("%s: state file left alone = %v, want %v", st.what, kept, st.stateKept)
		}
	}
	if got := read(t, filepath.Join(s.local, "risky.txt")); got != "risky-2" {
		t.Errorf("risky.txt here is %q", got)
	}
}
