package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"lockbox/client/secrets"
	"lockbox/client/secrets/secretstest"
	"lockbox/client/sites"
)

const (
	importedPassword = "Imp0rted-Pa55" // in siteManagerSample
	plainPassword    = "Pl4in-Pa55"
)

// siteManagerSample is a FileZilla sitemanager.xml with a base64 and a
// plain password, an active-mode site, an encrypted password and a site of
// a protocol Lockbox lacks; the site manager's tests import it too.
var siteManagerSample = filepath.Join("client", "sites", "testdata", "sitemanager-frontends.xml")

// useSiteSecrets makes "lockbox sites" use sec, or fail with keyringErr as
// secrets.Open does when there is no keyring.
func useSiteSecrets(t *testing.T, sec secrets.Store, keyringErr error) {
	t.Helper()
	old := openSiteSecrets
	openSiteSecrets = func() (secrets.Store, error) { return sec, keyringErr }
	t.Cleanup(func() { openSiteSecrets = old })
}

// writeSiteManager copies siteManagerSample to a file of its own, whose
// name the CLI prints.
func writeSiteManager(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(siteManagerSample)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sitemanager.xml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// assertNoSecrets checks printed output and every file under dir.
func assertNoSecrets(t *testing.T, dir string, outputs ...string) {
	t.Helper()
	for _, pw := range []string{importedPassword, plainPassword} {
		for _, out := range outputs {
			if strings.Contains(out, pw) {
				t.Errorf("a password was printed:\n%s", out)
			}
		}
	}
	secretstest.AssertNotOnDisk(t, dir, importedPassword, plainPassword)
}

func TestCLISitesImportListRemove(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LOCKBOX_CONFIG_DIR", dir)
	sec := secrets.NewMemory()
	useSiteSecrets(t, sec, nil)
	file := writeSiteManager(t)
	var printed []string

	steps := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{"empty list", []string{"sites"}, 0, []string{"No saved sites in " + filepath.Join(dir, "sites.json")}, nil},
		{"import", []string{"sites", "import", file}, 0, []string{
			"Imported 3 sites from " + file,
			"  Work/Prod  ftpes://ftp.work.example:21",
			"  Implicit   ftps://plain.example.net:990",
			`2 passwords were saved in the system keyring (service "Lockbox").`,
			`site "Old": the password is encrypted with FileZilla's master password`,
			`site "SFTP": skipped: Lockbox does not speak SFTP`,
		}, nil},
		{"list", []string{"sites"}, 0, []string{"NAME", "Implicit", "ftps://plain.example.net:990", "bob", "in keyring",
			"Old", "carol", "none (asked)", "Work/Prod", "(folder /home/alice)"}, nil},
		{"import again renames", []string{"sites", "import", file}, 0, []string{"Work/Prod (2)", `saved as "Work/Prod (2)"`}, nil},
		{"remove", []string{"sites", "rm", "Implicit"}, 0, []string{`Deleted site "Implicit".`}, nil},
		{"remove again", []string{"sites", "rm", "Implicit"}, 1, nil, []string{`no site is called "Implicit"`}},
	}
	for _, s := range steps {
		r := run(t, s.args...)
		printed = append(printed, r.stdout, r.stderr)
		if r.code != s.wantCode {
			t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", s.name, r.code, s.wantCode, r.stdout, r.stderr)
		}
		r.expect(t, s.wantStdout, s.wantStderr)
	}
	if ok, _ := sites.HasPassword(sec, "Implicit"); ok {
		t.Error("rm left the password in the keyring")
	}
	if pw, err := sites.Password(sec, "Work/Prod (2)"); err != nil || pw != importedPassword {
		t.Errorf("the re-imported site's password: %v", err)
	}

	r := run(t, "sites", "--json")
	printed = append(printed, r.stdout, r.stderr)
	if r.code != 0 {
		t.Fatalf("sites --json: exit %d: %s", r.code, r.stderr)
	}
	var got struct {
		File         string  `json:"file"`
		KeyringError *string `json:"keyring_error"`
		Sites        []struct {
			Name          string `json:"name"`
			URL           string `json:"url"`
			User          string `json:"user"`
			RemoteDir     string `json:"remote_dir"`
			PasswordSaved *bool  `json:"password_saved"`
		} `json:"sites"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("sites --json: %v\n%s", err, r.stdout)
	}
	if got.File != filepath.Join(dir, "sites.json") || got.KeyringError != nil || len(got.Sites) != 5 {
		t.Fatalf("sites --json = %s", r.stdout)
	}
	wantSaved := map[string]bool{"Implicit (2)": true, "Old": false, "Old (2)": false, "Work/Prod": true, "Work/Prod (2)": true}
	for _, s := range got.Sites {
		if s.PasswordSaved == nil || *s.PasswordSaved != wantSaved[s.Name] {
			t.Errorf("%s: password_saved %v, want %t", s.Name, s.PasswordSaved, wantSaved[s.Name])
		}
	}
	if got.Sites[3].Name != "Work/Prod" || got.Sites[3].RemoteDir != "/home/alice" || got.Sites[3].User != "alice" {
		t.Errorf("site %+v", got.Sites[3])
	}
	assertNoSecrets(t, dir, printed...)
}

func TestCLISitesImportJSON(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LOCKBOX_CONFIG_DIR", dir)
	useSiteSecrets(t, secrets.NewMemory(), nil)
	r := run(t, "sites", "import", "--json", writeSiteManager(t))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got struct {
		Added             []string `json:"added"`
		PasswordsSaved    int      `json:"passwords_saved"`
		PasswordsNotSaved []string `json:"passwords_not_saved"`
		PasswordError     *string  `json:"password_error"`
		Warnings          []string `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if strings.Join(got.Added, ",") != "Work/Prod,Implicit,Old" || got.PasswordsSaved != 2 || len(got.PasswordsNotSaved) != 0 ||
		got.PasswordError != nil || len(got.Warnings) != 2 {
		t.Errorf("import --json = %s", r.stdout)
	}
	assertNoSecrets(t, dir, r.stdout, r.stderr)
}

// Without a keyring the passwords are saved nowhere, and the user is told
// so plainly, with the reason.
func TestCLISitesWithoutKeyring(t *testing.T) {
	reason := "no Secret Service (gnome-keyring or KWallet) is running on the D-Bus session bus, so passwords cannot be saved; you will be asked for them each time"
	dir := t.TempDir()
	t.Setenv("LOCKBOX_CONFIG_DIR", dir)
	fallback := secrets.NewMemory()
	useSiteSecrets(t, fallback, &secrets.UnavailableError{Reason: reason})

	r := run(t, "sites", "import", writeSiteManager(t))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	r.expect(t, []string{"Imported 3 sites", "2 passwords were NOT saved (Work/Prod, Implicit): " + reason + ".\n"}, nil)
	if strings.Contains(r.stdout, "were saved in the system keyring") {
		t.Errorf("claims passwords were saved:\n%s", r.stdout)
	}
	for _, n := range []string{"Work/Prod", "Implicit"} {
		if ok, _ := sites.HasPassword(fallback, n); ok {
			t.Errorf("the password of %s went to the in-memory fallback as if it were saved", n)
		}
	}
	list := run(t, "sites")
	list.expect(t, []string{"unknown", "Which passwords are saved cannot be told: " + reason}, nil)
	js := run(t, "sites", "--json")
	if !strings.Contains(js.stdout, `"password_saved": null`) || !strings.Contains(js.stdout, `"keyring_error": "`+reason) {
		t.Errorf("sites --json without keyring:\n%s", js.stdout)
	}
	rm := run(t, "sites", "rm", "Old")
	if rm.code != 0 {
		t.Fatalf("rm: exit %d: %s", rm.code, rm.stderr)
	}
	rm.expect(t, []string{`Deleted site "Old".`}, []string{`if a password was saved for "Old", it is still in the keyring, which cannot be used: ` + reason})
	assertNoSecrets(t, dir, r.stdout, r.stderr, list.stdout, js.stdout)
}

// The real keyring code, on a machine whose session bus does not answer
// (as in CI), explains itself the same way.
func TestCLISitesRealKeyringUnavailable(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service over D-Bus is Linux's keyring")
	}
	dir := t.TempDir()
	t.Setenv("LOCKBOX_CONFIG_DIR", dir)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	r := run(t, "sites", "import", writeSiteManager(t))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	r.expect(t, []string{"2 passwords were NOT saved", "the D-Bus session bus cannot be reached",
		"passwords cannot be saved; you will be asked for them each time"}, nil)
	assertNoSecrets(t, dir, r.stdout, r.stderr)
}

