package sites

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"lockbox/client"
	"lockbox/client/certgen"
)

func validSite() Site {
	return Site{Name: "Example", URL: "ftpes://ftp.example.com:21", User: "alice"}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name      string
		mutate    func(s *Site)
		wantField string // "" = valid
	}{
		{"minimal", func(s *Site) {}, ""},
		{"every field", func(s *Site) {
			*s = Site{Name: "Work/Prod", URL: "ftps://[2001:db8::1]:990/pub", User: "bob", Passive: PassivePASV, MinTLS: MinTLS13,
				CAFiles: []string{"/etc/ca.pem"}, Identity: "work", LocalDir: "/home/bob", RemoteDir: "/srv/ftp"}
		}, ""},
		{"https without user", func(s *Site) { s.URL, s.User = "https://example.com", "" }, ""},
		{"plain ftp", func(s *Site) { s.URL = "ftp://example.com" }, ""},
		{"epsv", func(s *Site) { s.Passive = PassiveEPSV }, ""},
		{"never send identity", func(s *Site) { s.Identity = IdentityNever }, ""},
		{"DOS remote folder", func(s *Site) { s.RemoteDir = `C:\data` }, ""},
		{"no name", func(s *Site) { s.Name = "" }, "name"},
		{"blank name", func(s *Site) { s.Name = "   " }, "name"},
		{"name with spaces around", func(s *Site) { s.Name = " x" }, "name"},
		{"name with a line break", func(s *Site) { s.Name = "a\nb" }, "name"},
		{"name too long", func(s *Site) { s.Name = strings.Repeat("x", MaxNameLength+1) }, "name"},
		{"name not UTF-8", func(s *Site) { s.Name = "a\xffb" }, "name"},
		{"no URL", func(s *Site) { s.URL = "" }, "url"},
		{"URL without scheme", func(s *Site) { s.URL = "ftp.example.com" }, "url"},
		{"URL with user", func(s *Site) { s.URL = "ftpes://alice@ftp.example.com" }, "url"},
		{"URL with password", func(s *Site) { s.URL = "ftpes://alice:pw@ftp.example.com" }, "url"},
		{"URL with query", func(s *Site) { s.URL = "https://example.com/?a=b" }, "url"},
		{"URL with fragment", func(s *Site) { s.URL = "https://example.com/#top" }, "url"},
		{"sftp", func(s *Site) { s.URL = "sftp://example.com" }, "url"},
		{"bad port", func(s *Site) { s.URL = "ftps://example.com:70000" }, "url"},
		{"no host", func(s *Site) { s.URL = "ftps://:21" }, "url"},
		{"user with CRLF", func(s *Site) { s.User = "alice\r\nDELE x" }, "user"},
		{"passive mode", func(s *Site) { s.Passive = "active" }, "passive"},
		{"TLS 1.1", func(s *Site) { s.MinTLS = "1.1" }, "min_tls"},
		{"empty CA file", func(s *Site) { s.CAFiles = []string{""} }, "ca_files"},
		{"identity with NUL", func(s *Site) { s.Identity = "a\x00" }, "identity"},
		{"local folder with NUL", func(s *Site) { s.LocalDir = "/tmp/\x00" }, "local_dir"},
		{"remote folder with CRLF", func(s *Site) { s.RemoteDir = "/x\r\nDELE y" }, "remote_dir"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := validSite()
			tc.mutate(&s)
			err := s.Validate()
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate = %v, want a *FieldError for %s", err, tc.wantField)
			}
			if fe.Field != tc.wantField {
				t.Errorf("field %q (%v), want %q", fe.Field, err, tc.wantField)
			}
			if strings.Contains(err.Error(), ":pw@") {
				t.Errorf("the error repeats the password: %v", err)
			}
		})
	}
}

func TestTarget(t *testing.T) {
	tests := []struct {
		name     string
		site     Site
		password string
		want     client.Target
	}{
		{"ftpes with password", Site{Name: "a", URL: "ftpes://ftp.example.com", User: "alice"}, "pw",
			client.Target{Scheme: client.FTPES, Host: "ftp.example.com", Port: 21, User: "alice", Password: "pw", HasPassword: true}},
		{"ftps default port", Site{Name: "a", URL: "ftps://ftp.example.com"}, "",
			client.Target{Scheme: client.FTPS, Host: "ftp.example.com", Port: 990}},
		{"plain ftp", Site{Name: "a", URL: "ftp://10.0.0.1:2121", User: "u"}, "p",
			client.Target{Scheme: client.FTP, Host: "10.0.0.1", Port: 2121, User: "u", Password: "p", HasPassword: true}},
		{"https with path", Site{Name: "a", URL: "https://example.com/files/"}, "",
			client.Target{Scheme: client.HTTPS, Host: "example.com", Port: 443, Path: "/files/"}},
		{"remote folder wins over the URL's path", Site{Name: "a", URL: "ftpes://[::1]:2121/pub", RemoteDir: "/home/alice"}, "",
			client.Target{Scheme: client.FTPES, Host: "::1", Port: 2121, Path: "/home/alice"}},
		{"the URL's path is absolute for a site", Site{Name: "a", URL: "ftpes://h/pub"}, "",
			client.Target{Scheme: client.FTPES, Host: "h", Port: 21, Path: "/pub"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.site.Target(tc.password)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Target = %#v\nwant %#v", got, tc.want)
			}
		})
	}
	if _, err := (Site{Name: "a", URL: "sftp://x"}).Target("pw"); err == nil {
		t.Error("Target accepted an invalid site")
	}
}

