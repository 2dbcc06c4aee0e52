// Package configfile reads and writes Lockbox's small configuration files
// (pins.json, tls_seen.json, sites.json, identities.json, settings.json):
// reading with a size bound, replacing atomically with mode 0600 in a 0700
// folder on Unix (on Windows, where modes mean nothing, the ACL of the
// user's profile folder protects them: see ModesApply), and renaming a damaged file aside so that a later save does not
// destroy it. Versioned is the load and save of the versioned JSON files,
// and CorruptError, the one error every store returns for a damaged file.
//
// The file helpers' errors name the file but not its role, which the caller
// adds (Versioned adds its What itself): Read's errors begin with the path,
// so the role goes in front of them (fmt.Errorf("site list %w", err) gives
// "site list PATH is larger than…"); the others begin with what failed
// ("save site list: %w").
package configfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// FileMode is the mode of every file WriteAtomic writes: the files hold
// the user's servers and certificates, which are nobody else's business.
const FileMode fs.FileMode = 0o600

// DirMode is the mode of the folders WriteAtomic creates.
const DirMode fs.FileMode = 0o700

// ModesApply reports whether FileMode and DirMode protect the files. On
// Windows they do not: Windows keeps only a read-only flag, and what
// protects the files is the access-control list of the folder they live
// in. Lockbox keeps them under %AppData% (the user's roaming profile),
// whose ACL Windows sets to the user, SYSTEM and Administrators only, and
// the new files inherit it; Lockbox makes no mode claim there.
const ModesApply = runtime.GOOS != "windows"

// corruptTimeFormat is the UTC timestamp MoveAside appends.
const corruptTimeFormat = "20060102T150405Z"

// TooLargeError is Read's error for a file over its limit. The file is
// left as it was.
type TooLargeError struct {
	// Path is the file that was refused.
	Path string
	// Max is the limit it exceeded, in bytes.
	Max int64
}

// Error reads "PATH is larger than 16 MiB, so Lockbox did not write it;
// move it away to start afresh".
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s, so Lockbox did not write it; move it away to start afresh",
		e.Path, sizeString(e.Max))
}

// sizeString writes n as whole MiB when it is a multiple of one, else in
// bytes.
func sizeString(n int64) string {
	const mib = 1 << 20
	if n >= mib && n%mib == 0 {
		return fmt.Sprintf("%d MiB", n/mib)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Read returns the content of the file at path, reading at most max bytes
// (max must be positive).
//
// A missing file and a file holding only white space both give nil and no
// error: to Lockbox they are an empty configuration. A file longer than max
// gives a *TooLargeError and is not touched. A file that cannot be opened
// or read (no permission, a folder in its place) gives "PATH cannot be
// read: " followed by the *fs.PathError. Every error begins with the path,
// so that the caller can put the file's role in front of it.
func Read(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, &TooLargeError{Path: path, Max: max}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	return data, nil
}

// WriteJSON saves v at path as indented JSON followed by a newline,
// replacing the file atomically as WriteAtomic does.
func WriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s as JSON: %w", path, err)
	}
	return WriteAtomic(path, append(data, '\n'))
}

// WriteAtomic replaces the file at path with data so that a crash leaves
// either the old file or the new one, never half of each: it writes a
// temporary file in the same folder with mode 0600, flushes it to disk and
// renames it over path. The folder is created with mode 0700 when missing
// (an existing folder keeps its mode). On failure the old file is left as
// it was and no temporary file remains.
func WriteAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return fmt.Errorf("create folder for %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmpName := tmp.Name()
	if err := writeAndClose(tmp, data); err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeAndClose gives f mode 0600, writes data, flushes it to disk and
// closes f, which is closed whatever fails.
func writeAndClose(f *os.File, data []byte) error {
	// CreateTemp already uses 0600 on Unix; being explicit keeps that true
	// should it ever change.
	if err := f.Chmod(FileMode); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// MoveAside renames the file at path to path.corrupt-YYYYMMDDTHHMMSSZ (now
// in UTC) in the same folder, so that its content is kept for the user
// while a fresh file takes its place, and returns the new name. It never
// replaces an earlier one: when that name is taken it tries the name
// followed by -2, -3 and so on. (Another program creating the chosen name
// between the check and the rename would still be overwritten; only
// Lockbox writes these names.)
//
// On failure the file is left where it was and the error says why.
func MoveAside(path string, now time.Time) (string, error) {
	base := path + ".corrupt-" + now.UTC().Format(corruptTimeFormat)
	target := base
	for n := 2; ; n++ {
		_, err := os.Lstat(target)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("choose a name to move %s aside to: %w", path, err)
		}
		target = fmt.Sprintf("%s-%d", base, n)
	}
	if err := os.Rename(path, target); err != nil {
		return "", err // an *os.LinkError naming both paths
	}
	return target, nil
}
