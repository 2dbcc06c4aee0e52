package sites

import (
	"errors"
	"fmt"

	"lockbox/client/secrets"
)

// PasswordKey is the key a site's password is stored under in a
// secrets.Store.
func PasswordKey(site string) string { return "site:" + site }

// SavePassword stores the password of the site called site in sec.
func SavePassword(sec secrets.Store, site, password string) error {
	if err := sec.Set(PasswordKey(site), password); err != nil {
		return fmt.Errorf("save the password of site %q: %w", site, err)
	}
	return nil
}

// Password returns the saved password of the site called site; an error
// wrapping secrets.ErrNotFound when none is saved.
func Password(sec secrets.Store, site string) (string, error) {
	pw, err := sec.Get(PasswordKey(site))
	if err != nil {
		return "", fmt.Errorf("password of site %q: %w", site, err)
	}
	return pw, nil
}

// HasPassword reports whether a password is saved for the site called site.
// A store that cannot be read returns its error.
func HasPassword(sec secrets.Store, site string) (bool, error) {
	_, err := Password(sec, site)
	if errors.Is(err, secrets.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// DeletePassword removes the saved password of the site called site; none
// saved is not an error.
func DeletePassword(sec secrets.Store, site string) error {
	if err := sec.Delete(PasswordKey(site)); err != nil {
		return fmt.Errorf("delete the password of site %q: %w", site, err)
	}
	return nil
}

// ImportResult says what AddImport saved.
type ImportResult struct {
	// Added are the names the imported sites were saved under, in import
	// order; a name already taken gets " (2)", " (3)" ….
	Added []string
	// PasswordsSaved counts the passwords stored in the secrets store.
	PasswordsSaved int
	// PasswordsNotSaved names the sites whose password could not be stored.
	PasswordsNotSaved []string
	// PasswordError is why they could not (the first failure), nil when all
	// were saved.
	PasswordError error
	// Warnings are the import's warnings followed by any renames.
	Warnings []string
}

// KeyringUnavailable reports whether the passwords in PasswordsNotSaved
// were not saved because no keyring can be used (PasswordError is a
// *secrets.UnavailableError). Its reason then already says they will be
// asked for on connecting; any other PasswordError does not.
func (r ImportResult) KeyringUnavailable() bool {
	var unavailable *secrets.UnavailableError
	return errors.As(r.PasswordError, &unavailable)
}

// AddImport saves the sites of imp in one write (renaming any whose name is
// taken), then stores their passwords in sec. Passwords are never written
// anywhere else: when sec fails (no keyring), they are dropped and the
// result says which and why. The error is for the site list only.
func (s *Store) AddImport(imp Import, sec secrets.Store) (ImportResult, error) {
	res := ImportResult{Warnings: append([]string(nil), imp.Warnings...)}
	finalName := make(map[string]string, len(imp.Sites))
	s.mu.Lock()
	next := s.copySites()
	for _, site := range imp.Sites {
		if err := site.Validate(); err != nil {
			s.mu.Unlock()
			return ImportResult{}, fmt.Errorf("import: %w", err)
		}
		if _, dup := finalName[site.Name]; dup {
			s.mu.Unlock()
			return ImportResult{}, fmt.Errorf("import: the name %q is used twice", site.Name)
		}
		name := uniqueName(site.Name, next)
		if name != site.Name {
			res.Warnings = append(res.Warnings, fmt.Sprintf("site %q: a site of that name exists already, so it was saved as %q", site.Name, name))
		}
		finalName[site.Name] = name
		site = site.clone()
		site.Name = name
		next[name] = site
		res.Added = append(res.Added, name)
	}
	err := s.commit(next)
	s.mu.Unlock()
	if err != nil {
		return ImportResult{}, fmt.Errorf("import: %w", err)
	}
	unavailable := false
	for _, site := range imp.Sites {
		pw, ok := imp.Passwords[site.Name]
		if !ok {
			continue
		}
		name := finalName[site.Name]
		if unavailable {
			// A missing keyring fails every time, and each try may
			// wait on D-Bus.
			res.PasswordsNotSaved = append(res.PasswordsNotSaved, name)
			continue
		}
		if err := SavePassword(sec, name, pw); err != nil {
			if res.PasswordError == nil {
				res.PasswordError = err
			}
			var ue *secrets.UnavailableError
			unavailable = errors.As(err, &ue)
			res.PasswordsNotSaved = append(res.PasswordsNotSaved, name)
			continue
		}
		res.PasswordsSaved++
	}
	return res, nil
}
