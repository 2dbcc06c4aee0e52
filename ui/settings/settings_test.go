package settings

import (
	"crypto/tls"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"lockbox/client"
	"lockbox/client/transfer"
	"lockbox/client/trust"
)

func TestDefaults(t *testing.T) {
	d := Defaults()
	want := Settings{Theme: "system", Connections: 2, MinTLS: "1.2", TimeoutSeconds: 30, Exists: "resume", Notify: true, Mode: "passive"}
	if d != want {
		t.Errorf("Defaults() = %+v, want %+v", d, want)
	}
	if err := d.Validate(); err != nil {
		t.Errorf("the defaults do not validate: %v", err)
	}
	if d.Timeout() != 30*time.Second || d.MinVersion() != tls.VersionTLS12 || d.ExistsPolicy() != transfer.ExistsResume {
		t.Errorf("options = %v, %x, %q", d.Timeout(), d.MinVersion(), d.ExistsPolicy())
	}
}

func TestOptions(t *testing.T) {
	for _, tc := range []struct {
		s       Settings
		timeout time.Duration
		version uint16
		exists  transfer.ExistsPolicy
	}{
		{Settings{TimeoutSeconds: 5, MinTLS: "1.3", Exists: "skip"}, 5 * time.Second, tls.VersionTLS13, transfer.ExistsSkip},
		{Settings{TimeoutSeconds: 600, MinTLS: "1.2", Exists: "rename"}, 10 * time.Minute, tls.VersionTLS12, transfer.ExistsRename},
		{Settings{TimeoutSeconds: 30, MinTLS: "", Exists: "bogus"}, 30 * time.Second, tls.VersionTLS12, transfer.ExistsResume},
	} {
		if got := tc.s.Timeout(); got != tc.timeout {
			t.Errorf("%+v: Timeout = %v, want %v", tc.s, got, tc.timeout)
		}
		if got := tc.s.MinVersion(); got != tc.version {
			t.Errorf("%+v: MinVersion = %x, want %x", tc.s, got, tc.version)
		}
		if got := tc.s.ExistsPolicy(); got != tc.exists {
			t.Errorf("%+v: ExistsPolicy = %q, want %q", tc.s, got, tc.exists)
		}
	}
}

