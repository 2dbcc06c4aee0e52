package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client/trace"
)

// maxLogLines is how many protocol-log lines the tab keeps; older ones are
// dropped (and counted) so that a session of thousands of transfers stays
// light.
const maxLogLines = 20000

// protoLog is the Protocol log tab: the FTP dialogue of every connection,
// one line per command or reply, as an FTP client's message log shows it.
// The password is masked by the engine (PASS ****) before it gets here.
// Rows are virtualised (widget.List), so its cost does not grow with the
// session.
type protoLog struct {
	content *fyne.Container
	list    *widget.List
	copyBtn *widget.Button
	count   *widget.Label
	lines   []trace.Step
	dropped int
	// clipboard receives the log when the user presses Copy.
	clipboard func() fyne.Clipboard
}

func newProtoLog(clipboard func() fyne.Clipboard) *protoLog {
	l := &protoLog{clipboard: clipboard}
	l.list = widget.NewList(
		func() int { return len(l.lines) },
		func() fyne.CanvasObject {
			t := widget.NewLabel("")
			t.TextStyle = fyne.TextStyle{Monospace: true}
			t.Truncation = fyne.TextTruncateEllipsis
			return t
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			s := l.lines[i]
			lbl := o.(*widget.Label)
			lbl.Importance = widget.MediumImportance
			if s.Failed {
				lbl.Importance = widget.DangerImportance
			}
			lbl.SetText(logLine(s))
		},
	)
	l.count = quiet("No FTP dialogue yet.")
	l.copyBtn = widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), l.copy)
	l.copyBtn.Disable()
	l.content = container.NewBorder(container.NewBorder(nil, nil, nil, l.copyBtn, l.count), nil, nil, nil, l.list)
	return l
}

// logLine renders one line: "control  > USER demo" or "data 1  < 226 …".
func logLine(s trace.Step) string {
	arrow := ">"
	if s.Dir == trace.Recv {
		arrow = "<"
	}
	return fmt.Sprintf("%-8s %s %s", s.Conn, arrow, s.Summary)
}

// add appends a step if it is a line of the dialogue.
func (l *protoLog) add(s trace.Step) { l.addAll([]trace.Step{s}) }

// addAll appends the lines of the dialogue among steps, with one redraw.
func (l *protoLog) addAll(steps []trace.Step) {
	added := false
	for _, s := range steps {
		if !s.Wire {
			continue
		}
		if len(l.lines) >= maxLogLines {
			n := copy(l.lines, l.lines[len(l.lines)/10:])
			l.dropped += len(l.lines) - n
			l.lines = l.lines[:n]
		}
		l.lines = append(l.lines, s)
		added = true
	}
	if !added {
		return
	}
	l.copyBtn.Enable()
	l.updateCount()
	l.list.Refresh()
	l.list.ScrollToBottom()
}

func (l *protoLog) updateCount() {
	msg := fmt.Sprintf("%d lines", len(l.lines))
	if l.dropped > 0 {
		msg += fmt.Sprintf(" (%d older lines dropped)", l.dropped)
	}
	l.count.SetText(msg + " — the password is never shown.")
}

// clear empties the log for a new connection.
func (l *protoLog) clear() {
	l.lines, l.dropped = nil, 0
	l.count.SetText("No FTP dialogue yet.")
	l.copyBtn.Disable()
	l.list.Refresh()
}

// text is the whole log as copied.
func (l *protoLog) text() string {
	var b strings.Builder
	for _, s := range l.lines {
		b.WriteString(logLine(s))
		b.WriteByte('\n')
	}
	return b.String()
}

func (l *protoLog) copy() {
	if cb := l.clipboard(); cb != nil {
		cb.SetContent(l.text())
	}
}
