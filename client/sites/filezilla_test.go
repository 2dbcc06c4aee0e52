package sites

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestImportFileZillaSample(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "sitemanager.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	imp, err := ImportFileZilla(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []Site{
		{Name: "Example FTPES", URL: "ftpes://ftp.example.com:21", User: "alice", LocalDir: "/home/alice/upload", RemoteDir: "/home/alice/www"},
		{Name: "Work/Implicit", URL: "ftps://files.work.example:990", User: "bob", Mode: ModeActive},
		{Name: "Work/Legacy/Old box", URL: "ftpes://old.work.example:2121", User: "carol", RemoteDir: `C:\data`},
		{Name: "Mirror", URL: "ftp://plain.example.net:21", User: "anonymous"},
		{Name: "Example FTPES (2)", URL: "ftpes://ask.example.net:21", User: "erin"},
	}
	if !reflect.DeepEqual(imp.Sites, want) {
		t.Errorf("sites:\n%+v\nwant\n%+v", imp.Sites, want)
	}
	wantPasswords := map[string]string{"Example FTPES": "Alice-Pa55-word", "Work/Implicit": "Plain-B0b-pass"}
	if !reflect.DeepEqual(imp.Passwords, wantPasswords) {
		t.Errorf("passwords for %v, want for %v", keys(imp.Passwords), keys(wantPasswords))
	}
	wantWarnings := []string{
		`site "Work/Legacy/Old box": FileZilla would fall back to plain, unencrypted FTP`,
		`site "Work/Legacy/Old box": the password is encrypted with FileZilla's master password`,
		`site "Work/Legacy/SFTP box": skipped: Lockbox does not speak SFTP`,
		`site "Mirror": plain FTP: the password and the files cross the network unencrypted`,
		`site "Example FTPES": another imported site has this name, so it was saved as "Example FTPES (2)"`,
	}
	if len(imp.Warnings) != len(wantWarnings) {
		t.Fatalf("warnings:\n%s", strings.Join(imp.Warnings, "\n"))
	}
	for i, w := range wantWarnings {
		if !strings.HasPrefix(imp.Warnings[i], w) {
			t.Errorf("warning %d = %q, want %q…", i, imp.Warnings[i], w)
		}
	}
	for _, s := range imp.Sites {
		if err := s.Validate(); err != nil {
			t.Errorf("imported site does not validate: %v", err)
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// fzXML wraps servers in a minimal sitemanager.xml.
func fzXML(servers string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><FileZilla3><Servers>` + servers + `</Servers></FileZilla3>`
}

func TestImportFileZillaServer(t *testing.T) {
	tests := []struct {
		name         string
		server       string
		wantURL      string // "" = skipped
		wantUser     string
		wantPassword string
		wantWarning  string
	}{
		{"explicit FTPES", `<Host>h</Host><Protocol>4</Protocol><User>u</User><Pass encoding="base64">cHc=</Pass><Logontype>1</Logontype><Name>n</Name>`,
			"ftpes://h:21", "u", "pw", ""},
		{"implicit FTPS default port", `<Host>h</Host><Port>0</Port><Protocol>3</Protocol><Name>n</Name>`, "ftps://h:990", "", "", ""},
		{"FTP if available becomes FTPES", `<Host>h</Host><Port>2121</Port><Protocol>0</Protocol><Name>n</Name>`, "ftpes://h:2121", "", "", "Lockbox requires TLS"},
		{"no protocol means FTP", `<Host>h</Host><Name>n</Name>`, "ftpes://h:21", "", "", "Lockbox requires TLS"},
		{"insecure FTP", `<Host>h</Host><Protocol>6</Protocol><Name>n</Name>`, "ftp://h:21", "", "", "unencrypted"},
		{"SFTP skipped", `<Host>h</Host><Protocol>1</Protocol><Name>n</Name>`, "", "", "", "does not speak SFTP"},
		{"S3 skipped", `<Host>h</Host><Protocol>7</Protocol><Name>n</Name>`, "", "", "", "does not speak S3"},
		{"unknown protocol number", `<Host>h</Host><Protocol>99</Protocol><Name>n</Name>`, "", "", "", "does not speak protocol 99"},
		{"protocol not a number", `<Host>h</Host><Protocol>x</Protocol><Name>n</Name>`, "", "", "", "unknown protocol"},
		{"plain-text password", `<Host>h</Host><Protocol>4</Protocol><User>u</User><Pass>p w</Pass><Logontype>1</Logontype><Name>n</Name>`, "ftpes://h:21", "u", "p w", ""},
		{"crypt password", `<Host>h</Host><Protocol>4</Protocol><User>u</User><Pass encoding="crypt">abc</Pass><Logontype>1</Logontype><Name>n</Name>`, "ftpes://h:21", "u", "", "master password"},
		{"bad base64", `<Host>h</Host><Protocol>4</Protocol><Pass encoding="base64">!!</Pass><Name>n</Name>`, "ftpes://h:21", "", "", "not valid base64"},
		{"unknown encoding", `<Host>h</Host><Protocol>4</Protocol><Pass encoding="rot13">x</Pass><Name>n</Name>`, "ftpes://h:21", "", "", "unknown encoding"},
		{"password with CRLF", `<Host>h</Host><Protocol>4</Protocol><Pass encoding="base64">YQ0KREVMRSB4</Pass><Name>n</Name>`, "ftpes://h:21", "", "", "line break"},
		{"ask for password", `<Host>h</Host><Protocol>4</Protocol><User>u</User><Pass>kept-out</Pass><Logontype>2</Logontype><Name>n</Name>`, "ftpes://h:21", "u", "", ""},
		{"anonymous", `<Host>h</Host><Protocol>4</Protocol><User>x</User><Logontype>0</Logontype><Name>n</Name>`, "ftpes://h:21", "anonymous", "", ""},
		{"account", `<Host>h</Host><Protocol>4</Protocol><User>u</User><Pass>p</Pass><Account>acct</Account><Logontype>4</Logontype><Name>n</Name>`, "ftpes://h:21", "u", "p", "ACCT"},
		{"unknown transfer mode", `<Host>h</Host><Protocol>4</Protocol><PasvMode>MODE_SIDEWAYS</PasvMode><Name>n</Name>`, "ftpes://h:21", "", "", "unknown transfer mode"},
		{"IPv6 host", `<Host>[2001:db8::1]</Host><Port>990</Port><Protocol>3</Protocol><Name>n</Name>`, "ftps://[2001:db8::1]:990", "", "", ""},
		{"no host", `<Protocol>4</Protocol><Name>n</Name>`, "", "", "", "no host"},
		{"bad port", `<Host>h</Host><Port>99999</Port><Protocol>4</Protocol><Name>n</Name>`, "", "", "", "not a port"},
		{"host with a slash", `<Host>h/x</Host><Protocol>4</Protocol><Name>n</Name>`, "", "", "", "cannot be used"},
		{"user with CRLF", `<Host>h</Host><Protocol>4</Protocol><User>u&#13;&#10;DELE x</User><Name>n</Name>`, "", "", "", "control characters"},
		{"unreadable remote folder", `<Host>h</Host><Protocol>4</Protocol><RemoteDir>1 0 9 x</RemoteDir><Name>n</Name>`, "ftpes://h:21", "", "", "remote folder could not be read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			imp, err := ImportFileZilla(strings.NewReader(fzXML("<Server>" + tc.server + "</Server>")))
			if err != nil {
				t.Fatal(err)
			}
			warnings := strings.Join(imp.Warnings, "\n")
			if tc.wantWarning == "" && warnings != "" {
				t.Errorf("unexpected warnings: %s", warnings)
			}
			if !strings.Contains(warnings, tc.wantWarning) {
				t.Errorf("warnings %q, want %q", warnings, tc.wantWarning)
			}
			if tc.wantURL == "" {
				if len(imp.Sites) != 0 || len(imp.Passwords) != 0 {
					t.Errorf("imported %+v, want it skipped", imp.Sites)
				}
				return
			}
			if len(imp.Sites) != 1 {
				t.Fatalf("sites %+v", imp.Sites)
			}
			s := imp.Sites[0]
			if s.URL != tc.wantURL || s.User != tc.wantUser {
				t.Errorf("URL %q user %q, want %q %q", s.URL, s.User, tc.wantURL, tc.wantUser)
			}
			pw, ok := imp.Passwords[s.Name]
			if pw != tc.wantPassword || ok != (tc.wantPassword != "") {
				t.Errorf("password %q (%t), want %q", pw, ok, tc.wantPassword)
			}
		})
	}
}

