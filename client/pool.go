package client

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"lockbox/client/trace"
)

// Pool sizes.
const (
	// DefaultPoolSize is how many connections a pool opens by default.
	DefaultPoolSize = 2
	// MaxPoolSize is the most connections a pool opens to one site.
	MaxPoolSize = 10
	// DefaultKeepAlive is how long a pooled connection may sit idle before
	// the pool sends NOOP on it.
	DefaultKeepAlive = 60 * time.Second
)

// PoolOptions configure a Pool.
type PoolOptions struct {
	// Size is the most connections open at once, 1 to MaxPoolSize; 0 means
	// DefaultPoolSize.
	Size int
	// KeepAlive is the idle time after which a pooled connection is sent
	// NOOP (and dropped if that fails); 0 means DefaultKeepAlive, a
	// negative value turns keep-alives off.
	KeepAlive time.Duration
}

// Pool holds up to Size logged-in sessions to one site. Each is its own
// control connection with its own TLS session cache (so its data
// connections resume its session, as vsftpd demands), but all share one
// trust decision: the first connection is verified and, if need be, the
// user is asked through Options.Decide; later connections that show the
// same certificate are accepted without asking again, and one that shows
// another certificate is asked about (or rejected) on its own. Likewise a
// server's request for a client certificate is put to
// Options.ChooseIdentity once per pool, and every connection presents the
// identity chosen (or none, if that was the answer).
//
// Idle sessions are kept alive with NOOP; a session the server dropped is
// replaced on the next use. A Pool is safe for concurrent use.
type Pool struct {
	target    Target
	opts      Options
	size      int
	keepAlive time.Duration
	trust     *sharedTrust
	identity  *sharedIdentity // nil when Options.ChooseIdentity is nil
	first     *Report

	tokens chan struct{} // one per session in use
	stop   chan struct{}
	wg     sync.WaitGroup

	mu     sync.Mutex
	idle   []*pooled
	closed bool
	nextID int

	// connected, when set (tests), sees every new session.
	connected func(*Session)
}

type pooled struct {
	s    *Session
	used time.Time
}

// OpenPool connects the pool's first session, which takes the trust
// decision for the whole pool, and returns its report (filled in even on
// failure).
func OpenPool(ctx context.Context, t Target, opts Options, po PoolOptions) (*Pool, *Report, error) {
	size := po.Size
	if size == 0 {
		size = DefaultPoolSize
	}
	if size < 1 || size > MaxPoolSize {
		return nil, nil, fmt.Errorf("pool: %d connections asked for; use 1 to %d", size, MaxPoolSize)
	}
	ka := po.KeepAlive
	if ka == 0 {
		ka = DefaultKeepAlive
	}
	p := &Pool{
		target: t, size: size, keepAlive: ka,
		trust:  &sharedTrust{ask: opts.Decide},
		tokens: make(chan struct{}, size),
		stop:   make(chan struct{}),
	}
	p.opts = opts
	p.opts.Decide = p.trust.decide
	p.opts.wentActive = new(atomic.Bool)
	if opts.ChooseIdentity != nil {
		p.identity = &sharedIdentity{ask: opts.ChooseIdentity}
		p.opts.ChooseIdentity = p.identity.choose
	}
	s, report, err := p.connect(ctx)
	if err != nil {
		return nil, report, err
	}
	p.first = report
	p.idle = append(p.idle, &pooled{s: s, used: time.Now()})
	if ka > 0 {
		p.wg.Add(1)
		go p.keepAlives()
	}
	return p, report, nil
}

// Size is the most sessions the pool opens at once.
func (p *Pool) Size() int { return p.size }

// Report is the first session's report: the chain, its problems and the
// trust decision the pool shares.
func (p *Pool) Report() *Report { return p.first }

// TrustQuestions says how often the pool asked Options.Decide.
func (p *Pool) TrustQuestions() int {
	p.trust.mu.Lock()
	defer p.trust.mu.Unlock()
	return p.trust.asked
}

// IdentityQuestions says how often the pool asked Options.ChooseIdentity:
// at most once, unless a question was cancelled.
func (p *Pool) IdentityQuestions() int {
	if p.identity == nil {
		return 0
	}
	p.identity.mu.Lock()
	defer p.identity.mu.Unlock()
	return p.identity.asked
}

// connect opens one more session; sessions after the first report their
// steps to the observer with the connection number in front ("2:control").
func (p *Pool) connect(ctx context.Context) (*Session, *Report, error) {
	p.mu.Lock()
	p.nextID++
	id := p.nextID
	p.mu.Unlock()
	opts := p.opts
	if obs := opts.Observer; obs != nil && id > 1 {
		opts.Observer = trace.ObserverFunc(func(s trace.Step) {
			s.Conn = fmt.Sprintf("%d:%s", id, s.Conn)
			obs.Step(s)
		})
	}
	s, report, err := Connect(ctx, p.target, opts)
	if err == nil && p.connected != nil {
		p.connected(s)
	}
	return s, report, err
}

