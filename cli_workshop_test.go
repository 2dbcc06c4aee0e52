//go:build linux

package main

import (
	"bytes"
	"crypto"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"lockbox/client/certgen"
	"lockbox/client/identity"
	"lockbox/client/secrets"
	"lockbox/client/servertest"
	"lockbox/client/sites"
	"lockbox/client/trust"
)

// useMemoryKeyring makes the CLI keep passwords in sec for the test.
func useMemoryKeyring(t *testing.T) *secrets.Memory {
	sec := secrets.NewMemory()
	old := openKeyring
	openKeyring = func() (secrets.Store, error) { return sec, nil }
	t.Cleanup(func() { openKeyring = old })
	return sec
}

func opensslCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(servertest.RequireBinary(t, "openssl"), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// mustRun runs the CLI and fails unless it exits with want.
func mustRun(t *testing.T, want int, args ...string) result {
	t.Helper()
	r := run(t, args...)
	if r.code != want {
		t.Fatalf("lockbox %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

// noSecretsIn fails when a text or a file under dir holds a password or
// a PEM private key.
func noSecretsIn(t *testing.T, dir string, texts []string, passwords ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, "PRIVATE KEY") {
			t.Errorf("output holds a private key:\n%s", s)
		}
		for _, pw := range passwords {
			if strings.Contains(s, pw) {
				t.Errorf("output holds a password:\n%s", s)
			}
		}
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := os.ReadFile(p)
		if bytes.Contains(data, []byte("PRIVATE KEY")) {
			t.Errorf("%s holds a PEM private key", p)
		}
		for _, pw := range passwords {
			if bytes.Contains(data, []byte(pw)) {
				t.Errorf("%s holds a password", p)
			}
		}
		return nil
	})
}

func TestCLIClientCertificateFromAdministrator(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LOCKBOX_CONFIG_DIR", dir)
	sec := useMemoryKeyring(t)
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{RequireClientCert: true})
	work := t.TempDir()
	req := filepath.Join(work, "alice.csr")

	var outputs []string
	r := mustRun(t, 0, "cert", "new", "--request", "--name", "ftp login", "--cn", "lockboxftp", "--org", "Lockbox Test",
		"--key", "rsa-3072", "--san-email", "alice@example.com", "-o", req)
	outputs = append(outputs, r.stdout, r.stderr)
	if !strings.Contains(r.stderr, "lockbox cert import") {
		t.Errorf("no next step told: %s", r.stderr)
	}
	verify := opensslCLI(t, "req", "-verify", "-noout", "-text", "-in", req)
	for _, want := range []string{"verify OK", "DNS:lockboxftp", "email:alice@example.com", "O = Lockbox Test"} {
		if !strings.Contains(verify, want) {
			t.Errorf("openssl req lacks %q:\n%s", want, verify)
		}
	}
	r = mustRun(t, 0, "cert", req)
	if !strings.Contains(r.stdout, "Level 0 (request)") || !strings.Contains(r.stdout, "lockboxftp") {
		t.Errorf("lockbox cert REQUEST: %s", r.stdout)
	}
	r = mustRun(t, 0, "cert", "--json", req)
	if !strings.Contains(r.stdout, `"format": "PKCS#10 request"`) || !strings.Contains(r.stdout, `"problems": []`) {
		t.Errorf("lockbox cert --json REQUEST: %s", r.stdout)
	}
	r = mustRun(t, 0, "cert", "requests", "--json")
	outputs = append(outputs, r.stdout)
	var reqs struct {
		Requests []struct{ Name, Subject string } `json:"requests"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &reqs); err != nil || len(reqs.Requests) != 1 || reqs.Requests[0].Name != "ftp login" {
		t.Fatalf("cert requests --json = %s (%v)", r.stdout, err)
	}

	// The administrator signs it with the server's client CA.
	caCert, caKey, err := srv.CACert.WriteFiles(work, "ca")
	if err != nil {
		t.Fatal(err)
	}
	signed := filepath.Join(work, "alice.crt")
	opensslCLI(t, "x509", "-req", "-in", req, "-CA", caCert, "-CAkey", caKey, "-CAcreateserial", "-days", "10", "-out", signed)

	stranger := filepath.Join(work, "stranger.pem")
	os.WriteFile(stranger, certgen.Must(t, certgen.Spec{CommonName: "stranger"}, srv.CACert).CertPEM(), 0o600)
	r = mustRun(t, 1, "cert", "import", stranger)
	if !strings.Contains(r.stderr, "matches no pending request") {
		t.Errorf("non-matching certificate: %s", r.stderr)
	}

	r = mustRun(t, 0, "cert", "import", "--json", signed)
	outputs = append(outputs, r.stdout)
	var im struct {
		Request  string `json:"request"`
		Identity struct {
			Name, PKCS12 string
		} `json:"identity"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &im); err != nil || im.Request != "ftp login" || im.Identity.Name != "ftp login" {
		t.Fatalf("cert import --json = %s (%v)", r.stdout, err)
	}
	pw, err := sec.Get(identity.SecretKey("ftp login"))
	if err != nil {
		t.Fatal(err)
	}
	info := opensslCLI(t, "pkcs12", "-info", "-noout", "-in", im.Identity.PKCS12, "-passin", "pass:"+pw)
	if !strings.Contains(info, "PBES2") {
		t.Errorf("openssl pkcs12 -info: %s", info)
	}
	if fi, err := os.Stat(im.Identity.PKCS12); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("PKCS#12 file mode: %v %v", fi.Mode(), err)
	}

	serverPEM := filepath.Join(work, "server.pem")
	os.WriteFile(serverPEM, srv.ServerCert.CertPEM(), 0o600)
	t.Setenv("LOCKBOX_PASSWORD", srv.Password)
	url := "ftpes://" + srv.User + "@" + srv.Addr + "/"
	r = mustRun(t, 1, "ls", "--ca", serverPEM, url)
	if !strings.Contains(r.stderr, "--identity") {
		t.Errorf("no advice toward --identity: %s", r.stderr)
	}
	r = mustRun(t, 0, "ls", "--ca", serverPEM, "--identity", "ftp login", url)
	outputs = append(outputs, r.stdout, r.stderr)

	r = mustRun(t, 0, "cert", "export", "ftp login", "--der", "-o", filepath.Join(work, "alice.der"))
	text := opensslCLI(t, "x509", "-inform", "DER", "-noout", "-text", "-in", filepath.Join(work, "alice.der"))
	if !strings.Contains(text, "Subject: CN = lockboxftp") && !strings.Contains(text, "CN = lockboxftp") {
		t.Errorf("exported DER: %s", text)
	}
	noSecretsIn(t, dir, outputs, pw)
}

