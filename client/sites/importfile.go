package sites

import (
	"os"

	"lockbox/client/secrets"
)

// ImportFileError is why ImportFileZillaFile found nothing to import in the
// file it was given. The site list and the secrets store are unchanged.
type ImportFileError struct {
	// Path is the file.
	Path string
	// Op is "open" when the file could not be opened (Err is then
	// os.Open's error, which names the file) and "read" when no FileZilla
	// site list could be read from it (Err is ImportFileZilla's).
	Op string
	// Err is what went wrong.
	Err error
}

// Error is os.Open's error for Op "open", else "PATH: " and what is wrong
// with the file.
func (e *ImportFileError) Error() string {
	if e.Op == "open" {
		return e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

// Unwrap returns what went wrong.
func (e *ImportFileError) Unwrap() error { return e.Err }

// ImportFileZillaFile imports FileZilla's sitemanager.xml at path into s:
// it reads the sites (ImportFileZilla), saves them in one write and their
// passwords in the secrets store openSecrets returns (AddImport). The
// result's Warnings say which entries were skipped or changed (SFTP sites,
// passwords under FileZilla's master password, renames …).
//
// openSecrets is only called when the file holds a password, as opening
// the system keyring may wait on D-Bus or an unlock prompt. When it fails
// the passwords are saved nowhere (not in a fallback that forgets them when
// the program ends): PasswordsNotSaved names their sites, under the names
// they were saved as, and PasswordError is openSecrets' error.
//
// A file that cannot be opened or is not a site list is an
// *ImportFileError; any other error is AddImport's, about the site list.
func (s *Store) ImportFileZillaFile(path string, openSecrets func() (secrets.Store, error)) (ImportResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return ImportResult{}, &ImportFileError{Path: path, Op: "open", Err: err}
	}
	imp, err := ImportFileZilla(f)
	f.Close()
	if err != nil {
		return ImportResult{}, &ImportFileError{Path: path, Op: "read", Err: err}
	}
	var sec secrets.Store
	var keyringErr error
	if len(imp.Passwords) > 0 {
		sec, keyringErr = openSecrets()
	}
	var dropped []string
	if keyringErr != nil {
		for _, site := range imp.Sites {
			if _, ok := imp.Passwords[site.Name]; ok {
				dropped = append(dropped, site.Name)
			}
		}
		imp.Passwords = nil
	}
	res, err := s.AddImport(imp, sec)
	if err != nil {
		return ImportResult{}, err
	}
	if keyringErr != nil {
		// AddImport renamed clashing sites; name them as saved.
		renamed := make(map[string]string, len(imp.Sites))
		for i, site := range imp.Sites {
			renamed[site.Name] = res.Added[i]
		}
		for i, n := range dropped {
			dropped[i] = renamed[n]
		}
		res.PasswordsNotSaved, res.PasswordError = dropped, keyringErr
	}
	return res, nil
}
