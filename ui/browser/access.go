package browser

import "time"

// Entries returns the rows the pane shows, in display order (empty while
// the first listing is under way or after an error).
func (p *Pane) Entries() []Entry { return append([]Entry(nil), p.rows...) }

// Loading says whether a listing is under way.
func (p *Pane) Loading() bool { return p.loading }

// Status is the pane's status line: the summary of the folder shown, or
// the error of the last operation.
func (p *Pane) Status() string { return p.status.Text }

// SetLocation sets the time zone of the Modified column (time.Local by
// default) and redraws it.
func (p *Pane) SetLocation(loc *time.Location) {
	p.loc = loc
	p.table.Refresh()
}

// MarkOf returns the mark of the shown entry called name, if any.
func (p *Pane) MarkOf(name string) (Mark, bool) {
	if p.marker == nil {
		return Mark{}, false
	}
	for _, e := range p.rows {
		if e.Name == name {
			return p.marker(p.dir, e)
		}
	}
	return Mark{}, false
}
