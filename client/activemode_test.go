package client

import (
	"errors"
	"net/textproto"
	"testing"
)

// Which failures make auto mode switch to active mode (and passive mode
// say that active mode may work): a refused PASV (after EPSV), or a
// passive data port that could not be reached in time; not a closing
// server (421), not a refused EPSV that PASV then answered, not a refusal
// of the transfer command itself.
func TestPassiveRefused(t *testing.T) {
	tests := []struct {
		name      string
		passive   string // the passive command pending when the operation failed
		timeout   bool
		err       error
		wantOK    bool
		wantReply string
	}{
		{"PASV refused with 502", "PASV", false, &textproto.Error{Code: 502, Msg: "Passive mode is disabled on this server."}, true, "502 Passive mode is disabled on this server."},
		{"PASV refused with 550 (vsftpd)", "PASV", false, &textproto.Error{Code: 550, Msg: "Permission denied."}, true, "550 Permission denied."},
		{"PASV refused with 425", "PASV", false, &textproto.Error{Code: 425, Msg: "Can't open passive connection."}, true, "425 Can't open passive connection."},
		{"server closing (421)", "PASV", false, &textproto.Error{Code: 421, Msg: "Timeout."}, false, ""},
		{"only EPSV sent", "EPSV", false, &textproto.Error{Code: 500, Msg: "?"}, false, ""},
		{"a transfer refused after the data connection", "", false, &textproto.Error{Code: 550, Msg: "No such file."}, false, ""},
		{"passive port timed out", "", true, errors.New("i/o timeout"), true, ""},
		{"PASV broken off (not a reply)", "PASV", false, errors.New("EOF"), false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var a activeState
			a.passive, a.passiveTimeout = tc.passive, tc.timeout
			reply, ok := a.passiveRefused(tc.err)
			if ok != tc.wantOK || reply != tc.wantReply {
				t.Errorf("passiveRefused = %q, %v; want %q, %v", reply, ok, tc.wantReply, tc.wantOK)
			}
			a.beginOp()
			if _, ok := a.passiveRefused(tc.err); ok {
				t.Error("beginOp did not forget the previous operation's passive attempt")
			}
		})
	}
}

func TestParseDataMode(t *testing.T) {
	tests := []struct {
		in   string
		want DataMode
		ok   bool
	}{
		{"", ModePassive, true},
		{"passive", ModePassive, true},
		{" Active ", ModeActive, true},
		{"AUTO", ModeAuto, true},
		{"pasv", "", false},
	}
	for _, tc := range tests {
		got, err := ParseDataMode(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseDataMode(%q) = %q, %v", tc.in, got, err)
		}
	}
}