// Acquire takes an idle session, or connects a new one when none is idle
// and fewer than Size are open. It waits while Size sessions are in use.
// Give the session back with Release.
func (p *Pool) Acquire(ctx context.Context) (*Session, error) {
	s, _, err := p.acquire(ctx)
	return s, err
}

func (p *Pool) acquire(ctx context.Context) (s *Session, reused bool, err error) {
	select {
	case p.tokens <- struct{}{}:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		<-p.tokens
		return nil, false, errors.New("pool: closed")
	}
	if n := len(p.idle); n > 0 {
		pc := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return pc.s, true, nil
	}
	p.mu.Unlock()
	s, _, err = p.connect(ctx)
	if err != nil {
		<-p.tokens
		return nil, false, err
	}
	return s, false, nil
}

// Release gives a session back: kept for the next Acquire, or closed when
// it is broken or the pool is closed.
func (p *Pool) Release(s *Session) {
	p.mu.Lock()
	if s.Broken() || p.closed {
		p.mu.Unlock()
		s.Close()
	} else {
		p.idle = append(p.idle, &pooled{s: s, used: time.Now()})
		p.mu.Unlock()
	}
	<-p.tokens
}

// Do runs f with a session of the pool. When a session that sat idle turns
// out to be dead (the server dropped it), Do reconnects and runs f once
// more on the new session, so callers do not see the drop.
func (p *Pool) Do(ctx context.Context, f func(*Session) error) error {
	for attempt := 0; ; attempt++ {
		s, reused, err := p.acquire(ctx)
		if err != nil {
			return err
		}
		err = f(s)
		dropped := reused && s.Broken() && err != nil && ctx.Err() == nil
		p.Release(s)
		if !dropped || attempt > 0 {
			return err
		}
	}
}

// keepAlives sends NOOP on sessions idle for KeepAlive; one that fails is
// closed, and the next Acquire connects afresh.
func (p *Pool) keepAlives() {
	defer p.wg.Done()
	tick := time.NewTicker(p.keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			return
		case now := <-tick.C:
			for _, pc := range p.takeIdle(now) {
				ctx, cancel := context.WithTimeout(context.Background(), p.opts.timeout())
				err := pc.s.NoOp(ctx)
				cancel()
				if err != nil {
					pc.s.ctl.MarkBroken()
				}
				p.Release(pc.s)
			}
		}
	}
}

// takeIdle removes the sessions idle for KeepAlive, each with a token so
// that the pool never has more than Size sessions open.
func (p *Pool) takeIdle(now time.Time) []*pooled {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*pooled
	keep := p.idle[:0]
	for _, pc := range p.idle {
		if now.Sub(pc.used) < p.keepAlive {
			keep = append(keep, pc)
			continue
		}
		select {
		case p.tokens <- struct{}{}:
			out = append(out, pc)
		default:
			keep = append(keep, pc)
		}
	}
	p.idle = keep
	return out
}

// Close stops the keep-alives and closes the idle sessions (QUIT); sessions
// in use are closed when they are released.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	close(p.stop)
	p.wg.Wait()
	var errs []error
	for _, pc := range idle {
		if err := pc.s.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// sharedTrust is the Decide of every connection of a pool: it asks the
// user's Decide once per certificate and host:port, and answers later
// connections that show the same certificate itself.
type sharedTrust struct {
	ask func(context.Context, Decision) Choice

	mu       sync.Mutex // one question at a time: the next waits for the answer
	asked    int
	accepted map[string][32]byte
	rejected map[string][32]byte
}

func (st *sharedTrust) decide(ctx context.Context, d Decision) Choice {
	if d.Report == nil || len(d.Report.Certificates) == 0 {
		return Reject
	}
	fp := sha256.Sum256(d.Report.Certificates[0].Raw)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.accepted == nil {
		st.accepted, st.rejected = map[string][32]byte{}, map[string][32]byte{}
	}
	if a, ok := st.accepted[d.HostPort]; ok && a == fp {
		return AcceptOnce
	}
	if r, ok := st.rejected[d.HostPort]; ok && r == fp {
		return Reject
	}
	if st.ask == nil {
		return Reject
	}
	st.asked++
	c := st.ask(ctx, d)
	switch c {
	case AcceptOnce, AcceptAlways, TrustIssuingCA, TrustIssuingCAForSite:
		st.accepted[d.HostPort] = fp
	default:
		st.rejected[d.HostPort] = fp
	}
	return c
}
