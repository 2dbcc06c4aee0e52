package ftpconn

import (
	"errors"
	"net/textproto"
	"strings"
	"testing"

	"lockbox/client/internal/proxydial"
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

// TestActiveThroughProxyRefused is the hook active mode calls before it
// listens.
func TestActiveThroughProxyRefused(t *testing.T) {
	px := &proxydial.Proxy{Kind: proxydial.SOCKS5, Host: "p", Port: 1080, Password: "pw"}
	tests := []struct {
		name    string
		proxy   *proxydial.Proxy
		active  bool
		wantErr bool
	}{
		{"passive through a proxy", px, false, false},
		{"active without a proxy", nil, true, false},
		{"active through a proxy", px, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Control{cfg: Config{Proxy: tt.proxy}}
			err := c.refuseActive(tt.active)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			// client's TestReasonOf gives this error its reason,
			// ReasonActiveThroughProxy.
			var aerr *ActiveThroughProxyError
			if err != nil && (!strings.Contains(err.Error(), "use passive mode") || strings.Contains(err.Error(), "pw") || !errors.As(err, &aerr)) {
				t.Errorf("err %q (%T)", err, err)
			}
		})
	}
}
