package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/jlaffaye/ftp"

	"lockbox/client/internal/ftpwire"
	"lockbox/client/internal/netconn"
	"lockbox/client/trace"
)

// ErrUnsupported says that the server does not offer the command an
// operation needs (MFMT to set a time, MDTM or MLST to read one).
var ErrUnsupported = errors.New("the server does not support this command")

// Buffer sizes for Download and Upload (and the HTTPS copy): a transfer
// queue gives each worker one buffer for its whole life.
const (
	DefaultBufferSize = 256 << 10
	MinBufferSize     = 32 << 10
	MaxBufferSize     = 1 << 20
)

// sessionHealth is what a session learns of its server once.
type sessionHealth struct {
	featOnce sync.Once
	feats    map[string]string
}

// Broken reports whether the session's control connection failed or was
// cut off (by a cancelled operation): it cannot be used any more, and a
// Pool replaces it.
func (s *Session) Broken() bool { return s.ctl.Broken() }

// Features returns what the server listed in its FEAT reply at login:
// upper-case keyword → parameters ("REST" → "STREAM").
func (s *Session) Features() map[string]string {
	s.health.featOnce.Do(func() {
		s.health.feats = map[string]string{}
		for _, st := range s.rec.Steps() {
			if st.Conn != "control" || st.Dir != trace.Recv || st.Name != "feat" {
				continue
			}
			lines := strings.Split(st.Summary, " | ")
			if len(lines) < 2 || !strings.HasPrefix(lines[0], "211") {
				continue
			}
			for _, l := range lines[1 : len(lines)-1] {
				kw, params, _ := strings.Cut(strings.TrimSpace(l), " ")
				if kw != "" {
					s.health.feats[strings.ToUpper(kw)] = params
				}
			}
		}
	})
	return s.health.feats
}

// CanRestartUpload reports whether the server announced REST STREAM, so an
// upload can resume at an offset with REST and STOR (else APPE is used).
func (s *Session) CanRestartUpload() bool {
	p, ok := s.Features()["REST"]
	return ok && strings.Contains(strings.ToUpper(p), "STREAM")
}

// HasMDTM reports whether the server offers MDTM, so ModTime costs one
// command per file.
func (s *Session) HasMDTM() bool { return s.sc.IsGetTimeSupported() }

// ListsPreciseTimes reports whether the server's listings carry exact
// modification times (MLSD), good enough to keep without asking MDTM.
func (s *Session) ListsPreciseTimes() bool { return s.sc.IsTimePreciseInList() }

// CanSetModTime reports whether SetModTime can work (the server offers
// MFMT, or MDTM with Options.MDTMWrite).
func (s *Session) CanSetModTime() bool { return s.sc.IsSetTimeSupported() }

// NoOp sends NOOP: a keep-alive, and a check that the session still works.
func (s *Session) NoOp(ctx context.Context) error {
	return s.ctl.Exec(ctx, "noop", nil, s.sc.NoOp)
}

// FileSize asks the server for a file's size in bytes (SIZE).
func (s *Session) FileSize(ctx context.Context, p string) (size int64, err error) {
	err = s.ctl.Exec(ctx, "size", nil, func() (err error) { size, err = s.sc.FileSize(p); return err })
	return size, err
}

// ModTime returns a file's modification time: MDTM when the server offers
// it, else the MLST facts; ErrUnsupported when neither.
func (s *Session) ModTime(ctx context.Context, p string) (t time.Time, err error) {
	switch {
	case s.sc.IsGetTimeSupported():
		err = s.ctl.Exec(ctx, "mdtm", nil, func() (err error) { t, err = s.sc.GetTime(p); return err })
	case s.sc.IsTimePreciseInList():
		err = s.ctl.Exec(ctx, "mlst", nil, func() error {
			e, err := s.sc.GetEntry(p)
			if err == nil {
				t = e.Time
			}
			return err
		})
	default:
		err = &StepError{Step: "mdtm", Err: ErrUnsupported}
	}
	return t, err
}

