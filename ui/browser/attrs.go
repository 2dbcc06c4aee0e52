package browser

import (
	"io/fs"
	"runtime"
)

// Windows file attributes (FILE_ATTRIBUTE_*) that the local pane shows.
const (
	attrReadOnly  = 0x1
	attrHidden    = 0x2
	attrSystem    = 0x4
	attrDirectory = 0x10
	attrArchive   = 0x20
)

// localPerm is the local pane's permissions column for an entry: on
// Windows its attributes (attrString), which are what Windows uses (Unix
// modes there are Go's invention from the read-only flag); elsewhere the
// mode as `ls -l` shows it.
func localPerm(info fs.FileInfo) string {
	if runtime.GOOS == "windows" {
		if a, ok := fileAttributes(info); ok {
			return attrString(a)
		}
	}
	return permString(info.Mode())
}

// attrString formats Windows file attributes with the letters of Windows'
// attrib command, in fixed places so that the column lines up: "d" for a
// folder, then R (read-only), H (hidden), S (system) and A (archive), "-"
// for each that is not set. A hidden read-only file is "-RH-A", a plain
// folder "d----".
func attrString(a uint32) string {
	b := []byte("-----")
	for i, f := range []struct {
		bit uint32
		c   byte
	}{{attrDirectory, 'd'}, {attrReadOnly, 'R'}, {attrHidden, 'H'}, {attrSystem, 'S'}, {attrArchive, 'A'}} {
		if a&f.bit != 0 {
			b[i] = f.c
		}
	}
	return string(b)
}
