package sites

import (
	"encoding/json"
	"fmt"
	"time"

	"lockbox/client/configfile"
)

// fileVersion is written into sites.json so a future format change can be
// told apart from damage.
const fileVersion = 1

// maxFileSize bounds what Open reads: thousands of sites fit in far less,
// so a bigger file was not written by Lockbox.
const maxFileSize = 16 << 20

type sitesFile struct {
	Version int    `json:"version"`
	Sites   []Site `json:"sites"`
}

// CorruptError reports a site list that could not be parsed. When Open
// returns it, the file has been moved to MovedTo with its content intact.
type CorruptError struct {
	// Path is where the damaged file was.
	Path string
	// MovedTo is where it is now ("" when it could not be moved).
	MovedTo string
	// Err is what was wrong with it.
	Err error
}

// Error says what was wrong and where the file went.
func (e *CorruptError) Error() string {
	if e.MovedTo == "" {
		return fmt.Sprintf("site list %s is damaged: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("site list %s is damaged (%v); it was moved to %s and no sites are saved now", e.Path, e.Err, e.MovedTo)
}

// Unwrap returns what was wrong with the file.
func (e *CorruptError) Unwrap() error { return e.Err }

// readSites returns the sites in path, nil for a missing or blank file, and
// a *CorruptError (not yet moved) when the content cannot be trusted.
func readSites(path string) ([]Site, error) {
	data, err := configfile.Read(path, maxFileSize)
	if err != nil {
		return nil, fmt.Errorf("site list %w", err) // "site list PATH is larger than…"
	}
	if data == nil {
		return nil, nil
	}
	return parseSites(path, data)
}

// parseSites reads the content of the site list at path (named in errors).
func parseSites(path string, data []byte) ([]Site, error) {
	var sf sitesFile
	if err := json.Unmarshal(data, &sf); err != nil {
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("not valid JSON: %w", err)}
	}
	if sf.Version > fileVersion {
		return nil, fmt.Errorf("site list %s has format version %d, newer than this Lockbox understands (%d)", path, sf.Version, fileVersion)
	}
	if sf.Version != fileVersion {
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("format version %d, want %d", sf.Version, fileVersion)}
	}
	seen := make(map[string]bool, len(sf.Sites))
	for i, site := range sf.Sites {
		if err := site.Validate(); err != nil {
			return nil, &CorruptError{Path: path, Err: fmt.Errorf("entry %d: %w", i+1, err)}
		}
		if seen[site.Name] {
			return nil, &CorruptError{Path: path, Err: fmt.Errorf("entry %d: the name %q is used twice", i+1, site.Name)}
		}
		seen[site.Name] = true
	}
	return sf.Sites, nil
}

// moveAside renames the damaged file next to itself, never over an earlier
// one, and fills in ce.MovedTo.
func moveAside(ce *CorruptError) error {
	var err error
	if ce.MovedTo, err = configfile.MoveAside(ce.Path, time.Now()); err != nil {
		return fmt.Errorf("%w; moving it aside failed, so it was left in place: %v", ce, err)
	}
	return ce
}

// writeSites replaces path atomically (a crash leaves either the old file or
// the new one, never half of each), mode 0600 in a 0700 folder.
func writeSites(path string, list []Site) error {
	if list == nil {
		list = []Site{}
	}
	if err := configfile.WriteJSON(path, sitesFile{Version: fileVersion, Sites: list}); err != nil {
		return fmt.Errorf("save site list: %w", err)
	}
	return nil
}
