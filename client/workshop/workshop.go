package workshop

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"lockbox/client/configfile"
	"lockbox/client/identity"
	"lockbox/client/secrets"
	"lockbox/client/trust"
)

// File names inside the configuration directory.
const (
	// RequestsFile lists the pending requests (public parts only).
	RequestsFile = "requests.json"
	// CAsFile lists the private CAs (public parts only).
	CAsFile = "cas.json"
	// KeysDir holds the encrypted PKCS#12 files of identities, pending
	// requests and CAs the workshop made.
	KeysDir = "keys"
)

// Keys the passwords are kept under in the secrets.Store, followed by the
// request's or CA's name. Identities use identity.SecretKey.
const (
	RequestSecretPrefix = "request:"
	CASecretPrefix      = "ca:"
)

var (
	// ErrNoPendingKey means a certificate to import matches the key of no
	// pending request.
	ErrNoPendingKey = errors.New("the certificate matches no pending request's key")
	// ErrNoKeyring means the password of a new key could not be kept in
	// the secret store; without it the key could never be opened again,
	// so nothing was saved.
	ErrNoKeyring = errors.New("the key's password cannot be kept in the keyring")
	// ErrNotFound means no pending request or CA has the name asked for.
	ErrNotFound = errors.New("no such name")
	// ErrNameTaken means the name is already used.
	ErrNameTaken = errors.New("the name is already used")
)

var requestsSpec = configfile.Versioned{What: "pending requests file", Version: 1, MaxSize: 4 << 20,
	Lost: "no certificate requests are pending now (their key files were not touched)", SaveWhat: "pending requests"}

var casSpec = configfile.Versioned{What: "private CAs file", Version: 1, MaxSize: 4 << 20,
	Lost: "no private CA is listed now (their key files were not touched)", SaveWhat: "private CAs"}

// Pending is a request sent to a CA whose certificate has not come back
// yet. Its key is in PKCS12 (encrypted, with a placeholder self-signed
// certificate, since a PKCS#12 bag needs one); the password is in the
// secret store under RequestSecretPrefix+Name.
type Pending struct {
	Name    string    `json:"name"`
	PKCS12  string    `json:"pkcs12"`
	Subject string    `json:"subject"`
	Key     KeyType   `json:"key"`
	Created time.Time `json:"created"`
	// Request is the PKCS#10 request, DER.
	Request []byte `json:"request"`
	// SPKISHA256 is the base64 SHA-256 of the public key, which the
	// returned certificate must carry.
	SPKISHA256 string `json:"spki_sha256"`
}

// RequestPEM returns the request as PEM, to send to the CA.
func (p Pending) RequestPEM() []byte { return RequestPEM(p.Request) }

// CA is a private certificate authority the workshop made. Its key is in
// PKCS12 (encrypted); the password is under CASecretPrefix+Name.
type CA struct {
	Name    string    `json:"name"`
	PKCS12  string    `json:"pkcs12"`
	Subject string    `json:"subject"`
	Created time.Time `json:"created"`
	// Certificate is the CA certificate, DER: public, to give to servers
	// and clients that must trust it.
	Certificate []byte `json:"certificate"`
}

// Cert parses the CA certificate.
func (c CA) Cert() (*x509.Certificate, error) {
	cert, err := x509.ParseCertificate(c.Certificate)
	if err != nil {
		return nil, fmt.Errorf("CA %q: %w", c.Name, err)
	}
	return cert, nil
}

// Workshop keeps the pending requests and private CAs of one configuration
// directory, and adds finished identities to an identity.Store. It is safe
// for concurrent use.
type Workshop struct {
	dir string
	ids *identity.Store
	sec secrets.Store
	now func() time.Time

	mu      sync.Mutex
	pending []Pending
	cas     []CA
}

type requestsFile struct {
	Version  int       `json:"version"`
	Requests []Pending `json:"requests"`
}

type casFile struct {
	Version int  `json:"version"`
	CAs     []CA `json:"cas"`
}