// The transfer mode and active mode's ports and addresses become the
// engine's options; what does not parse is left to the system.
func TestDataModeOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Settings
		mode client.DataMode
		want client.ActiveOptions
	}{
		{"defaults", Defaults(), client.ModePassive, client.ActiveOptions{}},
		{"active behind NAT", Settings{Mode: "active", ActivePorts: " 50000-50100 ", ExternalIP: "203.0.113.7", BindAddr: "192.0.2.1"},
			client.ModeActive, client.ActiveOptions{PortMin: 50000, PortMax: 50100,
				ExternalAddr: netip.MustParseAddr("203.0.113.7"), BindAddr: netip.MustParseAddr("192.0.2.1")}},
		{"auto, IPv6 in brackets", Settings{Mode: "auto", ExternalIP: "[2001:db8::7]"},
			client.ModeAuto, client.ActiveOptions{ExternalAddr: netip.MustParseAddr("2001:db8::7")}},
		{"unusable values", Settings{Mode: "sideways", ActivePorts: "1-2", ExternalIP: "::", BindAddr: "x"},
			client.ModePassive, client.ActiveOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.DataMode(); got != tc.mode {
				t.Errorf("DataMode = %q, want %q", got, tc.mode)
			}
			if got := tc.s.ActiveOptions(); got != tc.want {
				t.Errorf("ActiveOptions = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(*Settings)
		fields []string
		msg    string
	}{
		{"theme", func(s *Settings) { s.Theme = "blue" }, []string{"theme"}, `theme is "blue": use system, light or dark`},
		{"no connections", func(s *Settings) { s.Connections = 0 }, []string{"connections"}, "connections is 0: use 1 to 10"},
		{"too many connections", func(s *Settings) { s.Connections = 11 }, []string{"connections"}, "connections is 11: use 1 to 10"},
		{"old TLS", func(s *Settings) { s.MinTLS = "1.1" }, []string{"min_tls"}, `min_tls is "1.1": use 1.2 or 1.3`},
		{"short timeout", func(s *Settings) { s.TimeoutSeconds = 4 }, []string{"timeout_seconds"}, "timeout_seconds is 4: use 5 to 600 seconds"},
		{"long timeout", func(s *Settings) { s.TimeoutSeconds = 601 }, []string{"timeout_seconds"}, "timeout_seconds is 601: use 5 to 600 seconds"},
		{"policy", func(s *Settings) { s.Exists = "merge" }, []string{"exists"}, `exists is "merge": use overwrite, skip, resume or rename`},
		{"empty policy", func(s *Settings) { s.Exists = "" }, []string{"exists"}, `exists is "": use overwrite, skip, resume or rename`},
		{"several", func(s *Settings) { s.Theme, s.Connections = "", 99 }, []string{"theme", "connections"}, `theme is "": use system, light or dark`},
		{"bounds are allowed", func(s *Settings) { s.Connections, s.TimeoutSeconds, s.MinTLS = 10, 5, "1.3" }, nil, ""},
		{"mode", func(s *Settings) { s.Mode = "port" }, []string{"mode"}, `mode is "port": use passive, active or auto`},
		{"empty mode", func(s *Settings) { s.Mode = "" }, []string{"mode"}, `mode is "": use passive, active or auto`},
		{"port range backwards", func(s *Settings) { s.ActivePorts = "50100-50000" }, []string{"active_ports"}, `active_ports is "50100-50000": use a range such as 50000-50100`},
		{"privileged ports", func(s *Settings) { s.ActivePorts = "20-21" }, []string{"active_ports"}, "within 1024-65535"},
		{"external name", func(s *Settings) { s.ExternalIP = "nat.example.com" }, []string{"active_external_ip"}, "use an IP address"},
		{"external unspecified", func(s *Settings) { s.ExternalIP = "0.0.0.0" }, []string{"active_external_ip"}, "public IP address"},
		{"bind garbage", func(s *Settings) { s.BindAddr = "10.0.0" }, []string{"active_bind_addr"}, "use an IP address"},
		{"active settings allowed", func(s *Settings) {
			s.Mode, s.ActivePorts, s.ExternalIP, s.BindAddr = "auto", "50000-50100", "203.0.113.7", "::"
		}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Defaults()
			tc.edit(&s)
			err := s.Validate()
			if len(tc.fields) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate = nil, want an error")
			}
			var got []string
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var fe *FieldError
				if !errors.As(e, &fe) {
					t.Fatalf("%T is not a *FieldError", e)
				}
				got = append(got, fe.Field)
			}
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("fields = %v, want %v", got, tc.fields)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
			// Only the fields out of bounds were edited: repairing them
			// gives the defaults back.
			if r, bad := s.repaired(); r != Defaults() || len(bad) != len(tc.fields) {
				t.Errorf("repaired = %+v (%d replaced), want the defaults", r, len(bad))
			}
		})
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config", "lockbox")
	path := filepath.Join(dir, FileName)
	for _, s := range []Settings{
		Defaults(),
		{Theme: "dark", Connections: 10, MinTLS: "1.3", TimeoutSeconds: 600, Exists: "overwrite", Notify: false, Mode: "active",
			ActivePorts: "50000-50100", ExternalIP: "203.0.113.7", BindAddr: "192.0.2.1"},
		{Theme: "light", Connections: 1, MinTLS: "1.2", TimeoutSeconds: 5, Exists: "rename", Notify: true, Mode: "auto", BindAddr: "::1"},
	} {
		if err := s.Save(path); err != nil {
			t.Fatalf("Save: %v", err)
		}
		got, err := Load(path)
		if err != nil || got != s {
			t.Errorf("Load = %+v, %v; want %+v", got, err, s)
		}
	}
	if runtime.GOOS != "windows" {
		for _, c := range []struct {
			path string
			mode os.FileMode
		}{{path, 0o600}, {dir, 0o700}} {
			st, err := os.Stat(c.path)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode().Perm(); got != c.mode {
				t.Errorf("%s has mode %o, want %o", c.path, got, c.mode)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("the folder holds %d files after saving, want only %s (no temporary file left)", len(entries), FileName)
	}
}

func TestSaveRefusesInvalid(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s := Defaults()
	s.Connections = 0
	err := s.Save(path)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "connections" {
		t.Fatalf("Save = %v, want a connections FieldError", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an invalid Save wrote the file: %v", err)
	}
}

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content *string // nil: no file
		want    Settings
		corrupt bool   // a *CorruptError, the file moved aside
		msg     string // the error says this
	}{
		{name: "missing", want: Defaults()},
		{name: "empty", content: ptr("  \n"), want: Defaults()},
		{name: "partial", content: ptr(`{"theme": "dark"}`), want: with(func(s *Settings) { s.Theme = "dark" })},
		{name: "notify off", content: ptr(`{"notify": false}`), want: with(func(s *Settings) { s.Notify = false })},
		{name: "unknown setting", content: ptr(`{"connections": 4, "from_the_future": 1}`), want: with(func(s *Settings) { s.Connections = 4 })},
		{name: "written before active mode", content: ptr(`{"theme": "dark", "connections": 2, "min_tls": "1.2", "timeout_seconds": 30, "exists": "resume", "notify": true}`),
			want: with(func(s *Settings) { s.Theme = "dark" })},
		{name: "active mode", content: ptr(`{"mode": "active", "active_ports": "50000-50100", "active_external_ip": "203.0.113.7"}`),
			want: with(func(s *Settings) { s.Mode, s.ActivePorts, s.ExternalIP = "active", "50000-50100", "203.0.113.7" })},
		{name: "bad active mode settings", content: ptr(`{"mode": "port", "active_ports": "1-2", "active_bind_addr": "here"}`),
			want: Defaults(), corrupt: true,
			msg: `mode is "port": use passive, active or auto; active_ports is "1-2"`},
		{name: "not JSON", content: ptr(`{"theme": "dark",`), want: Defaults(), corrupt: true, msg: "not valid settings JSON"},
		{name: "wrong type", content: ptr(`{"connections": "two", "theme": "dark"}`), want: Defaults(), corrupt: true, msg: "not valid settings JSON"},
		{name: "out of bounds", content: ptr(`{"theme": "dark", "connections": 50, "exists": "merge"}`),
			want: with(func(s *Settings) { s.Theme = "dark" }), corrupt: true,
			msg: `connections is 50: use 1 to 10; exists is "merge": use overwrite, skip, resume or rename`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			if tc.content != nil {
				if err := os.WriteFile(path, []byte(*tc.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Load(path)
			if got != tc.want {
				t.Errorf("Load = %+v, want %+v", got, tc.want)
			}
			if !tc.corrupt {
				if err != nil {
					t.Fatalf("Load error = %v", err)
				}
				return
			}
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Load error = %v, want a *CorruptError", err)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), "set aside as "+ce.MovedTo) {
				t.Errorf("error %q does not say %q and where the file went", err, tc.msg)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the damaged file is still at %s", path)
			}
			kept, err := os.ReadFile(ce.MovedTo)
			if err != nil || string(kept) != *tc.content {
				t.Errorf("set-aside file holds %q (%v), want the original content", kept, err)
			}
			if filepath.Dir(ce.MovedTo) != dir {
				t.Errorf("set aside to %s, want beside the original", ce.MovedTo)
			}
			// The defaults can be saved over it and the damaged copy stays.
			if err := got.Save(path); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(ce.MovedTo); err != nil {
				t.Errorf("saving lost the set-aside file: %v", err)
			}
		})
	}
}

func TestLoadTwiceKeepsBothCopies(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	var moved []string
	for _, content := range []string{"first damage", "second damage"} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		var ce *CorruptError
		if !errors.As(err, &ce) {
			t.Fatalf("Load = %v, want a *CorruptError", err)
		}
		moved = append(moved, ce.MovedTo)
	}
	if moved[0] == moved[1] {
		t.Fatalf("both damaged files were set aside as %s", moved[0])
	}
	for i, want := range []string{"first damage", "second damage"} {
		if got, err := os.ReadFile(moved[i]); err != nil || string(got) != want {
			t.Errorf("%s holds %q (%v), want %q", moved[i], got, err, want)
		}
	}
}

func TestLoadUnreadable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.Mkdir(path, 0o700); err != nil { // a folder where the file should be
		t.Fatal(err)
	}
	got, err := Load(path)
	if err == nil || got != Defaults() {
		t.Fatalf("Load = %+v, %v; want the defaults and an error", got, err)
	}
	var ce *CorruptError
	if errors.As(err, &ce) {
		t.Errorf("an unreadable file is not damaged: %v", err)
	}
	if st, err := os.Stat(path); err != nil || !st.IsDir() {
		t.Errorf("the unreadable entry was moved: %v", err)
	}
}

func TestDefaultPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	t.Setenv(trust.ConfigDirEnv, dir)
	got, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "settings.json"); got != want {
		t.Errorf("DefaultPath = %q, want %q", got, want)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Errorf("the configuration folder was not created: %v", err)
	}
}

func TestApplyTheme(t *testing.T) {
	for _, tc := range []struct {
		theme   string
		variant fyne.ThemeVariant // the variant a widget asks for
		want    fyne.ThemeVariant
	}{
		{"light", theme.VariantDark, theme.VariantLight},
		{"dark", theme.VariantLight, theme.VariantDark},
		{"system", theme.VariantDark, theme.VariantDark},
		{"system", theme.VariantLight, theme.VariantLight},
	} {
		t.Run(tc.theme, func(t *testing.T) {
			a := test.NewTempApp(t)
			s := Defaults()
			s.Theme = tc.theme
			ApplyTheme(a, s)
			th := a.Settings().Theme()
			got := th.Color(theme.ColorNameBackground, tc.variant)
			want := theme.DefaultTheme().Color(theme.ColorNameBackground, tc.want)
			if got != want {
				t.Errorf("background asked for variant %v = %v, want %v", tc.variant, got, want)
			}
			if th.Size(theme.SizeNameText) != theme.DefaultTheme().Size(theme.SizeNameText) {
				t.Error("the forced theme changed the text size")
			}
		})
	}
}

func ptr(s string) *string { return &s }

func with(edit func(*Settings)) Settings {
	s := Defaults()
	edit(&s)
	return s
}
