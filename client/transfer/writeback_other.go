//go:build !linux

package transfer

import "os"

// startWriteback does nothing outside Linux, where sync_file_range is
// missing: the fsync before the rename does all the writing.
func startWriteback(f *os.File, off, n int64) {}

// dropWritten does nothing outside Linux: the page cache keeps the file.
func dropWritten(f *os.File, off, n int64) {}
