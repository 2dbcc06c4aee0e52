package client

import (
	"fmt"
	"strings"

	"lockbox/client/internal/ftpconn"
	"lockbox/client/internal/ftpwire"
)

// DataMode says who opens an FTP data connection.
type DataMode = ftpconn.DataMode

// The data connection modes.
const (
	// ModePassive (the default; "" means it too): Lockbox connects to a port
	// the server opened (EPSV, else PASV).
	ModePassive = ftpconn.ModePassive
	// ModeActive: Lockbox listens and the server connects to it (EPRT,
	// else PORT), for servers that refuse passive mode.
	ModeActive = ftpconn.ModeActive
	// ModeAuto tries passive mode and falls back to active mode when the
	// server refuses it or its data port cannot be reached in time, as
	// WinSCP does; a session that fell back stays in active mode, and so
	// do the sessions a Pool opens after it.
	ModeAuto = ftpconn.ModeAuto
)

// ParseDataMode reads "passive", "active" or "auto" ("" is passive).
func ParseDataMode(s string) (DataMode, error) {
	switch m := DataMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "", ModePassive:
		return ModePassive, nil
	case ModeActive, ModeAuto:
		return m, nil
	}
	return "", fmt.Errorf("data connection mode %q: want passive, active or auto", s)
}

// ParsePortRange reads "A-B", a range of ports for active mode's listener
// (ActiveOptions.PortMin and PortMax), within 1024-65535.
func ParsePortRange(s string) (lo, hi int, err error) { return ftpwire.ParsePortRange(s) }

// ActiveOptions place active mode's listening socket: the ports, the
// address listened on and the one announced to the server.
type ActiveOptions = ftpconn.ActiveOptions

// PassiveRefusedError says that the server refused passive mode (EPSV and
// PASV), or that its passive port could not be reached in time, while the
// session was in passive mode: active mode may work.
type PassiveRefusedError = ftpconn.PassiveRefusedError

// ActiveThroughProxyError refuses an active-mode data connection through a
// proxy: in active mode the server connects back to Lockbox, and a proxy
// relays only connections that Lockbox opens.
type ActiveThroughProxyError = ftpconn.ActiveThroughProxyError
