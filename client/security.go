package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"lockbox/client/trace"
	"lockbox/client/trust"
	"lockbox/client/verify"
)

// security is the TLS state one control connection shares with its data
// connections: one cloned tls.Config with an explicit ServerName and its own
// session cache (so data connections resume the control session, which
// vsftpd's require_ssl_reuse demands, and FileZilla Server refuses sessions
// resumed from another control connection), the verification report, and
// the trust decision taken for it.
type security struct {
	opts       *Options
	target     Target
	serverName string
	roots      *x509.CertPool
	base       *tls.Config
	rec        *trace.Recorder

	// extraRoots are Options.ExtraRoots plus the trusted CAs for the site.
	extraRoots []*x509.Certificate

	mu       sync.Mutex
	group    tls.CurveID // the key exchange the control connection agreed on
	report   *Report
	leaf     []byte // DER of the control connection's certificate, once seen
	decision Trust  // the trust given to leaf
	reqCAs   [][]byte

	// chooseMu holds a second handshake that needs a client certificate
	// while the user still chooses one for the first (chooseidentity.go).
	chooseMu sync.Mutex
	chosen   *identityChoice // the answer of Options.ChooseIdentity, once given
}

func newSecurity(ctx context.Context, t Target, opts *Options, rec *trace.Recorder, report *Report) (*security, error) {
	extra := opts.ExtraRoots
	if opts.TrustedCAs != nil {
		extra = append(append([]*x509.Certificate(nil), extra...), opts.TrustedCAs.Roots(opts.Site)...)
	}
	roots, err := trust.RootPool(extra, opts.NoSystemRoots)
	if err != nil {
		return nil, fmt.Errorf("trusted roots: %w", err)
	}
	s := &security{opts: opts, target: t, roots: roots, extraRoots: extra, rec: rec, report: report}
	s.serverName = opts.ServerName
	if s.serverName == "" {
		s.serverName = t.Host
	}
	s.base = &tls.Config{
		// Go's own verification stops at the first problem and cannot pin;
		// verifyConnection below checks everything and then decides.
		InsecureSkipVerify: true,
		ServerName:         s.serverName,
		ClientSessionCache: tls.NewLRUClientSessionCache(8),
		MinVersion:         opts.MinVersion,
		MaxVersion:         opts.MaxVersion,
	}
	if s.base.MinVersion == 0 {
		s.base.MinVersion = tls.VersionTLS12
	}
	if t.Scheme == HTTPS {
		s.base.NextProtos = []string{"http/1.1"}
	}
	return s, nil
}

// Config returns the tls.Config for one connection, whose callbacks record
// onto em. Clones share the session cache, so they resume one another.
// conn is the connection under the handshake, whose deadline is lifted
// while the user decides on an untrusted certificate.
func (s *security) Config(ctx context.Context, em trace.Emitter, control bool, conn net.Conn) *tls.Config {
	cfg := s.base.Clone()
	if !control {
		cfg.CurvePreferences = s.dataGroups()
	}
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		return s.verifyConnection(ctx, em, control, conn, cs)
	}
	cfg.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		return s.clientCertificate(em, conn, cri)
	}
	return cfg
}

// setGroup remembers the control connection's TLS 1.3 key exchange (TLS
// 1.2 has no HelloRetryRequest to avoid).
func (s *security) setGroup(cs tls.ConnectionState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.group == 0 && cs.Version == tls.VersionTLS13 {
		s.group = cs.CurveID
	}
}

// dataGroups offers data connections only the group the control connection
// agreed on. A server that wants another group than Go's first choice
// (vsftpd's OpenSSL asks for P-256) would otherwise answer every data
// connection with a HelloRetryRequest: one more round trip and key
// generation per file. Go ignores the order of CurvePreferences, so the
// list is that one group; the same server already accepted it.
func (s *security) dataGroups() []tls.CurveID {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.group == 0 {
		return nil
	}
	return []tls.CurveID{s.group}
}

