//go:build linux

package client

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"lockbox/client/certgen"
	"lockbox/client/identity"
	"lockbox/client/servertest"
	"lockbox/client/trace"
)

// The interoperability matrix: the engine against real vsftpd, ProFTPD,
// Pure-FTPd and nginx, under TLS 1.2 and TLS 1.3, with and without client
// certificates. Each case logs one markdown row, and the whole table is
// written to the file named by LOCKBOX_INTEROP_TABLE when it is set:
//
//	LANG=en_US.UTF-8 CI=true LOCKBOX_INTEROP_TABLE=/tmp/interop.md go test -race -run Interop -v ./client/

// interopServer is what a case needs from a running FTP server.
type interopServer struct {
	addr, user, password, root string
	client                     *certgen.Cert // the identity it accepts, when it requires one
}

// interopFTP is one FTP server variant of the matrix.
type interopFTP struct {
	server, mode string // table columns
	scheme       string // ftpes or ftps
	clientCert   bool
	// resumes reports whether the engine's data connections resume the
	// control connection's session at this version (all of them must when
	// the server requires it).
	resumes func(version uint16) bool
	start   func(t *testing.T, p *pki) interopServer
}

// interopRow is one line of the table.
type interopRow struct{ server, tls, mode, result string }

func (r interopRow) String() string {
	return fmt.Sprintf("| %s | %s | %s | %s |", r.server, r.tls, r.mode, strings.ReplaceAll(r.result, "|", `\|`))
}

// interopTable collects rows from parallel subtests, in plan order.
type interopTable struct {
	mu   sync.Mutex
	rows []interopRow
}

// add reserves a row and returns a function that fills in its result
// and logs it.
func (tb *interopTable) add(server, tlsName, mode string) func(t *testing.T, result string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	i := len(tb.rows)
	tb.rows = append(tb.rows, interopRow{server: server, tls: tlsName, mode: mode, result: "not run"})
	return func(t *testing.T, result string) {
		tb.mu.Lock()
		tb.rows[i].result = result
		row := tb.rows[i]
		tb.mu.Unlock()
		t.Log(row.String())
	}
}

func (tb *interopTable) markdown() string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var b strings.Builder
	b.WriteString("| server | TLS | mode | result |\n|---|---|---|---|\n")
	for _, r := range tb.rows {
		b.WriteString(r.String() + "\n")
	}
	return b.String()
}

var interopVersions = []uint16{tls.VersionTLS12, tls.VersionTLS13}

// interopOptions bounds the connection to exactly version v: MaxVersion
// for TLS 1.2, MinVersion for TLS 1.3.
func interopOptions(p *pki, v uint16, id *identity.Identity) Options {
	o := Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true, Identity: id, Timeout: 20 * time.Second}
	if v == tls.VersionTLS12 {
		o.MaxVersion = v
	} else {
		o.MinVersion = v
	}
	return o
}

// loadIdentity writes c to PEM files and loads it as the engine would.
func loadIdentity(t *testing.T, c *certgen.Cert) *identity.Identity {
	t.Helper()
	certFile, keyFile, err := c.WriteFiles(t.TempDir(), "client")
	if err != nil {
		t.Fatal(err)
	}
	id, err := identity.LoadPEM(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// stepDump renders steps one per line, for failure messages.
func stepDump(steps []trace.Step) string {
	var b strings.Builder
	for _, s := range steps {
		failed := ""
		if s.Failed {
			failed = " FAILED"
		}
		fmt.Fprintf(&b, "\n  %-8s %-4s %-20s %s%s", s.Conn, s.Dir, s.Name, s.Summary, failed)
	}
	return b.String()
}

var interopFiles = map[string][]byte{
	"hello.txt":    []byte("hello from a real FTP server\n"),
	"pub/data.bin": bytes.Repeat([]byte{0, 1, 2, 0xfe, 0xff}, 20000),
}

func vsftpdInterop(implicit, clientCert bool) func(t *testing.T, p *pki) interopServer {
	return func(t *testing.T, p *pki) interopServer {
		s := servertest.StartVsftpd(t, servertest.VsftpdConfig{Implicit: implicit, RequireClientCert: clientCert,
			ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter}, Files: interopFiles})
		return interopServer{addr: s.Addr, user: s.User, password: s.Password, root: s.Root, client: s.ClientCert}
	}
}

func proftpdInterop(cfg servertest.ProFTPDConfig) func(t *testing.T, p *pki) interopServer {
	return func(t *testing.T, p *pki) interopServer {
		cfg.ServerCert, cfg.ServerChain, cfg.Files = p.Leaf, []*certgen.Cert{p.Inter}, interopFiles
		s := servertest.StartProFTPD(t, cfg)
		return interopServer{addr: s.Addr, user: s.User, password: s.Password, root: s.Root, client: s.ClientCert}
	}
}

func pureftpdInterop(clientCert bool) func(t *testing.T, p *pki) interopServer {
	return func(t *testing.T, p *pki) interopServer {
		s := servertest.StartPureFTPd(t, servertest.PureFTPdConfig{RequireClientCert: clientCert,
			ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter}, Files: interopFiles})
		return interopServer{addr: s.Addr, user: s.User, password: s.Password, root: s.Root, client: s.ClientCert}
	}
}

