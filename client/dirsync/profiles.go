package dirsync

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"

	"lockbox/client/configfile"
)

// Profile is a saved synchronisation: which folders, which way, what to
// leave out, and whether deletions are mirrored.
type Profile struct {
	// Name is how the user calls it; unique.
	Name string `json:"name"`
	// URL is the server folder (ftp, ftpes or ftps; a user but never a
	// password).
	URL string `json:"url"`
	// Local is the local folder.
	Local       string    `json:"local"`
	Direction   Direction `json:"direction"`
	Filter      Filter    `json:"filter"`
	Delete      bool      `json:"delete,omitempty"`
	OnlyMissing bool      `json:"only_missing,omitempty"`
	// Verify checks every transferred file's hash with the server (on by
	// default in a new profile).
	Verify bool `json:"verify"`
}

// Check reports what makes a profile unusable.
func (p Profile) Check() error {
	if p.Name == "" {
		return errors.New("a sync profile needs a name")
	}
	if p.URL == "" || p.Local == "" {
		return fmt.Errorf("sync profile %q needs a local folder and a server URL", p.Name)
	}
	if u, err := url.Parse(p.URL); err != nil {
		return fmt.Errorf("sync profile %q: %w", p.Name, err)
	} else if _, has := u.User.Password(); has {
		return fmt.Errorf("sync profile %q: the URL holds a password; profiles never keep one", p.Name)
	}
	if _, err := ParseDirection(string(p.Direction)); err != nil {
		return fmt.Errorf("sync profile %q: %w", p.Name, err)
	}
	return p.Filter.Check()
}

type profilesFile struct {
	Version  int       `json:"version"`
	Profiles []Profile `json:"profiles"`
}

var profilesSpec = configfile.Versioned{What: "sync profiles file", Version: 1, MaxSize: 4 << 20,
	Lost: "the saved sync profiles are not listed until it is repaired"}

// Profiles keeps Profiles in sync-profiles.json.
type Profiles struct{ path string }

// OpenProfiles returns the store at dir/sync-profiles.json.
func OpenProfiles(dir string) *Profiles {
	return &Profiles{path: filepath.Join(dir, "sync-profiles.json")}
}

// Path is the file's path.
func (s *Profiles) Path() string { return s.path }

// List returns the saved profiles, sorted by name.
func (s *Profiles) List() ([]Profile, error) {
	var f profilesFile
	if _, err := profilesSpec.Load(s.path, &f); err != nil {
		return nil, err
	}
	sort.Slice(f.Profiles, func(i, j int) bool { return f.Profiles[i].Name < f.Profiles[j].Name })
	return f.Profiles, nil
}

// Get returns the profile called name; found false if none.
func (s *Profiles) Get(name string) (Profile, bool, error) {
	list, err := s.List()
	if err != nil {
		return Profile{}, false, err
	}
	for _, p := range list {
		if p.Name == name {
			return p, true, nil
		}
	}
	return Profile{}, false, nil
}

// Save adds p or replaces the profile of its name.
func (s *Profiles) Save(p Profile) error {
	if err := p.Check(); err != nil {
		return err
	}
	list, err := s.List()
	if err != nil {
		return err
	}
	out := []Profile{p}
	for _, q := range list {
		if q.Name != p.Name {
			out = append(out, q)
		}
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("save sync profiles: %w", err)
	}
	return profilesSpec.Save(s.path, profilesFile{Version: profilesSpec.Version, Profiles: out})
}

// Remove deletes the profile called name; it reports whether there was one.
func (s *Profiles) Remove(name string) (bool, error) {
	list, err := s.List()
	if err != nil {
		return false, err
	}
	out := list[:0]
	for _, q := range list {
		if q.Name != name {
			out = append(out, q)
		}
	}
	if len(out) == len(list) {
		return false, nil
	}
	return true, profilesSpec.Save(s.path, profilesFile{Version: profilesSpec.Version, Profiles: out})
}
