//go:build linux || netbsd || openbsd || freebsd || dragonfly

package secrets

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
)

// The words the user reads when no Secret Service runs (as on a CI
// machine or a bare window manager session).
const noSecretService = "no Secret Service (gnome-keyring or KWallet) is running on the D-Bus session bus, so passwords cannot be saved; you will be asked for them each time"

func TestDBusErrorsExplained(t *testing.T) {
	tests := []struct {
		name   string
		libErr error
		want   string
	}{
		{"no service, by value", dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown", Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}}, noSecretService},
		{"no service, by pointer", &dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"}, noSecretService},
		{"no answer", dbus.Error{Name: "org.freedesktop.DBus.Error.NoReply"}, "did not answer, so passwords cannot be saved"},
		{"locked", dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked"}, "the keyring is locked, so passwords cannot be saved"},
		{"unlock dismissed", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), "the keyring is locked and was not unlocked, so"},
		{"bus unreachable", errors.New("dial unix /run/user/1000/bus: connect: connection refused"), "the D-Bus session bus cannot be reached (dial unix /run/user/1000/bus: connect: connection refused)"},
		{"other service error", dbus.Error{Name: "org.example.Odd"}, "refused the request (org.example.Odd"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			useMock(t, tc.libErr)
			err := Probe()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Probe = %v, want it to contain %q", err, tc.want)
			}
			if !strings.HasSuffix(err.Error(), consequence) {
				t.Errorf("Probe = %q, want it to end with what it means for the user", err)
			}
			for name, op := range map[string]func() error{
				"Get":    func() error { _, err := NewKeyring().Get("site:a"); return err },
				"Set":    func() error { return NewKeyring().Set("site:a", "pw") },
				"Delete": func() error { return NewKeyring().Delete("site:a") },
			} {
				err := op()
				var ue *UnavailableError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "site:a") {
					t.Errorf("%s = %v, want an *UnavailableError naming the entry and saying %q", name, err, tc.want)
				}
			}
		})
	}
}

func TestNoSessionBusIsExplainedWithoutStartingOne(t *testing.T) {
	// Were go-keyring called, Probe would report this error instead.
	useMock(t, errors.New("go-keyring must not be called"))
	busCheck = sessionBusCheck
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	dir := t.TempDir()
	oldDir := runtimeDir
	runtimeDir = func() string { return dir }
	t.Cleanup(func() { runtimeDir = oldDir })

	err := Probe()
	want := "no D-Bus session bus is running (DBUS_SESSION_BUS_ADDRESS is not set and " + dir + " has no bus socket), " +
		"and the Secret Service (gnome-keyring or KWallet) that keeps passwords is only reached through one, so passwords cannot be saved; you will be asked for them each time"
	if err == nil || err.Error() != want {
		t.Fatalf("Probe = %v\nwant %s", err, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Probe wrote into the runtime folder: %v", entries)
	}
}

// childEnv marks the test binary run by TestRealKeyringUnavailable.
const childEnv = "LOCKBOX_KEYRING_TEST_CHILD"

// childPassword is what the child tries to save; it must appear nowhere.
const childPassword = "Ch1ld-Secret-pw"

// TestRealKeyringChild runs only inside TestRealKeyringUnavailable's child
// process, where the real go-keyring provider is untouched by MockInit, and
// prints what Probe, Open and the Keyring type said.
func TestRealKeyringChild(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("run by TestRealKeyringUnavailable")
	}
	var out struct{ Probe, Open, Set, Get, Delete string }
	if err := Probe(); err != nil {
		out.Probe = err.Error()
	}
	st, err := Open()
	if err != nil {
		out.Open = fmt.Sprintf("%T: %v", st, err)
	}
	k := NewKeyring()
	if err := k.Set("site:child", childPassword); err != nil {
		out.Set = err.Error()
	}
	if _, err := k.Get("site:child"); err != nil {
		out.Get = err.Error()
	}
	if err := k.Delete("site:child"); err != nil {
		out.Delete = err.Error()
	}
	json.NewEncoder(os.Stdout).Encode(out)
}

// TestRealKeyringUnavailable runs the real go-keyring (in a child process,
// as MockInit cannot be undone) against a session bus that does not answer
// and against a real, private D-Bus daemon on which no Secret Service runs:
// the user is told why in plain words, and nothing is written to disk.
func TestRealKeyringUnavailable(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("in the child")
	}
	tests := []struct {
		name    string
		address func(t *testing.T) string
		want    string
	}{
		{"nothing listens on the bus address", func(t *testing.T) string {
			return "unix:path=" + filepath.Join(t.TempDir(), "no-bus")
		}, "the D-Bus session bus cannot be reached"},
		{"a bus without a Secret Service", privateBus, noSecretService},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := tc.address(t)
			home := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestRealKeyringChild$", "-test.count=1")
			cmd.Dir = home
			cmd.Env = append(os.Environ(), childEnv+"=1", "DBUS_SESSION_BUS_ADDRESS="+addr, "HOME="+home,
				"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_DATA_HOME="+filepath.Join(home, "data"),
				"XDG_CACHE_HOME="+filepath.Join(home, "cache"), "XDG_RUNTIME_DIR="+filepath.Join(home, "run"),
				"LOCKBOX_CONFIG_DIR="+filepath.Join(home, "lockbox"))
			raw, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, raw)
			}
			if strings.Contains(string(raw), childPassword) {
				t.Errorf("the password appears in what the child printed:\n%s", raw)
			}
			var got struct{ Probe, Open, Set, Get, Delete string }
			line := string(raw)
			if i := strings.Index(line, "{"); i >= 0 {
				line = line[i:]
			}
			if err := json.NewDecoder(strings.NewReader(line)).Decode(&got); err != nil {
				t.Fatalf("child output: %v\n%s", err, raw)
			}
			if !strings.HasPrefix(got.Probe, tc.want) || !strings.HasSuffix(got.Probe, consequence) {
				t.Errorf("Probe = %q\nwant %q … %q", got.Probe, tc.want, consequence)
			}
			if !strings.HasPrefix(got.Open, "*secrets.Memory: "+tc.want) {
				t.Errorf("Open = %q, want the in-memory store and the reason", got.Open)
			}
			for op, msg := range map[string]string{"Set": got.Set, "Get": got.Get, "Delete": got.Delete} {
				if !strings.Contains(msg, tc.want) {
					t.Errorf("%s = %q, want it to say %q", op, msg, tc.want)
				}
			}
			filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
				if err == nil && path != home {
					t.Errorf("the keyring attempt wrote %s", path)
				}
				return nil
			})
		})
	}
}

// privateBus starts a D-Bus daemon of the test's own, with no service
// folders (so nothing is started on demand), and returns its address.
func privateBus(t *testing.T) string {
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("dbus-daemon is not installed (CI=true: this test must not be skipped)")
		}
		t.Skip("dbus-daemon is not installed")
	}
	// A short folder: a Unix socket path has a limit of about 100 bytes.
	dir, err := os.MkdirTemp("", "lbbus")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	config := filepath.Join(dir, "bus.conf")
	err = os.WriteFile(config, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=`+filepath.Join(dir, "bus")+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+config, "--nofork", "--print-address=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dbus-daemon: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	// The daemon prints its address once it listens.
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	return strings.TrimSpace(addr)
}
