package identity

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"lockbox/client/configfile"
	"lockbox/client/secrets"
	"lockbox/client/trust"
)

// IdentitiesFile is the name of the store of saved identities inside the
// configuration directory.
const IdentitiesFile = "identities.json"

// SecretKeyPrefix starts the key a saved identity's password is kept under
// in a secrets.Store; the identity's name follows it.
const SecretKeyPrefix = "identity:"

// MaxNameLength is the longest name, in characters, a saved identity may
// have; names are labels in lists and keyring entries, not descriptions.
const MaxNameLength = 100

// storeFileSpec describes identities.json: its format version, so that a
// future format can be told apart from damage, and its size bound
// (hundreds of identities with their certificates fit in far less, so a
// bigger file was not written by Lockbox).
var storeFileSpec = configfile.Versioned{What: "saved identities file", Version: 1, MaxSize: 4 << 20,
	Lost:     "no identities are saved now (their files and passwords were not touched)",
	SaveWhat: "identities"}

var (
	// ErrNotSaved means no saved identity has the name asked for.
	ErrNotSaved = errors.New("no saved identity has this name")
	// ErrNameTaken means Add was given a name a saved identity already has.
	ErrNameTaken = errors.New("a saved identity already has this name")
	// ErrPasswordNeeded means a saved identity's file needs a password that
	// is not in the secret store (it could not be saved there, or the
	// keyring cannot be read now): the caller must ask the user and use
	// LoadSavedWith.
	ErrPasswordNeeded = errors.New("the password of this identity is not saved, so it must be entered")
	// ErrPasswordNotDeleted means Remove removed the identity but could not
	// delete its password from the secret store.
	ErrPasswordNotDeleted = errors.New("the saved password could not be deleted from the secret store")
)

// SecretKey returns the key the password of the saved identity name is kept
// under in a secrets.Store.
func SecretKey(name string) string { return SecretKeyPrefix + name }

// Files names where an identity is read from: CertFile (PEM or DER, with
// its private key inline or in KeyFile), or a PKCS#12 bundle. Exactly one
// of CertFile and PKCS12 is set.
type Files struct {
	// CertFile holds the certificate and any chain.
	CertFile string `json:"cert_file,omitempty"`
	// KeyFile holds the private key; it may equal CertFile, and "" also
	// means the key is in CertFile.
	KeyFile string `json:"key_file,omitempty"`
	// PKCS12 is a .p12/.pfx bundle holding the certificate, its key and
	// any chain.
	PKCS12 string `json:"pkcs12,omitempty"`
}

// validate checks that f names one identity.
func (f Files) validate() error {
	switch {
	case f.CertFile == "" && f.PKCS12 == "":
		return errors.New("no certificate file or PKCS#12 file was given")
	case f.CertFile != "" && f.PKCS12 != "":
		return errors.New("give a certificate file or a PKCS#12 file, not both")
	case f.PKCS12 != "" && f.KeyFile != "":
		return fmt.Errorf("PKCS#12 file %s holds its own key; leave out the key file %s", f.PKCS12, f.KeyFile)
	}
	return nil
}

// Load reads the identity f names. password opens a PKCS#12 file and is
// ignored for PEM, whose encrypted keys Lockbox does not read (LoadPEM
// explains why). A wrong password gives an error wrapping
// ErrWrongPassword; the password never appears in errors.
func (f Files) Load(password string) (*Identity, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	if f.PKCS12 != "" {
		return LoadPKCS12(f.PKCS12, password)
	}
	key := f.KeyFile
	if key == f.CertFile {
		key = ""
	}
	return LoadPEM(f.CertFile, key)
}

// String names the files, e.g. "/home/a/alice.crt + /home/a/alice.key".
func (f Files) String() string {
	switch {
	case f.PKCS12 != "":
		return f.PKCS12
	case f.KeyFile != "" && f.KeyFile != f.CertFile:
		return f.CertFile + " + " + f.KeyFile
	}
	return f.CertFile
}

// absolute makes every path absolute, so that a saved identity does not
// depend on the directory Lockbox was started in.
func (f Files) absolute() (Files, error) {
	for _, p := range []*string{&f.CertFile, &f.KeyFile, &f.PKCS12} {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return f, fmt.Errorf("file %s: %w", *p, err)
		}
		*p = abs
	}
	return f, nil
}

// FileKind is what a file chosen as an identity holds, which tells a user
// interface whether another file is still needed.
type FileKind int

