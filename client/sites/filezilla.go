package sites

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"lockbox/client"
)

// MaxImportSize bounds the sitemanager.xml ImportFileZilla reads; a
// site manager with thousands of sites is well under a megabyte.
const MaxImportSize = 16 << 20

// MaxImportEntries bounds the number of sites and folders in one import.
const MaxImportEntries = 10000

// maxFolderDepth bounds how deep FileZilla folders may nest.
const maxFolderDepth = 64

// maxPathSegments bounds the segments of one encoded FileZilla remote folder.
const maxPathSegments = 4096

// Import is what ImportFileZilla found: the sites, their passwords (for a
// secrets.Store, never for a file) and what could not be carried over.
type Import struct {
	// Sites are the importable sites, in the file's order, with unique names.
	Sites []Site
	// Passwords maps a site's name to its password. It is never encoded as
	// JSON and never printed by String or GoString.
	Passwords map[string]string `json:"-"`
	// Warnings say, per site, what was skipped, changed or lost.
	Warnings []string
}

// String summarises the import without its passwords.
func (i Import) String() string {
	return fmt.Sprintf("%d sites, %d passwords, %d warnings", len(i.Sites), len(i.Passwords), len(i.Warnings))
}

// GoString is what %#v prints: the summary, never the passwords.
func (i Import) GoString() string { return "sites.Import{" + i.String() + "}" }

// FileZilla's protocol numbers (its ServerProtocol enumeration).
const (
	fzFTP         = 0 // FTP, explicit TLS if the server offers it
	fzSFTP        = 1
	fzHTTP        = 2
	fzFTPS        = 3 // implicit
	fzFTPES       = 4 // explicit, required
	fzHTTPS       = 5
	fzInsecureFTP = 6 // plain FTP only
)

// fzProtocolNames names the protocols Lockbox does not speak, for warnings.
var fzProtocolNames = map[int]string{
	fzSFTP: "SFTP", fzHTTP: "HTTP", fzHTTPS: "HTTPS", 7: "S3", 8: "Storj", 9: "WebDAV",
	10: "Azure Files", 11: "Azure Blob", 12: "OpenStack Swift", 13: "Google Cloud Storage",
	14: "Google Drive", 15: "Dropbox", 16: "OneDrive", 17: "Backblaze B2", 18: "Box",
}

// FileZilla's logon types.
const (
	fzAnonymous   = 0
	fzNormal      = 1
	fzAsk         = 2
	fzInteractive = 3
	fzAccount     = 4
	fzKeyFile     = 5
)

type fzServer struct {
	Host     string `xml:"Host"`
	Port     string `xml:"Port"`
	Protocol string `xml:"Protocol"`
	// Type is the server type; the encoded RemoteDir carries its own copy,
	// which is the one decodeRemoteDir uses.
	Type      string  `xml:"Type"`
	User      string  `xml:"User"`
	Pass      *fzPass `xml:"Pass"`
	Account   string  `xml:"Account"`
	Logontype string  `xml:"Logontype"`
	Name      string  `xml:"Name"`
	RemoteDir string  `xml:"RemoteDir"`
	LocalDir  string  `xml:"LocalDir"`
	PasvMode  string  `xml:"PasvMode"`
	// Text is the element's own text: the site's name in old versions.
	Text string `xml:",chardata"`
}

type fzPass struct {
	Encoding string `xml:"encoding,attr"`
	Value    string `xml:",chardata"`
}

// fzFolder is a <Folder> (or the <Servers> list) with its sites and
// sub-folders in the file's order.
type fzFolder struct {
	name  strings.Builder
	items []fzItem
}

type fzItem struct {
	server *fzServer
	folder *fzFolder
}

// ImportFileZilla reads a FileZilla 3 sitemanager.xml (or a site manager
// export): <FileZilla3><Servers> with <Server> entries, nested in <Folder>s
// whose path becomes the name prefix ("Folder/Sub/Site"). Sites of
// protocols Lockbox does not speak are skipped with a warning; so is
// anything that cannot be used safely. Passwords stored in plain text or
// base64 are returned in Passwords; encrypted ones (FileZilla's master
// password) cannot be read and are reported.
func ImportFileZilla(r io.Reader) (Import, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportSize+1))
	if err != nil {
		return Import{}, fmt.Errorf("read FileZilla site list: %w", err)
	}
	if len(data) > MaxImportSize {
		return Import{}, fmt.Errorf("FileZilla site list is larger than %d MiB; a real one is far smaller", MaxImportSize>>20)
	}
	p := fzParser{dec: xml.NewDecoder(bytes.NewReader(data))}
	root, err := p.parse()
	if err != nil {
		return Import{}, fmt.Errorf("FileZilla site list: %w", err)
	}
	imp := Import{Passwords: map[string]string{}}
	names := map[string]Site{}
	imp.addFolder(root, "", names)
	return imp, nil
}

