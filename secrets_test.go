package main

import (
	"crypto/tls"
	"crypto/x509"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"lockbox/client/demo"
	"lockbox/client/trust"
)

// A whole session (inspect, ls and get, with and without --json, with a
// wrong password and the right one, from the environment and from the URL,
// presenting a PKCS#12 identity opened with a password) never writes a
// password or a private key to standard output, standard error, a JSON
// report or any file in the configuration folder, whose files are 0600 in
// a 0700 folder.
func TestSecretsNeverLeak(t *testing.T) {
	const (
		wrongPassword = "Wr0ng-Pa55-word"
		p12Password   = "P12-Unl0ck-phrase"
	)
	cfgDir := filepath.Join(t.TempDir(), "config")
	t.Setenv("LOCKBOX_CONFIG_DIR", cfgDir)

	// The server asks for a client certificate and checks it when given,
	// so the PKCS#12 key is really used.
	ca, cert, key := clientPKI(t)
	serverCert, err := demo.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "hello.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := demo.Start(demo.Config{Root: root, User: "alice", Password: demoPassword,
		TLS: &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	p12, err := pkcs12.Modern.Encode(key, cert, []*x509.Certificate{ca}, p12Password)
	if err != nil {
		t.Fatal(err)
	}
	p12File := filepath.Join(t.TempDir(), "alice.p12")
	if err := os.WriteFile(p12File, p12, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ALICE_P12", p12Password)
	id := []string{"--cert", p12File, "--cert-password-env", "ALICE_P12"}
	out := t.TempDir()
	base := "ftpes://alice@" + srv.Addr

	tests := []struct {
		name     string
		password string // LOCKBOX_PASSWORD
		args     []string
		wantCode int
		want     string
	}{
		{"inspect --json --accept pins the server", "", []string{"inspect", "--json", "--accept", "ftpes://" + srv.Addr}, 0, `"trust": "pinned"`},
		{"inspect", "", []string{"inspect", "ftpes://" + srv.Addr}, 0, "sent: CN=cli-alice"},
		{"ls, wrong password", wrongPassword, []string{"ls", base + "/"}, 1, "530"},
		{"ls --json, wrong password", wrongPassword, []string{"ls", "--json", base + "/"}, 1, `"error"`},
		{"get, wrong password", wrongPassword, []string{"get", base + "/hello.txt", "-o", filepath.Join(out, "w1")}, 1, "530"},
		{"get --json, wrong password", wrongPassword, []string{"get", "--json", base + "/hello.txt", "-o", filepath.Join(out, "w2")}, 1, `"error"`},
		{"ls, wrong password in the URL", "", []string{"ls", "ftpes://alice:" + wrongPassword + "@" + srv.Addr + "/"}, 1, "530"},
		{"ls", demoPassword, []string{"ls", base + "/"}, 0, "hello.txt"},
		{"ls --json", demoPassword, []string{"ls", "--json", base + "/"}, 0, `"hello.txt"`},
		{"get", demoPassword, []string{"get", base + "/hello.txt", "-o", filepath.Join(out, "r1")}, 0, "1 file(s)"},
		{"get --json", demoPassword, []string{"get", "--json", base + "/hello.txt", "-o", filepath.Join(out, "r2")}, 0, `"files": 1`},
		{"ls, password in the URL", "", []string{"ls", "ftpes://alice:" + demoPassword + "@" + srv.Addr + "/"}, 0, "hello.txt"},
		{"get, password in the URL", "", []string{"get", "ftpes://alice:" + demoPassword + "@" + srv.Addr + "/hello.txt", "-o", filepath.Join(out, "r3")}, 0, "1 file(s)"},
	}
	secrets := []string{demoPassword, wrongPassword, p12Password, "PRIVATE KEY"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.password != "" {
				t.Setenv("LOCKBOX_PASSWORD", tc.password) // unset again when the subtest ends
			}
			r := run(t, append(append([]string{tc.args[0]}, id...), tc.args[1:]...)...)
			if r.code != tc.wantCode || !strings.Contains(r.stdout+r.stderr, tc.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s\n%s", r.code, tc.wantCode, tc.want, r.stdout, r.stderr)
			}
			for _, s := range secrets {
				if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
					t.Errorf("the output contains %q", s)
				}
			}
		})
	}

	// Every file Lockbox keeps: no secret, private modes.
	found := map[string]bool{}
	err = filepath.WalkDir(cfgDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := os.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		} else {
			found[d.Name()] = true
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, s := range secrets {
				if strings.Contains(string(data), s) {
					t.Errorf("%s contains %q", p, s)
				}
			}
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm() != want {
			t.Errorf("%s has mode %o, want %o", p, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{trust.PinsFile, trust.SeenFile} {
		if !found[name] {
			t.Errorf("%s was not written to %s (found %v)", name, cfgDir, found)
		}
	}
}