// verifyConnection runs on every handshake, resumed ones included.
func (s *security) verifyConnection(ctx context.Context, em trace.Emitter, control bool, conn net.Conn, cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		em.Fail(trace.Recv, "certificate", "no certificate", "The server sent no certificate, so there is nothing to check its identity against.")
		return errors.New("the server sent no certificate")
	}
	leaf := cs.PeerCertificates[0]
	if cs.Version == tls.VersionTLS13 && !cs.DidResume {
		em.Emit(trace.Recv, "certificate", certSummary(cs.PeerCertificates),
			"The server sent its certificate (inside the encrypted flight): its identity card, signed by the issuer shown.")
	}

	s.mu.Lock()
	if s.leaf != nil {
		known, decision := s.leaf, s.decision
		s.mu.Unlock()
		if !bytes.Equal(known, leaf.Raw) {
			em.Fail(trace.Info, "certificate_changed", "SHA-256 "+shortFingerprint(leaf.Raw)+" instead of "+shortFingerprint(known),
				"This connection showed a different certificate than the control connection did: someone may be intercepting the data connections.")
			return &InterceptionError{Conn: connName(control)}
		}
		how := "resumed the control connection's session"
		if !cs.DidResume {
			how = "full handshake, same certificate as the control connection"
		}
		em.Emit(trace.Info, "verification", fmt.Sprintf("%s (%s)", decision, how),
			"This connection uses the same certificate the control connection showed, which was already judged.")
		return nil
	}
	s.mu.Unlock()

	res := verify.Check(cs.PeerCertificates, verify.Options{
		ServerName: s.serverName,
		Roots:      s.roots,
		ExtraRoots: s.extraRoots,
		Now:        s.opts.now(),
	})
	hostPort := s.target.Address()
	trustLevel := TrustUntrusted
	var change *PinChangeInfo
	if res.Verified {
		trustLevel = TrustVerified
	}
	expected := len(s.opts.ExpectedFingerprints) > 0
	if expected {
		fp := trust.Fingerprint(leaf.Raw)
		if slices.Contains(s.opts.ExpectedFingerprints, fp) {
			em.Emit(trace.Info, "expected_fingerprint", "matches SHA-256 "+trust.FormatFingerprint(fp),
				"The certificate is exactly the one whose fingerprint you gave for this connection, so it is trusted.")
			if trustLevel != TrustVerified {
				trustLevel = TrustPinned
			}
		} else {
			trustLevel = TrustUntrusted
			want := make([]string, len(s.opts.ExpectedFingerprints))
			for i, e := range s.opts.ExpectedFingerprints {
				want[i] = trust.FormatFingerprint(e)
			}
			em.Fail(trace.Info, "expected_fingerprint", "SHA-256 "+trust.FormatFingerprint(fp)+", expected "+strings.Join(want, " or "),
				"The certificate is not the one whose fingerprint you gave: Lockbox refuses it without asking, whoever vouches for it.")
			res.Problems = append(res.Problems, verify.Problem{
				Level: 0, Field: verify.FieldPin, Code: verify.CodeFingerprintMismatch, Severity: verify.SeverityError,
				Message: fmt.Sprintf("The server's certificate has the SHA-256 fingerprint %s, not the one expected: %s.",
					trust.FormatFingerprint(fp), strings.Join(want, " or ")),
			})
		}
	}
	if s.opts.Pins != nil && !expected {
		if pin, ok := s.opts.Pins.Lookup(hostPort); ok {
			if pc, changed := trust.Compare(pin, leaf); !changed {
				if trustLevel != TrustVerified {
					trustLevel = TrustPinned
				}
			} else {
				trustLevel = TrustPinChanged
				change = &PinChangeInfo{Old: pin, NewSHA256: trust.Fingerprint(leaf.Raw), SameKey: pc.SameKey,
					SameIssuer: pc.SameIssuer, SameSubject: pc.SameSubject, LikelyRenewal: pc.LikelyRenewal, Verdict: pc.Verdict}
				res.Problems = append(res.Problems, verify.Problem{
					Level: 0, Field: verify.FieldPin, Code: verify.CodePinMismatch, Severity: verify.SeverityError,
					Message: fmt.Sprintf("The certificate you accepted for %s on %s has changed: %s. Do not continue unless you know why it changed.",
						hostPort, pin.AcceptedAt.Format("2006-01-02"), pc.Verdict),
				})
			}
		}
	}

	s.mu.Lock()
	s.report.Certificates = res.Chain
	s.report.Chain = make([]CertInfo, len(res.Chain))
	for i, c := range res.Chain {
		s.report.Chain[i] = DescribeCert(i, c)
	}
	s.report.Problems = res.Problems
	s.report.PinChange = change
	s.report.OCSPResponse = cs.OCSPResponse
	s.report.SCTs = cs.SignedCertificateTimestamps
	s.report.Trust = trustLevel
	s.report.Trusted = trustLevel == TrustVerified || trustLevel == TrustPinned
	s.mu.Unlock()

	if trustLevel == TrustVerified || trustLevel == TrustPinned {
		em.Emit(trace.Info, "verification", verdictSummary(trustLevel, res.Problems), verdictExplain(trustLevel))
		return s.remember(leaf, trustLevel)
	}
	em.Fail(trace.Info, "verification", verdictSummary(trustLevel, res.Problems), verdictExplain(trustLevel))

	choice := Reject
	if s.opts.Decide != nil && !expected {
		// The time a person takes to decide is not the server being silent.
		conn.SetDeadline(time.Time{})
		choice = s.opts.Decide(ctx, Decision{HostPort: hostPort, Report: s.snapshot()})
		conn.SetDeadline(time.Now().Add(s.opts.timeout()))
	}
	switch choice {
	case AcceptAlways:
		if s.opts.Pins == nil {
			return errors.New("cannot pin the certificate: no pin store")
		}
		if err := s.opts.Pins.Add(trust.NewPin(hostPort, leaf, s.opts.now())); err != nil {
			return fmt.Errorf("pin the certificate: %w", err)
		}
		em.Emit(trace.Info, "trust_decision", "always accept: pinned SHA-256 "+shortFingerprint(leaf.Raw)+" for "+hostPort,
			"You chose to trust this exact certificate for this server from now on; Lockbox will warn you if it ever changes.")
		s.setTrust(TrustPinned)
		return s.remember(leaf, TrustPinned)
	case TrustIssuingCA, TrustIssuingCAForSite:
		return s.trustIssuingCA(em, choice, hostPort, cs.PeerCertificates, res.Problems)
	case AcceptOnce:
		em.Emit(trace.Info, "trust_decision", "accept once",
			"You chose to trust this certificate for this session only; you will be asked again next time.")
		s.setTrust(TrustAcceptedOnce)
		return s.remember(leaf, TrustAcceptedOnce)
	}
	em.Fail(trace.Info, "trust_decision", "rejected", "The certificate is not trusted, so Lockbox ended the handshake before sending anything secret.")
	return &UntrustedError{Trust: trustLevel, Problems: res.Problems}
}