type fzParser struct {
	dec     *xml.Decoder
	entries int
}

// parse returns the <Servers> of the <FileZilla3> root (several are
// merged), skipping anything else.
func (p *fzParser) parse() (*fzFolder, error) {
	for {
		tok, err := p.dec.Token()
		if errors.Is(err, io.EOF) {
			return nil, errors.New("no <FileZilla3> element: this is not a FileZilla sitemanager.xml")
		}
		if err != nil {
			return nil, fmt.Errorf("not valid XML: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != "FileZilla3" {
				return nil, fmt.Errorf("the root element is <%s>, not <FileZilla3>: this is not a FileZilla sitemanager.xml", se.Name.Local)
			}
			break
		}
	}
	root := &fzFolder{}
	for {
		tok, err := p.dec.Token()
		if err != nil {
			return nil, p.readError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "Servers" {
				if err := p.dec.Skip(); err != nil {
					return nil, p.readError(err)
				}
				continue
			}
			servers := &fzFolder{}
			if err := p.folder(servers, 1); err != nil {
				return nil, err
			}
			root.items = append(root.items, servers.items...)
		case xml.EndElement:
			return root, nil
		}
	}
}

func (p *fzParser) readError(err error) error {
	if errors.Is(err, io.EOF) {
		return errors.New("not valid XML: the file ends inside an element")
	}
	return fmt.Errorf("not valid XML: %w", err)
}