func TestCLISitesUsageAndFailures(t *testing.T) {
	t.Setenv("LOCKBOX_CONFIG_DIR", t.TempDir())
	useSiteSecrets(t, secrets.NewMemory(), nil)
	notFZ := filepath.Join(t.TempDir(), "feed.xml")
	if err := os.WriteFile(notFZ, []byte("<rss/>"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr []string
	}{
		{"help", []string{"sites", "-h"}, 0, []string{"lockbox sites import [--json] FILE"}},
		{"import without file", []string{"sites", "import"}, 2, []string{"need exactly one FILE, got 0"}},
		{"import two files", []string{"sites", "import", "a", "b"}, 2, []string{"need exactly one FILE, got 2"}},
		{"rm without name", []string{"sites", "rm"}, 2, []string{"need exactly one NAME"}},
		{"unknown sub-command", []string{"sites", "frob"}, 2, []string{`unknown command "frob"`}},
		{"list with an argument", []string{"sites", "extra"}, 2, []string{`unknown command "extra"`}},
		{"unknown flag", []string{"sites", "--bogus"}, 2, []string{"flag provided but not defined"}},
		{"missing file", []string{"sites", "import", filepath.Join(t.TempDir(), "none.xml")}, 1, []string{"no such file"}},
		{"not FileZilla's", []string{"sites", "import", notFZ}, 1, []string{"not a FileZilla sitemanager.xml"}},
		{"rm unknown", []string{"sites", "rm", "nope"}, 1, []string{`no site is called "nope"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, tc.args...)
			r.check(t, tc.wantCode, nil, tc.wantStderr)
		})
	}
}

func TestCLISitesCorruptFileSetAside(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LOCKBOX_CONFIG_DIR", dir)
	useSiteSecrets(t, secrets.NewMemory(), nil)
	path := filepath.Join(dir, "sites.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, "sites")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	r.expect(t, []string{"No saved sites"}, []string{"lockbox: warning: site list " + path + " is damaged", "it was moved to " + path + ".corrupt-"})
	matches, _ := filepath.Glob(path + ".corrupt-*")
	if len(matches) != 1 {
		t.Fatalf("set-aside files: %v", matches)
	}
	if data, _ := os.ReadFile(matches[0]); string(data) != "{not json" {
		t.Errorf("the damaged file was not kept intact: %q", data)
	}
}