func always(uint16) bool { return true }

func TestInterop(t *testing.T) {
	p := newPKI(t)
	var ftps []interopFTP
	for _, cert := range []bool{false, true} {
		ftps = append(ftps,
			interopFTP{"vsftpd 3.0.3", "explicit", "ftpes", cert, always, vsftpdInterop(false, cert)},
			interopFTP{"vsftpd 3.0.3", "implicit", "ftps", cert, always, vsftpdInterop(true, cert)},
			interopFTP{"ProFTPD 1.3.8", "explicit", "ftpes", cert, always, proftpdInterop(servertest.ProFTPDConfig{RequireClientCert: cert})},
			interopFTP{"ProFTPD 1.3.8", "implicit", "ftps", cert, always, proftpdInterop(servertest.ProFTPDConfig{Implicit: true, RequireClientCert: cert})},
			// Pure-FTPd issues no TLS 1.3 session tickets and does not
			// require reuse (see servertest.pureSession).
			interopFTP{"Pure-FTPd 1.0.50", "explicit", "ftpes", cert, func(v uint16) bool { return v == tls.VersionTLS12 }, pureftpdInterop(cert)},
		)
	}
	table := &interopTable{}
	t.Run("matrix", func(t *testing.T) {
		for _, f := range ftps {
			mode := f.mode
			if f.clientCert {
				mode += " + client cert"
			}
			var fills []func(*testing.T, string)
			var noCert []func(*testing.T, string)
			for _, v := range interopVersions {
				fills = append(fills, table.add(f.server, tls.VersionName(v), mode))
				if f.clientCert {
					noCert = append(noCert, table.add(f.server, tls.VersionName(v), f.mode+", cert required, none sent"))
				}
			}
			t.Run(f.server+" "+mode, func(t *testing.T) {
				t.Parallel()
				srv := f.start(t, p)
				var id *identity.Identity
				if f.clientCert {
					id = loadIdentity(t, srv.client)
				}
				for i, v := range interopVersions {
					t.Run(tls.VersionName(v), func(t *testing.T) {
						interopFTPCase(t, fills[i], f, srv, interopOptions(p, v, id), v)
					})
					if f.clientCert {
						t.Run(tls.VersionName(v)+" without certificate", func(t *testing.T) {
							interopNoCert(t, noCert[i], f, srv, interopOptions(p, v, nil))
						})
					}
				}
			})
		}

		// ProFTPD capped at TLS 1.2 with its default TLSSessionTickets
		// off: it requires session reuse, and Go's TLS resumes TLS 1.2
		// only with tickets, so every data connection is refused.
		fill := table.add("ProFTPD 1.3.8", "TLS 1.2", "explicit, server TLS 1.2 only, no session tickets")
		t.Run("ProFTPD TLS 1.2 only without tickets", func(t *testing.T) {
			t.Parallel()
			srv := proftpdInterop(servertest.ProFTPDConfig{TLS12Only: true})(t, p)
			interopNoTickets(t, fill, srv, interopOptions(p, tls.VersionTLS12, nil))
		})

		var nginxFills [][2]func(*testing.T, string)
		for _, v := range interopVersions {
			nginxFills = append(nginxFills, [2]func(*testing.T, string){
				table.add("nginx 1.22", tls.VersionName(v), "HTTPS, cert required, none sent"),
				table.add("nginx 1.22", tls.VersionName(v), "HTTPS + client cert"),
			})
		}
		t.Run("nginx", func(t *testing.T) {
			t.Parallel()
			srv := servertest.StartNginx(t, servertest.NginxConfig{RequireClientCert: true,
				ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter}, Files: map[string][]byte{"hello.txt": []byte("hello over HTTPS\n")}})
			id := loadIdentity(t, srv.ClientCert)
			for i, v := range interopVersions {
				t.Run(tls.VersionName(v), func(t *testing.T) {
					interopNginx(t, nginxFills[i], srv, p, v, id)
				})
			}
		})
	})

	md := table.markdown()
	t.Log("interop matrix:\n" + md)
	if path := os.Getenv("LOCKBOX_INTEROP_TABLE"); path != "" {
		if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
			t.Errorf("writing LOCKBOX_INTEROP_TABLE: %v", err)
		}
	}
}

