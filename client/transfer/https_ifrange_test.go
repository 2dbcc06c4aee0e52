package transfer

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"lockbox/client"
	"lockbox/client/configfile"
	"lockbox/client/internal/enginetest"
)

// versionedFile serves one version of /file.bin at a time with
// http.ServeContent (which honours Range and If-Range), optionally with an
// ETag, and can cut a body half-way or behave like a server that ignores
// If-Range.
type versionedFile struct {
	mu       sync.Mutex
	content  []byte
	etag     string // "" sends none
	modTime  time.Time
	mode     string // "serve", "cut", "ignore-if-range"
	requests []http.Header
}

func (v *versionedFile) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v.mu.Lock()
	content, etag, modTime, mode := v.content, v.etag, v.modTime, v.mode
	v.requests = append(v.requests, r.Header.Clone())
	v.mu.Unlock()
	if etag != "" {
		w.Header().Set("ETag", etag)
	}
	switch mode {
	case "cut":
		w.Header().Set("Last-Modified", modTime.UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Length", itoa(len(content)))
		w.Write(content[:len(content)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	case "ignore-if-range":
		r.Header.Del("If-Range")
	}
	http.ServeContent(w, r, "file.bin", modTime, bytes.NewReader(content))
}

func (v *versionedFile) set(content []byte, etag string, modTime time.Time, mode string) {
	v.mu.Lock()
	v.content, v.etag, v.modTime, v.mode, v.requests = content, etag, modTime, mode, nil
	v.mu.Unlock()
}

func (v *versionedFile) setMode(mode string) {
	v.mu.Lock()
	v.mode, v.requests = mode, nil
	v.mu.Unlock()
}

// reqs returns the headers of the requests since the last set.
func (v *versionedFile) reqs() []http.Header {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]http.Header(nil), v.requests...)
}

