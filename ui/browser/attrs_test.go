package browser

import "testing"

// The Windows attributes column is tested on every platform.
func TestAttrString(t *testing.T) {
	for _, tc := range []struct {
		attrs uint32
		want  string
	}{
		{0, "-----"},
		{attrArchive, "----A"},
		{attrReadOnly | attrHidden | attrArchive, "-RH-A"},
		{attrDirectory, "d----"},
		{attrDirectory | attrHidden | attrSystem, "d-HS-"},
		{0x80 /* FILE_ATTRIBUTE_NORMAL */, "-----"},
	} {
		if got := attrString(tc.attrs); got != tc.want {
			t.Errorf("attrString(%#x) = %q, want %q", tc.attrs, got, tc.want)
		}
	}
}