// The kinds of file ClassifyFile recognises.
const (
	// FilePKCS12 is a PKCS#12 bundle: certificate, key and chain, usually
	// protected by a password.
	FilePKCS12 FileKind = iota + 1
	// FileCertAndKey is a PEM file with a certificate and its private key.
	FileCertAndKey
	// FileCertOnly holds certificates (PEM or DER) but no key: the key
	// file is needed too.
	FileCertOnly
	// FileKeyOnly holds a private key but no certificate: the certificate
	// file is needed too.
	FileKeyOnly
)

// String names the kind for messages.
func (k FileKind) String() string {
	switch k {
	case FilePKCS12:
		return "PKCS#12 bundle"
	case FileCertAndKey:
		return "certificate and private key"
	case FileCertOnly:
		return "certificate without its private key"
	case FileKeyOnly:
		return "private key without its certificate"
	}
	return fmt.Sprintf("FileKind(%d)", int(k))
}

// ClassifyFile says what the file at path holds, choosing PKCS#12 as Load
// does (by a .p12/.pfx name, or DER that is not a certificate). It reads
// the file but decodes no key, so it needs no password.
func ClassifyFile(path string) (FileKind, error) {
	data, err := readSmallFile(path)
	if err != nil {
		return 0, fmt.Errorf("file %s: %w", path, err)
	}
	if isPKCS12Name(path) || looksLikePKCS12(data) {
		return FilePKCS12, nil
	}
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		if certs, err := x509.ParseCertificates(data); err == nil && len(certs) > 0 {
			return FileCertOnly, nil
		}
		return 0, fmt.Errorf("file %s: neither PEM, nor a DER certificate, nor a PKCS#12 bundle", path)
	}
	pc, err := splitPEM(data)
	if err != nil {
		return 0, fmt.Errorf("file %s: %w", path, err)
	}
	switch {
	case len(pc.certs) > 0 && len(pc.keys) > 0:
		return FileCertAndKey, nil
	case len(pc.certs) > 0:
		return FileCertOnly, nil
	case len(pc.keys) > 0:
		return FileKeyOnly, nil
	}
	return 0, fmt.Errorf("file %s: no certificate and no private key found%s", path, pc.found())
}

// Saved is a client identity the user saved under a name: where its files
// are, never the key itself, and what its certificate says, so that it can
// be listed and matched without reading the files. Its password, when it
// has one, is in a secrets.Store under SecretKey(Name).
type Saved struct {
	// Name is the user's label, unique in the store.
	Name string `json:"name"`
	// Files are where the certificate and key are read from each time the
	// identity is used. For PEM with the key inline, KeyFile equals CertFile.
	Files
	// Subject and Issuer are the leaf's distinguished names.
	Subject string `json:"subject"`
	Issuer  string `json:"issuer"`
	// NotAfter is when the leaf expires.
	NotAfter time.Time `json:"not_after"`
	// NeedsPassword says the files need a password to open (a PKCS#12
	// bundle that was given one).
	NeedsPassword bool `json:"needs_password,omitempty"`
	// HasPassword says the password is in the secret store; when
	// NeedsPassword is set without it, the password is asked each time.
	HasPassword bool `json:"has_password,omitempty"`
	// Certificates are the leaf then its chain, DER, as the files held them
	// when the identity was saved: public, kept so that the identity can be
	// shown and matched against a server's CA list without its password.
	Certificates [][]byte `json:"certificates,omitempty"`
}

// Expired reports whether the certificate has expired at now.
func (s Saved) Expired(now time.Time) bool { return now.After(s.NotAfter) }

