package transfer

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
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

// localRel checks a download's local path: relative, and not leading out
// of the queue's folder after filepath.Clean.
func localRel(p string) (string, error) {
	c := filepath.Clean(p)
	if c == "." || filepath.IsAbs(c) || filepath.VolumeName(c) != "" || c == ".." || strings.HasPrefix(c, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("local path %q is not inside the download folder", p)
	}
	return c, nil
}
