package trust

import (
	"errors"
	"fmt"
	"lockbox/client/configfile"
	"path/filepath"
	"sort"
	"sync"
)

// PinsFile is the name of the pin store inside the configuration directory.
const PinsFile = "pins.json"

// ErrNotPinned is returned by Remove when the host:port has no pin.
var ErrNotPinned = errors.New("no pin for this host:port")

// Store holds the accepted certificates, one per host:port, backed by a
// JSON file. It is safe for concurrent use.
type Store struct {
	path string

	mu   sync.Mutex
	pins map[string]Pin
}

// OpenDefault opens pins.json in ConfigDir. See Open for what happens when
// the file is damaged.
func OpenDefault() (*Store, error) {
	dir, err := ConfigDir()
	if err != nil {
		return nil, err
	}
	return Open(filepath.Join(dir, PinsFile))
}

// Open reads the pin store at path. A missing file is an empty store.
//
// A file that cannot be parsed is renamed aside to
// path.corrupt-YYYYMMDDTHHMMSSZ so a later save does not destroy it; Open then
// returns a usable, empty store together with a *configfile.CorruptError,
// so callers that stop at any error still tell the user, and callers that
// check errors.As can carry on. Any other error returns a nil store.
func Open(path string) (*Store, error) {
	s := &Store{path: path, pins: map[string]Pin{}}
	pins, err := readPins(path)
	var ce *configfile.CorruptError
	if errors.As(err, &ce) {
		return s, configfile.SetAside(ce)
	}
	if err != nil {
		return nil, err
	}
	for _, p := range pins {
		s.pins[p.HostPort] = p
	}
	return s, nil
}

// Path returns the file the store is saved to.
func (s *Store) Path() string { return s.path }

// Lookup returns the pin for hostPort, if any.
func (s *Store) Lookup(hostPort string) (Pin, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pins[normHostPort(hostPort)]
	return p, ok
}

// Add stores p, replacing any pin for the same host:port, and saves the file.
// Nothing changes in memory when the save fails.
func (s *Store) Add(p Pin) error {
	p = p.normalize()
	if err := p.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next := s.copyPins()
	next[p.HostPort] = p
	return s.commit(next)
}

// Remove deletes the pin for hostPort and saves the file. It returns an
// error wrapping ErrNotPinned when there was no such pin.
func (s *Store) Remove(hostPort string) error {
	hp := normHostPort(hostPort)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pins[hp]; !ok {
		return fmt.Errorf("remove pin %s: %w", hp, ErrNotPinned)
	}
	next := s.copyPins()
	delete(next, hp)
	return s.commit(next)
}

// All returns every pin, sorted by host:port.
func (s *Store) All() []Pin {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedPins(s.pins)
}

func (s *Store) copyPins() map[string]Pin {
	next := make(map[string]Pin, len(s.pins)+1)
	for k, v := range s.pins {
		next[k] = v
	}
	return next
}

// commit saves next and only then makes it the store's state, so memory
// never claims a pin the file does not have.
func (s *Store) commit(next map[string]Pin) error {
	if err := writePins(s.path, sortedPins(next)); err != nil {
		return err
	}
	s.pins = next
	return nil
}

func sortedPins(m map[string]Pin) []Pin {
	out := make([]Pin, 0, len(m))
	for _, p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].HostPort < out[j].HostPort })
	return out
}
