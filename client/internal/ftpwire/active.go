package ftpwire

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// EPRTArg is the argument of an EPRT command (RFC 2428) that names ap:
// "|1|192.0.2.1|50000|" or "|2|::1|50000|".
func EPRTArg(ap netip.AddrPort) string {
	proto := "1"
	a := ap.Addr().Unmap().WithZone("")
	if a.Is6() {
		proto = "2"
	}
	return fmt.Sprintf("|%s|%s|%d|", proto, a, ap.Port())
}

// PORTArg is the argument of a PORT command (RFC 959) that names ap:
// "192,0,2,1,195,80". PORT carries IPv4 addresses only.
func PORTArg(ap netip.AddrPort) (string, error) {
	a := ap.Addr().Unmap()
	if !a.Is4() {
		return "", fmt.Errorf("PORT cannot name the IPv6 address %s", a)
	}
	b := a.As4()
	return fmt.Sprintf("%d,%d,%d,%d,%d,%d", b[0], b[1], b[2], b[3], ap.Port()>>8, ap.Port()&0xff), nil
}

var errEPRT = errors.New("not an EPRT argument")

// ParseEPRTArg reads an EPRT argument back (the protocol log names the
// address Lockbox listens on from the command it sent). The delimiter is
// the first byte, any of ASCII 33-126 as RFC 2428 allows.
func ParseEPRTArg(s string) (netip.AddrPort, error) {
	if len(s) < 2 || s[0] < 33 || s[0] > 126 {
		return netip.AddrPort{}, errEPRT
	}
	fields := strings.Split(s[1:], string(s[0]))
	if len(fields) != 4 || fields[3] != "" {
		return netip.AddrPort{}, errEPRT
	}
	a, err := netip.ParseAddr(fields[1])
	if err != nil || a.Zone() != "" {
		return netip.AddrPort{}, fmt.Errorf("%w: bad address %q", errEPRT, fields[1])
	}
	switch {
	case fields[0] == "1" && a.Is4(), fields[0] == "2" && a.Is6() && !a.Is4In6():
	default:
		return netip.AddrPort{}, fmt.Errorf("%w: protocol %q does not match address %s", errEPRT, fields[0], a)
	}
	port, err := parsePort(fields[2])
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%w: %v", errEPRT, err)
	}
	return netip.AddrPortFrom(a, port), nil
}

// ParsePORTArg reads a PORT argument back: six decimal bytes.
func ParsePORTArg(s string) (netip.AddrPort, error) {
	fields := strings.Split(s, ",")
	if len(fields) != 6 {
		return netip.AddrPort{}, errors.New("not a PORT argument: want six numbers")
	}
	var b [6]byte
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if len(f) == 0 || len(f) > 3 || strings.TrimLeft(f, "0123456789") != "" || err != nil || n > 255 {
			return netip.AddrPort{}, fmt.Errorf("not a PORT argument: %q is not a byte", f)
		}
		b[i] = byte(n)
	}
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[:4])), uint16(b[4])<<8|uint16(b[5])), nil
}

func parsePort(s string) (uint16, error) {
	n, err := strconv.Atoi(s)
	if len(s) == 0 || len(s) > 5 || strings.TrimLeft(s, "0123456789") != "" || err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("bad port %q", s)
	}
	return uint16(n), nil
}

// ParsePortRange reads "A-B", the ports an active-mode listener may use
// (1024-65535 at widest; a single port is "A-A").
func ParsePortRange(s string) (lo, hi int, err error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return 0, 0, fmt.Errorf("port range %q: want FIRST-LAST, such as 50000-50100", s)
	}
	pa, err1 := parsePort(strings.TrimSpace(a))
	pb, err2 := parsePort(strings.TrimSpace(b))
	switch {
	case err1 != nil || err2 != nil:
		return 0, 0, fmt.Errorf("port range %q: the ports must be numbers from 1024 to 65535", s)
	case pa < 1024:
		return 0, 0, fmt.Errorf("port range %q: ports below 1024 need root privileges", s)
	case pb < pa:
		return 0, 0, fmt.Errorf("port range %q: the first port is above the last", s)
	}
	return int(pa), int(pb), nil
}
