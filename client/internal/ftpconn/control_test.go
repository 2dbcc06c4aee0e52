package ftpconn

import (
	"context"
	"errors"
	"net/textproto"
	"testing"

	"lockbox/client/internal/fault"
	"lockbox/client/trace"
)

// The hint that a data connection did not resume is given for the replies
// servers use for that (522; 425 and 426 after a fresh data handshake), not
// for every refusal that follows one.
func TestResumptionHintOnlyForDataRefusals(t *testing.T) {
	c := &Control{rec: trace.NewRecorder(nil)}
	for _, tc := range []struct {
		code     int
		fresh    bool
		wantHint bool
	}{
		{522, false, true},
		{425, true, true},
		{426, true, true},
		{425, false, false},
		{550, true, false},
		{530, true, false},
	} {
		c.dataFresh.Store(tc.fresh)
		err := c.stepErr(context.Background(), "retr", &textproto.Error{Code: tc.code, Msg: "refused"})
		var se *fault.StepError
		if !errors.As(err, &se) || (se.Hint != "") != tc.wantHint {
			t.Errorf("%d (fresh %v): hint %q, want one: %v", tc.code, tc.fresh, se.Hint, tc.wantHint)
		}
	}
}