// trustIssuingCA adds the chain's CA to the trusted CAs (for all sites or
// for this one) and verifies the chain again with it: the server is then
// verified, not pinned.
func (s *security) trustIssuingCA(em trace.Emitter, choice Choice, hostPort string, presented []*x509.Certificate, problems []verify.Problem) error {
	ca := Decision{HostPort: hostPort, Report: s.snapshot()}.IssuingCA()
	if ca == nil {
		return &UntrustedError{Trust: TrustUntrusted, Problems: problems}
	}
	if s.opts.TrustedCAs == nil {
		return errors.New("cannot trust the issuing CA: no store of trusted CAs")
	}
	site := ""
	if choice == TrustIssuingCAForSite {
		site = s.opts.Site
	}
	entry, err := trust.NewTrustedCA(ca, site, s.opts.now())
	if err != nil {
		return err
	}
	roots := s.roots.Clone()
	roots.AddCert(ca)
	res := verify.Check(presented, verify.Options{ServerName: s.serverName, Roots: roots,
		ExtraRoots: append(append([]*x509.Certificate(nil), s.extraRoots...), ca), Now: s.opts.now()})
	if !res.Verified {
		return &UntrustedError{Trust: TrustUntrusted, Problems: res.Problems}
	}
	if err := s.opts.TrustedCAs.Add(entry); err != nil {
		return fmt.Errorf("trust the issuing CA: %w", err)
	}
	em.Emit(trace.Info, "trust_decision", "trusted the issuing CA "+ca.Subject.String()+" for "+entry.Scope(),
		"You chose to trust the CA that issued this certificate: this server, and any other it vouches for, is now verified against it.")
	s.mu.Lock()
	s.report.Problems = res.Problems
	s.mu.Unlock()
	s.setTrust(TrustVerified)
	return s.remember(presented[0], TrustVerified)
}

