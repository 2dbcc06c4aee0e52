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
	"sync/atomic"
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

// errBroken refuses commands on a session whose control connection failed.
var errBroken = errors.New("the control connection was lost; reconnect")

// sessionHealth is what the transfer operations track about a session.
type sessionHealth struct {
	broken   atomic.Bool
	featOnce sync.Once
	feats    map[string]string
}

// Broken reports whether the session's control connection failed or was
// cut off (by a cancelled operation): it cannot be used any more, and a
// Pool replaces it.
func (s *Session) Broken() bool { return s.health.broken.Load() }

func (s *Session) markBroken() { s.health.broken.Store(true) }

// abort cuts the session off: the data connection in use and the control
// connection are closed, so that whatever blocks on them returns at once.
func (s *Session) abort() {
	s.markBroken()
	s.ctl.data.abort()
	s.ctl.raw.Close()
}

// controlBroken reports whether err, met on the control connection, leaves
// it unusable: anything but a well-formed FTP reply, or a 421 (the server is
// closing the connection).
func controlBroken(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ftp.ErrInvalidCommand) {
		return false // refused before anything was sent
	}
	var perr *textproto.Error
	if errors.As(err, &perr) {
		return perr.Code == ftp.StatusNotAvailable
	}
	return true
}

// splitErrors undoes errors.Join.
func splitErrors(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// replyOf returns the server's reply carried by err, if any.
func replyOf(err error) string {
	var perr *textproto.Error
	if errors.As(err, &perr) {
		return fmt.Sprintf("%d %s", perr.Code, perr.Msg)
	}
	return ""
}

// exec runs one FTP operation. The control connection's deadline covers
// the commands and replies only; ctx ending cuts the session off. dataErr,
// when not nil, tells which errors came from the data connection (or the
// local file), so that only control errors break the session.
func (s *Session) exec(ctx context.Context, step string, dataErr func(error) bool, f func() error) error {
	if s.Broken() {
		return &StepError{Step: step, Err: errBroken}
	}
	if err := ctx.Err(); err != nil {
		return &StepError{Step: step, Err: err}
	}
	stop := context.AfterFunc(ctx, s.abort)
	s.ctl.startStep()
	err := s.withDataMode(f)
	s.ctl.raw.SetDeadline(time.Time{})
	s.ctl.data.finish()
	s.ctl.active.closePending()
	if !stop() {
		return &StepError{Step: step, Err: fmt.Errorf("%w (the connection was closed)", ctx.Err())}
	}
	if err == nil {
		return nil
	}
	if se := s.ctl.active.takeSetupErr(); se != nil {
		return se // told better than the reply jlaffaye/ftp was given
	}
	if reply, refused := s.ctl.active.passiveRefused(err); refused && !s.ctl.active.on.Load() {
		return &StepError{Step: step, Reply: reply, Err: &PassiveRefusedError{Reply: reply, Err: err}}
	}
	var data error
	for _, e := range splitErrors(err) {
		if dataErr != nil && dataErr(e) {
			if data == nil {
				data = e
			}
		} else if controlBroken(e) {
			s.markBroken()
		}
	}
	if data != nil {
		return &StepError{Step: step, Reply: replyOf(err), Err: data}
	}
	return s.ctl.stepErr(ctx, step, err)
}

// withDataMode runs f, an operation that may open a data connection. In
// auto mode, when the server refused passive mode (or its data port could
// not be reached), it switches the session to active mode and runs f again:
// nothing was transferred yet, since the refusal came before the command
// that uses the data connection.
func (s *Session) withDataMode(f func() error) error {
	s.ctl.active.beginOp()
	s.ctl.jconn.shutCap.Store(0)
	err := f()
	if err == nil || s.ctl.opts.Mode != ModeAuto || s.ctl.active.on.Load() {
		return err
	}
	reply, refused := s.ctl.active.passiveRefused(err)
	if !refused || s.Broken() {
		return err
	}
	summary := "passive mode refused"
	if reply != "" {
		summary += " (" + reply + ")"
	} else {
		summary += " (the data port could not be reached)"
	}
	if perr := s.ctl.opts.refuseActiveThroughProxy(true); perr != nil {
		// Auto mode has nowhere to fall back to: say why, rather than
		// advise active mode, which cannot work here either.
		s.ctl.em.Fail(trace.Info, "mode_fallback", summary+"; active mode cannot go through the proxy", explainNoActiveProxy)
		return &StepError{Step: "mode_fallback", Reply: reply, Err: perr}
	}
	s.ctl.em.Emit(trace.Info, "mode_fallback", summary+"; trying active mode", explainSwitch)
	s.ctl.active.on.Store(true)
	if w := s.ctl.opts.wentActive; w != nil {
		w.Store(true) // the pool's later sessions start in active mode
	}
	s.ctl.active.beginOp()
	s.ctl.startStep()
	return f()
}

// Features returns what the server listed in its FEAT reply at login:
// upper-case keyword → parameters ("REST" → "STREAM").
func (s *Session) Features() map[string]string {
	s.health.featOnce.Do(func() {
		s.health.feats = map[string]string{}
		for _, st := range s.ctl.rec.Steps() {
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
	return s.exec(ctx, "noop", nil, s.sc.NoOp)
}

// FileSize asks the server for a file's size in bytes (SIZE).
func (s *Session) FileSize(ctx context.Context, p string) (size int64, err error) {
	err = s.exec(ctx, "size", nil, func() (err error) { size, err = s.sc.FileSize(p); return err })
	return size, err
}

// ModTime returns a file's modification time: MDTM when the server offers
// it, else the MLST facts; ErrUnsupported when neither.
func (s *Session) ModTime(ctx context.Context, p string) (t time.Time, err error) {
	switch {
	case s.sc.IsGetTimeSupported():
		err = s.exec(ctx, "mdtm", nil, func() (err error) { t, err = s.sc.GetTime(p); return err })
	case s.sc.IsTimePreciseInList():
		err = s.exec(ctx, "mlst", nil, func() error {
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
	return s.exec(ctx, "mfmt", nil, func() error { return s.sc.SetTime(p, t) })
}

// Delete deletes a file (DELE).
func (s *Session) Delete(ctx context.Context, p string) error {
	return s.exec(ctx, "dele", nil, func() error { return s.sc.Delete(p) })
}

// MakeDir creates a directory (MKD).
func (s *Session) MakeDir(ctx context.Context, p string) error {
	return s.exec(ctx, "mkd", nil, func() error { return s.sc.MakeDir(p) })
}

// RemoveDir removes an empty directory (RMD).
func (s *Session) RemoveDir(ctx context.Context, p string) error {
	return s.exec(ctx, "rmd", nil, func() error { return s.sc.RemoveDir(p) })
}

// Rename renames or moves a file or directory (RNFR, RNTO).
func (s *Session) Rename(ctx context.Context, from, to string) error {
	return s.exec(ctx, "rename", nil, func() error { return s.sc.Rename(from, to) })
}

// IsDir reports whether p is a directory the session can enter. It changes
// the working directory back afterwards.
func (s *Session) IsDir(ctx context.Context, p string) (bool, error) {
	var cwd string
	if err := s.exec(ctx, "pwd", nil, func() (err error) { cwd, err = s.sc.CurrentDir(); return err }); err != nil {
		return false, err
	}
	err := s.exec(ctx, "cwd", nil, func() error { return s.sc.ChangeDir(p) })
	var perr *textproto.Error
	if errors.As(err, &perr) && perr.Code >= 500 {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, s.exec(ctx, "cwd", nil, func() error { return s.sc.ChangeDir(cwd) })
}

// Download retrieves the file p from byte offset (REST) into dst, through
// buf (see CopyData: writes of 64 KiB at most) and telling progress of every
// chunk received. The control connection carries no deadline while
// the data streams: each read of the data connection has its own idle time
// limit. It returns the bytes written to dst; the caller checks the total
// against the server's size.
func (s *Session) Download(ctx context.Context, p string, offset int64, dst io.Writer, buf []byte, progress func(int64)) (int64, error) {
	return s.download(ctx, p, offset, dst, buf, writeChunk, progress)
}

// download is Download with writes of chunk bytes (see copyChunks).
func (s *Session) download(ctx context.Context, p string, offset int64, dst io.Writer, buf []byte, chunk int, progress func(int64)) (int64, error) {
	if len(buf) == 0 {
		buf = make([]byte, DefaultBufferSize)
	}
	var resp *ftp.Response
	if err := s.exec(ctx, "retr", nil, func() (err error) {
		resp, err = s.sc.RetrFrom(p, uint64(offset))
		return err
	}); err != nil {
		return 0, err
	}
	data := s.ctl.data.current()
	stop := context.AfterFunc(ctx, s.abort)
	n, rerr, werr := copyChunks(dst, resp, buf, chunk, progress)
	if werr != nil || rerr != nil {
		// The server may be blocked sending what will never be read (a
		// full disk): close the socket, unread bytes and all, so that it
		// sees the end at once, and give its reply only a short time.
		s.ctl.endDataFast()
	}
	// vsftpd sends its final reply only after the client closed the data
	// connection (TLS close_notify, then TCP close).
	if data != nil {
		data.closeFirst()
	}
	ctlErr := resp.Close() // reads the final reply within the shut timeout
	s.ctl.jconn.shutCap.Store(0)
	s.ctl.raw.SetDeadline(time.Time{})
	s.ctl.data.finish()
	if !stop() {
		return n, &StepError{Step: "retr", Err: fmt.Errorf("%w (after %d bytes)", ctx.Err(), n)}
	}
	if controlBroken(ctlErr) {
		s.markBroken()
	}
	if emptyWithoutTLS(n, rerr, ctlErr) {
		// Some servers (goftp) send an empty file by closing the data
		// connection without a TLS handshake. Nothing was accepted from it,
		// and the control connection confirmed the transfer.
		s.ctl.rec.Conn(fmt.Sprintf("data %d", s.ctl.dataCount.Load())).Emit(trace.Info, "empty_transfer",
			"the server closed the data connection before TLS and confirmed the transfer: an empty file",
			"The server sent no bytes and did not start TLS on the data connection; nothing from it was used, and the encrypted control connection confirmed that the file is complete.")
		rerr = nil
	}
	switch {
	case werr != nil:
		return n, &StepError{Step: "retr", Reply: replyOf(ctlErr), Err: fmt.Errorf("writing the local file: %w", werr)}
	case rerr != nil:
		var se *StepError
		if errors.As(rerr, &se) {
			return n, &StepError{Step: "retr", Reply: replyOf(ctlErr), Err: se}
		}
		return n, &StepError{Step: "retr", Reply: replyOf(ctlErr), Err: fmt.Errorf("the data connection broke after %d bytes: %w", n, rerr)}
	case ctlErr != nil:
		return n, s.ctl.stepErr(ctx, "retr", ctlErr)
	}
	return n, nil
}

// Upload stores src as the file p. With offset > 0 it resumes: REST and
// STOR when the server announced REST STREAM, else APPE (the caller has
// checked that the server's file holds exactly offset bytes). src must be
// positioned at offset. It returns the bytes sent.
func (s *Session) Upload(ctx context.Context, p string, src io.Reader, offset int64, buf []byte, progress func(int64)) (int64, error) {
	if len(buf) == 0 {
		buf = make([]byte, DefaultBufferSize)
	}
	u := &uploadSource{r: src, buf: buf, progress: progress, s: s}
	step := "stor"
	if offset > 0 && !s.CanRestartUpload() {
		step = "appe"
	}
	isData := func(err error) bool {
		return (u.readErr != nil && errors.Is(err, u.readErr)) || s.ctl.data.current().isDataErr(err)
	}
	err := s.exec(ctx, step, isData, func() error {
		switch {
		case offset > 0 && step == "stor":
			return s.sc.StorFrom(p, u, uint64(offset))
		case offset > 0:
			return s.sc.Append(p, u)
		}
		return s.sc.Stor(p, u)
	})
	if err != nil && u.readErr != nil {
		var se *StepError
		if errors.As(err, &se) && errors.Is(se.Err, u.readErr) {
			se.Err = fmt.Errorf("reading the local file: %w", u.readErr)
		}
	}
	return u.n, err
}

// uploadSource feeds an upload through the worker's buffer. jlaffaye/ftp
// copies it with io.Copy, which calls WriteTo: no buffer of its own. Its
// first use means the commands are done, so it lifts the control
// connection's deadline for the time the data streams.
type uploadSource struct {
	r        io.Reader
	buf      []byte
	progress func(int64)
	s        *Session
	started  bool
	n        int64
	readErr  error
}

func (u *uploadSource) start() {
	if !u.started {
		u.started = true
		u.s.ctl.raw.SetDeadline(time.Time{})
	}
}

// Read reads from the source (for writers io.Copy does not hand to WriteTo).
func (u *uploadSource) Read(p []byte) (int, error) {
	u.start()
	n, err := u.r.Read(p)
	u.n += int64(n)
	if n > 0 && u.progress != nil {
		u.progress(int64(n))
	}
	if err != nil && err != io.EOF {
		u.readErr = err
	}
	return n, err
}

// WriteTo copies the source to w through the worker's buffer.
func (u *uploadSource) WriteTo(w io.Writer) (int64, error) {
	u.start()
	var n int64
	for {
		k, rerr := u.r.Read(u.buf)
		if k > 0 {
			wn, werr := w.Write(u.buf[:k])
			n += int64(wn)
			u.n += int64(wn)
			if wn > 0 && u.progress != nil {
				u.progress(int64(wn))
			}
			if werr != nil {
				return n, werr
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			u.readErr = rerr
			return n, rerr
		}
	}
}

// writeChunk is the most CopyData gathers before it writes. On the 2-vCPU
// VM of bench/run.sh (Linux 6.18, ext4, 512 MiB from vsftpd on loopback),
// in three of five interleaved comparisons 256 KiB writes cost 1.3 to 2.8
// times the system time of 64 KiB writes, and 1 MiB writes 4.8 times
// (larger writes make the page cache allocate larger folios, which that VM
// seems to have to fault in from its host); in the other two, 256 KiB
// writes cost 7 to 15 % less CPU (fewer system calls). 64 KiB bounds the
// bad case; BenchmarkVsftpdTransfer compares the sizes on a machine.
const writeChunk = 64 << 10

// CopyData copies src to dst through buf. It gathers reads (a TLS record
// each, 16 KiB at most) into writes of writeChunk bytes, or of len(buf) if
// smaller, and tells progress of every read. It returns the bytes written
// and which side failed; a read error comes after everything received
// before it was written. It allocates nothing.
func CopyData(dst io.Writer, src io.Reader, buf []byte, progress func(int64)) (n int64, readErr, writeErr error) {
	return copyChunks(dst, src, buf, writeChunk, progress)
}

// copyChunks is CopyData with writes of chunk bytes (at most len(buf)).
func copyChunks(dst io.Writer, src io.Reader, buf []byte, chunk int, progress func(int64)) (n int64, readErr, writeErr error) {
	if chunk > 0 && len(buf) > chunk {
		buf = buf[:chunk]
	}
	for {
		m := 0
		var rerr error
		for m < len(buf) {
			k, err := src.Read(buf[m:])
			m += k
			if k > 0 && progress != nil {
				progress(int64(k))
			}
			if err != nil {
				rerr = err
				break
			}
		}
		if m > 0 {
			w, werr := dst.Write(buf[:m])
			n += int64(w)
			if werr == nil && w < m {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return n, nil, werr
			}
		}
		if rerr == io.EOF {
			return n, nil, nil
		}
		if rerr != nil {
			return n, rerr, nil
		}
	}
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
		if err := s.exec(ctx, "list", nil, func() (err error) { entries, perms, err = s.listWithPerms(remote); return err }); err != nil {
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
	if err := s.exec(ctx, "list", nil, func() (err error) { raw, perms, err = s.listWithPerms(dir); return err }); err != nil {
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

// emptyWithoutTLS reports whether a download got no byte because the server
// closed the data connection instead of starting TLS, and then confirmed
// the transfer on the control connection.
func emptyWithoutTLS(n int64, rerr, ctlErr error) bool {
	var se *StepError
	if n != 0 || ctlErr != nil || !errors.As(rerr, &se) || se.Step != "data_tls_handshake" {
		return false
	}
	return errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) || netconn.IsReset(rerr)
}
