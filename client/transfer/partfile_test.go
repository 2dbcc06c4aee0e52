package transfer

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestPartFileWriteback: a part file written past writebackChunk asks for
// writeback as it goes (flushed follows pos) and drops the chunk before
// the last from the page cache (dropped follows flushed), from where a
// resume started, and what it wrote is exactly what was given.
func TestPartFileWriteback(t *testing.T) {
	for _, tc := range []struct {
		name   string
		offset int64
	}{
		{"new file", 0},
		{"resumed", 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			root, err := os.OpenRoot(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer root.Close()
			head := bytes.Repeat([]byte{'h'}, int(tc.offset))
			if err := os.WriteFile(filepath.Join(dir, "f.part"), head, 0o644); err != nil {
				t.Fatal(err)
			}
			p := &partFile{root: root, name: "f.part", offset: tc.offset}
			chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
			var want bytes.Buffer
			want.Write(head)
			total := 2*writebackChunk + len(chunk)
			for n := 0; n < total; n += len(chunk) {
				if _, err := p.Write(chunk); err != nil {
					t.Fatal(err)
				}
				want.Write(chunk)
				if p.pos-p.flushed >= writebackChunk {
					t.Fatalf("after %d bytes, %d of them not yet handed to writeback", n+len(chunk), p.pos-p.flushed)
				}
				if p.flushed-p.dropped > writebackChunk {
					t.Fatalf("after %d bytes, %d bytes handed to writeback are still kept in the cache", n+len(chunk), p.flushed-p.dropped)
				}
			}
			if p.pos != tc.offset+int64(total) {
				t.Fatalf("pos = %d, want %d", p.pos, tc.offset+int64(total))
			}
			if want := tc.offset + 2*writebackChunk; p.flushed != want {
				t.Fatalf("flushed = %d, want %d (two chunks past the start)", p.flushed, want)
			}
			if want := tc.offset + writebackChunk; p.dropped != want {
				t.Fatalf("dropped = %d, want %d (the chunk before the last)", p.dropped, want)
			}
			if err := p.Sync(); err != nil {
				t.Fatal(err)
			}
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(dir, "f.part"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("the part file holds %d bytes, not the %d written", len(got), want.Len())
			}
		})
	}
}
