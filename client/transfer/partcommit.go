package transfer

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"lockbox/client"
)

// partDownload is a download into target under root through its part file,
// shared by Queue.download (FTP) and GetHTTPS: preparePart, begin, fill and
// commit. offset is where the part file resumes (the caller may set it to 0).
type partDownload struct {
	root         *os.Root
	what         string // prefixes errors: "download REMOTE" or "get"
	target, part string // part is target + PartSuffix
	policy       ExistsPolicy
	existing     os.FileInfo // the target, if there and ExistsResume
	offset, size int64       // size: the server's, if sized
	sized        bool
}

// preparePart applies the existing-files policy: a folder in target's way is
// an error, ExistsSkip skips (nil, no error), ExistsRename numbers the name,
// and all but ExistsOverwrite resume a part file from its size.
func preparePart(root *os.Root, target string, policy ExistsPolicy, what string, j *Job) (*partDownload, error) {
	st, err := root.Stat(target)
	exists := err == nil
	if exists && st.IsDir() {
		return nil, fmt.Errorf("%s: a folder named %s is in the way", what, target)
	}
	target, skip, _ := policy.onExisting(target, exists, func(name string) (bool, error) {
		_, err := root.Stat(name)
		return err == nil, nil
	})
	if skip {
		j.setSkipped("the file exists")
		return nil, nil
	}
	d := &partDownload{root: root, what: what, target: target, part: target + PartSuffix, policy: policy}
	if exists && policy == ExistsResume {
		d.existing = st
	}
	if policy.resumesPart() {
		if pst, err := root.Stat(d.part); err == nil && pst.Mode().IsRegular() {
			d.offset = pst.Size()
		}
	}
	return d, nil
}

// begin records the server's size and skips a target ExistsResume finds of
// that size (the job marked skipped); else it creates the target's folders.
func (d *partDownload) begin(j *Job, size int64, sized bool) (skip bool, err error) {
	d.size, d.sized = size, sized
	if d.existing != nil && sized && d.policy.keepsSameSize(true, d.existing.Size(), size) {
		j.setSkipped("the file exists with the server's size")
		return true, nil
	}
	if dir := filepath.Dir(d.target); dir != "." {
		if err := d.root.MkdirAll(dir, 0o755); err != nil {
			return false, fmt.Errorf("%s: %w", d.what, err)
		}
	}
	return false, nil
}

// fill writes the part file from d.offset with fetch, which opens it at
// the first byte (or fetches nothing when the part file is already whole);
// without error it then opens it anyway (an empty or whole file) and
// flushes it to disk, for a renamed download to survive a crash. werr
// includes a failed open, flush or close.
func (d *partDownload) fill(j *Job, fetch func(*partFile) (n int64, rerr, werr error)) (n int64, rerr, werr error) {
	f := &partFile{root: d.root, name: d.part, offset: d.offset}
	j.done.Store(d.offset)
	if n, rerr, werr = fetch(f); werr == nil && rerr == nil {
		if werr = f.open(); werr == nil {
			werr = f.Sync()
		}
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	return n, rerr, werr
}

// commit checks that fill's n bytes make the server's size (else an error of
// step, the part file kept), sets mtime unless zero or ignoreTimes, renames
// the part file to the target and flushes the folder, for the rename to
// survive a crash. Failing to set the time or flush only makes a job note.
func (d *partDownload) commit(j *Job, step string, n int64, mtime time.Time, ignoreTimes bool) error {
	if got := d.offset + n; d.sized && got != d.size {
		return &client.StepError{Step: step, Err: fmt.Errorf("size mismatch: %d bytes received, the server said %d; kept %s", got, d.size, d.part)}
	}
	if !mtime.IsZero() && !ignoreTimes {
		if err := d.root.Chtimes(d.part, mtime, mtime); err != nil {
			j.setNote("modification time not kept: " + err.Error())
		}
	}
	if err := d.root.Rename(d.part, d.target); err != nil {
		return fmt.Errorf("%s: %w", d.what, err)
	}
	dir, err := d.root.Open(filepath.Dir(d.target))
	if err == nil {
		err = dir.Sync()
		dir.Close()
	}
	if err != nil {
		j.setNote("the folder was not flushed to disk: " + err.Error())
	}
	return nil
}

// openRoot creates dir if needed and opens it as the boundary of local writes.
func openRoot(dir string) (*os.Root, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return os.OpenRoot(dir)
}
