package trust

import (
	"errors"
	"fmt"
	"lockbox/client/configfile"
	"net"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// SeenFile is the name of the record of servers that spoke TLS, inside the
// configuration directory.
const SeenFile = "tls_seen.json"

// Seen records that Lockbox negotiated TLS with one host:port.
type Seen struct {
	// HostPort is the server, host lowercased.
	HostPort string `json:"host_port"`
	// First and Last are when TLS was first and most recently negotiated.
	First time.Time `json:"first_seen"`
	Last  time.Time `json:"last_seen"`
}

type seenFile struct {
	Version int    `json:"version"`
	Hosts   []Seen `json:"hosts"`
}

// SeenStore remembers the host:ports where TLS was negotiated, so that a
// server that later refuses TLS (or a plain ftp:// URL to it) can be flagged
// as a possible downgrade attack. It holds no secrets: only host:ports and
// dates. It is backed by a JSON file written like the pin store (atomically,
// mode 0600 in a 0700 folder) and is safe for concurrent use.
type SeenStore struct {
	path string

	mu    sync.Mutex
	hosts map[string]Seen
}

// OpenSeenDefault opens tls_seen.json in ConfigDir. See OpenSeen for what
// happens when the file is damaged.
func OpenSeenDefault() (*SeenStore, error) {
	dir, err := ConfigDir()
	if err != nil {
		return nil, err
	}
	return OpenSeen(filepath.Join(dir, SeenFile))
}

// OpenSeen reads the record at path. A missing file is an empty record. As
// with Open, a file that cannot be parsed is renamed aside to
// path.corrupt-YYYYMMDDTHHMMSSZ and an empty, usable store is returned with
// a *configfile.CorruptError; any other error returns a nil store.
func OpenSeen(path string) (*SeenStore, error) {
	s := &SeenStore{path: path, hosts: map[string]Seen{}}
	hosts, err := readSeen(path)
	var ce *configfile.CorruptError
	if errors.As(err, &ce) {
		return s, configfile.SetAside(ce)
	}
	if err != nil {
		return nil, err
	}
	for _, h := range hosts {
		s.hosts[h.HostPort] = h
	}
	return s, nil
}

// seenFileSpec describes tls_seen.json, versioned and bounded as pins.json.
var seenFileSpec = configfile.Versioned{What: "TLS record", Version: 1, MaxSize: pinsFileSpec.MaxSize,
	Lost: "Lockbox no longer remembers which servers spoke TLS, so it cannot warn about a downgrade to them until it sees them again"}

// readSeen returns the entries in path, nil for a missing or blank file, and
// a *configfile.CorruptError (not yet moved) when the content cannot be
// trusted.
func readSeen(path string) ([]Seen, error) {
	var sf seenFile
	if found, err := seenFileSpec.Load(path, &sf); !found || err != nil {
		return nil, err
	}
	return checkSeen(path, sf)
}

// parseSeen reads the content of the TLS record at path (named in errors).
func parseSeen(path string, data []byte) ([]Seen, error) {
	var sf seenFile
	if err := seenFileSpec.Decode(path, data, &sf); err != nil {
		return nil, err
	}
	return checkSeen(path, sf)
}

// checkSeen normalises the entries and refuses an invalid one.
func checkSeen(path string, sf seenFile) ([]Seen, error) {
	for i := range sf.Hosts {
		sf.Hosts[i].HostPort = normHostPort(sf.Hosts[i].HostPort)
		if err := sf.Hosts[i].validate(); err != nil {
			return nil, seenFileSpec.Corrupt(path, fmt.Errorf("entry %d: %w", i+1, err))
		}
	}
	return sf.Hosts, nil
}

func (e Seen) validate() error {
	if _, _, err := net.SplitHostPort(e.HostPort); err != nil {
		return fmt.Errorf("entry for %q: host:port expected: %w", e.HostPort, err)
	}
	if e.Last.IsZero() {
		return fmt.Errorf("entry for %s: no last_seen date", e.HostPort)
	}
	return nil
}

// Path returns the file the record is saved to.
func (s *SeenStore) Path() string { return s.path }

// Lookup reports when TLS was negotiated with hostPort, if ever.
func (s *SeenStore) Lookup(hostPort string) (Seen, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.hosts[normHostPort(hostPort)]
	return e, ok
}

// Record notes that TLS was negotiated with hostPort at now and saves the
// file when that changes what it says: a new host:port, or a later UTC day
// than the one recorded (so a pool of connections does not rewrite it each
// time). Nothing changes in memory when the save fails.
func (s *SeenStore) Record(hostPort string, now time.Time) error {
	e := Seen{HostPort: normHostPort(hostPort), First: now.UTC(), Last: now.UTC()}
	if err := e.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.hosts[e.HostPort]; ok {
		if !day(now).After(day(old.Last)) {
			return nil
		}
		e.First = old.First
	}
	next := make(map[string]Seen, len(s.hosts)+1)
	for k, v := range s.hosts {
		next[k] = v
	}
	next[e.HostPort] = e
	hosts := make([]Seen, 0, len(next))
	for _, v := range next {
		hosts = append(hosts, v)
	}
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].HostPort < hosts[j].HostPort })
	if err := seenFileSpec.Save(s.path, seenFile{Version: seenFileSpec.Version, Hosts: hosts}); err != nil {
		return err
	}
	s.hosts = next
	return nil
}

// day truncates t to its UTC day.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