// interopFTPCase connects, lists "/", downloads a file, uploads one,
// reads it back and checks every data connection against f.resumes.
func interopFTPCase(t *testing.T, fill func(*testing.T, string), f interopFTP, srv interopServer, opts Options, v uint16) {
	var steps []trace.Step
	fail := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		fill(t, "FAIL: "+msg)
		t.Fatalf("%s\ntrace:%s", msg, stepDump(steps))
	}
	tg := mustTarget(t, f.scheme+"://"+srv.user+"@"+srv.addr+"/")
	tg.Password = srv.password
	sess, report, err := Connect(bg, tg, opts)
	if report != nil {
		steps = report.Steps
	}
	if err != nil {
		fail("connect: %v", err)
	}
	defer sess.Close()
	if report.TLS == nil || report.TLS.Version != tls.VersionName(v) || report.Trust != TrustVerified {
		fail("TLS %+v, trust %s, problems %v", report.TLS, report.Trust, codes(report.Problems))
	}
	if opts.Identity != nil && report.ClientCertificate.Sent == nil {
		fail("the server required a client certificate and the report shows none sent")
	}
	entries, err := sess.List("/")
	steps = sess.Report().Steps
	if err != nil {
		fail("list /: %v", err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name)
	}
	if !slices.Contains(got, "hello.txt") || !slices.Contains(got, "pub") {
		fail("list / = %v, want hello.txt and pub", got)
	}

	ctx := t.Context()
	var down bytes.Buffer
	n, err := sess.Download(ctx, "/hello.txt", 0, &down, nil, nil)
	steps = sess.Report().Steps
	if err != nil || !bytes.Equal(down.Bytes(), interopFiles["hello.txt"]) {
		fail("download hello.txt: %d bytes, %v", n, err)
	}
	var big bytes.Buffer
	if _, err := sess.Download(ctx, "/pub/data.bin", 0, &big, nil, nil); err != nil || !bytes.Equal(big.Bytes(), interopFiles["pub/data.bin"]) {
		steps = sess.Report().Steps
		fail("download pub/data.bin: %d bytes, %v", big.Len(), err)
	}

	name := fmt.Sprintf("up-%s-%d.bin", strings.ReplaceAll(f.mode, " ", "-"), v)
	up := bytes.Repeat([]byte("lockbox upload "+name+"\n"), 700)
	if _, err := sess.Upload(ctx, "/"+name, bytes.NewReader(up), 0, nil, nil); err != nil {
		steps = sess.Report().Steps
		fail("upload %s: %v", name, err)
	}
	if onDisk, err := os.ReadFile(filepath.Join(srv.root, name)); err != nil || !bytes.Equal(onDisk, up) {
		fail("uploaded %s on the server: %d bytes, %v", name, len(onDisk), err)
	}
	var back bytes.Buffer
	if _, err := sess.Download(ctx, "/"+name, 0, &back, nil, nil); err != nil || !bytes.Equal(back.Bytes(), up) {
		steps = sess.Report().Steps
		fail("download of the upload: %d bytes, %v", back.Len(), err)
	}

	steps = sess.Report().Steps
	data, resumed := 0, 0
	for _, s := range steps {
		if strings.HasPrefix(s.Conn, "data ") && s.Name == "handshake_done" {
			data++
			if strings.Contains(s.Summary, "resumed: yes") {
				resumed++
			}
		}
	}
	wantResumed := 0
	if f.resumes(v) {
		wantResumed = data
	}
	if data != 5 || resumed != wantResumed {
		fail("%d data connections, %d resumed; want 5 and %d", data, resumed, wantResumed)
	}
	result := fmt.Sprintf("ok: %s, list %d entries, download %d B + %d B, upload %d B round trip, data TLS resumed %d/%d",
		report.TLS.CipherSuite, len(entries), down.Len(), big.Len(), len(up), resumed, data)
	if opts.Identity != nil {
		result += ", client cert sent"
	}
	if len(report.Problems) > 0 {
		result += ", problems: " + strings.Join(codes(report.Problems), ",")
	}
	fill(t, result)
}

