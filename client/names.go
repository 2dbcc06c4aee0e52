package client

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// NameError refuses a name a server listed because using it locally could
// write outside the chosen folder (or is not a plain file name at all).
type NameError struct {
	// Dir is the remote directory whose listing held the name.
	Dir string
	// Name is the name as the server sent it; print it with %q.
	Name string
	// Reason says what is wrong with it.
	Reason string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("refused the name %q listed in %q: %s; nothing was written for it", e.Name, e.Dir, e.Reason)
}

// CheckName checks one name from a server's listing before it becomes part
// of a local path: it must be a single plain path element. Refused: the
// empty name, "." and "..", absolute names, names holding "/" or "\" (so
// ".." can never be a path element), NUL or other control characters, and
// on Windows a drive or stream colon. A name merely containing two dots
// ("notes..txt", "..hidden") is a plain file name and is accepted.
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("the name is empty")
	case name == "." || name == "..":
		return errors.New("the name points at a directory itself or its parent")
	case strings.ContainsRune(name, 0):
		return errors.New("the name contains a NUL byte")
	case strings.ContainsAny(name, `/\`):
		return errors.New("the name contains a path separator, so it could lead into another folder")
	case filepath.IsAbs(name) || filepath.VolumeName(name) != "":
		return errors.New("the name is an absolute path")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return errors.New("the name contains a control character")
		}
	}
	if runtime.GOOS == "windows" && strings.ContainsRune(name, ':') {
		return errors.New("the name contains a colon, which Windows reads as a drive or stream")
	}
	return nil
}

// CheckRelPath checks a slash-separated relative path of names (as in
// RemoteFile.Path) and returns it in the local form.
func CheckRelPath(rel string) (string, error) {
	if rel == "" {
		return "", errors.New("empty path")
	}
	for _, el := range strings.Split(rel, "/") {
		if err := CheckName(el); err != nil {
			return "", fmt.Errorf("%q: %w", rel, err)
		}
	}
	return filepath.FromSlash(rel), nil
}

// LocalPath joins a slash-separated relative path of names under root and
// checks, after filepath.Clean, that the result is still inside root.
func LocalPath(root, rel string) (string, error) {
	local, err := CheckRelPath(rel)
	if err != nil {
		return "", err
	}
	root = filepath.Clean(root)
	p := filepath.Join(root, local)
	r, err := filepath.Rel(root, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
		return "", fmt.Errorf("%q leads outside %s", rel, root)
	}
	return p, nil
}