func TestImportFileZillaNames(t *testing.T) {
	tests := []struct {
		name string
		xml  string
		want []string
	}{
		{"nested folders", `<Folder>A<Folder>B<Server><Host>h</Host><Name>s</Name></Server></Folder><Server><Host>h</Host><Name>t</Name></Server></Folder>`,
			[]string{"A/B/s", "A/t"}},
		{"old-style name as text", `<Server>Legacy name<Host>h</Host></Server>`, []string{"Legacy name"}},
		{"host when unnamed", `<Server><Host>ftp.example.com</Host></Server>`, []string{"ftp.example.com"}},
		{"unnamed folder", `<Folder><Server><Host>h</Host><Name>s</Name></Server></Folder>`, []string{"Unnamed folder/s"}},
		{"control characters in names", `<Folder>A&#9;B<Server><Host>h</Host><Name>x&#10;y</Name></Server></Folder>`, []string{"A B/x y"}},
		{"duplicates numbered", `<Server><Host>h</Host><Name>s</Name></Server><Server><Host>h</Host><Name>s</Name></Server><Server><Host>h</Host><Name>s</Name></Server>`,
			[]string{"s", "s (2)", "s (3)"}},
		{"long names capped", `<Server><Host>h</Host><Name>` + strings.Repeat("é", MaxNameLength+10) + `</Name></Server>`,
			[]string{strings.Repeat("é", MaxNameLength)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			imp, err := ImportFileZilla(strings.NewReader(fzXML(tc.xml)))
			if err != nil {
				t.Fatal(err)
			}
			if got := names(imp.Sites); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("names %q, want %q", got, tc.want)
			}
		})
	}
}