func TestApply(t *testing.T) {
	ca := certgen.Must(t, certgen.Spec{CommonName: "Site CA", IsCA: true}, nil)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	other := certgen.Must(t, certgen.Spec{CommonName: "Earlier CA", IsCA: true}, nil)
	tests := []struct {
		name      string
		site      Site
		start     client.Options
		wantMin   uint16
		wantEPSV  bool // DisableEPSV
		wantRoots []string
		wantErr   string
	}{
		{"defaults leave the options", Site{Name: "a", URL: "ftpes://h"}, client.Options{MinVersion: tls.VersionTLS12, DisableEPSV: true}, tls.VersionTLS12, false, nil, ""},
		{"TLS 1.3 and PASV only", Site{Name: "a", URL: "ftpes://h", MinTLS: MinTLS13, Passive: PassivePASV}, client.Options{}, tls.VersionTLS13, true, nil, ""},
		{"EPSV", Site{Name: "a", URL: "ftpes://h", MinTLS: MinTLS12, Passive: PassiveEPSV}, client.Options{}, tls.VersionTLS12, false, nil, ""},
		{"CA files are added", Site{Name: "a", URL: "ftpes://h", CAFiles: []string{caFile}}, client.Options{ExtraRoots: []*x509.Certificate{other.Cert}}, 0, false, []string{"Earlier CA", "Site CA"}, ""},
		{"missing CA file", Site{Name: "a", URL: "ftpes://h", CAFiles: []string{filepath.Join(t.TempDir(), "none.pem")}}, client.Options{}, 0, false, nil, "none.pem"},
		{"invalid site", Site{Name: "", URL: "ftpes://h"}, client.Options{}, 0, false, nil, "name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.start
			err := tc.site.Apply(&o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Apply = %v, want an error about %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.MinVersion != tc.wantMin || o.DisableEPSV != tc.wantEPSV {
				t.Errorf("MinVersion %x DisableEPSV %t, want %x %t", o.MinVersion, o.DisableEPSV, tc.wantMin, tc.wantEPSV)
			}
			var roots []string
			for _, c := range o.ExtraRoots {
				roots = append(roots, c.Subject.CommonName)
			}
			if !reflect.DeepEqual(roots, tc.wantRoots) {
				t.Errorf("roots %v, want %v", roots, tc.wantRoots)
			}
		})
	}
}

func TestMakeURL(t *testing.T) {
	tests := []struct {
		scheme client.Scheme
		host   string
		port   int
		path   string
		want   string
	}{
		{client.FTPES, "ftp.example.com", 21, "", "ftpes://ftp.example.com:21"},
		{client.FTPS, "2001:db8::1", 990, "/pub", "ftps://[2001:db8::1]:990/pub"},
		{client.HTTPS, "example.com", 8443, "/a b", "https://example.com:8443/a%20b"},
	}
	for _, tc := range tests {
		got := MakeURL(tc.scheme, tc.host, tc.port, tc.path)
		if got != tc.want {
			t.Errorf("MakeURL = %q, want %q", got, tc.want)
		}
		if err := validateURL(got); err != nil {
			t.Errorf("MakeURL made an invalid URL %q: %v", got, err)
		}
	}
}

func TestSiteModeAppliesAndValidates(t *testing.T) {
	tests := []struct {
		mode    string
		start   client.DataMode
		want    client.DataMode
		wantErr bool
	}{
		{ModeDefault, client.ModeAuto, client.ModeAuto, false},
		{ModePassive, client.ModeAuto, client.ModePassive, false},
		{ModeActive, "", client.ModeActive, false},
		{ModeAuto, "", client.ModeAuto, false},
		{"sideways", "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			o := client.Options{Mode: tc.start}
			err := Site{Name: "a", URL: "ftpes://h", Mode: tc.mode}.Apply(&o)
			var fe *FieldError
			if tc.wantErr {
				if !errors.As(err, &fe) || fe.Field != "mode" {
					t.Fatalf("Apply = %v, want a mode field error", err)
				}
				return
			}
			if err != nil || o.Mode != tc.want {
				t.Errorf("Apply = %v, mode %q, want %q", err, o.Mode, tc.want)
			}
		})
	}
}
