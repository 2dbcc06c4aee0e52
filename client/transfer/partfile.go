package transfer

import (
	"io"
	"os"
)

// partFile is a download's .lockbox-part file, opened (and cut to the
// resume offset) at the first write: a transfer refused before any data
// (an untrusted data connection, say) writes nothing.
//
// It writes through the page cache, and every writebackChunk bytes it
//   - asks the kernel to start writing the chunk just written to disk
//     (startWriteback), so that the fsync before the rename finds little
//     left: done only at the end, that fsync held a 512 MiB download up
//     for 0.21 s;
//   - waits for the chunk before that one to be on disk and drops it from
//     the page cache (dropWritten): a download keeps at most two chunks
//     cached, does not push the user's other files out of the cache, and
//     the pages it frees are the ones its next writes reuse.
//
// Why the second: on the 2-vCPU VM of bench/run.sh, new page-cache pages
// are often memory the VM had handed back to its host, which has to be
// faulted in again. Writing 512 MiB then cost 0.8 to 1.1 s of CPU in some
// runs instead of 0.36 s (perf: copy_folio_from_iter_atomic); with the
// pages recycled, 0.34 to 0.41 s in each of 10 runs (see the README's
// Speed section).
type partFile struct {
	root   *os.Root
	name   string
	offset int64
	f      *os.File

	pos     int64 // the file offset the next write goes to
	flushed int64 // where the last writeback asked for ended
	dropped int64 // the page cache holds none of the file before this
}

// writebackChunk is how much a download writes between two requests that
// the kernel start writing it to disk (see startWriteback).
const writebackChunk = 8 << 20

func (p *partFile) open() error {
	if p.f != nil {
		return nil
	}
	f, err := p.root.OpenFile(p.name, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	// Cut the file only when its size is not the offset: on ext4 any
	// truncate, even of a new empty file to 0, makes the last close write
	// the whole file back synchronously (auto_da_alloc): 0.2 s for 512 MiB.
	st, err := f.Stat()
	if err == nil && st.Size() != p.offset {
		err = f.Truncate(p.offset)
	}
	if err == nil {
		_, err = f.Seek(p.offset, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return err
	}
	p.f = f
	p.pos, p.flushed, p.dropped = p.offset, p.offset, p.offset
	return nil
}

// Write writes to the part file, opening it first, and every
// writebackChunk bytes starts writeback of the new chunk and drops the one
// before it from the page cache.
func (p *partFile) Write(b []byte) (int, error) {
	if err := p.open(); err != nil {
		return 0, err
	}
	n, err := p.f.Write(b)
	p.pos += int64(n)
	if p.pos-p.flushed >= writebackChunk {
		startWriteback(p.f, p.flushed, p.pos-p.flushed)
		if p.dropped < p.flushed {
			dropWritten(p.f, p.dropped, p.flushed-p.dropped)
			p.dropped = p.flushed
		}
		p.flushed = p.pos
	}
	return n, err
}

// Sync flushes the part file to disk (fsync) if it was opened.
func (p *partFile) Sync() error {
	if p.f == nil {
		return nil
	}
	return p.f.Sync()
}

// Close closes the part file if it was opened.
func (p *partFile) Close() error {
	if p.f == nil {
		return nil
	}
	return p.f.Close()
}