func TestImportFileZillaDuplicatesKeepTheirPasswords(t *testing.T) {
	xml := fzXML(`<Server><Host>h</Host><Protocol>4</Protocol><Pass>one</Pass><Name>s</Name></Server>` +
		`<Server><Host>h</Host><Protocol>4</Protocol><Pass>two</Pass><Name>s</Name></Server>`)
	imp, err := ImportFileZilla(strings.NewReader(xml))
	if err != nil {
		t.Fatal(err)
	}
	if imp.Passwords["s"] != "one" || imp.Passwords["s (2)"] != "two" {
		t.Errorf("passwords were mixed up between same-named sites")
	}
}

func TestImportFileZillaRejects(t *testing.T) {
	deep := strings.Repeat("<Folder>x", maxFolderDepth+1) + strings.Repeat("</Folder>", maxFolderDepth+1)
	many := strings.Repeat("<Server><Host>h</Host></Server>", MaxImportEntries+1)
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"empty", "", "no <FileZilla3> element"},
		{"other XML", `<rss><channel/></rss>`, "the root element is <rss>"},
		{"not XML", `{"version":1}`, "no <FileZilla3> element"},
		{"truncated", `<FileZilla3><Servers><Server><Host>h`, "not valid XML"},
		{"mismatched tags", `<FileZilla3><Servers></Folder></FileZilla3>`, "not valid XML"},
		{"other encoding", `<?xml version="1.0" encoding="ISO-8859-1"?><FileZilla3/>`, "not valid XML"},
		{"folders too deep", fzXML(deep), "nested more than"},
		{"too many sites", fzXML(many), fmt.Sprintf("more than %d sites", MaxImportEntries)},
		{"too large", fzXML(strings.Repeat(" ", MaxImportSize)), "larger than 16 MiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			imp, err := ImportFileZilla(strings.NewReader(tc.input))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ImportFileZilla = %v, %v; want an error with %q", imp, err, tc.want)
			}
		})
	}
}