// Open reads the workshop's files in the folder of ids (the configuration
// directory). sec keeps the passwords; without it nothing can be made.
// A damaged file is set aside as configfile does, and Open returns a
// usable workshop with the *configfile.CorruptError.
func Open(ids *identity.Store, sec secrets.Store) (*Workshop, error) {
	w := &Workshop{dir: filepath.Dir(ids.Path()), ids: ids, sec: sec}
	var errs []error
	var rf requestsFile
	if _, err := requestsSpec.Load(w.path(RequestsFile), &rf); err != nil {
		var ce *configfile.CorruptError
		if !errors.As(err, &ce) {
			return nil, err
		}
		errs = append(errs, configfile.SetAside(ce))
	}
	var cf casFile
	if _, err := casSpec.Load(w.path(CAsFile), &cf); err != nil {
		var ce *configfile.CorruptError
		if !errors.As(err, &ce) {
			return nil, err
		}
		errs = append(errs, configfile.SetAside(ce))
	}
	w.pending, w.cas = rf.Requests, cf.CAs
	return w, errors.Join(errs...)
}

// OpenDefault opens the workshop of the default configuration directory
// with the default identity store.
func OpenDefault(sec secrets.Store) (*Workshop, error) {
	if _, err := trust.ConfigDir(); err != nil {
		return nil, err
	}
	ids, err := identity.OpenDefaultStore()
	if err != nil {
		var ce *configfile.CorruptError
		if !errors.As(err, &ce) {
			return nil, err
		}
	}
	return Open(ids, sec)
}

// SetClock sets the clock certificates are dated by (tests); nil is
// time.Now.
func (w *Workshop) SetClock(now func() time.Time) { w.now = now }

func (w *Workshop) clock() time.Time {
	if w.now != nil {
		return w.now()
	}
	return time.Now()
}

// Identities returns the identity store finished identities go to.
func (w *Workshop) Identities() *identity.Store { return w.ids }

func (w *Workshop) path(name string) string { return filepath.Join(w.dir, name) }

// Pending returns the pending requests, sorted by name.
func (w *Workshop) Pending() []Pending {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Pending(nil), w.pending...)
}

// CAs returns the private CAs, sorted by name.
func (w *Workshop) CAs() []CA {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]CA(nil), w.cas...)
}

// GetCA returns the CA called name.
func (w *Workshop) GetCA(name string) (CA, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.cas {
		if c.Name == name {
			return c, true
		}
	}
	return CA{}, false
}

// GetPending returns the pending request called name.
func (w *Workshop) GetPending(name string) (Pending, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.pending {
		if p.Name == name {
			return p, true
		}
	}
	return Pending{}, false
}

