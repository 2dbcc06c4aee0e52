package tlstap

import (
	"crypto/tls"
	"slices"
	"strings"
	"testing"

	"lockbox/client/trace"
)

var (
	tls13Steps = []string{
		"send client_hello", "recv server_hello", "recv change_cipher_spec",
		"recv encrypted_flight", "send change_cipher_spec", "send client_finished",
	}
	tls12Steps = []string{
		"send client_hello", "recv server_hello", "recv certificate", "recv server_key_exchange",
		"recv server_hello_done", "send client_key_exchange", "send change_cipher_spec", "send finished",
		"recv new_session_ticket", "recv change_cipher_spec", "recv finished",
	}
	tls12ResumedSteps = []string{
		"send client_hello", "recv server_hello", "recv new_session_ticket", "recv change_cipher_spec",
		"recv finished", "send change_cipher_spec", "send finished",
	}
	tls12ClientCertSteps = []string{
		"send client_hello", "recv server_hello", "recv certificate", "recv server_key_exchange",
		"recv certificate_request", "recv server_hello_done", "send client_certificate",
		"send client_key_exchange", "send certificate_verify", "send change_cipher_spec", "send finished",
		"recv new_session_ticket", "recv change_cipher_spec", "recv finished",
	}
	tls12NoClientCertSteps = []string{
		"send client_hello", "recv server_hello", "recv certificate", "recv server_key_exchange",
		"recv certificate_request", "recv server_hello_done", "send client_certificate",
		"send client_key_exchange", "send change_cipher_spec", "send finished",
		"recv new_session_ticket", "recv change_cipher_spec", "recv finished",
	}
	// The server's compatibility change_cipher_spec after a
	// HelloRetryRequest may travel in its own TCP segment and so be read
	// after the client's second hello; its position is checked separately.
	helloRetrySteps = []string{
		"send client_hello", "recv hello_retry_request",
		"send change_cipher_spec", "send client_hello", "recv server_hello",
		"recv encrypted_flight", "send client_finished",
	}
)

// handshakeCase is one real loopback handshake. With resume set, a first
// connection fills the session cache and the second one is checked.
type handshakeCase struct {
	name    string
	server  func(p *pki, c *tls.Config)
	client  func(p *pki, c *tls.Config)
	resume  bool
	wantErr bool
	want    []string
	// floating is a step that must occur exactly once, between the steps
	// at floatFrom and floatTo in want, at a point network timing decides.
	floating           string
	floatFrom, floatTo int
	check              func(t *testing.T, p *pki, r result)
}

func maxTLS12(_ *pki, c *tls.Config) { c.MaxVersion = tls.VersionTLS12 }

func requireClientCert(p *pki, c *tls.Config) {
	c.ClientAuth = tls.RequireAndVerifyClientCert
	c.ClientCAs = p.clientRoots
}

func withClientCert(p *pki, c *tls.Config) { c.Certificates = []tls.Certificate{p.client.TLS()} }