func (s *security) remember(leaf *x509.Certificate, t Trust) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.leaf = leaf.Raw
	s.decision = t
	return nil
}

func (s *security) setTrust(t Trust) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.report.Trust = t
	s.report.Trusted = true
}

// snapshot copies the report so that a decision dialog can read it while the
// engine goes on writing.
func (s *security) snapshot() *Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := *s.report
	r.Steps = s.rec.Steps()
	return &r
}

// clientCertificate answers a server's certificate request with the
// configured identity, else the one the user chooses (asked once per
// session, with conn's deadline lifted), else none.
func (s *security) clientCertificate(em trace.Emitter, conn net.Conn, cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
	names := make([]string, len(cri.AcceptableCAs))
	for i, der := range cri.AcceptableCAs {
		names[i] = DistinguishedName(der)
	}
	s.mu.Lock()
	s.report.ClientCertificate.Requested = true
	s.report.ClientCertificate.AcceptableCAs = names
	s.reqCAs = cri.AcceptableCAs
	s.mu.Unlock()

	cas := "any CA"
	if len(names) > 0 {
		cas = strings.Join(names, "; ")
	}
	if cri.Version == tls.VersionTLS13 {
		// Under TLS 1.2 the tap saw the request on the wire; here it is encrypted.
		em.Emit(trace.Recv, "certificate_request", "acceptable CAs: "+cas,
			"The server asked for a client certificate (inside the encrypted flight): it wants you to prove who you are.")
	}
	tls13 := cri.Version == tls.VersionTLS13
	id, source, err := s.identityFor(cri.Context(), conn, names, cri.AcceptableCAs)
	if err != nil {
		em.Fail(trace.Info, "client_identity", "cancelled while choosing a client certificate",
			"The connection was cancelled while you were choosing a client certificate, so none was sent.")
		return nil, err
	}
	if id == nil {
		switch source {
		case identityChosen:
			em.Emit(trace.Info, "client_identity", "you chose to send none",
				"You chose to answer the server's request without a client certificate; a server that requires one will refuse the connection.")
		case identityRemembered:
			em.Emit(trace.Info, "client_identity", "you chose to send none (your answer for this session)",
				"You chose earlier in this session to send no client certificate, so Lockbox did not ask again.")
		default:
			em.Emit(trace.Info, "client_identity", "none configured, sending none",
				"The server asked for a client certificate but none is configured; many servers only ask, and a server that requires one will refuse the connection.")
		}
		if tls13 {
			em.Emit(trace.Send, "client_certificate", "no certificate sent (encrypted)",
				"Lockbox answered the request with an empty certificate list.")
		}
		return &tls.Certificate{}, nil
	}
	subject := id.Subject()
	s.mu.Lock()
	s.report.ClientCertificate.Sent = &subject
	s.mu.Unlock()
	summary, explain := "chose "+subject,
		"Lockbox presents your client certificate so the server can check who you are; your private key never leaves this computer."
	switch source {
	case identityChosen:
		summary = "you chose " + subject
		explain = "You chose this client certificate when the server asked for one; Lockbox presents it so the server can check who you are, and your private key never leaves this computer."
	case identityRemembered:
		summary = "you chose " + subject + " (your answer for this session)"
		explain = "You chose this client certificate earlier in this session, so Lockbox presents it again without asking; your private key never leaves this computer."
	}
	if !id.Matches(cri.AcceptableCAs) {
		summary += " (its issuer is not among the CAs the server listed)"
	}
	em.Emit(trace.Info, "client_identity", summary, explain)
	if tls13 {
		em.Emit(trace.Send, "client_certificate", "sending "+subject+" (encrypted)",
			"Lockbox sent your certificate and a signature made with your private key, inside the encrypted handshake.")
	}
	return &id.Certificate, nil
}

