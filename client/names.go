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
// on Windows every name CheckWindowsName refuses. A name merely containing
// two dots ("notes..txt", "..hidden") is a plain file name and is accepted.
func CheckName(name string) error { return checkName(name, runtime.GOOS == "windows") }

// checkName is CheckName with Windows' rules on or off, so that both
// platforms' rules are tested on every platform. It does not ask the host's
// path/filepath: with "/" and "\" refused no name is absolute on Linux, and
// Windows' drive letters ("C:") are refused with its colon.
func checkName(name string, windows bool) error {
	switch {
	case name == "":
		return errors.New("the name is empty")
	case name == "." || name == "..":
		return errors.New("the name points at a directory itself or its parent")
	case strings.ContainsRune(name, 0):
		return errors.New("the name contains a NUL byte")
	case strings.ContainsAny(name, `/\`):
		return errors.New("the name contains a path separator, so it could lead into another folder")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return errors.New("the name contains a control character")
		}
	}
	if windows {
		return CheckWindowsName(name)
	}
	return nil
}

// windowsDevices are the names Windows reads as a device in every folder,
// with or without an extension ("aux.txt" is the AUX device too): writing
// to "CON" would print to a console, not create a file. The superscript
// digits count as port numbers as well.
var windowsDevices = func() map[string]bool {
	m := map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true, "CONIN$": true, "CONOUT$": true}
	for _, d := range []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "\u00b9", "\u00b2", "\u00b3"} {
		m["COM"+d], m["LPT"+d] = true, true
	}
	return m
}()

// CheckWindowsName says why a Windows folder cannot hold name as it is, or
// returns nil. It checks what CheckName adds on Windows, on every platform,
// so that the rules are tested (and explained) everywhere: the characters
// < > : " / \ | ? * and control characters, a trailing dot or space (which
// Windows strips, so the file would land under another name), and the
// device names CON, PRN, AUX, NUL, COM0–9 and LPT0–9, alone or with an
// extension.
func CheckWindowsName(name string) error {
	if i := strings.IndexAny(name, `<>:"/\|?*`); i >= 0 {
		c := name[i]
		if c == ':' {
			return errors.New("the name contains a colon, which Windows reads as a drive or stream")
		}
		return fmt.Errorf("the name contains %q, which Windows does not allow in a file name", c)
	}
	for _, r := range name {
		if r < 0x20 {
			return errors.New("the name contains a control character")
		}
	}
	if strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") {
		return errors.New("the name ends in a dot or a space, which Windows strips, so the file would get another name")
	}
	base := name
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	base = strings.TrimRight(base, " ")
	if windowsDevices[strings.ToUpper(base)] {
		return fmt.Errorf("%q is a device on Windows, not a file name", base)
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
