package transfer

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"lockbox/client"
)

// numbered returns "name (n).ext" for the rename policy: "report.pdf" →
// "report (1).pdf", "archive.tar.gz" → "archive.tar (1).gz", ".bashrc" →
// ".bashrc (1)".
func numbered(name string, n int) string {
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	if base == "" {
		base, ext = name, ""
	}
	return base + " (" + strconv.Itoa(n) + ")" + ext
}

// localRel checks a download's local path: relative, not leading out of
// the queue's folder after filepath.Clean and, on Windows, made of names a
// Windows folder can hold (client.CheckWindowsName: no device names such as
// "CON" or "aux.txt", no trailing dot or space, none of < > : " | ? *).
func localRel(p string) (string, error) { return localRelFor(p, runtime.GOOS == "windows") }

// localRelFor is localRel with Windows' name rules on or off, so that both
// platforms' rules are tested on every platform.
func localRelFor(p string, windows bool) (string, error) {
	c := filepath.Clean(p)
	if c == "." || filepath.IsAbs(c) || filepath.VolumeName(c) != "" || strings.HasPrefix(c, "/") || strings.HasPrefix(c, string(filepath.Separator)) ||
		c == ".." || strings.HasPrefix(c, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("local path %q is not inside the download folder", p)
	}
	if windows {
		for _, el := range strings.Split(c, string(filepath.Separator)) {
			if err := client.CheckWindowsName(el); err != nil {
				return "", fmt.Errorf("local path %q: %w; nothing was written for it", p, err)
			}
		}
	}
	return c, nil
}
