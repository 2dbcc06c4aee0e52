package words

import "testing"

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		n    int
		noun string
		want string
	}{
		{0, "file", "0 files"},
		{1, "file", "1 file"},
		{2, "folder", "2 folders"},
		{-1, "day", "-1 days"},
		{1000, "item", "1000 items"},
	} {
		if got := Plural(tc.n, tc.noun); got != tc.want {
			t.Errorf("Plural(%d, %q) = %q, want %q", tc.n, tc.noun, got, tc.want)
		}
	}
}

func TestList(t *testing.T) {
	for _, tc := range []struct {
		items []string
		max   int // 0: List
		want  string
	}{
		{nil, 0, ""},
		{[]string{"a"}, 0, "a"},
		{[]string{"a", "b"}, 0, "a and b"},
		{[]string{"a", "b", "c"}, 0, "a, b and c"},
		{[]string{"a", "b", "c"}, 3, "a, b and c"},
		{[]string{"a", "b", "c", "d"}, 3, "a, b and 2 more"},
		{[]string{"a", "b", "c", "d", "e", "f", "g", "h"}, 6, "a, b, c, d, e and 3 more"},
	} {
		got := List(tc.items)
		if tc.max > 0 {
			got = ListAtMost(tc.items, tc.max)
		}
		if got != tc.want {
			t.Errorf("list of %q (max %d) = %q, want %q", tc.items, tc.max, got, tc.want)
		}
	}
}

func TestListAtMostLeavesItsInputAlone(t *testing.T) {
	items := []string{"a", "b", "c", "d"}
	ListAtMost(items, 2)
	if items[1] != "b" {
		t.Errorf("ListAtMost overwrote its input: %q", items)
	}
}
