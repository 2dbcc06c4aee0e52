package sites

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"

	"lockbox/client/configfile"
	"lockbox/client/secrets"
	"lockbox/client/trust"
)

// FileName is the name of the site list inside the configuration directory.
const FileName = "sites.json"

// ErrNotFound is returned (wrapped) for a site name the store does not have.
var ErrNotFound = errors.New("no such site")

// ErrExists is returned (wrapped) when a new name is already taken.
var ErrExists = errors.New("a site with this name already exists")

// Store holds the saved sites, keyed by name, backed by a JSON file written
// atomically with mode 0600 in a 0700 folder. It never holds passwords. It
// is safe for concurrent use.
type Store struct {
	path string

	mu    sync.Mutex
	sites map[string]Site
}

// OpenDefault opens sites.json in trust.ConfigDir ($LOCKBOX_CONFIG_DIR, else
// the user's lockbox configuration folder). See Open for a damaged file.
func OpenDefault() (*Store, error) {
	dir, err := trust.ConfigDir()
	if err != nil {
		return nil, fmt.Errorf("site list: %w", err)
	}
	return Open(filepath.Join(dir, FileName))
}

// Open reads the site list at path. A missing file is an empty list.
//
// As with the pin store, a file that cannot be parsed is renamed aside to
// path.corrupt-YYYYMMDDTHHMMSSZ so that a later save does not destroy it;
// Open then returns a usable, empty store together with a
// *configfile.CorruptError, so callers that stop at any error still tell the
// user, and callers that check errors.As can carry on. Any other error returns a nil store.
func Open(path string) (*Store, error) {
	s := &Store{path: path, sites: map[string]Site{}}
	list, err := readSites(path)
	var ce *configfile.CorruptError
	if errors.As(err, &ce) {
		return s, configfile.SetAside(ce)
	}
	if err != nil {
		return nil, err
	}
	for _, site := range list {
		s.sites[site.Name] = site
	}
	return s, nil
}

// Path returns the file the store is saved to.
func (s *Store) Path() string { return s.path }

// List returns every site, sorted by name.
func (s *Store) List() []Site {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedSites(s.sites)
}

// Get returns the site called name.
func (s *Store) Get(name string) (Site, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	site, ok := s.sites[name]
	return site.clone(), ok
}

// Put adds site, or replaces the site of the same name, and saves the file.
// Nothing changes in memory when the site is invalid or the save fails.
func (s *Store) Put(site Site) error {
	if err := site.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next := s.copySites()
	next[site.Name] = site.clone()
	return s.commit(next)
}

// Rename gives the site called oldName the name newName and saves the file;
// its password in sec (when sec is not nil) moves with it. newName must not
// be taken by another site.
func (s *Store) Rename(oldName, newName string, sec secrets.Store) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	site, ok := s.sites[oldName]
	if !ok {
		return fmt.Errorf("rename site %q: %w", oldName, ErrNotFound)
	}
	if oldName == newName {
		return nil
	}
	if _, taken := s.sites[newName]; taken {
		return fmt.Errorf("rename site %q to %q: %w", oldName, newName, ErrExists)
	}
	site.Name = newName
	if err := site.Validate(); err != nil {
		return err
	}
	moved := false
	if sec != nil {
		pw, err := Password(sec, oldName)
		switch {
		case err == nil:
			if err := SavePassword(sec, newName, pw); err != nil {
				return fmt.Errorf("rename site %q: %w", oldName, err)
			}
			moved = true
		case !errors.Is(err, secrets.ErrNotFound):
			return fmt.Errorf("rename site %q: %w", oldName, err)
		}
	}
	next := s.copySites()
	delete(next, oldName)
	next[newName] = site
	if err := s.commit(next); err != nil {
		if moved {
			// Best effort: the old entry is still there, so nothing is lost.
			sec.Delete(PasswordKey(newName))
		}
		return err
	}
	if moved {
		if err := sec.Delete(PasswordKey(oldName)); err != nil {
			return fmt.Errorf("site %q was renamed to %q, but its password could not be removed under the old name: %w", oldName, newName, err)
		}
	}
	if sec != nil {
		if pw, err := ProxyPassword(sec, ProxyPasswordKey(oldName)); err == nil && pw != "" {
			if err := SaveProxyPassword(sec, ProxyPasswordKey(newName), pw); err != nil {
				return fmt.Errorf("site %q was renamed to %q, but its proxy password was not moved: %w", oldName, newName, err)
			}
			if err := sec.Delete(ProxyPasswordKey(oldName)); err != nil {
				return fmt.Errorf("site %q was renamed to %q, but its proxy password could not be removed under the old name: %w", oldName, newName, err)
			}
		}
	}
	return nil
}

// Delete removes the site called name, saves the file, and then removes its
// password from sec (when sec is not nil).
func (s *Store) Delete(name string, sec secrets.Store) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sites[name]; !ok {
		return fmt.Errorf("delete site %q: %w", name, ErrNotFound)
	}
	next := s.copySites()
	delete(next, name)
	if err := s.commit(next); err != nil {
		return err
	}
	if sec != nil {
		if err := DeletePassword(sec, name); err != nil {
			return fmt.Errorf("site %q was deleted, but its password could not be removed: %w", name, err)
		}
		if err := sec.Delete(ProxyPasswordKey(name)); err != nil {
			return fmt.Errorf("site %q was deleted, but its proxy password could not be removed: %w", name, err)
		}
	}
	return nil
}

func (s *Store) copySites() map[string]Site {
	next := make(map[string]Site, len(s.sites)+1)
	for k, v := range s.sites {
		next[k] = v
	}
	return next
}

// commit saves next and only then makes it the store's state, so memory
// never claims a site the file does not have.
func (s *Store) commit(next map[string]Site) error {
	if err := writeSites(s.path, sortedSites(next)); err != nil {
		return err
	}
	s.sites = next
	return nil
}

// uniqueName returns name, or "name (2)", "name (3)" … whichever is free in
// taken.
func uniqueName(name string, taken map[string]Site) string {
	if _, ok := taken[name]; !ok {
		return name
	}
	for n := 2; ; n++ {
		candidate := fmt.Sprintf("%s (%d)", name, n)
		if _, ok := taken[candidate]; !ok {
			return candidate
		}
	}
}

func sortedSites(m map[string]Site) []Site {
	out := make([]Site, 0, len(m))
	for _, site := range m {
		out = append(out, site.clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
