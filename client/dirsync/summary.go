package dirsync

import (
	"fmt"
	"strings"
)

// statusWords say each status for people, in the order Summary lists them.
var statusWords = []struct {
	st    Status
	words string
}{
	{NewerLocal, "newer here"},
	{NewerRemote, "newer on the server"},
	{OnlyLocal, "only here"},
	{OnlyRemote, "only on the server"},
	{DifferentSize, "of different size"},
	{Same, "the same"},
}

// Words says a status for people: "newer here", "only on the server".
func (s Status) Words() string {
	for _, w := range statusWords {
		if w.st == s {
			return w.words
		}
	}
	return string(s)
}

// Summary says a comparison's counts in one line: "12 newer here, 3 only
// on the server, 40 the same".
func Summary(counts map[Status]int) string {
	var parts []string
	for _, w := range statusWords {
		if n := counts[w.st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, w.words))
		}
	}
	if len(parts) == 0 {
		return "both folders are empty"
	}
	return strings.Join(parts, ", ")
}

// Filtered returns the comparison without the items f leaves out (and
// without what is inside a folder it leaves out), counts redone: a new
// filter applies without listing again.
func (c Comparison) Filtered(f Filter) Comparison {
	out := Comparison{Counts: map[Status]int{}}
	var dropped []string
	for _, it := range c.Items {
		gone := false
		for _, d := range dropped {
			if strings.HasPrefix(it.Path, d+"/") {
				gone = true
				break
			}
		}
		if gone || !f.Keeps(it.Path, it.Dir) {
			if it.Dir {
				dropped = append(dropped, it.Path)
			}
			continue
		}
		out.Items = append(out.Items, it)
		out.Counts[it.Status]++
	}
	return out
}
