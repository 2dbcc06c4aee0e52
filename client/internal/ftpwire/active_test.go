package ftpwire

import (
	"net/netip"
	"testing"
)

func TestActiveArgsRoundTrip(t *testing.T) {
	tests := []struct {
		ap       string
		eprt     string
		port     string
		portFail bool
	}{
		{"127.0.0.1:50000", "|1|127.0.0.1|50000|", "127,0,0,1,195,80", false},
		{"[::1]:1025", "|2|::1|1025|", "", true},
		{"[::ffff:10.0.0.1]:65535", "|1|10.0.0.1|65535|", "10,0,0,1,255,255", false},
	}
	for _, tc := range tests {
		t.Run(tc.ap, func(t *testing.T) {
			ap := netip.MustParseAddrPort(tc.ap)
			if got := EPRTArg(ap); got != tc.eprt {
				t.Errorf("EPRTArg = %q, want %q", got, tc.eprt)
			}
			back, err := ParseEPRTArg(tc.eprt)
			if err != nil || back != netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()) {
				t.Errorf("ParseEPRTArg = %v, %v", back, err)
			}
			got, err := PORTArg(ap)
			if (err != nil) != tc.portFail || got != tc.port {
				t.Errorf("PORTArg = %q, %v", got, err)
			}
			if !tc.portFail {
				if back, err := ParsePORTArg(got); err != nil || back != netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()) {
					t.Errorf("ParsePORTArg = %v, %v", back, err)
				}
			}
		})
	}
}

func TestParseActiveArgsRefuses(t *testing.T) {
	for _, s := range []string{"", "|", "|1|127.0.0.1|0|", "|2|127.0.0.1|21|", "|1|::1|21|", "|1|127.0.0.1|21", "|1|fe80::1%eth0|21|",
		"|1|127.0.0.1|70000|", "|1|127.0.0.1|+21|", "|1|127.0.0.1|21|x"} {
		if ap, err := ParseEPRTArg(s); err == nil {
			t.Errorf("ParseEPRTArg(%q) = %v, want an error", s, ap)
		}
	}
	for _, s := range []string{"", "1,2,3,4,5", "1,2,3,4,5,256", "1,2,3,4,5,-1", "1,2,3,4,5,+1", "1,2,3,4,5,6,7", "0001,2,3,4,5,6"} {
		if ap, err := ParsePORTArg(s); err == nil {
			t.Errorf("ParsePORTArg(%q) = %v, want an error", s, ap)
		}
	}
}

func TestParsePortRange(t *testing.T) {
	tests := []struct {
		in     string
		lo, hi int
		ok     bool
	}{
		{"50000-50100", 50000, 50100, true},
		{" 2000 - 2000 ", 2000, 2000, true},
		{"50100-50000", 0, 0, false},
		{"80-90", 0, 0, false},
		{"50000", 0, 0, false},
		{"a-b", 0, 0, false},
		{"1024-65536", 0, 0, false},
	}
	for _, tc := range tests {
		lo, hi, err := ParsePortRange(tc.in)
		if (err == nil) != tc.ok || lo != tc.lo || hi != tc.hi {
			t.Errorf("ParsePortRange(%q) = %d, %d, %v", tc.in, lo, hi, err)
		}
	}
}

// FuzzActiveArgs checks that the EPRT and PORT parsers never panic and that
// whatever they accept formats back to an argument naming the same address.
func FuzzActiveArgs(f *testing.F) {
	for _, s := range []string{"|1|127.0.0.1|50000|", "|2|::1|1025|", "!1!10.0.0.1!21!", "127,0,0,1,195,80", "1,2,3,4,5,6,7", "|2|::ffff:1.2.3.4|5|", "50000-50100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ap, err := ParseEPRTArg(s); err == nil {
			back, err := ParseEPRTArg(EPRTArg(ap))
			if err != nil || back != ap {
				t.Fatalf("EPRT %q → %v → %q → %v, %v", s, ap, EPRTArg(ap), back, err)
			}
		}
		if ap, err := ParsePORTArg(s); err == nil {
			arg, err := PORTArg(ap)
			if err != nil {
				t.Fatalf("PORT %q → %v cannot be formatted: %v", s, ap, err)
			}
			if back, err := ParsePORTArg(arg); err != nil || back != ap {
				t.Fatalf("PORT %q → %v → %q → %v, %v", s, ap, arg, back, err)
			}
		}
		if lo, hi, err := ParsePortRange(s); err == nil && (lo < 1024 || hi > 65535 || lo > hi) {
			t.Fatalf("ParsePortRange(%q) = %d-%d", s, lo, hi)
		}
		_ = passiveHost(s)
	})
}
