package secrets

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name Lockbox's secrets are filed under in
// the operating system's keyring (what Seahorse, KWallet Manager or Keychain
// Access show).
const KeyringService = "Lockbox"

// probeKey is looked up, never written, to find out whether the keyring
// answers at all.
const probeKey = "lockbox-keyring-probe"

// consequence ends every UnavailableError reason, so the user learns what
// the failure means for them, not only what broke.
const consequence = "passwords cannot be saved; you will be asked for them each time"

// UnavailableSummary is the one plain sentence to show a person when the
// keyring cannot keep passwords; UnavailableError's reason is the detail
// behind it, for whoever wants to fix the keyring.
const UnavailableSummary = "Passwords can't be saved: no system keyring is available."

// UnavailableError says why the operating system's keyring cannot keep
// passwords, in words meant for the user.
type UnavailableError struct {
	// Reason is the plain-language explanation, ending with what it means
	// for the user.
	Reason string
	// Err is what the keyring library reported, if anything.
	Err error
}

// Error returns the plain-language reason.
func (e *UnavailableError) Error() string { return e.Reason }

// Unwrap returns what the keyring library reported.
func (e *UnavailableError) Unwrap() error { return e.Err }

// Keyring is a Store backed by the operating system's keyring through
// github.com/zalando/go-keyring: the Secret Service over D-Bus on Linux
// and the BSDs (gnome-keyring, KWallet), Keychain on macOS, Credential
// Manager on Windows. Secrets are filed under KeyringService with the key
// as the account name. It is safe for concurrent use.
type Keyring struct {
	// mu serialises calls: the library's test provider is not safe for
	// concurrent use, and a locked keyring should show one unlock prompt,
	// not one per goroutine.
	mu sync.Mutex
}

// NewKeyring returns a Store on the operating system's keyring. It does not
// check that the keyring works; Probe does.
func NewKeyring() *Keyring { return &Keyring{} }

// Get implements Store. A missing secret is ErrNotFound; a keyring that
// cannot be used is an *UnavailableError.
func (k *Keyring) Get(key string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, err := keyring.Get(KeyringService, key)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", fmt.Errorf("keyring entry %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read keyring entry %s: %w", key, explain(err))
	}
	return s, nil
}

// Set implements Store.
func (k *Keyring) Set(key, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	err := keyring.Set(KeyringService, key, secret)
	if errors.Is(err, keyring.ErrSetDataTooBig) {
		return fmt.Errorf("save keyring entry %s: the secret is too long for the system keyring: %w", key, err)
	}
	if err != nil {
		return fmt.Errorf("save keyring entry %s: %w", key, explain(err))
	}
	return nil
}

// Delete implements Store; a missing entry is not an error.
func (k *Keyring) Delete(key string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	err := keyring.Delete(KeyringService, key)
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return fmt.Errorf("delete keyring entry %s: %w", key, explain(err))
}

// busCheck tells, before go-keyring is called, whether a D-Bus session bus
// can exist at all; a variable so that tests using the library's mock can
// skip it.
var busCheck = sessionBusCheck

// Probe tells whether the operating system's keyring can keep passwords.
// It reads one entry and writes nothing. The error, an *UnavailableError,
// says plainly why not and what that means for the user.
//
// On Linux it first looks for a D-Bus session bus the way the D-Bus library
// would, but without its last resort of starting one with dbus-launch: a
// bus started for a command-line run would outlive it and hold no keyring
// anyway. A locked keyring may show its unlock prompt, so call Probe off
// the UI goroutine.
func Probe() error {
	if err := busCheck(); err != nil {
		return err
	}
	k := NewKeyring()
	_, err := k.Get(probeKey)
	if err == nil || errors.Is(err, ErrNotFound) {
		return nil
	}
	var ue *UnavailableError
	if errors.As(err, &ue) {
		return ue
	}
	return err
}

// Open returns the operating system's keyring when Probe says it works;
// otherwise an in-memory Store, which forgets everything when Lockbox
// exits, together with Probe's error to show the user.
func Open() (Store, error) {
	if err := Probe(); err != nil {
		return NewMemory(), err
	}
	return NewKeyring(), nil
}

// explain turns a keyring library error into an *UnavailableError whose
// reason the user can act on.
func explain(err error) error {
	var ue *UnavailableError
	if errors.As(err, &ue) {
		return ue
	}
	if errors.Is(err, keyring.ErrUnsupportedPlatform) {
		return &UnavailableError{Reason: fmt.Sprintf("Lockbox cannot use a keyring on %s, so %s", runtime.GOOS, consequence), Err: err}
	}
	if r := explainPlatform(err); r != "" {
		return &UnavailableError{Reason: r + ", so " + consequence, Err: err}
	}
	return &UnavailableError{Reason: fmt.Sprintf("the system keyring failed (%v), so %s", err, consequence), Err: err}
}
