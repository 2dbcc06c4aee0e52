package sites

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"lockbox/client/secrets"
)

// importXML has a site that clashes with "Prod" saved before, a site
// without a password, a password under FileZilla's master password and an
// SFTP site.
var importXML = fzXML(
	`<Server><Host>prod.example.com</Host><Protocol>4</Protocol><User>alice</User><Pass encoding="base64">cHctcHJvZA==</Pass><Logontype>1</Logontype><Name>Prod</Name></Server>` +
		`<Server><Host>plain.example.net</Host><Protocol>3</Protocol><User>bob</User><Pass>pw-plain</Pass><Logontype>1</Logontype><Name>Implicit</Name></Server>` +
		`<Server><Host>anon.example.org</Host><Protocol>4</Protocol><Logontype>0</Logontype><Name>Anon</Name></Server>` +
		`<Server><Host>old.example.com</Host><Protocol>4</Protocol><User>carol</User><Pass encoding="crypt">abc</Pass><Logontype>1</Logontype><Name>Old</Name></Server>` +
		`<Server><Host>sftp.example.com</Host><Protocol>1</Protocol><Name>SFTP</Name></Server>`)

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImportFileZillaFile(t *testing.T) {
	unavailable := &secrets.UnavailableError{Reason: "no Secret Service is running, so passwords cannot be saved; you will be asked for them each time"}
	noPasswords := fzXML(`<Server><Host>h</Host><Protocol>4</Protocol><Name>Only</Name></Server>`)
	tests := []struct {
		name         string
		content      string
		keyringErr   error // what openSecrets fails with
		wantAdded    []string
		wantOpened   int // calls of openSecrets
		wantSaved    map[string]string
		wantNotSaved []string
		wantWarnings []string
	}{
		{"keyring works", importXML, nil,
			[]string{"Prod (2)", "Implicit", "Anon", "Old"}, 1,
			map[string]string{"Prod (2)": "pw-prod", "Implicit": "pw-plain"}, nil,
			[]string{"master password", "does not speak SFTP", `saved as "Prod (2)"`}},
		{"no keyring: the passwords are saved nowhere", importXML, unavailable,
			[]string{"Prod (2)", "Implicit", "Anon", "Old"}, 1,
			nil, []string{"Prod (2)", "Implicit"},
			[]string{"master password", "does not speak SFTP", `saved as "Prod (2)"`}},
		{"no passwords: the keyring is not asked", noPasswords, unavailable,
			[]string{"Only"}, 0, nil, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t)
			if err := s.Put(Site{Name: "Prod", URL: "ftps://old.example.com:990"}); err != nil {
				t.Fatal(err)
			}
			// Like secrets.Open: an in-memory fallback along with the error.
			sec := secrets.NewMemory()
			opened := 0
			res, err := s.ImportFileZillaFile(writeTemp(t, "sitemanager.xml", tc.content), func() (secrets.Store, error) {
				opened++
				return sec, tc.keyringErr
			})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.Added, tc.wantAdded) {
				t.Errorf("Added %q, want %q", res.Added, tc.wantAdded)
			}
			if opened != tc.wantOpened {
				t.Errorf("openSecrets called %d times, want %d", opened, tc.wantOpened)
			}
			if res.PasswordsSaved != len(tc.wantSaved) || !reflect.DeepEqual(res.PasswordsNotSaved, tc.wantNotSaved) {
				t.Errorf("saved %d, not saved %q; want %d, %q", res.PasswordsSaved, res.PasswordsNotSaved, len(tc.wantSaved), tc.wantNotSaved)
			}
			for _, site := range res.Added {
				pw, err := Password(sec, site)
				if want, ok := tc.wantSaved[site]; ok != (err == nil) || pw != want {
					t.Errorf("password of %q in the store: %q, %v; want %q", site, pw, err, want)
				}
			}
			if tc.wantNotSaved != nil && res.PasswordError != tc.keyringErr {
				t.Errorf("PasswordError = %v, want the keyring's %v", res.PasswordError, tc.keyringErr)
			}
			if tc.wantNotSaved == nil && res.PasswordError != nil {
				t.Errorf("PasswordError = %v", res.PasswordError)
			}
			if len(res.Warnings) != len(tc.wantWarnings) {
				t.Fatalf("warnings:\n%s", strings.Join(res.Warnings, "\n"))
			}
			for i, w := range tc.wantWarnings {
				if !strings.Contains(res.Warnings[i], w) {
					t.Errorf("warning %d = %q, want it to say %q", i, res.Warnings[i], w)
				}
			}
			if old, _ := s.Get("Prod"); old.URL != "ftps://old.example.com:990" {
				t.Error("the import replaced a saved site")
			}
		})
	}
}

func TestImportFileZillaFileBadFile(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "none.xml")
	notFZ := writeTemp(t, "feed.xml", "<rss/>")
	tests := []struct {
		name       string
		path       string
		wantOp     string
		wantPrefix string // of Error()
		wantText   string
	}{
		{"missing", missing, "open", "open " + missing + ": ", osText("no such file")},
		{"a folder", dir, "read", dir + ": read FileZilla site list: ", osText("is a directory")},
		{"not FileZilla's", notFZ, "read", notFZ + ": FileZilla site list: ", "not a FileZilla sitemanager.xml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t)
			res, err := s.ImportFileZillaFile(tc.path, func() (secrets.Store, error) {
				t.Error("the keyring was asked for a file that holds no sites")
				return secrets.NewMemory(), nil
			})
			var fe *ImportFileError
			if !errors.As(err, &fe) || fe.Op != tc.wantOp || fe.Path != tc.path {
				t.Fatalf("err = %#v, want an *ImportFileError with Op %q", err, tc.wantOp)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tc.wantPrefix) || !strings.Contains(msg, tc.wantText) {
				t.Errorf("Error() = %q, want %q… saying %q", msg, tc.wantPrefix, tc.wantText)
			}
			if res.Added != nil || len(s.List()) != 0 {
				t.Errorf("sites were saved: %v, %v", res.Added, s.List())
			}
		})
	}
}

func TestImportResultKeyringUnavailable(t *testing.T) {
	unavailable := &secrets.UnavailableError{Reason: "no keyring"}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"all saved", nil, false},
		{"no keyring", unavailable, true},
		{"no keyring, wrapped", errors.Join(errors.New("save the password of site \"a\""), unavailable), true},
		{"one password refused", errors.New("too long"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := (ImportResult{PasswordError: tc.err}).KeyringUnavailable(); got != tc.want {
				t.Errorf("KeyringUnavailable() = %v, want %v", got, tc.want)
			}
		})
	}
}

// osText is the operating system's own wording of an error as Linux words
// it; Windows words the same errors its own way ("The system cannot find
// the file specified.", "Incorrect function."), so there the test checks
// only Lockbox's part of the message.
func osText(linux string) string {
	if runtime.GOOS == "windows" {
		return ""
	}
	return linux
}