var handshakeCases = []handshakeCase{
	{name: "tls13", want: tls13Steps, check: func(t *testing.T, _ *pki, r result) {
		if r.facts.Resumed || r.facts.Group != r.state.CurveID || !r.facts.Encrypted {
			t.Errorf("facts = %+v, want new session, group %v, encrypted", r.facts, r.state.CurveID)
		}
		want := "TLS 1.3, " + tls.CipherSuiteName(r.state.CipherSuite) + ", key share " + r.state.CurveID.String() + ", new session"
		if got := summaryOf(r.steps, "server_hello"); got != want {
			t.Errorf("server_hello summary = %q, want %q", got, want)
		}
	}},
	{name: "tls13 resumed", resume: true, want: tls13Steps, check: func(t *testing.T, _ *pki, r result) {
		if !r.facts.Resumed || !strings.HasSuffix(summaryOf(r.steps, "server_hello"), ", resumed session") {
			t.Errorf("Resumed = %v, server_hello %q; want a resumed session", r.facts.Resumed, summaryOf(r.steps, "server_hello"))
		}
	}},
	{name: "tls13 client certificate", server: requireClientCert, client: withClientCert, want: tls13Steps,
		check: func(t *testing.T, _ *pki, r result) {
			if r.facts.CertificateRequested {
				t.Errorf("CertificateRequested = true, but TLS 1.3 encrypts the request")
			}
		}},
	{name: "tls12", server: maxTLS12, want: tls12Steps, check: func(t *testing.T, _ *pki, r result) {
		if r.facts.ServerCertificates != 2 || r.facts.Group != r.state.CurveID || r.facts.Resumed {
			t.Errorf("facts = %+v, want 2 server certificates, group %v, new session", r.facts, r.state.CurveID)
		}
		if got, want := summaryOf(r.steps, "certificate"), "2 certificates; leaf CN lockbox.test"; got != want {
			t.Errorf("certificate summary = %q, want %q", got, want)
		}
	}},
	{name: "tls12 resumed", server: maxTLS12, resume: true, want: tls12ResumedSteps,
		check: func(t *testing.T, _ *pki, r result) {
			if !r.facts.Resumed {
				t.Errorf("Resumed = false, want true")
			}
		}},
	{name: "tls12 client certificate", server: func(p *pki, c *tls.Config) { maxTLS12(p, c); requireClientCert(p, c) },
		client: withClientCert, want: tls12ClientCertSteps, check: func(t *testing.T, p *pki, r result) {
			wantCAs := []string{p.clientCA.Cert.Subject.String()}
			if !r.facts.CertificateRequested || !slices.Equal(r.facts.AcceptableCAs, wantCAs) {
				t.Errorf("CertificateRequested %v, AcceptableCAs %q; want true, %q",
					r.facts.CertificateRequested, r.facts.AcceptableCAs, wantCAs)
			}
			if got, want := summaryOf(r.steps, "certificate_request"), "1 acceptable CA: CN=Lockbox Client CA,O=Lockbox Test"; got != want {
				t.Errorf("certificate_request summary = %q, want %q", got, want)
			}
			if got, want := summaryOf(r.steps, "client_certificate"), "1 certificate; leaf CN alice"; got != want {
				t.Errorf("client_certificate summary = %q, want %q", got, want)
			}
		}},
	{name: "tls12 client certificate asked, none sent",
		server: func(p *pki, c *tls.Config) {
			maxTLS12(p, c)
			c.ClientAuth = tls.RequestClientCert
		},
		want: tls12NoClientCertSteps, check: func(t *testing.T, _ *pki, r result) {
			if got, want := summaryOf(r.steps, "client_certificate"), "no certificate sent"; got != want {
				t.Errorf("client_certificate summary = %q, want %q", got, want)
			}
		}},
	{name: "hello retry request",
		server: func(_ *pki, c *tls.Config) { c.CurvePreferences = []tls.CurveID{tls.CurveP256} },
		client: func(_ *pki, c *tls.Config) { c.CurvePreferences = []tls.CurveID{tls.X25519, tls.CurveP256} },
		want:   helloRetrySteps, floating: "recv change_cipher_spec", floatFrom: 1, floatTo: 4,
		check: func(t *testing.T, _ *pki, r result) {
			if !r.facts.HelloRetry || r.facts.Group != tls.CurveP256 {
				t.Errorf("HelloRetry %v, Group %v; want true, P-256", r.facts.HelloRetry, r.facts.Group)
			}
			if got, want := summaryOf(r.steps, "hello_retry_request"), "server asks for key share "+tls.CurveP256.String(); got != want {
				t.Errorf("hello_retry_request summary = %q, want %q", got, want)
			}
		}},
	{name: "version mismatch alert",
		server:  func(_ *pki, c *tls.Config) { c.MinVersion = tls.VersionTLS13 },
		client:  func(_ *pki, c *tls.Config) { c.MaxVersion = tls.VersionTLS12 },
		wantErr: true, want: []string{"send client_hello", "recv alert!"},
		check: func(t *testing.T, _ *pki, r result) {
			if want := "fatal: protocol_version (70)"; r.facts.Alert != want || summaryOf(r.steps, "alert") != want {
				t.Errorf("Alert = %q, step %q; want %q", r.facts.Alert, summaryOf(r.steps, "alert"), want)
			}
		}},
	{name: "client rejects the server certificate",
		server:  maxTLS12,
		client:  func(p *pki, c *tls.Config) { c.RootCAs = p.clientRoots },
		wantErr: true,
		want: []string{"send client_hello", "recv server_hello", "recv certificate", "recv server_key_exchange",
			"recv server_hello_done", "send alert!"},
		check: func(t *testing.T, _ *pki, r result) {
			if want := "fatal: bad_certificate (42)"; r.facts.Alert != want {
				t.Errorf("Alert = %q, want %q", r.facts.Alert, want)
			}
		}},
	{name: "client rejects the server certificate under TLS 1.3",
		client:  func(p *pki, c *tls.Config) { c.RootCAs = p.clientRoots },
		wantErr: true,
		want:    []string{"send client_hello", "recv server_hello", "recv change_cipher_spec", "recv encrypted_flight", "send change_cipher_spec", "send alert!"},
		check: func(t *testing.T, _ *pki, r result) {
			for _, s := range r.steps {
				if s.Name == "client_finished" {
					t.Errorf("an encrypted alert was reported as the client's Finished")
				}
			}
		}},
}

