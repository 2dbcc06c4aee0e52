//go:build !windows

package browser

import "io/fs"

// fileAttributes has no Windows attributes to give outside Windows.
func fileAttributes(fs.FileInfo) (uint32, bool) { return 0, false }
