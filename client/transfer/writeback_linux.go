//go:build linux

package transfer

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing the file's dirty pages
// in [off, off+n) to disk and returns without waiting for them
// (sync_file_range with SYNC_FILE_RANGE_WRITE). It is only a head start
// for the fsync that follows, which alone makes the data durable; an error
// here changes nothing and is dropped.
func startWriteback(f *os.File, off, n int64) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		unix.SyncFileRange(int(fd), off, n, unix.SYNC_FILE_RANGE_WRITE)
	})
}

// dropWritten waits until the file's pages in [off, off+n) are written
// (sync_file_range, which for a chunk whose writeback started a chunk ago
// rarely waits), then drops them from the page cache
// (posix_fadvise DONTNEED). Like startWriteback it only helps: the data
// stays in the file whatever happens, and errors are dropped.
func dropWritten(f *os.File, off, n int64) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		if unix.SyncFileRange(int(fd), off, n, unix.SYNC_FILE_RANGE_WAIT_BEFORE|unix.SYNC_FILE_RANGE_WRITE|unix.SYNC_FILE_RANGE_WAIT_AFTER) == nil {
			unix.Fadvise(int(fd), off, n, unix.FADV_DONTNEED)
		}
	})
}
