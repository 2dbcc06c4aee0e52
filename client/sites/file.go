package sites

import (
	"fmt"

	"lockbox/client/configfile"
)

// file describes sites.json: its format version (so a future format
// change can be told apart from damage) and its size bound (thousands of
// sites fit in far less, so a bigger file was not written by Lockbox).
var file = configfile.Versioned{What: "site list", Version: 1, MaxSize: 16 << 20, Lost: "no sites are saved now"}

type sitesFile struct {
	Version int    `json:"version"`
	Sites   []Site `json:"sites"`
}

// readSites returns the sites in path, nil for a missing or blank file, and
// a *configfile.CorruptError (not yet moved) when the content cannot be
// trusted.
func readSites(path string) ([]Site, error) {
	var sf sitesFile
	if found, err := file.Load(path, &sf); !found || err != nil {
		return nil, err
	}
	return checkSites(path, sf.Sites)
}

// checkSites refuses a list with an invalid entry or a name used twice.
func checkSites(path string, list []Site) ([]Site, error) {
	seen := make(map[string]bool, len(list))
	for i, site := range list {
		if err := site.Validate(); err != nil {
			return nil, file.Corrupt(path, fmt.Errorf("entry %d: %w", i+1, err))
		}
		if seen[site.Name] {
			return nil, file.Corrupt(path, fmt.Errorf("entry %d: the name %q is used twice", i+1, site.Name))
		}
		seen[site.Name] = true
	}
	return list, nil
}

// writeSites replaces path atomically (a crash leaves either the old file or
// the new one, never half of each), mode 0600 in a 0700 folder.
func writeSites(path string, list []Site) error {
	if list == nil {
		list = []Site{}
	}
	return file.Save(path, sitesFile{Version: file.Version, Sites: list})
}