// folder reads the children of a <Servers> or <Folder> element up to its end.
func (p *fzParser) folder(f *fzFolder, depth int) error {
	for {
		tok, err := p.dec.Token()
		if err != nil {
			return p.readError(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if f.name.Len() < 4*MaxNameLength {
				f.name.Write(t)
			}
		case xml.StartElement:
			switch t.Name.Local {
			case "Server":
				if err := p.count(); err != nil {
					return err
				}
				var s fzServer
				if err := p.dec.DecodeElement(&s, &t); err != nil {
					return p.readError(err)
				}
				f.items = append(f.items, fzItem{server: &s})
			case "Folder":
				if err := p.count(); err != nil {
					return err
				}
				if depth >= maxFolderDepth {
					return fmt.Errorf("folders are nested more than %d deep", maxFolderDepth)
				}
				sub := &fzFolder{}
				if err := p.folder(sub, depth+1); err != nil {
					return err
				}
				f.items = append(f.items, fzItem{folder: sub})
			default:
				if err := p.dec.Skip(); err != nil {
					return p.readError(err)
				}
			}
		case xml.EndElement:
			return nil
		}
	}
}

func (p *fzParser) count() error {
	p.entries++
	if p.entries > MaxImportEntries {
		return fmt.Errorf("more than %d sites and folders", MaxImportEntries)
	}
	return nil
}

func (imp *Import) addFolder(f *fzFolder, prefix string, names map[string]Site) {
	for _, it := range f.items {
		if it.server != nil {
			imp.addServer(it.server, prefix, names)
			continue
		}
		name := cleanName(it.folder.name.String())
		if name == "" {
			name = "Unnamed folder"
		}
		imp.addFolder(it.folder, prefix+name+"/", names)
	}
}

// addServer turns one <Server> into a site, or a warning saying why not.
func (imp *Import) addServer(s *fzServer, prefix string, names map[string]Site) {
	host := strings.TrimSpace(s.Host)
	display := strings.TrimSpace(s.Name)
	if display == "" {
		display = strings.TrimSpace(s.Text)
	}
	if display == "" {
		display = host
	}
	name := cleanName(prefix + cleanName(display))
	if name == "" {
		name = "Unnamed site"
	}
	warn := func(format string, a ...any) {
		imp.Warnings = append(imp.Warnings, fmt.Sprintf("site %q: ", name)+fmt.Sprintf(format, a...))
	}

	protocol := fzFTP
	if p := strings.TrimSpace(s.Protocol); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			warn("skipped: unknown protocol %q", p)
			return
		}
		protocol = n
	}
	var scheme client.Scheme
	switch protocol {
	case fzFTP:
		scheme = client.FTPES
		warn("FileZilla would fall back to plain, unencrypted FTP when the server offers no TLS; Lockbox requires TLS, so it was imported as explicit FTPS (ftpes://)")
	case fzFTPS:
		scheme = client.FTPS
	case fzFTPES:
		scheme = client.FTPES
	case fzInsecureFTP:
		scheme = client.FTP
		warn("plain FTP: the password and the files cross the network unencrypted")
	default:
		what, ok := fzProtocolNames[protocol]
		if !ok {
			what = fmt.Sprintf("protocol %d", protocol)
		}
		warn("skipped: Lockbox does not speak %s", what)
		return
	}

	if host == "" {
		warn("skipped: it has no host")
		return
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	port := scheme.DefaultPort()
	if p := strings.TrimSpace(s.Port); p != "" && p != "0" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			warn("skipped: %q is not a port", p)
			return
		}
		port = n
	}
	site := Site{Name: name, URL: MakeURL(scheme, host, port, "")}
	if err := validateURL(site.URL); err != nil {
		warn("skipped: the host %q cannot be used: %v", host, err)
		return
	}

	logon := fzNormal
	if l := strings.TrimSpace(s.Logontype); l != "" {
		if n, err := strconv.Atoi(l); err == nil {
			logon = n
		} else {
			logon = -1
		}
	}
	site.User = s.User
	wantPassword := false
	switch logon {
	case fzAnonymous:
		site.User = "anonymous"
	case fzNormal:
		wantPassword = true
	case fzAsk, fzInteractive:
		// FileZilla asks each time and so does Lockbox.
	case fzAccount:
		wantPassword = true
		if strings.TrimSpace(s.Account) != "" {
			warn("Lockbox does not send FileZilla's account (ACCT); only the user and password were imported")
		}
	case fzKeyFile:
		warn("key file logins are for SFTP; you will be asked for a password")
	default:
		warn("unknown logon type %q; you will be asked for a password", s.Logontype)
	}
	if !printable(site.User) {
		warn("skipped: the user name contains control characters")
		return
	}
	var password string
	if wantPassword && s.Pass != nil {
		password, _ = fzPassword(s.Pass, warn)
	}

	switch strings.TrimSpace(s.PasvMode) {
	case "MODE_ACTIVE":
		site.Mode = ModeActive
	case "MODE_PASSIVE":
		site.Mode = ModePassive
	case "", "MODE_DEFAULT":
		// FileZilla's global setting: Lockbox's own default.
	default:
		warn("unknown transfer mode %q; Lockbox's default will be used", strings.TrimSpace(s.PasvMode))
	}
	if rd := strings.TrimSpace(s.RemoteDir); rd != "" {
		dir, err := decodeRemoteDir(rd)
		switch {
		case err != nil:
			warn("the remote folder could not be read (%v); the server's home folder will be used", err)
		case !printable(dir):
			warn("the remote folder contains control characters; the server's home folder will be used")
		default:
			site.RemoteDir = dir
		}
	}
	if s.LocalDir != "" {
		if printable(s.LocalDir) {
			site.LocalDir = s.LocalDir
		} else {
			warn("the local folder contains control characters and was left out")
		}
	}

	if unique := uniqueName(name, names); unique != name {
		warn("another imported site has this name, so it was saved as %q", unique)
		site.Name = unique
	}
	if err := site.Validate(); err != nil {
		warn("skipped: %v", err)
		return
	}
	names[site.Name] = site
	imp.Sites = append(imp.Sites, site)
	if password != "" {
		imp.Passwords[site.Name] = password
	}
}

// fzPassword decodes a <Pass> element; ok is false, with a warning, when it
// cannot be used.
func fzPassword(p *fzPass, warn func(string, ...any)) (string, bool) {
	var pw string
	switch strings.ToLower(strings.TrimSpace(p.Encoding)) {
	case "":
		pw = p.Value
	case "base64":
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(p.Value))
		if err != nil {
			warn("the password is not valid base64 and was not imported; you will be asked for it")
			return "", false
		}
		pw = string(raw)
	case "crypt":
		warn("the password is encrypted with FileZilla's master password, which Lockbox cannot decrypt; you will be asked for it")
		return "", false
	default:
		warn("the password is stored in an unknown encoding %q and was not imported; you will be asked for it", p.Encoding)
		return "", false
	}
	if pw == "" {
		return "", false
	}
	// FTP sends the password on a command line.
	if strings.ContainsAny(pw, "\r\n\x00") {
		warn("the password contains a line break or NUL, which FTP cannot send; it was not imported")
		return "", false
	}
	return pw, true
}

// cleanName makes s usable as a site name: control characters become
// spaces, surrounding space is trimmed, the length is capped.
func cleanName(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > MaxNameLength {
		s = strings.TrimSpace(string([]rune(s)[:MaxNameLength]))
	}
	return s
}

