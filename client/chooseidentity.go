package client

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"lockbox/client/identity"
)

// identitySource says where the identity answering a certificate request
// came from, for the trace.
type identitySource int

const (
	// identityNone: no identity configured and nobody to ask.
	identityNone identitySource = iota
	// identityConfigured: Options.Identity.
	identityConfigured
	// identityChosen: the user just answered Options.ChooseIdentity.
	identityChosen
	// identityRemembered: the user's earlier answer in this session.
	identityRemembered
)

// identityChoice is the user's answer to ChooseIdentity; a nil id is the
// answer "send none".
type identityChoice struct {
	id *identity.Identity
}

// identityFor returns the identity to present to a server that asked for
// one: Options.Identity, else the user's answer to Options.ChooseIdentity.
// The user is asked at most once per session: data connections and later
// handshakes get the same answer. As for Decide, the time the user takes
// is not the server being silent, so conn's deadline is lifted meanwhile.
// A question ended by ctx is no answer: it is not remembered, and the
// handshake fails with ctx's error.
func (s *security) identityFor(ctx context.Context, conn net.Conn, names []string, der [][]byte) (*identity.Identity, identitySource, error) {
	if s.opts.Identity != nil {
		return s.opts.Identity, identityConfigured, nil
	}
	if s.opts.ChooseIdentity == nil {
		return nil, identityNone, nil
	}
	s.chooseMu.Lock()
	defer s.chooseMu.Unlock()
	if s.chosen != nil {
		return s.chosen.id, identityRemembered, nil
	}
	req := IdentityRequest{
		HostPort:        s.target.Address(),
		AcceptableCAs:   append([]string(nil), names...),
		AcceptableCADER: make([][]byte, len(der)),
	}
	for i, d := range der {
		req.AcceptableCADER[i] = append([]byte(nil), d...)
	}
	conn.SetDeadline(time.Time{})
	id := s.opts.ChooseIdentity(ctx, req)
	conn.SetDeadline(time.Now().Add(s.opts.timeout()))
	if err := ctx.Err(); err != nil {
		return nil, identityNone, fmt.Errorf("choosing a client certificate: %w", err)
	}
	s.chosen = &identityChoice{id: id}
	return id, identityChosen, nil
}

// sharedIdentity is the ChooseIdentity of every connection of a pool: it
// asks the user's ChooseIdentity once and gives that answer (an identity
// or none) to every later connection, as sharedTrust does for Decide.
type sharedIdentity struct {
	ask func(context.Context, IdentityRequest) *identity.Identity

	mu       sync.Mutex // one question at a time: the next waits for the answer
	asked    int
	answered bool
	id       *identity.Identity
}

func (si *sharedIdentity) choose(ctx context.Context, r IdentityRequest) *identity.Identity {
	si.mu.Lock()
	defer si.mu.Unlock()
	if si.answered {
		return si.id
	}
	si.asked++
	id := si.ask(ctx, r)
	if ctx.Err() != nil {
		// A cancelled question is no answer; the next connection asks again.
		return nil
	}
	si.answered, si.id = true, id
	return id
}
