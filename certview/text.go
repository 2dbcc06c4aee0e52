package certview

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// WriteText prints the model as `lockbox inspect` and `lockbox cert` show
// it: the summary, problems not tied to a certificate, then every level
// with its sections and rows. Rows a problem is about end in
// "<-- INVALID: message" or "<-- WARNING: message"; a message already
// given in the same section is not repeated. No colour codes are used.
func WriteText(w io.Writer, m *Model) error {
	tw := &textWriter{w: w}
	if m == nil {
		tw.line("No certificate.")
		return tw.err
	}
	if m.Source != "" {
		tw.line("File: " + m.Source)
	}
	tw.line(m.Summary)
	if len(m.Notes) > 0 {
		tw.line("")
		width := labelWidth(m.Notes)
		seen := map[string]bool{}
		for _, r := range m.Notes {
			tw.row("", width, r, m.DialedName, seen)
		}
	}
	for _, lv := range m.Levels {
		tw.line("")
		head := fmt.Sprintf("Level %d (%s): %s", lv.Index, lv.Role, lv.Title)
		switch lv.Severity {
		case "error":
			head += "   [INVALID]"
		case "warning":
			head += "   [WARNING]"
		}
		tw.line(head)
		if lv.Note != "" {
			tw.line("  Note: this certificate " + lv.Note)
		}
		width := labelWidth(lv.allRows())
		for _, s := range lv.Sections {
			tw.line("  " + s.Title)
			seen := map[string]bool{}
			for _, r := range s.Rows {
				tw.row("    ", width, r, m.DialedName, seen)
			}
		}
	}
	return tw.err
}

type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) line(s string) {
	if t.err != nil {
		return
	}
	_, t.err = io.WriteString(t.w, s+"\n")
}

func (t *textWriter) row(indent string, width int, r Row, dialed string, seen map[string]bool) {
	label := r.Label + strings.Repeat(" ", width-utf8.RuneCountInString(r.Label))
	value := strings.ReplaceAll(r.Value, "\n", " ")
	if r.Highlight {
		value += "   (matches " + normalizeHost(dialed) + ")"
	}
	var marker string
	switch r.Status {
	case StatusInvalid:
		marker = "INVALID"
	case StatusWarning:
		marker = "WARNING"
	}
	if marker == "" {
		t.line(indent + label + "  " + value)
		return
	}
	msgs := strings.Split(r.Message, "\n")
	first := msgs[0]
	if seen[r.Message] {
		first = "(see above)"
		msgs = msgs[:1]
	}
	seen[r.Message] = true
	t.line(indent + label + "  " + value + "   <-- " + marker + ": " + first)
	pad := indent + strings.Repeat(" ", width+2) + "    "
	for _, m := range msgs[1:] {
		t.line(pad + marker + ": " + m)
	}
}

func labelWidth(rows []Row) int {
	w := 0
	for _, r := range rows {
		if n := utf8.RuneCountInString(r.Label); n > w {
			w = n
		}
	}
	return w
}