// FileZilla's server types (its ServerType enumeration), which decide how
// a remote path is written.
const (
	fzDefault       = 0
	fzUnix          = 1
	fzVMS           = 2
	fzDOS           = 3
	fzMVS           = 4
	fzVxWorks       = 5
	fzZVM           = 6
	fzHPNonStop     = 7
	fzDOSVirtual    = 8
	fzCygwin        = 9
	fzDOSFwdSlashes = 10
)

// decodeRemoteDir turns FileZilla's encoded remote folder ("1 0 4 home 5
// alice": server type, prefix length and prefix, then each segment's length
// and text) into the path the server understands ("/home/alice"). Lengths
// count characters as FileZilla's wide strings do: code points on Linux and
// macOS, UTF-16 units on Windows; both are accepted.
func decodeRemoteDir(s string) (string, error) {
	typ, rest, err := readNumber(s)
	if err != nil {
		return "", fmt.Errorf("server type: %w", err)
	}
	if rest, err = skipSpace(rest); err != nil {
		return "", err
	}
	plen, rest, err := readNumber(rest)
	if err != nil {
		return "", fmt.Errorf("prefix length: %w", err)
	}
	var prefix string
	if plen > 0 {
		if rest, err = skipSpace(rest); err != nil {
			return "", err
		}
		if prefix, rest, err = takeChars(rest, plen); err != nil {
			return "", fmt.Errorf("prefix: %w", err)
		}
	}
	var segs []string
	for rest != "" {
		if len(segs) >= maxPathSegments {
			return "", fmt.Errorf("more than %d folder names", maxPathSegments)
		}
		if rest, err = skipSpace(rest); err != nil {
			return "", err
		}
		n, r, err := readNumber(rest)
		if err != nil {
			return "", fmt.Errorf("length of folder name %d: %w", len(segs)+1, err)
		}
		if n == 0 {
			return "", fmt.Errorf("folder name %d is empty", len(segs)+1)
		}
		if r, err = skipSpace(r); err != nil {
			return "", err
		}
		seg, r, err := takeChars(r, n)
		if err != nil {
			return "", fmt.Errorf("folder name %d: %w", len(segs)+1, err)
		}
		segs = append(segs, seg)
		rest = r
	}
	switch typ {
	case fzDefault, fzUnix, fzDOSVirtual, fzCygwin, fzVxWorks:
		return prefix + "/" + strings.Join(segs, "/"), nil
	case fzDOS, fzDOSFwdSlashes:
		if len(segs) == 0 {
			return "", errors.New("a DOS path without a drive")
		}
		sep := `\`
		if typ == fzDOSFwdSlashes {
			sep = "/"
		}
		p := strings.Join(segs, sep)
		if len(segs) == 1 {
			p += sep
		}
		return p, nil
	case fzVMS:
		if len(segs) == 0 {
			return prefix + "[000000]", nil
		}
		return prefix + "[" + strings.Join(segs, ".") + "]", nil
	case fzMVS, fzZVM, fzHPNonStop:
		return "", fmt.Errorf("paths of server type %d (MVS, z/VM or HP NonStop) are not translated", typ)
	}
	return "", fmt.Errorf("unknown server type %d", typ)
}

// readNumber reads a decimal number of at most 7 digits that ends s or is
// followed by a space.
func readNumber(s string) (int, string, error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	switch {
	case i == 0:
		return 0, s, errors.New("a number is missing")
	case i > 7:
		return 0, s, errors.New("a number is too large")
	case i < len(s) && s[i] != ' ':
		return 0, s, fmt.Errorf("unexpected %q after a number", s[i])
	}
	n, _ := strconv.Atoi(s[:i])
	return n, s[i:], nil
}

func skipSpace(s string) (string, error) {
	if !strings.HasPrefix(s, " ") {
		return s, errors.New("the encoded path ends too early")
	}
	return s[1:], nil
}

// takeChars splits n characters off s, counted as code points or else as
// UTF-16 units; what follows must be the end or a space.
func takeChars(s string, n int) (string, string, error) {
	boundary := func(i int) bool { return i == len(s) || s[i] == ' ' }
	i, count := 0, 0
	for i < len(s) && count < n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	if count == n && boundary(i) {
		return s[:i], s[i:], nil
	}
	i, units := 0, 0
	for i < len(s) && units < n {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		units += len(utf16.Encode([]rune{r}))
	}
	if units == n && boundary(i) {
		return s[:i], s[i:], nil
	}
	return "", s, fmt.Errorf("%d characters do not fit what follows", n)
}
