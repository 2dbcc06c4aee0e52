package queueview

import (
	"lockbox/client/transfer"
)

// Job returns the latest report of job id and the progress bar it shows
// (the share done, 0 to 1, and the bar's text), as the list draws it.
func (v *View) Job(id int) (p transfer.Progress, bar float64, text string, ok bool) {
	i, ok := v.index[id]
	if !ok {
		return transfer.Progress{}, 0, "", false
	}
	p = v.jobs[i]
	bar, text = barValue(p)
	return p, bar, text, true
}

// Jobs returns the latest report of every job shown, in the order they
// were first reported.
func (v *View) Jobs() []transfer.Progress { return append([]transfer.Progress(nil), v.jobs...) }