// keyPEMFromIdentity extracts, for the test server only, the key of a
// saved identity with openssl (in the test's own folder).
func keyFromIdentity(t *testing.T, sec secrets.Store, name string) crypto.Signer {
	t.Helper()
	store, err := identity.OpenDefaultStore()
	if err != nil {
		t.Fatal(err)
	}
	id, err := store.LoadSaved(name, sec)
	if err != nil {
		t.Fatal(err)
	}
	return id.Certificate.PrivateKey.(crypto.Signer)
}

func TestCLISelfSignedServerPinnedThenRemoved(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LOCKBOX_CONFIG_DIR", dir)
	sec := useMemoryKeyring(t)
	work := t.TempDir()
	certFile := filepath.Join(work, "server.pem")
	mustRun(t, 0, "cert", "new", "--name", "my server", "--cn", "127.0.0.1", "--dns", "localhost", "--usage", "server", "--days", "90", "-o", certFile)
	text := opensslCLI(t, "x509", "-noout", "-text", "-in", certFile)
	for _, want := range []string{"TLS Web Server Authentication", "IP Address:127.0.0.1", "DNS:localhost"} {
		if !strings.Contains(text, want) {
			t.Errorf("openssl x509 lacks %q:\n%s", want, text)
		}
	}
	certs, err := trust.ParseCertificates(mustRead(t, certFile))
	if err != nil {
		t.Fatal(err)
	}
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{ServerCert: &certgen.Cert{Cert: certs[0], Key: keyFromIdentity(t, sec, "my server")}})
	url := "ftpes://" + srv.Addr

	mustRun(t, 3, "inspect", url)
	mustRun(t, 0, "inspect", "--accept", url)
	r := mustRun(t, 0, "trust", "list", "--json")
	var list struct {
		Pins []struct {
			HostPort string `json:"host_port"`
			SHA256   string `json:"sha256"`
			PEM      string `json:"pem"`
		} `json:"pins"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list.Pins) != 1 ||
		list.Pins[0].HostPort != srv.Addr || list.Pins[0].SHA256 != trust.Fingerprint(certs[0].Raw) {
		t.Fatalf("trust list --json = %s (%v)", r.stdout, err)
	}
	r = mustRun(t, 0, "trust", "list")
	if !strings.Contains(r.stdout, srv.Addr) || !strings.Contains(r.stdout, "CN=127.0.0.1") {
		t.Errorf("trust list: %s", r.stdout)
	}
	mustRun(t, 0, "trust", "check", srv.Addr)
	exported := filepath.Join(work, "pin.pem")
	mustRun(t, 0, "trust", "export", srv.Addr, "-o", exported)
	if !bytes.Equal(mustRead(t, exported), mustRead(t, certFile)) {
		t.Error("the exported pin is not the server's certificate")
	}
	mustRun(t, 0, "inspect", url)
	mustRun(t, 0, "trust", "rm", srv.Addr)
	mustRun(t, 3, "inspect", url)
	r = mustRun(t, 1, "trust", "rm", srv.Addr)
	if !strings.Contains(r.stderr, "no pin") {
		t.Errorf("second rm: %s", r.stderr)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestCLIBeYourOwnCA(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LOCKBOX_CONFIG_DIR", dir)
	sec := useMemoryKeyring(t)
	work := t.TempDir()
	mustRun(t, 0, "cert", "ca", "new", "Home CA", "--org", "Home", "--key", "ecdsa-p384")
	caFile := filepath.Join(work, "ca.pem")
	mustRun(t, 0, "cert", "ca", "export", "Home CA", "-o", caFile)
	r := mustRun(t, 0, "cert", "ca", "list", "--json")
	if !strings.Contains(r.stdout, `"name": "Home CA"`) || strings.Contains(r.stdout, "PRIVATE") {
		t.Errorf("ca list --json: %s", r.stdout)
	}

	for _, name := range []string{"nas1", "nas2"} {
		req := filepath.Join(work, name+".csr")
		mustRun(t, 0, "cert", "new", "--request", "--name", name, "--cn", "127.0.0.1", "-o", req)
		crt := filepath.Join(work, name+".crt")
		mustRun(t, 0, "cert", "sign", "--ca", "Home CA", "--usage", "server", "--days", "30", "-o", crt, req)
		out := opensslCLI(t, "verify", "-CAfile", caFile, "-purpose", "sslserver", crt)
		if !strings.Contains(out, ": OK") {
			t.Errorf("openssl verify: %s", out)
		}
		mustRun(t, 0, "cert", "import", crt)
	}
	r = mustRun(t, 1, "cert", "sign", "--ca", "No CA", filepath.Join(work, "nas1.csr"))
	if !strings.Contains(r.stderr, "No CA") {
		t.Errorf("unknown CA: %s", r.stderr)
	}
	certOf := func(name string) *certgen.Cert {
		certs, _ := trust.ParseCertificates(mustRead(t, filepath.Join(work, name+".crt")))
		return &certgen.Cert{Cert: certs[0], Key: keyFromIdentity(t, sec, name)}
	}
	srv1 := servertest.StartVsftpd(t, servertest.VsftpdConfig{ServerCert: certOf("nas1")})
	srv2 := servertest.StartVsftpd(t, servertest.VsftpdConfig{ServerCert: certOf("nas2")})
	mustRun(t, 3, "inspect", "ftpes://"+srv1.Addr)
	mustRun(t, 0, "trust", "add-ca", caFile)
	for _, srv := range []*servertest.Vsftpd{srv1, srv2} {
		r := mustRun(t, 0, "inspect", "--json", "ftpes://"+srv.Addr)
		if !strings.Contains(r.stdout, `"trust": "verified"`) {
			t.Errorf("%s not verified: %s", srv.Addr, r.stdout)
		}
	}
	st, err := sites.OpenDefault()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Put(sites.Site{Name: "nas", URL: "ftpes://" + srv1.Addr, CAFiles: []string{caFile}}); err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, 0, "trust", "list")
	if !strings.Contains(r.stdout, "all sites") || !strings.Contains(r.stdout, "CN=Home CA") || !strings.Contains(r.stdout, "CA files of saved sites") {
		t.Errorf("trust list: %s", r.stdout)
	}
	r = mustRun(t, 0, "trust", "list", "--json")
	if !strings.Contains(r.stdout, `"site": "nas"`) {
		t.Errorf("trust list --json lacks the site's CA file: %s", r.stdout)
	}
	fp, _ := trust.OpenCAsDefault()
	sha := fp.All()[0].SHA256
	mustRun(t, 0, "trust", "rm", sha[:16])
	mustRun(t, 3, "inspect", "ftpes://"+srv2.Addr)
	leaf := filepath.Join(work, "nas1.crt")
	r = mustRun(t, 1, "trust", "add-ca", leaf)
	if !strings.Contains(r.stderr, "not a CA certificate") {
		t.Errorf("add-ca of a server certificate: %s", r.stderr)
	}
}

func TestCLIWorkshopUsage(t *testing.T) {
	t.Setenv("LOCKBOX_CONFIG_DIR", t.TempDir())
	useMemoryKeyring(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"new without CN", []string{"cert", "new"}, 2, "--cn is required"},
		{"bad key type", []string{"cert", "new", "--cn", "a", "--key", "dsa"}, 1, "unknown key type"},
		{"bad IP", []string{"cert", "new", "--cn", "a", "--ip", "nope"}, 2, "not an IP address"},
		{"sign without --ca", []string{"cert", "sign", "x.csr"}, 2, "--ca NAME is required"},
		{"import nothing", []string{"cert", "import"}, 2, "need the FILE"},
		{"unknown request", []string{"cert", "request", "nobody"}, 1, "no such name"},
		{"trust unknown command", []string{"trust", "frob"}, 2, "unknown command"},
		{"trust rm unknown CA", []string{"trust", "rm", "0123456789abcdef"}, 1, "not among the trusted CAs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tc.code, tc.want)
			}
		})
	}
}

func TestCLIIdentityIntoNginx(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LOCKBOX_CONFIG_DIR", dir)
	useMemoryKeyring(t)
	srv := servertest.StartNginx(t, servertest.NginxConfig{RequireClientCert: true,
		Files: map[string][]byte{"hello.txt": []byte("hello over HTTPS\n")}})
	work := t.TempDir()
	req := filepath.Join(work, "web.csr")
	mustRun(t, 0, "cert", "new", "--request", "--name", "web", "--cn", "alice", "--key", "ecdsa-p384", "-o", req)
	caCert, caKey, err := srv.CACert.WriteFiles(work, "ca")
	if err != nil {
		t.Fatal(err)
	}
	signed := filepath.Join(work, "web.crt")
	opensslCLI(t, "x509", "-req", "-in", req, "-CA", caCert, "-CAkey", caKey, "-CAcreateserial", "-days", "10", "-out", signed)
	mustRun(t, 0, "cert", "import", signed)
	serverPEM := filepath.Join(work, "server.pem")
	os.WriteFile(serverPEM, srv.ServerCert.CertPEM(), 0o600)
	out := filepath.Join(work, "hello.txt")
	mustRun(t, 0, "get", "--ca", serverPEM, "--identity", "web", "-o", out, srv.URL+"/hello.txt")
	if got := string(mustRead(t, out)); got != "hello over HTTPS\n" {
		t.Errorf("downloaded %q", got)
	}
	r := mustRun(t, 1, "get", "--ca", serverPEM, "--identity", "nobody", "-o", out, srv.URL+"/hello.txt")
	if !strings.Contains(r.stderr, "no saved identity") {
		t.Errorf("unknown identity: %s", r.stderr)
	}
}
