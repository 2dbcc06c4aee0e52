package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"os"

	"lockbox/client"
)

// run runs one job on a pooled session.
func (q *Queue) run(ctx context.Context, j *Job, buf []byte) error {
	sp := j.spec
	return q.pool.Do(ctx, func(s *client.Session) error {
		switch sp.Kind {
		case KindDownload:
			return q.download(ctx, s, j, buf)
		case KindUpload:
			return q.upload(ctx, s, j, buf)
		case KindMkdir:
			return s.MakeDir(ctx, sp.Remote)
		case KindDelete:
			return s.Delete(ctx, sp.Remote)
		case KindRemoveDir:
			return s.RemoveDir(ctx, sp.Remote)
		case KindRename:
			return s.Rename(ctx, sp.Remote, sp.NewName)
		}
		return fmt.Errorf("unknown job kind %q", sp.Kind)
	})
}

// isMissing reports whether err is the server refusing (a 4xx or 5xx
// reply: "no such file" comes as 550, or 450 from some servers).
func isMissing(err error) bool {
	var perr *textproto.Error
	return errors.As(err, &perr) && perr.Code >= 400
}

// download fetches one file into the queue's folder (see ExistsPolicy).
func (q *Queue) download(ctx context.Context, s *client.Session, j *Job, buf []byte) error {
	root := q.root
	if j.spec.LocalRoot != "" {
		r, err := openRoot(j.spec.LocalRoot)
		if err != nil {
			return fmt.Errorf("download: local folder: %w", err)
		}
		defer r.Close()
		root = r
	}
	if root == nil {
		return errors.New("download: the queue has no local folder")
	}
	target, err := localRel(j.spec.Local)
	if err != nil {
		return err
	}
	remote := j.spec.Remote
	size, hasSize := j.spec.Size, j.spec.HasSize
	if n, err := s.FileSize(ctx, remote); err == nil {
		size, hasSize = n, true
	} else if s.Broken() || ctx.Err() != nil {
		return err
	}
	if hasSize {
		j.total.Store(size)
	}
	mtime := j.spec.ModTime
	if mtime.IsZero() && !q.opts.IgnoreTimes && s.HasMDTM() {
		if t, err := s.ModTime(ctx, remote); err == nil {
			mtime = t
		} else if s.Broken() || ctx.Err() != nil {
			return err
		}
	}
	d, err := preparePart(root, target, q.opts.Exists, "download "+remote, j)
	if err != nil || d == nil {
		return err
	}
	if j.spec.Replace {
		d.existing = nil
	}
	if hasSize && d.offset > size {
		d.offset = 0 // not this file's beginning
	}
	if skip, err := d.begin(j, size, hasSize); skip || err != nil {
		return err
	}
	n, err, werr := d.fill(j, func(f *partFile) (n int64, err, _ error) {
		if hasSize && d.offset > 0 && d.offset == size {
			// The part file is whole (a crash before the rename, say):
			// fill flushes it to disk before it gets its final name.
			return 0, nil, nil
		}
		if n, err = s.Download(ctx, remote, d.offset, f, buf, j.add); err == nil {
			err = f.open() // here, not in fill, for its error unwrapped
		}
		return n, err, nil
	})
	if err != nil {
		return err
	}
	if werr != nil {
		return fmt.Errorf("%s: %w", d.what, werr)
	}
	if q.opts.Verify || j.spec.Verify {
		f, err := root.Open(d.part)
		if err != nil {
			return fmt.Errorf("%s: verify: %w", d.what, err)
		}
		err = q.verify(ctx, s, j, remote, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%w; kept %s", err, d.part)
		}
	}
	return d.commit(j, "retr", n, mtime, q.opts.IgnoreTimes)
}

// upload sends one local file (see ExistsPolicy).
func (q *Queue) upload(ctx context.Context, s *client.Session, j *Job, buf []byte) error {
	f, err := os.Open(j.spec.Local)
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("upload: %s is not a regular file", j.spec.Local)
	}
	size := st.Size()
	j.total.Store(size)
	remote := j.spec.Remote
	rsize, err := s.FileSize(ctx, remote)
	exists := err == nil
	if err != nil && (s.Broken() || ctx.Err() != nil) {
		return err
	}
	policy := q.opts.Exists
	if j.spec.Replace {
		policy = ExistsOverwrite
	}
	remote, skip, err := policy.onExisting(remote, exists, func(name string) (bool, error) {
		_, err := s.FileSize(ctx, name)
		if err != nil && !isMissing(err) {
			return false, err
		}
		return err == nil, nil
	})
	switch {
	case err != nil:
		return err
	case skip:
		j.setSkipped("the file exists on the server")
		return nil
	case policy.keepsSameSize(exists, rsize, size):
		j.setSkipped("the file exists on the server with the same size")
		return nil
	}
	offset := policy.uploadOffset(exists, rsize, size)
	for {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			return fmt.Errorf("upload: %w", err)
		}
		j.done.Store(offset)
		if _, err := s.Upload(ctx, remote, f, offset, buf, j.add); err != nil {
			return err
		}
		got, err := s.FileSize(ctx, remote)
		if err != nil && (s.Broken() || ctx.Err() != nil) {
			return err
		}
		if err != nil || got == size {
			break
		}
		if offset == 0 {
			return &client.StepError{Step: "stor", Err: fmt.Errorf("size mismatch: the server has %d bytes, the local file %d", got, size)}
		}
		// The server did not continue the file (an APPE that replaces, a
		// REST it ignored): send all of it.
		j.setNote(fmt.Sprintf("the server did not resume at byte %d (it then had %d bytes); sent the whole file", offset, got))
		offset = 0
	}
	if q.opts.Verify || j.spec.Verify {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("upload: %w", err)
		}
		if err := q.verify(ctx, s, j, remote, f); err != nil {
			return err
		}
	}
	if !q.opts.IgnoreTimes {
		err := s.SetModTime(ctx, remote, st.ModTime())
		switch {
		case errors.Is(err, client.ErrUnsupported):
			j.setNote("modification time not kept: the server does not offer MFMT")
		case err != nil && (s.Broken() || ctx.Err() != nil):
			return err
		case err != nil:
			j.setNote("modification time not kept: " + err.Error())
		}
	}
	return nil
}

// verify compares the server's hash of remote with what r reads; with no
// hash command on the server the job gets a note instead.
func (q *Queue) verify(ctx context.Context, s *client.Session, j *Job, remote string, r io.Reader) error {
	ok, err := s.VerifyFile(ctx, remote, r)
	if err == nil && !ok {
		j.setNote("not verified: the server offers no hash command")
	}
	return err
}
