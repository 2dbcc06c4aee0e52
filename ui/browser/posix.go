package browser

import (
	"errors"
	"path"
	"strings"
)

// POSIX holds the path methods of a Source whose paths are slash-separated
// and rooted at "/", as an FTP server's are. A remote source embeds it and
// adds List, MakeDir, Rename and Delete.
type POSIX struct{}

// Join returns the path of name inside dir.
func (POSIX) Join(dir, name string) string { return path.Join(dir, name) }

// Parent returns the folder holding dir; "/" is its own parent. A relative
// dir (a server that reports none) gives ".".
func (POSIX) Parent(dir string) string {
	dir = path.Clean(dir)
	return path.Dir(dir)
}

// Crumbs splits dir into "/" and each folder under it. A relative dir (a
// server that never said where the login put us) gives one crumb per
// element.
func (POSIX) Crumbs(dir string) []Crumb {
	dir = path.Clean(dir)
	if !path.IsAbs(dir) {
		var out []Crumb
		acc := ""
		for _, el := range strings.Split(dir, "/") {
			acc = path.Join(acc, el)
			out = append(out, Crumb{Label: el, Path: acc})
		}
		return out
	}
	out := []Crumb{{Label: "/", Path: "/"}}
	if dir == "/" {
		return out
	}
	acc := ""
	for _, el := range strings.Split(dir[1:], "/") {
		acc += "/" + el
		out = append(out, Crumb{Label: el, Path: acc})
	}
	return out
}

// Resolve returns typed if it is absolute, else typed taken from dir; the
// result is cleaned and surrounding white space is dropped (a pasted path
// often carries a newline).
func (POSIX) Resolve(dir, typed string) string {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return dir
	}
	if path.IsAbs(typed) {
		return path.Clean(typed)
	}
	return path.Join(dir, typed)
}

// CheckName refuses the empty name, "." and "..", and names holding "/",
// "\", NUL or a control character. A backslash is legal on a POSIX server,
// but Lockbox refuses such a name when downloading it, so it does not create
// one either.
func (POSIX) CheckName(name string) error { return checkName(name, `/\`) }

// checkName is CheckName for a set of separator characters.
func checkName(name, separators string) error {
	switch {
	case name == "":
		return errors.New("the name is empty")
	case name == "." || name == "..":
		return errors.New("the name points at a folder itself or its parent")
	case strings.ContainsRune(name, 0):
		return errors.New("the name contains a NUL byte")
	case strings.ContainsAny(name, separators):
		return errors.New("the name contains a path separator, so it would lead into another folder")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return errors.New("the name contains a control character")
		}
	}
	return nil
}