// SetModTime sets a file's modification time with MFMT (or two-argument
// MDTM, see Options.MDTMWrite); ErrUnsupported when neither can be used.
func (s *Session) SetModTime(ctx context.Context, p string, t time.Time) error {
	if !s.CanSetModTime() {
		return &StepError{Step: "mfmt", Err: ErrUnsupported}
	}
	return s.ctl.Exec(ctx, "mfmt", nil, func() error { return s.sc.SetTime(p, t) })
}

// Delete deletes a file (DELE).
func (s *Session) Delete(ctx context.Context, p string) error {
	return s.ctl.Exec(ctx, "dele", nil, func() error { return s.sc.Delete(p) })
}

// MakeDir creates a directory (MKD).
func (s *Session) MakeDir(ctx context.Context, p string) error {
	return s.ctl.Exec(ctx, "mkd", nil, func() error { return s.sc.MakeDir(p) })
}

// RemoveDir removes an empty directory (RMD).
func (s *Session) RemoveDir(ctx context.Context, p string) error {
	return s.ctl.Exec(ctx, "rmd", nil, func() error { return s.sc.RemoveDir(p) })
}

// Rename renames or moves a file or directory (RNFR, RNTO).
func (s *Session) Rename(ctx context.Context, from, to string) error {
	return s.ctl.Exec(ctx, "rename", nil, func() error { return s.sc.Rename(from, to) })
}