// interopNoCert connects without a certificate to a server that requires
// one: the engine must say so.
func interopNoCert(t *testing.T, fill func(*testing.T, string), f interopFTP, srv interopServer, opts Options) {
	tg := mustTarget(t, f.scheme+"://"+srv.user+"@"+srv.addr+"/")
	tg.Password = srv.password
	sess, report, err := Connect(bg, tg, opts)
	if err == nil {
		sess.Close()
		fill(t, "FAIL: logged in without a client certificate")
		t.Fatal("logged in without a client certificate")
	}
	var cr *ClientCertRequiredError
	if !errors.As(err, &cr) || !report.ClientCertificate.Requested || report.ClientCertificate.Sent != nil {
		fill(t, fmt.Sprintf("FAIL: %T %v (requested %v)", err, err, report.ClientCertificate.Requested))
		t.Fatalf("err = %v, client certificate %+v\ntrace:%s", err, report.ClientCertificate, stepDump(report.Steps))
	}
	step := "?"
	var se *StepError
	if errors.As(err, &se) {
		step = se.Step
	}
	fill(t, fmt.Sprintf("refused as expected: ClientCertRequiredError at step %s (certificate requested, none sent)", step))
}

// interopNoTickets: connect and log in work, the first data connection is
// refused because it cannot resume.
func interopNoTickets(t *testing.T, fill func(*testing.T, string), srv interopServer, opts Options) {
	tg := mustTarget(t, "ftpes://"+srv.user+"@"+srv.addr+"/")
	tg.Password = srv.password
	sess, report, err := Connect(bg, tg, opts)
	if err != nil {
		fill(t, "FAIL: connect: "+err.Error())
		t.Fatalf("connect: %v\ntrace:%s", err, stepDump(report.Steps))
	}
	defer sess.Close()
	_, err = sess.List("/")
	var se *StepError
	if err == nil || !errors.As(err, &se) || !strings.HasPrefix(se.Reply, "425") {
		fill(t, fmt.Sprintf("FAIL: list: %v", err))
		t.Fatalf("list = %v, want a 425 refusal\ntrace:%s", err, stepDump(sess.Report().Steps))
	}
	// The user must be told why, and what to do.
	if !strings.Contains(err.Error(), "no session ticket") || ReasonOf(err) != ReasonResumptionNeedsTickets {
		fill(t, fmt.Sprintf("FAIL: unexplained: %v", err))
		t.Fatalf("the refusal is not explained: %v", err)
	}
	t.Logf("no tickets, trace:%s", stepDump(sess.Report().Steps))
	fill(t, "refused as expected (Go resumes TLS 1.2 only with tickets): "+err.Error())
}

// interopNginx inspects a static file on nginx with ssl_verify_client on,
// without and with the client identity.
func interopNginx(t *testing.T, fills [2]func(*testing.T, string), srv *servertest.Nginx, p *pki, v uint16, id *identity.Identity) {
	tg := mustTarget(t, srv.URL+"/hello.txt")
	status := func(r *Report) string {
		for _, s := range r.Steps {
			if s.Name == "http_response" {
				status, _, _ := strings.Cut(s.Summary, " | ")
				return status
			}
		}
		return "no response"
	}

	report, err := Inspect(bg, tg, interopOptions(p, v, nil))
	switch {
	case err != nil:
		fills[0](t, "FAIL: "+err.Error())
		t.Errorf("without identity: %v\ntrace:%s", err, stepDump(report.Steps))
	case !report.ClientCertificate.Requested || report.ClientCertificate.Sent != nil || !strings.Contains(status(report), "400"):
		fills[0](t, fmt.Sprintf("FAIL: requested %v, sent %v, %s", report.ClientCertificate.Requested, report.ClientCertificate.Sent, status(report)))
		t.Errorf("without identity: client certificate %+v, response %s\ntrace:%s", report.ClientCertificate, status(report), stepDump(report.Steps))
	default:
		fills[0](t, fmt.Sprintf("certificate requested (acceptable CAs: %s), none sent; %s", strings.Join(report.ClientCertificate.AcceptableCAs, "; "), status(report)))
	}

	report, err = Inspect(bg, tg, interopOptions(p, v, id))
	switch {
	case err != nil:
		fills[1](t, "FAIL: "+err.Error())
		t.Errorf("with identity: %v\ntrace:%s", err, stepDump(report.Steps))
	case report.ClientCertificate.Sent == nil || !strings.Contains(status(report), "200") || report.Trust != TrustVerified || report.TLS.Version != tls.VersionName(v):
		fills[1](t, fmt.Sprintf("FAIL: sent %v, %s, trust %s", report.ClientCertificate.Sent, status(report), report.Trust))
		t.Errorf("with identity: client certificate %+v, response %s, trust %s\ntrace:%s", report.ClientCertificate, status(report), report.Trust, stepDump(report.Steps))
	default:
		fills[1](t, fmt.Sprintf("ok: %s, sent %q; %s", report.TLS.CipherSuite, *report.ClientCertificate.Sent, status(report)))
	}
}
