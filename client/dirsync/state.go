package dirsync

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"lockbox/client/configfile"
)

// Pair is what both sides of one file looked like when they were last in sync.
type Pair struct {
	Local  Entry `json:"local"`
	Remote Entry `json:"remote"`
}

// Record is one synchronised pair of folders' last known state.
type Record struct {
	// Clock is the server's clock as last measured (LIST-only servers).
	Clock Clock `json:"clock"`
	// Files are the paths that were in sync, by relative path.
	Files map[string]Pair `json:"files"`
	// Start is when (this machine's clock, UTC) the scan that read the
	// recorded server times began; zero in records written before it
	// was kept.
	Start time.Time `json:"start,omitzero"`
}

type stateFile struct {
	Version int                `json:"version"`
	Records map[string]*Record `json:"records"`
}

var stateSpec = configfile.Versioned{What: "sync state file", Version: 1, MaxSize: 512 << 20,
	Lost: "the next synchronisation of each folder compares by times only, so changes on both sides are not reported as conflicts"}

// StateStore keeps Records by key (a profile name, or the pair of folders)
// in sync-state.json.
type StateStore struct {
	path string
	mu   sync.Mutex
}

// OpenState returns the store at dir/sync-state.json.
func OpenState(dir string) *StateStore {
	return &StateStore{path: filepath.Join(dir, "sync-state.json")}
}

// Path is the state file's path.
func (s *StateStore) Path() string { return s.path }

func (s *StateStore) load() (stateFile, error) {
	var f stateFile
	if _, err := stateSpec.Load(s.path, &f); err != nil {
		if ce, ok := err.(*configfile.CorruptError); ok {
			return stateFile{}, configfile.SetAside(ce)
		}
		return stateFile{}, err
	}
	if f.Records == nil {
		f.Records = map[string]*Record{}
	}
	return f, nil
}

// Get returns the record for key, nil if none.
func (s *StateStore) Get(key string) (*Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.load()
	if err != nil {
		return nil, err
	}
	return f.Records[key], nil
}

// Put replaces the record for key.
func (s *StateStore) Put(key string, r *Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.load()
	if err != nil {
		return err
	}
	f.Version = stateSpec.Version
	f.Records[key] = r
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("save sync state: %w", err)
	}
	return stateSpec.Save(s.path, f)
}

// Key names the record of a pair of folders with no profile: the local
// folder's absolute path and the URL (with no password).
func Key(localDir, url string) string {
	if abs, err := filepath.Abs(localDir); err == nil {
		localDir = abs
	}
	return localDir + " <-> " + url
}

// ProfileKey names the record of the saved profile called name.
func ProfileKey(name string) string { return "profile:" + name }
