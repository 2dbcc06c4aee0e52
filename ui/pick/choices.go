package pick

// Choice is one option of a select or radio group: the value it stands for
// and the label the widget shows for it.
type Choice struct {
	Value, Label string
}

// Choices are the options of one select or radio group, in the order
// shown. The first is the one shown for a value that has no choice of its
// own, so put the default (or safest) option first.
type Choices []Choice

// Labels are the labels of cs in order: the options to give the widget.
func (cs Choices) Labels() []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Label
	}
	return out
}

// Label is the label of the choice whose value is value, or the first
// choice's label when none is.
func (cs Choices) Label(value string) string {
	for _, c := range cs {
		if c.Value == value {
			return c.Label
		}
	}
	return cs[0].Label
}

// Value is the value of the choice labelled label, or the first choice's
// value when none is.
func (cs Choices) Value(label string) string {
	for _, c := range cs {
		if c.Label == label {
			return c.Value
		}
	}
	return cs[0].Value
}