func TestImportFileZillaSkipsOtherElements(t *testing.T) {
	xml := `<FileZilla3><Settings><Setting name="x">1</Setting></Settings><Servers>` +
		`<Server><Host>h</Host><Name>a</Name><Unknown><Deep/></Unknown></Server><Bookmark/></Servers><Servers><Server><Host>h</Host><Name>b</Name></Server></Servers></FileZilla3>`
	imp, err := ImportFileZilla(strings.NewReader(xml))
	if err != nil {
		t.Fatal(err)
	}
	if got := names(imp.Sites); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("names %v", got)
	}
}

func TestDecodeRemoteDir(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{"1 0 4 home 4 user", "/home/user", ""},
		{"1 0", "/", ""},
		{"0 0 3 pub", "/pub", ""},
		{"1 0 11 with spaces 3 end", "/with spaces/end", ""},
		{"1 0 5 héllo", "/héllo", ""},
		{"1 0 2 😀", "/😀", ""}, // UTF-16 units, as FileZilla on Windows counts
		{"1 0 1 😀", "/😀", ""}, // code points, as on Linux
		{"9 0 8 cygdrive 1 c", "/cygdrive/c", ""},
		{"3 0 2 C: 4 data 3 sub", `C:\data\sub`, ""},
		{"3 0 2 D:", `D:\`, ""},
		{"10 0 2 C: 3 web", "C:/web", ""},
		{"2 5 DISK: 3 USR 5 ALICE", "DISK:[USR.ALICE]", ""},
		{"2 5 DISK:", "DISK:[000000]", ""},
		{"", "", "server type: a number is missing"},
		{"1", "", "ends too early"},
		{"1 0 9 home", "", "do not fit"},
		{"1 0 4 homes", "", "do not fit"},
		{"1 0 0 ", "", "is empty"},
		{"1 0 4 home 4", "", "ends too early"},
		{"1 0 x home", "", "a number is missing"},
		{"1 0 99999999 x", "", "too large"},
		{"1x 0", "", "unexpected"},
		{"4 0 3 SYS", "", "not translated"},
		{"42 0 1 a", "", "unknown server type 42"},
		{"3 0", "", "without a drive"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := decodeRemoteDir(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("decodeRemoteDir = %q, %v; want an error with %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("decodeRemoteDir = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestDecodeRemoteDirBoundsSegments(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("1 0")
	for i := 0; i <= maxPathSegments; i++ {
		b.WriteString(" 1 a")
	}
	if _, err := decodeRemoteDir(b.String()); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("decodeRemoteDir of %d segments = %v", maxPathSegments+1, err)
	}
}

// Each site's FileZilla transfer mode becomes the site's data connection
// mode; FileZilla's "default" (its global setting) leaves Lockbox's.
func TestImportFileZillaTransferMode(t *testing.T) {
	tests := []struct {
		pasvMode string
		want     string
	}{
		{"<PasvMode>MODE_ACTIVE</PasvMode>", ModeActive},
		{"<PasvMode>MODE_PASSIVE</PasvMode>", ModePassive},
		{"<PasvMode>MODE_DEFAULT</PasvMode>", ModeDefault},
		{"<PasvMode> MODE_ACTIVE\n</PasvMode>", ModeActive},
		{"", ModeDefault},
	}
	for _, tc := range tests {
		t.Run(tc.pasvMode, func(t *testing.T) {
			imp, err := ImportFileZilla(strings.NewReader(fzXML("<Server><Host>h</Host><Protocol>4</Protocol>" + tc.pasvMode + "<Name>n</Name></Server>")))
			if err != nil {
				t.Fatal(err)
			}
			if len(imp.Sites) != 1 || imp.Sites[0].Mode != tc.want || len(imp.Warnings) != 0 {
				t.Fatalf("sites %+v, warnings %v; want mode %q", imp.Sites, imp.Warnings, tc.want)
			}
			if err := imp.Sites[0].Validate(); err != nil {
				t.Errorf("imported site does not validate: %v", err)
			}
		})
	}
}