func TestGetHTTPSIfRange(t *testing.T) {
	p := enginetest.NewPKI(t)
	files := &versionedFile{}
	ts := enginetest.ServeHTTPS(t, files, p.Leaf, p.Inter)
	tg := mustTarget(t, ts.URL+"/file.bin")
	opts := client.Options{ExtraRoots: enginetest.RootsOf(p.Root), NoSystemRoots: true}
	v1 := enginetest.RandomBytes(256<<10+17, 21)
	v2 := enginetest.RandomBytes(256<<10+17, 22) // same size: only a validator tells them apart
	t1 := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	lm1 := t1.Format(http.TimeFormat)

	get := func(dir string) (Progress, error) {
		_, pr, err := GetHTTPS(bg, tg, opts, HTTPSGetOptions{LocalRoot: dir, Local: "f.bin"})
		return pr, err
	}
	// cut leaves half of v1 (served with etag) and its validator file.
	cut := func(etag string) string {
		t.Helper()
		dir := t.TempDir()
		files.set(v1, etag, t1, "cut")
		if _, err := get(dir); err == nil {
			t.Fatal("the cut download succeeded")
		}
		part := filepath.Join(dir, "f.bin"+PartSuffix)
		if st, err := os.Stat(part); err != nil || st.Size() != int64(len(v1)/2) {
			t.Fatalf("part file after the cut: %v, %v", st, err)
		}
		st, err := os.Stat(part + MetaSuffix)
		if err != nil {
			t.Fatalf("no validator file: %v", err)
		}
		if configfile.ModesApply && st.Mode().Perm() != 0o600 {
			t.Errorf("validator file mode %v, want 0600", st.Mode().Perm())
		}
		return dir
	}
	check := func(dir string, want []byte) {
		t.Helper()
		if got, err := os.ReadFile(filepath.Join(dir, "f.bin")); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("file differs from the expected version (%v)", err)
		}
		for _, name := range []string{"f.bin" + PartSuffix, "f.bin" + PartSuffix + MetaSuffix} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				t.Errorf("%s left after a complete download", name)
			}
		}
	}
	oneRequest := func(wantRange, wantIfRange string) {
		t.Helper()
		reqs := files.reqs()
		if len(reqs) != 1 {
			t.Fatalf("%d requests, want 1", len(reqs))
		}
		if got := reqs[0].Get("Range"); got != wantRange {
			t.Errorf("Range %q, want %q", got, wantRange)
		}
		if got := reqs[0].Get("If-Range"); got != wantIfRange {
			t.Errorf("If-Range %q, want %q", got, wantIfRange)
		}
	}
	rest := "bytes=" + itoa(len(v1)/2) + "-"

	t.Run("unchanged, ETag: the rest only", func(t *testing.T) {
		dir := cut(`"v1"`)
		b, _ := os.ReadFile(filepath.Join(dir, "f.bin"+PartSuffix+MetaSuffix))
		var m partMeta
		if err := json.Unmarshal(b, &m); err != nil || m.ETag != `"v1"` || m.LastModified != lm1 {
			t.Errorf("validator file %s (%v)", b, err)
		}
		files.setMode("serve")
		pr, err := get(dir)
		if err != nil || pr.Moved != int64(len(v1)-len(v1)/2) {
			t.Fatalf("resume: %v, moved %d", err, pr.Moved)
		}
		oneRequest(rest, `"v1"`)
		check(dir, v1)
	})
	t.Run("changed, ETag: the whole new file", func(t *testing.T) {
		dir := cut(`"v1"`)
		files.set(v2, `"v2"`, t1, "serve") // same date: only the ETag differs
		pr, err := get(dir)
		if err != nil || pr.Moved != int64(len(v2)) {
			t.Fatalf("resume: %v, moved %d", err, pr.Moved)
		}
		oneRequest(rest, `"v1"`)
		check(dir, v2)
	})
	t.Run("unchanged, date only", func(t *testing.T) {
		dir := cut("")
		files.setMode("serve")
		pr, err := get(dir)
		if err != nil || pr.Moved != int64(len(v1)-len(v1)/2) {
			t.Fatalf("resume: %v, moved %d", err, pr.Moved)
		}
		oneRequest(rest, lm1)
		check(dir, v1)
	})
	t.Run("changed, date only", func(t *testing.T) {
		dir := cut("")
		files.set(v2, "", t2, "serve")
		pr, err := get(dir)
		if err != nil || pr.Moved != int64(len(v2)) {
			t.Fatalf("resume: %v, moved %d", err, pr.Moved)
		}
		oneRequest(rest, lm1)
		check(dir, v2)
	})
	t.Run("weak ETag: the date is sent", func(t *testing.T) {
		dir := cut(`W/"v1"`)
		files.setMode("serve")
		if _, err := get(dir); err != nil {
			t.Fatal(err)
		}
		oneRequest(rest, lm1)
		check(dir, v1)
	})
	t.Run("server ignores If-Range: starts again", func(t *testing.T) {
		dir := cut(`"v1"`)
		files.set(v2, `"v2"`, t1, "ignore-if-range")
		pr, err := get(dir)
		if err != nil || pr.Moved != int64(len(v2)) {
			t.Fatalf("resume: %v, moved %d", err, pr.Moved)
		}
		reqs := files.reqs()
		if len(reqs) != 2 || reqs[0].Get("Range") != rest || reqs[1].Get("Range") != "" {
			t.Fatalf("requests %v, want a resume then a whole download", reqs)
		}
		check(dir, v2)
	})
	t.Run("unreadable validator file: starts again", func(t *testing.T) {
		dir := cut(`"v1"`)
		os.WriteFile(filepath.Join(dir, "f.bin"+PartSuffix+MetaSuffix), []byte("{not json"), 0o600)
		files.setMode("serve")
		pr, err := get(dir)
		if err != nil || pr.Moved != int64(len(v1)) {
			t.Fatalf("get: %v, moved %d", err, pr.Moved)
		}
		oneRequest("", "")
		check(dir, v1)
	})
	t.Run("new start replaces an old validator", func(t *testing.T) {
		dir := t.TempDir()
		meta := filepath.Join(dir, "f.bin"+PartSuffix+MetaSuffix)
		os.WriteFile(meta, []byte(`{"etag":"\"old\""}`), 0o644)
		files.set(v1, `"v1"`, t1, "cut")
		if _, err := get(dir); err == nil {
			t.Fatal("the cut download succeeded")
		}
		b, _ := os.ReadFile(meta)
		st, _ := os.Stat(meta)
		var m partMeta
		if json.Unmarshal(b, &m) != nil || m.ETag != `"v1"` || (configfile.ModesApply && st.Mode().Perm() != 0o600) {
			t.Errorf("validator file %s, mode %v", b, st.Mode().Perm())
		}
	})
}

func TestPartMetaValidators(t *testing.T) {
	lm := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	date := lm.Format(http.TimeFormat)
	tests := []struct {
		name string
		h    http.Header
		want partMeta
	}{
		{"strong ETag and old date", h("ETag", `"abc"`, "Last-Modified", date, "Date", lm.Add(time.Minute).Format(http.TimeFormat)), partMeta{`"abc"`, date}},
		{"weak ETag", h("ETag", `W/"abc"`), partMeta{}},
		{"unquoted ETag", h("ETag", `abc`), partMeta{}},
		{"date too recent to be strong", h("Last-Modified", date, "Date", date), partMeta{}},
		{"no Date", h("Last-Modified", date), partMeta{}},
	}
	for _, tc := range tests {
		if got := metaOf(tc.h); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
	if got := (partMeta{ETag: `"e"`, LastModified: date}).ifRange(); got != `"e"` {
		t.Errorf("ifRange prefers the ETag: %q", got)
	}
	if got := (partMeta{LastModified: date}).ifRange(); got != date {
		t.Errorf("ifRange date: %q", got)
	}
}
