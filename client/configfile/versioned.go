package configfile

import (
	"encoding/json"
	"fmt"
	"time"
)

// CorruptError reports a configuration file whose content could not be
// trusted. When a store's Open returns it, the file has been moved to
// MovedTo with its content intact (see SetAside), and the store is empty
// but usable.
type CorruptError struct {
	// What names the file in messages: "site list", "pins file".
	What string
	// Path is where the damaged file was.
	Path string
	// MovedTo is where it is now; "" when it could not be moved.
	MovedTo string
	// Err is what was wrong with it.
	Err error
	// Lost says what the user lost with it, once it was moved aside:
	// "no sites are saved now".
	Lost string
}

// Error says what was wrong and where the file went.
func (e *CorruptError) Error() string {
	if e.MovedTo == "" {
		return fmt.Sprintf("%s %s is damaged: %v", e.What, e.Path, e.Err)
	}
	return fmt.Sprintf("%s %s is damaged (%v); it was moved to %s and %s", e.What, e.Path, e.Err, e.MovedTo, e.Lost)
}

// Unwrap returns what was wrong with the file.
func (e *CorruptError) Unwrap() error { return e.Err }

// SetAside moves the damaged file next to itself, never over an earlier
// one (MoveAside), fills in ce.MovedTo and returns ce; when the move fails,
// the file stays in place and the error says so too.
func SetAside(ce *CorruptError) error {
	var err error
	if ce.MovedTo, err = MoveAside(ce.Path, time.Now()); err != nil {
		return fmt.Errorf("%w; moving it aside failed, so it was left in place: %v", ce, err)
	}
	return ce
}

// Versioned describes one of Lockbox's versioned JSON files: an object
// whose "version" member tells a future format apart from damage, beside
// the entries (pins.json, tls_seen.json, sites.json, identities.json).
type Versioned struct {
	// What names the file in messages: "site list".
	What string
	// Version is the format this Lockbox reads and writes.
	Version int
	// MaxSize bounds what Load reads; a bigger file was not written by
	// Lockbox.
	MaxSize int64
	// Lost says what the user loses when a damaged file is set aside (see
	// CorruptError.Lost).
	Lost string
	// SaveWhat names the file in Save's errors ("save identities: …");
	// "" means What.
	SaveWhat string
}

// Load reads the file at path into v, a pointer to the file's struct,
// which has a `json:"version"` member. It reports found false, and no
// error, for a missing or blank file.
//
// Content that cannot be trusted (not JSON, an older or unknown version)
// gives a *CorruptError, not yet set aside. A newer version is an ordinary
// error and the file is left alone: a newer Lockbox wrote it. Errors
// reading the file name What first ("site list PATH is larger than…").
func (f Versioned) Load(path string, v any) (found bool, err error) {
	data, err := Read(path, f.MaxSize)
	if err != nil {
		return false, fmt.Errorf("%s %w", f.What, err)
	}
	if data == nil {
		return false, nil
	}
	return true, f.Decode(path, data, v)
}

// Decode parses data, the content of the file at path (named in errors),
// into v and checks its version, as Load does.
func (f Versioned) Decode(path string, data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return f.Corrupt(path, fmt.Errorf("not valid JSON: %w", err))
	}
	var head struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return f.Corrupt(path, fmt.Errorf("not valid JSON: %w", err))
	}
	if head.Version > f.Version {
		return fmt.Errorf("%s %s has format version %d, newer than this Lockbox understands (%d)", f.What, path, head.Version, f.Version)
	}
	if head.Version != f.Version {
		return f.Corrupt(path, fmt.Errorf("format version %d, want %d", head.Version, f.Version))
	}
	return nil
}

// Corrupt is the *CorruptError for the file at path, for what is wrong
// with an entry once the file decoded.
func (f Versioned) Corrupt(path string, err error) *CorruptError {
	return &CorruptError{What: f.What, Path: path, Err: err, Lost: f.Lost}
}

// Save writes v, the file's struct with its Version set, at path as
// indented JSON, atomically, mode 0600 in a 0700 folder (WriteJSON).
func (f Versioned) Save(path string, v any) error {
	if err := WriteJSON(path, v); err != nil {
		what := f.SaveWhat
		if what == "" {
			what = f.What
		}
		return fmt.Errorf("save %s: %w", what, err)
	}
	return nil
}
