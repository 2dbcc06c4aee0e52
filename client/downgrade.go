package client

import (
	"fmt"
	"time"

	"lockbox/client/trace"
)

// DowngradeError refuses a server that spoke TLS before and now does not:
// it refused AUTH TLS, or the URL asks for plain ftp://. Someone on the path
// who strips the encryption would look exactly like this, so Lockbox sends
// nothing secret.
type DowngradeError struct {
	// HostPort is the server.
	HostPort string
	// LastSeen is when TLS was last negotiated with it.
	LastSeen time.Time
	// Now says what happened this time.
	Now string
	// Record is the file that remembers it, for a server that really
	// stopped offering TLS.
	Record string
	// Err is the underlying failure, if any (the server's refusal, which
	// the StepError around this one quotes).
	Err error
}

func (e *DowngradeError) Error() string {
	msg := fmt.Sprintf("possible downgrade attack: this server spoke TLS on %s, but %s; someone on the network may be removing the encryption to read your password, so Lockbox sent neither user name nor password",
		e.LastSeen.UTC().Format("2006-01-02"), e.Now)
	if e.Record != "" {
		msg += fmt.Sprintf(" (if the server really stopped offering TLS, remove %s from %s)", e.HostPort, e.Record)
	}
	return msg
}

func (e *DowngradeError) Unwrap() error { return e.Err }

// plainURLDowngrade says what a plain ftp:// URL to a server seen with TLS does.
const plainURLDowngrade = "this URL asks for unencrypted ftp:// (use ftpes:// or ftps://)"

const explainDowngrade = "Lockbox negotiated TLS with this server before. A server that suddenly does not is how a downgrade attack looks: someone in between removes the encryption to read what follows."

// downgrade returns a *DowngradeError when TLS was negotiated with t before,
// recording a failed "downgrade" step on em; nil otherwise.
func downgrade(t Target, opts *Options, em trace.Emitter, now string, cause error) error {
	if opts.TLSSeen == nil {
		return nil
	}
	seen, ok := opts.TLSSeen.Lookup(t.Address())
	if !ok {
		return nil
	}
	err := &DowngradeError{HostPort: seen.HostPort, LastSeen: seen.Last, Now: now, Record: opts.TLSSeen.Path(), Err: cause}
	em.Fail(trace.Info, "downgrade", fmt.Sprintf("possible downgrade attack: TLS negotiated on %s, %s", seen.Last.UTC().Format("2006-01-02"), now), explainDowngrade)
	return err
}

// recordTLS notes that t's control connection negotiated TLS, so that a
// later connection without it is noticed.
func recordTLS(t Target, opts *Options, em trace.Emitter) {
	if opts.TLSSeen == nil {
		return
	}
	if err := opts.TLSSeen.Record(t.Address(), opts.now()); err != nil {
		em.Fail(trace.Info, "tls_seen", err.Error(),
			"Lockbox could not save that this server speaks TLS, so it cannot warn you if a later connection to it is left unencrypted.")
	}
}
