package browser

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestCompareNames(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"a", "b", -1},
		{"B", "a", 1},           // case does not come first
		{"file2", "file10", -1}, // numbers by value
		{"file10", "file9", 1},
		{"Report 9.pdf", "Report 10.pdf", -1},
		{"v1.2.10", "v1.2.9", 1},
		{"x007", "x7", -1}, // equal values: the bytes decide
		{"x07", "x007", 1},
		{"a", "A", 1}, // equal without case: the bytes decide
		{"A", "a", -1},
		{"abc", "abcd", -1},
		{"", "a", -1},
		{"same", "same", 0},
		{"Élan", "elan", 1},
		{"élan", "Émile", -1}, // non-ASCII letters without case
		{"12345678901234567890", "9", 1},
		{"a0", "a", 1},
		{"a-1", "a1", -1},
	} {
		if got := compareNames(tc.a, tc.b); sign(got) != tc.want {
			t.Errorf("compareNames(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := compareNames(tc.b, tc.a); sign(got) != -tc.want {
			t.Errorf("compareNames(%q, %q) = %d, want %d (antisymmetry)", tc.b, tc.a, got, -tc.want)
		}
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func TestSortEntriesFoldersFirst(t *testing.T) {
	es := []Entry{
		{Name: "z.txt", Size: 1},
		{Name: "b", Dir: true},
		{Name: "a.txt", Size: 3},
		{Name: "link-to-dir", Dir: true, Link: true},
		{Name: "A", Dir: true},
	}
	for _, tc := range []struct {
		key  sortKey
		want []string
	}{
		{sortKey{colName, false}, []string{"A", "b", "link-to-dir", "a.txt", "z.txt"}},
		{sortKey{colName, true}, []string{"link-to-dir", "b", "A", "z.txt", "a.txt"}},
		{sortKey{colSize, false}, []string{"A", "b", "link-to-dir", "z.txt", "a.txt"}},
		{sortKey{colSize, true}, []string{"link-to-dir", "b", "A", "a.txt", "z.txt"}},
	} {
		got := slices.Clone(es)
		sortEntries(got, tc.key)
		var names []string
		for _, e := range got {
			names = append(names, e.Name)
		}
		if !slices.Equal(names, tc.want) {
			t.Errorf("%+v: %q, want %q", tc.key, names, tc.want)
		}
	}
}

// bigListing is a folder of n entries, one in ten a folder, in a shuffled
// order, with sizes and times spread out.
func bigListing(n int) []Entry {
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	es := make([]Entry, n)
	for i := range es {
		e := Entry{
			Name:    fmt.Sprintf("File %d of the big folder.dat", i),
			Size:    r.Int64N(1 << 32),
			ModTime: base.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour)))),
			Perm:    "-rw-r--r--",
		}
		if i%10 == 0 {
			e = Entry{Name: fmt.Sprintf("Folder %d", i), Dir: true, ModTime: e.ModTime, Perm: "drwxr-xr-x"}
		}
		es[i] = e
	}
	r.Shuffle(n, func(i, j int) { es[i], es[j] = es[j], es[i] })
	return es
}

// BenchmarkSort100k sorts a folder of 100,000 entries by each column, as a
// click on a header does (off the UI goroutine).
func BenchmarkSort100k(b *testing.B) {
	es := bigListing(100_000)
	for col := range numColumns {
		b.Run(columnTitles[col], func(b *testing.B) {
			buf := make([]Entry, len(es))
			for b.Loop() {
				copy(buf, es)
				sortEntries(buf, sortKey{col: col})
			}
		})
	}
}
