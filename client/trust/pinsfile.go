package trust

import (
	"encoding/json"
	"fmt"
	"time"

	"lockbox/client/configfile"
)

// fileVersion is written into pins.json so a future format change can be
// told apart from damage.
const fileVersion = 1

// maxPinsFileSize bounds what Open reads: thousands of pins fit in far less,
// so a bigger file was not written by Lockbox.
const maxPinsFileSize = 16 << 20

type pinsFile struct {
	Version int   `json:"version"`
	Pins    []Pin `json:"pins"`
}

// CorruptError reports a pins file that could not be parsed. When Open
// returns it, the file has been moved to MovedTo with its content intact.
type CorruptError struct {
	// Path is where the damaged file was.
	Path string
	// MovedTo is where it is now.
	MovedTo string
	// Err is what was wrong with it.
	Err error

	// what names the file and lost says what was forgotten with it; both
	// default to the pins file's.
	what, lost string
}

// Error says what was wrong and where the file went.
func (e *CorruptError) Error() string {
	what, lost := e.what, e.lost
	if what == "" {
		what, lost = "pins file", "no certificates are pinned now"
	}
	if e.MovedTo == "" {
		return fmt.Sprintf("%s %s is damaged: %v", what, e.Path, e.Err)
	}
	return fmt.Sprintf("%s %s is damaged (%v); it was moved to %s and %s", what, e.Path, e.Err, e.MovedTo, lost)
}

// Unwrap returns what was wrong with the file.
func (e *CorruptError) Unwrap() error { return e.Err }

// readPins returns the pins in path, nil for a missing or blank file, and a
// *CorruptError (not yet moved) when the content cannot be trusted.
func readPins(path string) ([]Pin, error) {
	data, err := readConfigFile(path, "pins file")
	if err != nil || data == nil {
		return nil, err
	}
	return parsePins(path, data)
}

// parsePins reads the content of the pins file at path (named in errors).
func parsePins(path string, data []byte) ([]Pin, error) {
	var pf pinsFile
	if err := json.Unmarshal(data, &pf); err != nil {
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("not valid JSON: %w", err)}
	}
	if pf.Version > fileVersion {
		return nil, fmt.Errorf("pins file %s has format version %d, newer than this Lockbox understands (%d)", path, pf.Version, fileVersion)
	}
	if pf.Version != fileVersion {
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("format version %d, want %d", pf.Version, fileVersion)}
	}
	for i := range pf.Pins {
		pf.Pins[i] = pf.Pins[i].normalize()
		if err := pf.Pins[i].validate(); err != nil {
			return nil, &CorruptError{Path: path, Err: fmt.Errorf("entry %d: %w", i+1, err)}
		}
	}
	return pf.Pins, nil
}

// readConfigFile returns the content of one of Lockbox's JSON files, nil
// for a missing or blank one. what names the file in errors.
func readConfigFile(path, what string) ([]byte, error) {
	data, err := configfile.Read(path, maxPinsFileSize)
	if err != nil {
		return nil, fmt.Errorf("%s %w", what, err) // "pins file PATH is larger than…"
	}
	return data, nil
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

// writePins replaces path atomically: a crash leaves either the old file or
// the new one, never half of each.
func writePins(path string, pins []Pin) error {
	return writeConfigFile(path, "pins file", pinsFile{Version: fileVersion, Pins: pins})
}

// writeConfigFile saves v as indented JSON at path, atomically, mode 0600
// in a 0700 folder. what names the file in errors.
func writeConfigFile(path, what string, v any) error {
	if err := configfile.WriteJSON(path, v); err != nil {
		return fmt.Errorf("save %s: %w", what, err)
	}
	return nil
}
