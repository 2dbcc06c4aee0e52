package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jlaffaye/ftp"

	"lockbox/client/internal/ftpconn"
	"lockbox/client/internal/ftpwire"
	"lockbox/client/trace"
)

// openControl opens the FTP control connection (see ftpconn.Open) with the
// session's options: TLS through security for ftpes:// and ftps://, the
// downgrade check when a server refuses AUTH TLS.
func openControl(ctx context.Context, sessCtx context.Context, t Target, opts *Options, rec *trace.Recorder, report *Report) (*ftpconn.Control, error) {
	cfg := ftpconn.Config{
		Address: t.Address(), Host: t.Host, Implicit: t.Scheme == FTPS,
		Proxy: opts.Proxy, Timeout: opts.timeout(), Mode: opts.Mode, Active: opts.Active, WentActive: opts.wentActive,
		DisableEPSV: opts.DisableEPSV, MDTMWrite: opts.MDTMWrite,
		Downgrade: func(em trace.Emitter, now string, cause error) error { return downgrade(t, opts, em, now, cause) },
		TLSSeen:   func(em trace.Emitter) { recordTLS(t, opts, em) },
	}
	if t.Scheme.UsesTLS() {
		sec, err := newSecurity(ctx, t, opts, rec, report)
		if err != nil {
			return nil, err
		}
		cfg.TLS, cfg.LoginTLS = sec, sec.base
	}
	return ftpconn.Open(ctx, sessCtx, cfg, rec)
}

// Entry is one item of a directory listing.
type Entry struct {
	Name   string    `json:"name"`
	Type   string    `json:"type"` // "file", "dir", "link"
	Size   uint64    `json:"size"`
	Time   time.Time `json:"time"`
	Target string    `json:"target,omitempty"`
	// Perm is the permissions the server listed: "-rw-r--r--" from a Unix
	// LIST line, the UNIX.mode fact of MLSD rendered the same way, else
	// MLSD's perm fact ("adfrw"); empty when the server gave none.
	Perm string `json:"perm,omitempty"`
}

// Session is a logged-in FTP session. It is not safe for concurrent use:
// one command at a time, as the protocol itself.
type Session struct {
	ctl    *ftpconn.Control
	sc     *ftp.ServerConn
	rec    *trace.Recorder
	em     trace.Emitter // the control connection's steps
	report *Report
	cancel context.CancelFunc
	health sessionHealth // server features (session.go)
}

// Connect connects, verifies, and logs in with t.User and t.Password
// (anonymous when t.User is empty). The report is filled in even when it
// fails. ctx bounds the connect and login; the session lives until Close.
func Connect(ctx context.Context, t Target, opts Options) (*Session, *Report, error) {
	if !t.Scheme.IsFTP() {
		return nil, nil, fmt.Errorf("connect: %s is not an FTP URL", t.Scheme)
	}
	rec := trace.NewRecorder(opts.Observer)
	report := &Report{URL: t.String(), Address: t.Address(), Trust: TrustUntrusted}
	finish := func(err error) (*Session, *Report, error) {
		report.Steps = rec.Steps()
		if err != nil {
			report.Error = err.Error()
		}
		return nil, report, err
	}
	if t.Scheme == FTP {
		// Checked before --allow-plaintext: consent to plain FTP was not
		// consent to a server that encrypted before losing it.
		if err := downgrade(t, &opts, rec.Conn("control"), plainURLDowngrade, nil); err != nil {
			return finish(&StepError{Step: "downgrade", Err: err})
		}
		if !opts.AllowPlaintext {
			return nil, nil, &StepError{Step: "login", Reason: ReasonPlaintextPassword, Err: errors.New("ftp:// sends your password unencrypted")}
		}
	}
	sessCtx, sessCancel := context.WithCancel(context.WithoutCancel(ctx))
	ctl, err := openControl(ctx, sessCtx, t, &opts, rec, report)
	if err != nil {
		sessCancel()
		return finish(err)
	}
	user, pass := t.User, t.Password
	if user == "" {
		user, pass = "anonymous", "anonymous@"
	}
	sc, err := ctl.Login(ctx, user, pass)
	if err != nil {
		sessCancel()
		return finish(err)
	}
	if tc := ctl.TLSConn(); tc != nil {
		report.TLS = tlsInfo(tc.ConnectionState())
	}
	report.Steps = rec.Steps()
	return &Session{ctl: ctl, sc: sc, rec: rec, em: rec.Conn("control"), report: report, cancel: sessCancel}, report, nil
}

// Report returns the session's report with every step recorded so far.
func (s *Session) Report() *Report {
	r := *s.report
	r.Steps = s.rec.Steps()
	return &r
}

// CurrentDir returns the working directory.
func (s *Session) CurrentDir() (dir string, err error) {
	err = s.ctl.Exec(context.Background(), "pwd", nil, func() (err error) { dir, err = s.sc.CurrentDir(); return err })
	return dir, err
}

// ChangeDir changes the working directory.
func (s *Session) ChangeDir(dir string) error {
	return s.ctl.Exec(context.Background(), "cwd", nil, func() error { return s.sc.ChangeDir(dir) })
}

// newEntry is a listing's entry as Lockbox shows it: names made printable
// (a name CheckName accepts is unchanged), the permissions the raw listing
// gave.
func newEntry(e *ftp.Entry, perms ftpwire.Perms) Entry {
	return Entry{Name: ftpwire.Sanitize(e.Name), Type: entryType(e.Type), Size: e.Size, Time: e.Time, Target: ftpwire.Sanitize(e.Target), Perm: perms.Of(e.Name)}
}

// List lists a directory (MLSD when the server offers it, else LIST).
func (s *Session) List(dir string) ([]Entry, error) {
	var entries []*ftp.Entry
	var perms ftpwire.Perms
	if err := s.ctl.Exec(context.Background(), "list", nil, func() (err error) { entries, perms, err = s.listWithPerms(dir); return err }); err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(entries))
	for _, e := range entries {
		if e.Name == "." || e.Name == ".." {
			continue
		}
		out = append(out, newEntry(e, perms))
	}
	return out, nil
}

// listWithPerms lists dir with jlaffaye/ftp and reads the permissions from
// the raw listing it received.
func (s *Session) listWithPerms(dir string) (entries []*ftp.Entry, perms ftpwire.Perms, err error) {
	perms, err = s.ctl.Listing(func() (err error) { entries, err = s.sc.List(dir); return err })
	return
}

func entryType(t ftp.EntryType) string {
	switch t {
	case ftp.EntryTypeFolder:
		return "dir"
	case ftp.EntryTypeLink:
		return "link"
	}
	return "file"
}

// Close ends the session with QUIT and closes every connection.
func (s *Session) Close() error {
	s.ctl.StartStep()
	err := s.sc.Quit()
	s.cancel()
	s.ctl.Close()
	return err
}
