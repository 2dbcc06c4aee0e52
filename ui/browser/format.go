package browser

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"lockbox/client/words"
	"lockbox/ui/units"
)

// timeLayout is how the Modified column shows a time: sortable, and
// without seconds, which FTP listings rarely carry.
const timeLayout = "2006-01-02 15:04"

// formatTime shows t in loc; the zero time (unknown) shows nothing.
func formatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(timeLayout)
}

// summarize describes a listing as the status line shows it:
// "12 folders, 340 files, 1.2 GB". The size is that of the files.
func summarize(es []Entry) string {
	if len(es) == 0 {
		return "Empty folder"
	}
	dirs, files := 0, 0
	var bytes int64
	for _, e := range es {
		if e.Dir {
			dirs++
			continue
		}
		files++
		bytes += e.Size
	}
	return words.Plural(dirs, "folder") + ", " + words.Plural(files, "file") + ", " + units.Bytes(bytes)
}

// reason is what the status line shows of a source's error after saying
// what failed: an operating-system error's path and operation would only
// repeat it, so just its cause is kept ("permission denied").
func reason(err error) string {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe) && error(pe) == err:
		return pe.Err.Error()
	case errors.As(err, &le) && error(le) == err:
		return le.Err.Error()
	}
	return err.Error()
}

// deleteQuestion is the confirmation asked before deleting es, naming
// what goes and saying that a folder goes with everything in it.
func deleteQuestion(es []Entry) string {
	const final = "\n\nThis cannot be undone."
	if len(es) == 1 {
		e := es[0]
		switch {
		case e.Link:
			return fmt.Sprintf("Delete the link %q? What it points to is kept.", e.Name) + final
		case e.Dir:
			return fmt.Sprintf("Delete the folder %q and everything in it?", e.Name) + final
		}
		return fmt.Sprintf("Delete the file %q?", e.Name) + final
	}
	dirs := 0
	for _, e := range es {
		if e.Dir && !e.Link {
			dirs++
		}
	}
	const shown = 3
	names := make([]string, 0, shown)
	for _, e := range es[:min(len(es), shown)] {
		names = append(names, strconv.Quote(e.Name))
	}
	list := strings.Join(names, ", ")
	if len(es) > shown {
		list += fmt.Sprintf(" and %d more", len(es)-shown)
	}
	what := fmt.Sprintf("Delete these %d items", len(es))
	if dirs > 0 {
		in := "them"
		if dirs == 1 {
			in = "it"
		}
		what += fmt.Sprintf(" (%s with everything in %s)", words.Plural(dirs, "folder"), in)
	}
	return what + ": " + list + "?" + final
}