// newPassword returns a random password for a PKCS#12 file: 192 bits,
// base64, so nobody has to type it (it lives in the keyring).
func newPassword() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// writeP12 encrypts key and certs with password into a new file in
// KeysDir (mode 0600) and returns its path.
func (w *Workshop) writeP12(prefix string, key crypto.Signer, leaf *x509.Certificate, chain []*x509.Certificate, password string) (string, error) {
	data, err := pkcs12.Modern.Encode(key, leaf, chain, password)
	if err != nil {
		return "", fmt.Errorf("encrypt the key: %w", err)
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	p := filepath.Join(w.dir, KeysDir, prefix+"-"+hex.EncodeToString(b)+".p12")
	if err := configfile.WriteAtomic(p, data); err != nil {
		return "", fmt.Errorf("save the encrypted key: %w", err)
	}
	return p, nil
}

// storeSecret keeps password under key, or says why it cannot.
func (w *Workshop) storeSecret(key, password string) error {
	if w.sec == nil {
		return fmt.Errorf("%w: no secret store is available", ErrNoKeyring)
	}
	if err := w.sec.Set(key, password); err != nil {
		return fmt.Errorf("%w: %w", ErrNoKeyring, err)
	}
	return nil
}

// Made is what NewSelfSigned and NewRequest made.
type Made struct {
	// Identity is the saved identity (self-signed), else zero.
	Identity identity.Saved
	// Certificate is the self-signed certificate (nil for a request).
	Certificate *x509.Certificate
	// Pending is the pending request (zero for a self-signed certificate).
	Pending Pending
	// Warning is the identity store's warning, when it gave one (an
	// already-expired certificate cannot happen here).
	Warning error
}

// NewSelfSigned makes a key and a self-signed certificate as spec says
// and saves them as the identity name.
func (w *Workshop) NewSelfSigned(name string, spec Spec) (Made, error) {
	if _, taken := w.ids.Get(strings.TrimSpace(name)); taken {
		return Made{}, fmt.Errorf("identity %q: %w", name, ErrNameTaken)
	}
	spec, err := spec.Normalize()
	if err != nil {
		return Made{}, err
	}
	key, err := spec.Key.Generate()
	if err != nil {
		return Made{}, fmt.Errorf("generate %s key: %w", spec.Key.Label(), err)
	}
	cert, err := SelfSigned(spec, key, w.clock())
	if err != nil {
		return Made{}, err
	}
	sv, err := w.saveIdentity(name, key, cert, nil)
	if err != nil {
		return Made{}, err
	}
	return Made{Identity: sv, Certificate: cert}, nil
}

// saveIdentity encrypts key with cert and chain and adds it to the
// identity store as name, its password in the keyring. When the keyring
// refuses, nothing is kept.
func (w *Workshop) saveIdentity(name string, key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate) (identity.Saved, error) {
	if w.sec == nil {
		return identity.Saved{}, fmt.Errorf("identity %q not saved: %w: no secret store is available", name, ErrNoKeyring)
	}
	pw, err := newPassword()
	if err != nil {
		return identity.Saved{}, err
	}
	p, err := w.writeP12("identity", key, cert, chain, pw)
	if err != nil {
		return identity.Saved{}, fmt.Errorf("identity %q not saved: %w", name, err)
	}
	sv, err := w.ids.Add(name, identity.Files{PKCS12: p}, pw, w.sec)
	var warn *identity.Warning
	switch {
	case errors.As(err, &warn) && warn.PasswordNotSaved != nil:
		w.ids.Remove(sv.Name, w.sec)
		os.Remove(p)
		return identity.Saved{}, fmt.Errorf("identity %q not saved: %w: %w", name, ErrNoKeyring, warn.PasswordNotSaved)
	case errors.As(err, &warn):
		return sv, nil
	case err != nil:
		os.Remove(p)
		return identity.Saved{}, err
	}
	return sv, nil
}

// NewRequest makes a key and a PKCS#10 request as spec says and keeps the
// key as the pending request name until Import gets its certificate.
func (w *Workshop) NewRequest(name string, spec Spec) (Pending, error) {
	name = strings.TrimSpace(name)
	if err := identity.CheckName(name); err != nil {
		return Pending{}, err
	}
	if _, taken := w.GetPending(name); taken {
		return Pending{}, fmt.Errorf("request %q: %w", name, ErrNameTaken)
	}
	spec, err := spec.Normalize()
	if err != nil {
		return Pending{}, err
	}
	key, err := spec.Key.Generate()
	if err != nil {
		return Pending{}, fmt.Errorf("generate %s key: %w", spec.Key.Label(), err)
	}
	csrDER, err := Request(spec, key)
	if err != nil {
		return Pending{}, err
	}
	placeholder, err := SelfSigned(spec, key, w.clock())
	if err != nil {
		return Pending{}, err
	}
	pw, err := newPassword()
	if err != nil {
		return Pending{}, err
	}
	if err := w.storeSecret(RequestSecretPrefix+name, pw); err != nil {
		return Pending{}, fmt.Errorf("request %q not made: %w", name, err)
	}
	p12, err := w.writeP12("request", key, placeholder, nil, pw)
	if err != nil {
		w.sec.Delete(RequestSecretPrefix + name)
		return Pending{}, fmt.Errorf("request %q not made: %w", name, err)
	}
	p := Pending{Name: name, PKCS12: p12, Subject: placeholder.Subject.String(), Key: spec.Key,
		Created: w.clock().UTC(), Request: csrDER, SPKISHA256: trust.SPKIHash(placeholder)}
	w.mu.Lock()
	next := append(append([]Pending(nil), w.pending...), p)
	sort.Slice(next, func(i, j int) bool { return next[i].Name < next[j].Name })
	err = requestsSpec.Save(w.path(RequestsFile), requestsFile{Version: requestsSpec.Version, Requests: next})
	if err == nil {
		w.pending = next
	}
	w.mu.Unlock()
	if err != nil {
		os.Remove(p12)
		w.sec.Delete(RequestSecretPrefix + name)
		return Pending{}, fmt.Errorf("request %q not made: %w", name, err)
	}
	return p, nil
}

// RemovePending forgets the pending request name, deletes its key file
// and its password.
func (w *Workshop) RemovePending(name string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.removePendingLocked(name)
}

func (w *Workshop) removePendingLocked(name string) error {
	var next []Pending
	var gone *Pending
	for i, p := range w.pending {
		if p.Name == name {
			gone = &w.pending[i]
			continue
		}
		next = append(next, p)
	}
	if gone == nil {
		return fmt.Errorf("request %q: %w", name, ErrNotFound)
	}
	if err := requestsSpec.Save(w.path(RequestsFile), requestsFile{Version: requestsSpec.Version, Requests: next}); err != nil {
		return fmt.Errorf("remove request %q: %w", name, err)
	}
	file := gone.PKCS12
	w.pending = next
	var errs []error
	if err := os.Remove(file); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	if w.sec != nil {
		if err := w.sec.Delete(RequestSecretPrefix + name); err != nil {
			errs = append(errs, fmt.Errorf("delete %q from the keyring: %w", RequestSecretPrefix+name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("request %q removed, but: %w", name, err)
	}
	return nil
}

// openP12 decrypts a workshop PKCS#12 file with the password under
// secretKey.
func (w *Workshop) openP12(file, secretKey string) (crypto.Signer, *x509.Certificate, []*x509.Certificate, error) {
	if w.sec == nil {
		return nil, nil, nil, fmt.Errorf("%w: no secret store is available", ErrNoKeyring)
	}
	pw, err := w.sec.Get(secretKey)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("the password of %s is not in the keyring (%q): %w", file, secretKey, err)
	}
	id, err := identity.LoadPKCS12(file, pw)
	if err != nil {
		return nil, nil, nil, err
	}
	signer, ok := id.Certificate.PrivateKey.(crypto.Signer)
	if !ok {
		return nil, nil, nil, fmt.Errorf("%s: the key cannot sign", file)
	}
	return signer, id.Leaf, id.Chain, nil
}

// NoMatchError is ErrNoPendingKey with what was looked at.
type NoMatchError struct {
	// Subject is the certificate's subject (the first, when none matched).
	Subject string
	// Pending is how many pending requests were compared.
	Pending int
}

func (e *NoMatchError) Error() string {
	if e.Pending == 0 {
		return fmt.Sprintf("certificate %s: %v (there is no pending request; make one first, and import the certificate the CA signed for it)", e.Subject, ErrNoPendingKey)
	}
	return fmt.Sprintf("certificate %s: %v (compared with %d pending request(s) by public key); it was issued for another key, so import the certificate the CA signed for one of these requests",
		e.Subject, ErrNoPendingKey, e.Pending)
}

// Unwrap makes errors.Is(err, ErrNoPendingKey) true.
func (e *NoMatchError) Unwrap() error { return ErrNoPendingKey }

// Imported is what Import did.
type Imported struct {
	Identity identity.Saved
	// Request is the pending request the certificate answered.
	Request string
}

// Import reads the CA's answer (PEM, DER or PKCS#7, with or without the
// chain), finds the pending request whose key the certificate carries,
// and saves key, certificate and chain as the identity name (the
// request's name when ""). The pending request is then removed. A
// certificate that matches no pending key gives a *NoMatchError.
func (w *Workshop) Import(data []byte, name string) (Imported, error) {
	certs, err := trust.ParseCertificates(data)
	if err != nil {
		return Imported{}, fmt.Errorf("read the certificate: %w", err)
	}
	pending := w.Pending()
	var leaf *x509.Certificate
	var match Pending
	for _, c := range certs {
		for _, p := range pending {
			if trust.SPKIHash(c) == p.SPKISHA256 && !c.IsCA {
				leaf, match = c, p
				break
			}
		}
		if leaf != nil {
			break
		}
	}
	if leaf == nil {
		return Imported{}, &NoMatchError{Subject: certs[0].Subject.String(), Pending: len(pending)}
	}
	key, placeholder, _, err := w.openP12(match.PKCS12, RequestSecretPrefix+match.Name)
	if err != nil {
		return Imported{}, fmt.Errorf("open the key of request %q: %w", match.Name, err)
	}
	if !bytes.Equal(placeholder.RawSubjectPublicKeyInfo, leaf.RawSubjectPublicKeyInfo) {
		return Imported{}, fmt.Errorf("request %q: its key file holds another key than the request (was it replaced?)", match.Name)
	}
	var chain []*x509.Certificate
	for _, c := range orderChain(leaf, certs) {
		chain = append(chain, c)
	}
	if name == "" {
		name = match.Name
	}
	sv, err := w.saveIdentity(name, key, leaf, chain)
	if err != nil {
		return Imported{}, err
	}
	w.mu.Lock()
	rerr := w.removePendingLocked(match.Name)
	w.mu.Unlock()
	if rerr != nil {
		return Imported{Identity: sv, Request: match.Name}, fmt.Errorf("identity %q saved, but %w", sv.Name, rerr)
	}
	return Imported{Identity: sv, Request: match.Name}, nil
}

// orderChain returns the certificates of certs that lead up from leaf, in
// order (issuer of leaf, then its issuer…); any left over follow in file
// order, so nothing the CA sent is dropped.
func orderChain(leaf *x509.Certificate, certs []*x509.Certificate) []*x509.Certificate {
	used := map[*x509.Certificate]bool{leaf: true}
	var out []*x509.Certificate
	cur := leaf
	for {
		var next *x509.Certificate
		for _, c := range certs {
			if !used[c] && bytes.Equal(cur.RawIssuer, c.RawSubject) && cur.CheckSignatureFrom(c) == nil {
				next = c
				break
			}
		}
		if next == nil {
			break
		}
		used[next] = true
		out = append(out, next)
		cur = next
	}
	for _, c := range certs {
		if !used[c] {
			out = append(out, c)
			used[c] = true
		}
	}
	return out
}

// NewCA makes a private CA called name with the subject of spec (its key
// type and validity, default 10 years).
func (w *Workshop) NewCA(name string, spec Spec) (CA, error) {
	name = strings.TrimSpace(name)
	if err := identity.CheckName(name); err != nil {
		return CA{}, err
	}
	if _, taken := w.GetCA(name); taken {
		return CA{}, fmt.Errorf("CA %q: %w", name, ErrNameTaken)
	}
	if spec.Subject.CommonName == "" {
		spec.Subject.CommonName = name
	}
	spec, err := spec.Normalize()
	if err != nil {
		return CA{}, err
	}
	key, err := spec.Key.Generate()
	if err != nil {
		return CA{}, fmt.Errorf("generate %s key: %w", spec.Key.Label(), err)
	}
	cert, err := NewCACertificate(spec, key, w.clock())
	if err != nil {
		return CA{}, err
	}
	pw, err := newPassword()
	if err != nil {
		return CA{}, err
	}
	if err := w.storeSecret(CASecretPrefix+name, pw); err != nil {
		return CA{}, fmt.Errorf("CA %q not made: %w", name, err)
	}
	p12, err := w.writeP12("ca", key, cert, nil, pw)
	if err != nil {
		w.sec.Delete(CASecretPrefix + name)
		return CA{}, fmt.Errorf("CA %q not made: %w", name, err)
	}
	ca := CA{Name: name, PKCS12: p12, Subject: cert.Subject.String(), Created: w.clock().UTC(), Certificate: cert.Raw}
	w.mu.Lock()
	next := append(append([]CA(nil), w.cas...), ca)
	sort.Slice(next, func(i, j int) bool { return next[i].Name < next[j].Name })
	err = casSpec.Save(w.path(CAsFile), casFile{Version: casSpec.Version, CAs: next})
	if err == nil {
		w.cas = next
	}
	w.mu.Unlock()
	if err != nil {
		os.Remove(p12)
		w.sec.Delete(CASecretPrefix + name)
		return CA{}, fmt.Errorf("CA %q not made: %w", name, err)
	}
	return ca, nil
}

// Sign issues a certificate for the request in csrData (PEM or DER) with
// the CA caName, valid days days, for usage.
func (w *Workshop) Sign(caName string, csrData []byte, days int, usage Usage) (*x509.Certificate, error) {
	ca, ok := w.GetCA(caName)
	if !ok {
		return nil, fmt.Errorf("CA %q: %w", caName, ErrNotFound)
	}
	csr, err := ParseRequest(csrData)
	if err != nil {
		return nil, err
	}
	key, cert, _, err := w.openP12(ca.PKCS12, CASecretPrefix+ca.Name)
	if err != nil {
		return nil, fmt.Errorf("open the key of CA %q: %w", ca.Name, err)
	}
	return SignRequest(csr.Raw, cert, key, days, usage, w.clock())
}