func TestRealHandshakes(t *testing.T) {
	p := newPKI(t)
	for _, tc := range handshakeCases {
		t.Run(tc.name, func(t *testing.T) {
			r := runCase(t, p, tc)
			if tc.wantErr != (r.err != nil) {
				t.Fatalf("handshake error = %v, want error %v", r.err, tc.wantErr)
			}
			checkSteps(t, tc, r.steps)
			if !tc.wantErr {
				checkAgreesWithTLS(t, r)
			}
			if tc.check != nil {
				tc.check(t, p, r)
			}
		})
	}
}

// checkSteps compares the names of steps with tc.want and tc.floating.
func checkSteps(t *testing.T, tc handshakeCase, steps []trace.Step) {
	t.Helper()
	got := stepNames(steps)
	if tc.floating != "" {
		i := slices.Index(got, tc.floating)
		if i < 0 || slices.Contains(got[i+1:], tc.floating) {
			t.Fatalf("steps %q: want %q exactly once", got, tc.floating)
		}
		got = slices.Delete(slices.Clone(got), i, i+1)
		if i <= slices.Index(got, tc.want[tc.floatFrom]) || i > slices.Index(got, tc.want[tc.floatTo]) {
			t.Fatalf("steps %q: %q should come after %q and before %q", stepNames(steps), tc.floating, tc.want[tc.floatFrom], tc.want[tc.floatTo])
		}
	}
	if !slices.Equal(got, tc.want) {
		t.Fatalf("steps:\n got %q\nwant %q", got, tc.want)
	}
}

// runCase runs tc and returns the result of its last connection.
func runCase(t *testing.T, p *pki, tc handshakeCase) result {
	srv := p.serverConfig()
	if tc.server != nil {
		tc.server(p, srv)
	}
	cli := p.clientConfig()
	cli.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	if tc.client != nil {
		tc.client(p, cli)
	}
	addr := startServer(t, srv)
	if tc.resume {
		if first := dialTapped(t, addr, cli); first.err != nil || first.facts.Resumed {
			t.Fatalf("first connection: err %v, resumed %v; want a new session", first.err, first.facts.Resumed)
		}
	}
	return dialTapped(t, addr, cli)
}

// checkAgreesWithTLS compares the tap's facts with what crypto/tls reports,
// and checks that the tap went quiet once the handshake was done.
func checkAgreesWithTLS(t *testing.T, r result) {
	t.Helper()
	f := r.facts
	if f.Version != r.state.Version || f.CipherSuite != r.state.CipherSuite || f.Resumed != r.state.DidResume {
		t.Errorf("facts version %x suite %x resumed %v; crypto/tls says %x %x %v",
			f.Version, f.CipherSuite, f.Resumed, r.state.Version, r.state.CipherSuite, r.state.DidResume)
	}
	if f.SNI != "lockbox.test" || !slices.Equal(f.ALPN, []string{"ftp"}) || !f.Encrypted || f.Alert != "" {
		t.Errorf("facts = %+v, want SNI lockbox.test, ALPN ftp, encrypted, no alert", f)
	}
	if !slices.Contains(f.OfferedVersions, f.Version) || f.CipherSuitesOffered == 0 || len(f.GroupsOffered) == 0 {
		t.Errorf("facts = %+v, want the offer to include the negotiated version, suites and groups", f)
	}
	if !r.passthrough {
		t.Errorf("the tap still parses after the handshake; want pure passthrough")
	}
	for _, s := range r.steps {
		if s.Failed || s.Summary == "" || s.Explain == "" {
			t.Errorf("step %+v: want a summary, an explanation and no failure", s)
		}
	}
}

// summaryOf returns the summary of the first step called name.
func summaryOf(steps []trace.Step, name string) string {
	for _, s := range steps {
		if s.Name == name {
			return s.Summary
		}
	}
	return ""
}
