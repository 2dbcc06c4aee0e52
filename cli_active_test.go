package main

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockbox/client"
	"lockbox/client/demo"
)

func TestCLIDataModeFlags(t *testing.T) {
	tests := []struct {
		name      string
		flags     dataModeFlags
		wantMode  client.DataMode
		wantRange [2]int
		wantExt   string
		wantErr   string // "" for none; else a part of the usage error
	}{
		{"default is passive", dataModeFlags{}, client.ModePassive, [2]int{}, "", ""},
		{"--active", dataModeFlags{active: true}, client.ModeActive, [2]int{}, "", ""},
		{"--mode auto", dataModeFlags{mode: "auto"}, client.ModeAuto, [2]int{}, "", ""},
		{"--mode active with --active", dataModeFlags{mode: "active", active: true}, client.ModeActive, [2]int{}, "", ""},
		{"range and external address", dataModeFlags{active: true, portRange: "50000-50010", externalIP: "203.0.113.7"}, client.ModeActive, [2]int{50000, 50010}, "203.0.113.7", ""},
		{"IPv6 external address", dataModeFlags{mode: "auto", externalIP: "2001:db8::7"}, client.ModeAuto, [2]int{}, "2001:db8::7", ""},
		{"unknown mode", dataModeFlags{mode: "sideways"}, "", [2]int{}, "", "--mode"},
		{"--active against --mode passive", dataModeFlags{mode: "passive", active: true}, "", [2]int{}, "", "contradicts"},
		{"reversed range", dataModeFlags{active: true, portRange: "50010-50000"}, "", [2]int{}, "", "--port-range"},
		{"privileged range", dataModeFlags{active: true, portRange: "20-21"}, "", [2]int{}, "", "--port-range"},
		{"host name as external address", dataModeFlags{active: true, externalIP: "ftp.example.com"}, "", [2]int{}, "", "--external-ip"},
		{"range without active mode", dataModeFlags{portRange: "50000-50010"}, "", [2]int{}, "", "--active"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var o client.Options
			err := tc.flags.apply(&o)
			if tc.wantErr != "" {
				var ue usageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a usage error about %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ext := ""
			if o.Active.ExternalAddr.IsValid() {
				ext = o.Active.ExternalAddr.String()
			}
			if o.Mode != tc.wantMode || [2]int{o.Active.PortMin, o.Active.PortMax} != tc.wantRange || ext != tc.wantExt {
				t.Errorf("mode %q, range %d-%d, external %q", o.Mode, o.Active.PortMin, o.Active.PortMax, ext)
			}
		})
	}
}

// The engine says that passive mode was refused; the command line says
// which of its flags to try.
func TestCLIPassiveRefusedHint(t *testing.T) {
	refused := &client.StepError{Step: "list", Reply: "550 Permission denied.", Err: &client.PassiveRefusedError{Reply: "550 Permission denied."}}
	tests := []struct {
		name     string
		err      error
		wantHint bool
	}{
		{"passive refused", refused, true},
		{"other failure", &client.StepError{Step: "list", Reply: "550 No such directory."}, false},
	}
	// The server could not connect back: advice about NAT and the firewall.
	accept := &client.StepError{Step: "list", Err: &client.StepError{Step: "data_tls_handshake", Err: &client.StepError{Step: "tcp_accept", Err: errors.New("i/o timeout")}}}
	if a := withAdvice(accept); !strings.Contains(a, "--external-ip") || !strings.Contains(a, "--port-range") {
		t.Errorf("advice for an active connection the server never made: %q", a)
	}
	if a := withAdvice(&client.StepError{Step: "tcp_listen", Err: errors.New("no free port")}); !strings.Contains(a, "--port-range") {
		t.Errorf("advice for a listener that could not open: %q", a)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := withAdvice(tc.err)
			got := strings.Contains(msg, "try active mode") && strings.Contains(msg, "--active")
			if got != tc.wantHint {
				t.Errorf("message %q: hint %v, want %v", msg, got, tc.wantHint)
			}
			if strings.Contains(tc.err.Error(), "--") {
				t.Errorf("the engine's message names a flag: %q", tc.err)
			}
		})
	}
}

// ls --active against the in-process server over plain FTP (its active
// data connections carry no TLS): the server connects to Lockbox.
func TestCLILsActive(t *testing.T) {
	t.Setenv("LOCKBOX_CONFIG_DIR", t.TempDir())
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "hello.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := demo.Start(demo.Config{Root: root, User: "alice", Password: demoPassword})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ap := netip.MustParseAddrPort(srv.Addr)
	r := run(t, "ls", "--allow-plaintext", "--active", "--port-range", "40000-40100", "ftp://alice:"+demoPassword+"@"+ap.String()+"/")
	// Plain FTP shows no certificate to trust: exit 3 as for any ftp:// URL.
	if r.code != exitUntrusted || strings.Contains(r.stderr, "list") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r.expect(t, []string{"hello.txt", "EPRT |1|127.0.0.1|", "tcp_accept"}, nil)
	if strings.Contains(r.stdout, "→ epsv") || strings.Contains(r.stdout, "→ pasv") {
		t.Errorf("passive command sent in active mode:\n%s", r.stdout)
	}
}