// IsDir reports whether p is a directory the session can enter. It changes
// the working directory back afterwards.
func (s *Session) IsDir(ctx context.Context, p string) (bool, error) {
	var cwd string
	if err := s.ctl.Exec(ctx, "pwd", nil, func() (err error) { cwd, err = s.sc.CurrentDir(); return err }); err != nil {
		return false, err
	}
	err := s.ctl.Exec(ctx, "cwd", nil, func() error { return s.sc.ChangeDir(p) })
	var perr *textproto.Error
	if errors.As(err, &perr) && perr.Code >= 500 {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, s.ctl.Exec(ctx, "cwd", nil, func() error { return s.sc.ChangeDir(cwd) })
}

// Download retrieves the file p from byte offset (REST) into dst, through
// buf (see CopyData: writes of 64 KiB at most) and telling progress of every
// chunk received. The control connection carries no deadline while
// the data streams: each read of the data connection has its own idle time
// limit. It returns the bytes written to dst; the caller checks the total
// against the server's size.
func (s *Session) Download(ctx context.Context, p string, offset int64, dst io.Writer, buf []byte, progress func(int64)) (int64, error) {
	return s.download(ctx, p, offset, dst, buf, netconn.WriteChunk, progress)
}

// download is Download with writes of chunk bytes (see netconn.CopyChunks).
func (s *Session) download(ctx context.Context, p string, offset int64, dst io.Writer, buf []byte, chunk int, progress func(int64)) (int64, error) {
	if len(buf) == 0 {
		buf = make([]byte, DefaultBufferSize)
	}
	retr := func() (io.ReadCloser, error) { return s.sc.RetrFrom(p, uint64(offset)) }
	return s.ctl.Download(ctx, retr, dst, buf, chunk, progress)
}

// Upload stores src as the file p. With offset > 0 it resumes: REST and
// STOR when the server announced REST STREAM, else APPE (the caller has
// checked that the server's file holds exactly offset bytes). src must be
// positioned at offset. It returns the bytes sent.
func (s *Session) Upload(ctx context.Context, p string, src io.Reader, offset int64, buf []byte, progress func(int64)) (int64, error) {
	if len(buf) == 0 {
		buf = make([]byte, DefaultBufferSize)
	}
	step := "stor"
	if offset > 0 && !s.CanRestartUpload() {
		step = "appe"
	}
	return s.ctl.Upload(ctx, step, src, buf, progress, func(u io.Reader) error {
		switch {
		case offset > 0 && step == "stor":
			return s.sc.StorFrom(p, u, uint64(offset))
		case offset > 0:
			return s.sc.Append(p, u)
		}
		return s.sc.Stor(p, u)
	})
}

// CopyData copies src to dst through buf. It gathers reads (a TLS record
// each, 16 KiB at most) into writes of 64 KiB (netconn.WriteChunk), or of
// len(buf) if smaller, and tells progress of every read. It returns the
// bytes written and which side failed; a read error comes after everything
// received before it was written. It allocates nothing.
func CopyData(dst io.Writer, src io.Reader, buf []byte, progress func(int64)) (n int64, readErr, writeErr error) {
	return netconn.CopyChunks(dst, src, buf, netconn.WriteChunk, progress)
}

// RemoteFile is one entry found by ListRecursive.
type RemoteFile struct {
	// Path is relative to the listed root: checked names joined with "/".
	Path string
	Entry
}

// Tree is what ListRecursive found under a directory.
type Tree struct {
	// Root is the directory listed.
	Root string
	// Dirs are the sub-directories, each after its parent.
	Dirs []RemoteFile
	// Files are the files (and links, fetched as files).
	Files []RemoteFile
	// Refused are entries whose names could lead outside the local folder;
	// nothing is done with them.
	Refused []*NameError
}

// maxTreeDepth bounds ListRecursive against a server that nests for ever.
const maxTreeDepth = 64

// ListRecursive lists root and every directory under it. Every name the
// server sends is checked (CheckName) before it is used: an entry named
// "../x", "/etc/x", "a/b" or holding NUL is put in Tree.Refused and neither
// downloaded nor descended into.
func (s *Session) ListRecursive(ctx context.Context, root string) (*Tree, error) {
	t := &Tree{Root: root}
	type dir struct {
		rel   string
		depth int
	}
	queue := []dir{{"", 0}}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		remote := root
		if d.rel != "" {
			remote = path.Join(root, d.rel)
		}
		var entries []*ftp.Entry
		var perms ftpwire.Perms
		if err := s.ctl.Exec(ctx, "list", nil, func() (err error) { entries, perms, err = s.listWithPerms(remote); return err }); err != nil {
			return t, err
		}
		for _, e := range entries {
			if e.Name == "." || e.Name == ".." {
				continue
			}
			if err := CheckName(e.Name); err != nil {
				t.Refused = append(t.Refused, &NameError{Dir: remote, Name: e.Name, Reason: err.Error()})
				continue
			}
			rel := e.Name
			if d.rel != "" {
				rel = d.rel + "/" + e.Name
			}
			rf := RemoteFile{Path: rel, Entry: newEntry(e, perms)}
			if e.Type == ftp.EntryTypeFolder {
				if d.depth+1 >= maxTreeDepth {
					t.Refused = append(t.Refused, &NameError{Dir: remote, Name: e.Name, Reason: fmt.Sprintf("nested deeper than %d levels", maxTreeDepth)})
					continue
				}
				t.Dirs = append(t.Dirs, rf)
				queue = append(queue, dir{rel, d.depth + 1})
				continue
			}
			t.Files = append(t.Files, rf)
		}
	}
	return t, nil
}

// ListChecked lists one directory for a walk of the caller's own (several
// folders at once over a pool, say): every name is checked (CheckName) as
// the server sent it, before it is made printable, and an entry that could
// lead outside a local folder is put in refused instead of entries.
func (s *Session) ListChecked(ctx context.Context, dir string) (entries []Entry, refused []*NameError, err error) {
	var raw []*ftp.Entry
	var perms ftpwire.Perms
	if err := s.ctl.Exec(ctx, "list", nil, func() (err error) { raw, perms, err = s.listWithPerms(dir); return err }); err != nil {
		return nil, nil, err
	}
	for _, e := range raw {
		if e.Name == "." || e.Name == ".." {
			continue
		}
		if err := CheckName(e.Name); err != nil {
			refused = append(refused, &NameError{Dir: dir, Name: e.Name, Reason: err.Error()})
			continue
		}
		entries = append(entries, newEntry(e, perms))
	}
	return entries, refused, nil
}
