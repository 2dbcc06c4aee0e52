package trust

import (
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"lockbox/client/configfile"
)

// TrustedCAsFile is the name of the store of CAs the user trusts beyond
// the system's, inside the configuration directory.
const TrustedCAsFile = "trusted-cas.json"

// ErrCANotTrusted is returned by CAStore.Remove for a CA that is not in
// the store.
var ErrCANotTrusted = errors.New("this CA is not among the trusted CAs")

var casFileSpec = configfile.Versioned{What: "trusted CAs file", Version: 1, MaxSize: 16 << 20,
	Lost: "no CA is trusted beyond the system's now", SaveWhat: "trusted CAs"}

// TrustedCA is a CA certificate the user chose to trust, for every server
// (Site "") or for one saved site.
type TrustedCA struct {
	// SHA256 is the lowercase hex SHA-256 of Certificate.
	SHA256 string `json:"sha256"`
	// Site is the saved site the CA is trusted for; "" means all.
	Site     string    `json:"site,omitempty"`
	Subject  string    `json:"subject"`
	Issuer   string    `json:"issuer"`
	NotAfter time.Time `json:"not_after"`
	AddedAt  time.Time `json:"added_at"`
	// Certificate is the CA certificate, DER.
	Certificate []byte `json:"certificate"`
}

// Cert parses the CA certificate.
func (c TrustedCA) Cert() (*x509.Certificate, error) {
	cert, err := x509.ParseCertificate(c.Certificate)
	if err != nil {
		return nil, fmt.Errorf("trusted CA %s: %w", c.Subject, err)
	}
	return cert, nil
}

// Scope says where the CA is trusted: "all sites" or "site NAME".
func (c TrustedCA) Scope() string {
	if c.Site == "" {
		return "all sites"
	}
	return "site " + c.Site
}

// NewTrustedCA describes cert as trusted for site ("" for all) at now. It
// refuses a certificate that is not a CA: trusting a server's own
// certificate as a root is what a pin is for.
func NewTrustedCA(cert *x509.Certificate, site string, now time.Time) (TrustedCA, error) {
	if !IsCA(cert) {
		return TrustedCA{}, fmt.Errorf("%s is not a CA certificate (its basic constraints do not say CA:TRUE), so it cannot be trusted as one; pin the server's certificate instead", cert.Subject)
	}
	return TrustedCA{SHA256: Fingerprint(cert.Raw), Site: strings.TrimSpace(site), Subject: cert.Subject.String(),
		Issuer: cert.Issuer.String(), NotAfter: cert.NotAfter.UTC(), AddedAt: now.UTC(), Certificate: cert.Raw}, nil
}

// IsCA reports whether c is a real CA certificate: basic constraints
// CA:TRUE and, when key usage is given, certificate signing.
func IsCA(c *x509.Certificate) bool {
	if c == nil || !c.BasicConstraintsValid || !c.IsCA {
		return false
	}
	return c.KeyUsage == 0 || c.KeyUsage&x509.KeyUsageCertSign != 0
}

// CAStore holds the trusted CAs, backed by a JSON file. It is safe for
// concurrent use.
type CAStore struct {
	path string
	mu   sync.Mutex
	cas  []TrustedCA
}

type casFile struct {
	Version int         `json:"version"`
	CAs     []TrustedCA `json:"cas"`
}

// OpenCAsDefault opens trusted-cas.json in ConfigDir.
func OpenCAsDefault() (*CAStore, error) {
	dir, err := ConfigDir()
	if err != nil {
		return nil, err
	}
	return OpenCAs(filepath.Join(dir, TrustedCAsFile))
}

// OpenCAs reads the trusted CAs at path; a missing file is an empty store.
// A damaged file is set aside, and OpenCAs returns an empty, usable store
// with the *configfile.CorruptError.
func OpenCAs(path string) (*CAStore, error) {
	s := &CAStore{path: path}
	var cf casFile
	if _, err := casFileSpec.Load(path, &cf); err != nil {
		var ce *configfile.CorruptError
		if errors.As(err, &ce) {
			return s, configfile.SetAside(ce)
		}
		return nil, err
	}
	for i, c := range cf.CAs {
		if _, err := c.Cert(); err != nil || Fingerprint(c.Certificate) != c.SHA256 {
			ce := casFileSpec.Corrupt(path, fmt.Errorf("entry %d: the certificate does not parse or does not match its SHA-256", i+1))
			return s, configfile.SetAside(ce)
		}
	}
	s.cas = cf.CAs
	return s, nil
}

// Path returns the file the store is saved to.
func (s *CAStore) Path() string { return s.path }

// All returns every trusted CA, global ones first, then by site and subject.
func (s *CAStore) All() []TrustedCA {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TrustedCA(nil), s.cas...)
}

// Roots returns the CA certificates trusted for site: the global ones and
// those of that site ("" gives only the global ones).
func (s *CAStore) Roots(site string) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range s.All() {
		if c.Site != "" && c.Site != site {
			continue
		}
		if cert, err := c.Cert(); err == nil {
			out = append(out, cert)
		}
	}
	return out
}

// Add trusts ca (replacing the same certificate with the same scope) and
// saves the file.
func (s *CAStore) Add(ca TrustedCA) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := []TrustedCA{ca}
	for _, c := range s.cas {
		if c.SHA256 == ca.SHA256 && c.Site == ca.Site {
			continue
		}
		next = append(next, c)
	}
	return s.commit(next)
}

// Find returns the trusted CAs whose SHA-256 starts with prefix (hex,
// colons and case ignored) or whose subject equals it.
func (s *CAStore) Find(prefix string) []TrustedCA {
	p := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(prefix), ":", ""))
	var out []TrustedCA
	for _, c := range s.All() {
		if (len(p) >= 8 && strings.HasPrefix(c.SHA256, p)) || c.Subject == strings.TrimSpace(prefix) {
			out = append(out, c)
		}
	}
	return out
}

// Remove stops trusting the CA with this SHA-256 for site ("" for the
// global entry), or an error wrapping ErrCANotTrusted.
func (s *CAStore) Remove(sha256, site string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var next []TrustedCA
	found := false
	for _, c := range s.cas {
		if c.SHA256 == sha256 && c.Site == site {
			found = true
			continue
		}
		next = append(next, c)
	}
	if !found {
		return fmt.Errorf("remove trusted CA %s: %w", sha256, ErrCANotTrusted)
	}
	return s.commit(next)
}

func (s *CAStore) commit(next []TrustedCA) error {
	sort.SliceStable(next, func(i, j int) bool {
		if next[i].Site != next[j].Site {
			return next[i].Site < next[j].Site
		}
		return next[i].Subject < next[j].Subject
	})
	if err := casFileSpec.Save(s.path, casFile{Version: casFileSpec.Version, CAs: next}); err != nil {
		return err
	}
	s.cas = next
	return nil
}
