//go:build linux || netbsd || openbsd || freebsd || dragonfly

package secrets

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/godbus/dbus/v5"
)

// runtimeDir is where a systemd or logind session keeps its D-Bus socket;
// a variable so that tests can point it at an empty folder.
var runtimeDir = func() string { return filepath.Join("/run/user", strconv.Itoa(os.Getuid())) }

// sessionBusCheck reports a missing D-Bus session bus as the D-Bus library
// would find it (the environment, then the session's runtime folder),
// without falling back to starting one with dbus-launch.
func sessionBusCheck() error {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	dir := runtimeDir()
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return nil
		}
	}
	return &UnavailableError{Reason: fmt.Sprintf("no D-Bus session bus is running (DBUS_SESSION_BUS_ADDRESS is not set and %s has no bus socket), "+
		"and the Secret Service (gnome-keyring or KWallet) that keeps passwords is only reached through one, so %s", dir, consequence)}
}

// explainPlatform says in plain words what a Secret Service failure means,
// or "" when it cannot tell.
func explainPlatform(err error) string {
	if name, ok := dbusErrorName(err); ok {
		switch name {
		case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner":
			return "no Secret Service (gnome-keyring or KWallet) is running on the D-Bus session bus"
		case "org.freedesktop.DBus.Error.NoReply", "org.freedesktop.DBus.Error.Timeout", "org.freedesktop.DBus.Error.TimedOut":
			return "the Secret Service (gnome-keyring or KWallet) on the D-Bus session bus did not answer"
		case "org.freedesktop.DBus.Error.AccessDenied":
			return "the D-Bus session bus refused access to the Secret Service (gnome-keyring or KWallet)"
		case "org.freedesktop.Secret.Error.IsLocked":
			return "the keyring is locked"
		}
		return fmt.Sprintf("the Secret Service (gnome-keyring or KWallet) refused the request (%s: %v)", name, err)
	}
	// go-keyring's own words when the unlock prompt was dismissed.
	if strings.Contains(err.Error(), "failed to unlock") {
		return "the keyring is locked and was not unlocked"
	}
	// Everything else go-keyring passes on comes from connecting to the bus.
	return fmt.Sprintf("the D-Bus session bus cannot be reached (%v), and the Secret Service (gnome-keyring or KWallet) that keeps passwords is only reached through it", err)
}

// dbusErrorName returns the D-Bus error name in err, which the library
// returns both as a value and as a pointer.
func dbusErrorName(err error) (string, bool) {
	var v dbus.Error
	if errors.As(err, &v) {
		return v.Name, true
	}
	var p *dbus.Error
	if errors.As(err, &p) && p != nil {
		return p.Name, true
	}
	return "", false
}
