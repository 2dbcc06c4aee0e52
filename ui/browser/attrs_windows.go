//go:build windows

package browser

import (
	"io/fs"
	"syscall"
)

// fileAttributes returns the Windows attributes os.Stat and ReadDir keep
// in FileInfo.Sys.
func fileAttributes(info fs.FileInfo) (uint32, bool) {
	d, ok := info.Sys().(*syscall.Win32FileAttributeData)
	if !ok || d == nil {
		return 0, false
	}
	return d.FileAttributes, true
}