// requestedButNotSent reports whether the server asked for a client
// certificate and none was sent: the likely reason a server then hangs up.
func (s *security) requestedButNotSent() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.report.ClientCertificate.Requested && s.report.ClientCertificate.Sent == nil
}

// ExplainHandshakeError turns a failed handshake (or the first read after a
// TLS 1.3 handshake, where a server's refusal of the client certificate
// arrives) into the error a user can act on.
func (s *security) ExplainHandshakeError(err error) error {
	var ue *UntrustedError
	var ie *InterceptionError
	if err == nil || errors.As(err, &ue) || errors.As(err, &ie) || ReasonOf(err) != ReasonNone {
		// Already explained: a reason found earlier (auto mode that cannot
		// fall back through a proxy, say) must not be taken for a
		// handshake refusal because the server once asked for a
		// certificate.
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// Ended by the user or the clock (perhaps while a client
		// certificate was being chosen), not refused by the server.
		return err
	}
	if s.requestedButNotSent() {
		s.mu.Lock()
		cas := append([]string(nil), s.report.ClientCertificate.AcceptableCAs...)
		s.mu.Unlock()
		return &ClientCertRequiredError{AcceptableCAs: cas, Err: err}
	}
	var alert tls.AlertError // how QUIC reports an alert; TCP's comes as remoteAlert
	if a, ok := remoteAlert(err); ok && a == alertCertificateRequired || errors.As(err, &alert) && uint8(alert) == alertCertificateRequired {
		return &ClientCertRequiredError{Err: err}
	}
	if ve, ok := versionError(err, s.base.MinVersion, s.base.MaxVersion); ok {
		return ve
	}
	return err
}

func connName(control bool) string {
	if control {
		return "control connection"
	}
	return "data connection"
}

func certSummary(chain []*x509.Certificate) string {
	leaf := chain[0]
	return fmt.Sprintf("%d certificate(s); %s, issued by %s", len(chain), leaf.Subject.String(), leaf.Issuer.String())
}

func shortFingerprint(der []byte) string {
	return trust.ShortFingerprint(trust.Fingerprint(der))
}

func verdictSummary(t Trust, problems []verify.Problem) string {
	var codes []string // in plain words: the window shows these too
	for _, p := range problems {
		codes = append(codes, verify.Title(p.Code))
	}
	switch t {
	case TrustVerified:
		if len(codes) > 0 {
			return "trusted (chain verified), warnings: " + strings.Join(codes, ", ")
		}
		return "trusted: chain verified to a trusted root"
	case TrustPinned:
		return "trusted: matches the certificate you pinned (" + strings.Join(codes, ", ") + ")"
	case TrustPinChanged:
		return "NOT trusted: the pinned certificate changed (" + strings.Join(codes, ", ") + ")"
	}
	return "NOT trusted: " + strings.Join(codes, ", ")
}

func verdictExplain(t Trust) string {
	switch t {
	case TrustVerified:
		return "A certificate authority you trust vouches for this server, and its name, dates and usage are right."
	case TrustPinned:
		return "Nobody vouches for this certificate, but it is exactly the one you accepted before for this server."
	case TrustPinChanged:
		return "The server shows a different certificate from the one you accepted before: this is how an interception looks."
	}
	return "Lockbox cannot confirm the server's identity; see the problems listed for why."
}
