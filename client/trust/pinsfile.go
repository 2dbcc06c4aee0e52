package trust

import (
	"fmt"

	"lockbox/client/configfile"
)

// pinsFileSpec describes pins.json: its format version, so a future format
// change can be told apart from damage, and its size bound (thousands of
// pins fit in far less, so a bigger file was not written by Lockbox).
var pinsFileSpec = configfile.Versioned{What: "pins file", Version: 1, MaxSize: 16 << 20,
	Lost: "no certificates are pinned now"}

type pinsFile struct {
	Version int   `json:"version"`
	Pins    []Pin `json:"pins"`
}

// readPins returns the pins in path, nil for a missing or blank file, and a
// *configfile.CorruptError (not yet moved) when the content cannot be
// trusted.
func readPins(path string) ([]Pin, error) {
	var pf pinsFile
	if found, err := pinsFileSpec.Load(path, &pf); !found || err != nil {
		return nil, err
	}
	return checkPins(path, pf.Pins)
}

// parsePins reads the content of the pins file at path (named in errors).
func parsePins(path string, data []byte) ([]Pin, error) {
	var pf pinsFile
	if err := pinsFileSpec.Decode(path, data, &pf); err != nil {
		return nil, err
	}
	return checkPins(path, pf.Pins)
}

// checkPins normalises the pins and refuses an invalid one.
func checkPins(path string, pins []Pin) ([]Pin, error) {
	for i := range pins {
		pins[i] = pins[i].normalize()
		if err := pins[i].validate(); err != nil {
			return nil, pinsFileSpec.Corrupt(path, fmt.Errorf("entry %d: %w", i+1, err))
		}
	}
	return pins, nil
}

// writePins replaces path atomically: a crash leaves either the old file or
// the new one, never half of each.
func writePins(path string, pins []Pin) error {
	return pinsFileSpec.Save(path, pinsFile{Version: pinsFileSpec.Version, Pins: pins})
}
