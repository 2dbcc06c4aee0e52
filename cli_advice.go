package main

import (
	"errors"
	"fmt"
	"io"
	"net/netip"

	"lockbox/client"
)

// The engine's errors state facts and never name a flag; the command line
// turns the facts whose remedy is one of its flags into advice here.

// advice is what the user can do about err on the command line ("" when
// the error says it all).
func advice(err error) string {
	var pe *client.PassiveRefusedError
	switch {
	case errors.As(err, &pe):
		return "try active mode, where the server connects to Lockbox: --active (or --mode auto, which falls back to active mode by itself)"
	case client.FailedAt(err, "tcp_accept"):
		return "in active mode the server must connect to Lockbox: behind NAT, give your public address with --external-ip and open a --port-range in the firewall, or use passive mode (--mode passive)"
	case client.FailedAt(err, "tcp_listen"):
		return "Lockbox could not open a port for active mode: choose another --port-range, or use passive mode (--mode passive)"
	}
	return ""
}

// printError prints "lockbox CMD: ERR" and, on the next line, the advice
// for err if any.
func printError(w io.Writer, prefix string, err error) {
	fmt.Fprintf(w, "%s: %v\n", prefix, err)
	if a := advice(err); a != "" {
		fmt.Fprintf(w, "%s: hint: %s\n", prefix, a)
	}
}

// dataModeFlags are the flags that choose how FTP data connections are
// opened.
type dataModeFlags struct {
	mode       string
	active     bool
	portRange  string
	externalIP string
}

// apply sets the data connection mode and active mode's listener in o.
func (d dataModeFlags) apply(o *client.Options) error {
	mode, err := client.ParseDataMode(d.mode)
	if err != nil {
		return usageError{fmt.Errorf("--mode: %w", err)}
	}
	if d.active {
		if d.mode != "" && mode != client.ModeActive {
			return usageError{fmt.Errorf("--active contradicts --mode %s", mode)}
		}
		mode = client.ModeActive
	}
	o.Mode = mode
	if d.portRange != "" {
		if o.Active.PortMin, o.Active.PortMax, err = client.ParsePortRange(d.portRange); err != nil {
			return usageError{fmt.Errorf("--port-range: %w", err)}
		}
	}
	if d.externalIP != "" {
		a, err := netip.ParseAddr(d.externalIP)
		if err != nil || a.Zone() != "" {
			return usageError{fmt.Errorf("--external-ip: %q is not an IP address", d.externalIP)}
		}
		o.Active.ExternalAddr = a
	}
	if (d.portRange != "" || d.externalIP != "") && mode == client.ModePassive {
		return usageError{errors.New("--port-range and --external-ip place active mode's port: use them with --active or --mode active|auto")}
	}
	return nil
}