// Chain parses Certificates: the leaf first, then its chain.
func (s Saved) Chain() ([]*x509.Certificate, error) {
	certs := make([]*x509.Certificate, 0, len(s.Certificates))
	for i, der := range s.Certificates {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("saved identity %q, certificate %d: %w", s.Name, i+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("saved identity %q: no certificate was recorded", s.Name)
	}
	return certs, nil
}

// Matches is Identity.Matches for the saved certificates: true when
// acceptableCAs (DER distinguished names) is empty or names an issuer in
// the chain. An identity whose certificates cannot be read matches only an
// empty list.
func (s Saved) Matches(acceptableCAs [][]byte) bool {
	if len(acceptableCAs) == 0 {
		return true
	}
	chain, err := s.Chain()
	if err != nil {
		return false
	}
	return (&Identity{Leaf: chain[0], Chain: chain[1:]}).Matches(acceptableCAs)
}

// Warning is returned by Add together with the identity it saved when
// something deserves the user's attention. Add succeeded: the identity is
// in the store. Use errors.As to tell it from a failure.
type Warning struct {
	// Name is the identity that was saved.
	Name string
	// Expired says the certificate had already expired (at NotAfter);
	// servers will probably refuse it.
	Expired  bool
	NotAfter time.Time
	// PasswordNotSaved is why the password could not be put in the secret
	// store (typically: no keyring). The password will then be asked each
	// time the identity is used. nil when it was saved or none was needed.
	PasswordNotSaved error
}

// Error says what was saved and what the user should know about it.
func (w *Warning) Error() string {
	var parts []string
	if w.Expired {
		parts = append(parts, fmt.Sprintf("its certificate expired on %s, so servers will probably refuse it",
			w.NotAfter.UTC().Format("2006-01-02")))
	}
	if w.PasswordNotSaved != nil {
		parts = append(parts, fmt.Sprintf("its password could not be saved (%v), so it will be asked each time the identity is used",
			w.PasswordNotSaved))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("identity %q was saved", w.Name)
	}
	return fmt.Sprintf("identity %q was saved, but %s", w.Name, strings.Join(parts, "; and "))
}

// Unwrap returns why the password could not be saved, if that happened.
func (w *Warning) Unwrap() error { return w.PasswordNotSaved }

// Store holds the saved identities, backed by a JSON file written
// atomically, mode 0600 in a 0700 folder. It holds no private key and no
// password. It is safe for concurrent use.
type Store struct {
	path string

	// changeMu serialises Add and Remove, which touch the secret store and
	// the file and must not interleave for one name.
	changeMu sync.Mutex

	mu    sync.Mutex
	saved map[string]Saved
	now   func() time.Time // the clock Add judges expiry by; nil means time.Now
}

type storeFile struct {
	Version    int     `json:"version"`
	Identities []Saved `json:"identities"`
}

// OpenDefaultStore opens identities.json in the configuration directory
// (trust.ConfigDir). See OpenStore for what happens when it is damaged.
func OpenDefaultStore() (*Store, error) {
	dir, err := trust.ConfigDir()
	if err != nil {
		return nil, fmt.Errorf("open saved identities: %w", err)
	}
	return OpenStore(filepath.Join(dir, IdentitiesFile))
}

// OpenStore reads the saved identities at path. A missing file is an empty
// store.
//
// A file that cannot be parsed is renamed aside to
// path.corrupt-YYYYMMDDTHHMMSSZ so a later save does not destroy it;
// OpenStore then returns a usable, empty store together with a
// *configfile.CorruptError. Any other error returns a nil store.
func OpenStore(path string) (*Store, error) {
	s := &Store{path: path, saved: map[string]Saved{}}
	list, err := readStore(path)
	var ce *configfile.CorruptError
	if errors.As(err, &ce) {
		return s, configfile.SetAside(ce)
	}
	if err != nil {
		return nil, err
	}
	for _, sv := range list {
		s.saved[sv.Name] = sv
	}
	return s, nil
}

// Path returns the file the store is saved to.
func (s *Store) Path() string { return s.path }

// SetClock sets the clock Add judges expiry by, for a caller that judges
// certificates at another time than now (tests, mostly); nil means
// time.Now.
func (s *Store) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// clock returns the time Add judges expiry at.
func (s *Store) clock() time.Time {
	s.mu.Lock()
	now := s.now
	s.mu.Unlock()
	if now == nil {
		return time.Now()
	}
	return now()
}

// List returns every saved identity, sorted by name, ignoring case.
func (s *Store) List() []Saved {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedSaved(s.saved)
}

// Get returns the identity saved as name.
func (s *Store) Get(name string) (Saved, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv, ok := s.saved[name]
	return sv, ok
}

// UniqueName returns base, or base followed by " 2", " 3"… when that name
// is taken, for naming an identity the user did not name. An unusable base
// becomes "Client certificate".
func (s *Store) UniqueName(base string) string {
	base = strings.TrimSpace(base)
	if CheckName(base) != nil {
		base = "Client certificate"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	name := base
	for n := 2; ; n++ {
		if _, taken := s.saved[name]; !taken {
			return name
		}
		suffix := fmt.Sprintf(" %d", n)
		name = truncateRunes(base, MaxNameLength-len(suffix)) + suffix
	}
}

// Add saves the identity in files as name. It loads the identity once, so
// that a wrong password (an error wrapping ErrWrongPassword), a key that
// does not match (ErrKeyMismatch) or an unreadable file is reported now
// rather than at the next connection. An expired certificate is saved but
// reported.
//
// The password of a PKCS#12 bundle goes to sec under SecretKey(name), never
// to the file. When sec is nil or cannot store it (no keyring), the
// identity is still saved with HasPassword false, and Add returns the saved
// identity with a *Warning saying the password will be asked each time;
// likewise for an expired certificate. Any other error means nothing was
// saved.
func (s *Store) Add(name string, files Files, password string, sec secrets.Store) (Saved, error) {
	name = strings.TrimSpace(name)
	if err := CheckName(name); err != nil {
		return Saved{}, fmt.Errorf("save identity: %w", err)
	}
	s.changeMu.Lock()
	defer s.changeMu.Unlock()
	if _, taken := s.Get(name); taken {
		return Saved{}, fmt.Errorf("save identity %q: %w; choose another name or remove the other one first", name, ErrNameTaken)
	}
	files, err := files.absolute()
	if err != nil {
		return Saved{}, fmt.Errorf("save identity %q: %w", name, err)
	}
	if files.CertFile != "" && files.KeyFile == "" {
		// As Load does, a lone file that is a PKCS#12 bundle is read as one.
		if kind, err := ClassifyFile(files.CertFile); err == nil && kind == FilePKCS12 {
			files = Files{PKCS12: files.CertFile}
		}
	}
	id, err := files.Load(password)
	switch {
	case errors.Is(err, ErrWrongPassword):
		return Saved{}, fmt.Errorf("identity %q not saved: %w; type the password the file was exported with (it is case-sensitive)", name, err)
	case err != nil:
		return Saved{}, fmt.Errorf("identity %q not saved: %w", name, err)
	}
	if files.CertFile != "" && files.KeyFile == "" {
		files.KeyFile = files.CertFile
	}
	sv := Saved{
		Name:          name,
		Files:         files,
		Subject:       id.Subject(),
		Issuer:        id.Issuer(),
		NotAfter:      id.NotAfter(),
		NeedsPassword: files.PKCS12 != "" && password != "",
	}
	for _, der := range id.Certificate.Certificate {
		sv.Certificates = append(sv.Certificates, append([]byte(nil), der...))
	}

	var pwErr error
	if sv.NeedsPassword {
		switch {
		case sec == nil:
			pwErr = errors.New("no secret store is available")
		default:
			if err := sec.Set(SecretKey(name), password); err != nil {
				pwErr = err
			} else {
				sv.HasPassword = true
			}
		}
	}

	s.mu.Lock()
	next := s.copySaved()
	next[name] = sv
	err = s.commit(next)
	s.mu.Unlock()
	if err != nil {
		err = fmt.Errorf("identity %q not saved: %w", name, err)
		if sv.HasPassword {
			if derr := sec.Delete(SecretKey(name)); derr != nil {
				err = fmt.Errorf("%w (and its password, already put in the secret store as %q, could not be deleted from it: %v)",
					err, SecretKey(name), derr)
			}
		}
		return Saved{}, err
	}
	if expired := s.clock().After(sv.NotAfter); expired || pwErr != nil {
		return sv, &Warning{Name: name, Expired: expired, NotAfter: sv.NotAfter, PasswordNotSaved: pwErr}
	}
	return sv, nil
}

// Remove forgets the identity saved as name and deletes its password from
// sec (which may be nil when it has none). Its files are left alone. An
// unknown name gives an error wrapping ErrNotSaved. When the identity was
// removed but its password could not be deleted, the error wraps
// ErrPasswordNotDeleted and names the secret's key, so the user can delete
// it by hand.
func (s *Store) Remove(name string, sec secrets.Store) error {
	s.changeMu.Lock()
	defer s.changeMu.Unlock()
	sv, ok := s.Get(name)
	if !ok {
		return fmt.Errorf("remove identity %q: %w", name, ErrNotSaved)
	}
	s.mu.Lock()
	next := s.copySaved()
	delete(next, name)
	err := s.commit(next)
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("remove identity %q: %w", name, err)
	}
	if !sv.HasPassword {
		return nil
	}
	if sec == nil {
		return fmt.Errorf("identity %q was removed, but %w: no secret store was given; delete %q from the keyring by hand",
			name, ErrPasswordNotDeleted, SecretKey(name))
	}
	if err := sec.Delete(SecretKey(name)); err != nil {
		return fmt.Errorf("identity %q was removed, but %w (%w); delete %q from the keyring by hand",
			name, ErrPasswordNotDeleted, err, SecretKey(name))
	}
	return nil
}

// LoadSaved reads the identity saved as name from its files, with the
// password kept in sec. When the files need a password that sec does not
// have (or cannot give now), the error wraps ErrPasswordNeeded: ask the
// user and call LoadSavedWith. A password that no longer opens the file
// gives an error wrapping ErrWrongPassword.
func (s *Store) LoadSaved(name string, sec secrets.Store) (*Identity, error) {
	sv, ok := s.Get(name)
	if !ok {
		return nil, fmt.Errorf("load identity %q: %w", name, ErrNotSaved)
	}
	password := ""
	if sv.NeedsPassword {
		if !sv.HasPassword || sec == nil {
			return nil, fmt.Errorf("load identity %q: %w", name, ErrPasswordNeeded)
		}
		pw, err := sec.Get(SecretKey(name))
		switch {
		case errors.Is(err, secrets.ErrNotFound):
			return nil, fmt.Errorf("load identity %q: %w (it is no longer in the secret store)", name, ErrPasswordNeeded)
		case err != nil:
			return nil, fmt.Errorf("load identity %q: %w (the secret store failed: %w)", name, ErrPasswordNeeded, err)
		}
		password = pw
	}
	return s.LoadSavedWith(name, password)
}

// LoadSavedWith reads the identity saved as name from its files with a
// password the user typed. It does not save the password.
func (s *Store) LoadSavedWith(name, password string) (*Identity, error) {
	sv, ok := s.Get(name)
	if !ok {
		return nil, fmt.Errorf("load identity %q: %w", name, ErrNotSaved)
	}
	id, err := sv.Files.Load(password)
	if err != nil {
		return nil, fmt.Errorf("load identity %q: %w", name, err)
	}
	return id, nil
}

func (s *Store) copySaved() map[string]Saved {
	next := make(map[string]Saved, len(s.saved)+1)
	for k, v := range s.saved {
		next[k] = v
	}
	return next
}

// commit saves next and only then makes it the store's state, so memory
// never claims an identity the file does not have. s.mu is held.
func (s *Store) commit(next map[string]Saved) error {
	if err := writeStore(s.path, sortedSaved(next)); err != nil {
		return err
	}
	s.saved = next
	return nil
}

func sortedSaved(m map[string]Saved) []Saved {
	out := make([]Saved, 0, len(m))
	for _, sv := range m {
		out = append(out, sv)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := strings.ToLower(out[i].Name), strings.ToLower(out[j].Name)
		if a != b {
			return a < b
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// CheckName refuses names that would be confusing in a list or a keyring:
// empty, not UTF-8, longer than MaxNameLength characters, or holding
// control characters. The certificate workshop names its requests and CAs
// by the same rule, since a request's name becomes its identity's.
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("the name is empty")
	case !utf8.ValidString(name):
		return errors.New("the name is not valid UTF-8")
	case utf8.RuneCountInString(name) > MaxNameLength:
		return fmt.Errorf("the name is longer than %d characters", MaxNameLength)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return errors.New("the name contains a control character (such as a line break)")
	}
	return nil
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// readStore returns the identities in path, nil for a missing or blank
// file, and a *configfile.CorruptError (not yet moved) when the content
// cannot be trusted.
func readStore(path string) ([]Saved, error) {
	var sf storeFile
	if found, err := storeFileSpec.Load(path, &sf); !found || err != nil {
		return nil, err
	}
	return checkStore(path, sf)
}

// checkStore refuses an entry with a bad name, a name used twice, or files
// that do not name one identity.
func checkStore(path string, sf storeFile) ([]Saved, error) {
	seen := map[string]bool{}
	for i, sv := range sf.Identities {
		if err := CheckName(sv.Name); err != nil {
			return nil, storeFileSpec.Corrupt(path, fmt.Errorf("entry %d: %w", i+1, err))
		}
		if seen[sv.Name] {
			return nil, storeFileSpec.Corrupt(path, fmt.Errorf("entry %d: the name %q appears twice", i+1, sv.Name))
		}
		seen[sv.Name] = true
		if err := sv.Files.validate(); err != nil {
			return nil, storeFileSpec.Corrupt(path, fmt.Errorf("entry %q: %w", sv.Name, err))
		}
	}
	return sf.Identities, nil
}

// writeStore replaces path atomically, mode 0600 in a 0700 folder: a crash
// leaves either the old file or the new one, never half of each.
func writeStore(path string, list []Saved) error {
	return storeFileSpec.Save(path, storeFile{Version: storeFileSpec.Version, Identities: list})
}
