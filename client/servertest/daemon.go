//go:build linux

package servertest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"lockbox/client/certgen"
)

// Helpers shared by the vsftpd, ProFTPD, Pure-FTPd and nginx harnesses:
// where the unpacked servers live, the served folder and certificate
// files, and one child process started on a reserved port block.

const (
	// UnpackedRootEnv names the environment variable that overrides
	// DefaultUnpackedRoot.
	UnpackedRootEnv = "LOCKBOX_TEST_SERVERS"
	// DefaultUnpackedRoot is where ./dev unpacks (apt-get download + dpkg
	// -x) the Debian packages that cannot be installed next to vsftpd:
	// proftpd-core, proftpd-mod-crypto, pure-ftpd and pure-ftpd-common all
	// provide ftp-server and conflict with it.
	DefaultUnpackedRoot = "/opt/lockbox-test-servers"
)

// startupTimeout bounds how long a server may take to answer its first
// readiness probe.
const startupTimeout = 15 * time.Second

// UnpackedRoot is the folder holding the unpacked server packages.
func UnpackedRoot() string {
	if d := os.Getenv(UnpackedRootEnv); d != "" {
		return d
	}
	return DefaultUnpackedRoot
}

// LookServerBinary finds name like LookBinary (PATH, then the sbin
// directories: an apt-installed server wins), then in the usr/sbin and
// usr/bin folders of UnpackedRoot.
func LookServerBinary(name string) (string, error) {
	if p, err := LookBinary(name); err == nil {
		return p, nil
	}
	root := UnpackedRoot()
	for _, dir := range []string{"usr/sbin", "usr/bin", "sbin", "bin"} {
		p := filepath.Join(root, dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("servertest: %q not found on PATH, in %v or under %s: %w", name, sbinDirs, root, exec.ErrNotFound)
}

// requireServerBinary is RequireBinary for the servers ./dev unpacks: a
// missing binary fails the test when CI=true and skips it otherwise.
func requireServerBinary(t testing.TB, name string) string {
	t.Helper()
	p, err := LookServerBinary(name)
	if err != nil {
		unavailable(t, fmt.Sprintf("%v (run ./dev test, which unpacks it into %s, or set %s)", err, UnpackedRoot(), UnpackedRootEnv))
	}
	return p
}

// requireRoot fails (CI) or skips the test unless it runs as root.
func requireRoot(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		unavailable(t, fmt.Sprintf("%v: %s", errNotRoot, why))
	}
}

// serverDir makes a private folder for one server (configuration, logs,
// keys) with a served folder "root" in it holding files, owned by acct.
// Every ancestor of the served folder must be searchable by acct, which
// servers that switch to it before they chroot or read need.
func serverDir(prefix string, files map[string][]byte, acct ftpAccount) (dir, root string, err error) {
	dir, err = os.MkdirTemp("", prefix)
	if err != nil {
		return "", "", fmt.Errorf("temp dir: %w", err)
	}
	root = filepath.Join(dir, "root")
	if strings.ContainsAny(dir, " \t\n\"'\\;{}#") {
		return dir, root, fmt.Errorf("temp dir %q contains characters a server configuration cannot express", dir)
	}
	if err := os.Chmod(dir, 0o711); err != nil {
		return dir, root, fmt.Errorf("chmod %s: %w", dir, err)
	}
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return dir, root, fmt.Errorf("stat %s: %w", d, err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return dir, root, fmt.Errorf("%s (an ancestor of the served root) is not searchable by others (mode %v); set TMPDIR elsewhere", d, fi.Mode().Perm())
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	if err := mkdirOwned(root, acct); err != nil {
		return dir, root, err
	}
	for name, data := range files {
		rel := filepath.FromSlash(name)
		if !filepath.IsLocal(rel) {
			return dir, root, fmt.Errorf("file %q: not a local relative path", name)
		}
		p := filepath.Join(root, rel)
		if err := mkdirAllOwned(root, filepath.Dir(p), acct); err != nil {
			return dir, root, err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return dir, root, fmt.Errorf("file %q: %w", name, err)
		}
		if err := os.Chown(p, acct.uid, acct.gid); err != nil {
			return dir, root, fmt.Errorf("file %q: %w", name, err)
		}
	}
	return dir, root, nil
}

// tlsFiles are a server's certificate files, written by writeTLSFiles.
type tlsFiles struct {
	// Server is the server's certificate; CA and Client are nil unless a
	// client certificate is required.
	Server, CA, Client *certgen.Cert
	// Cert holds the leaf only, Key its private key, Chain the
	// intermediates only ("" when there are none), FullChain the leaf
	// followed by the intermediates and CAFile the client CA ("" when
	// none).
	Cert, Key, Chain, FullChain, CAFile string
}

// writeTLSFiles writes the server certificate (generated self-signed for
// 127.0.0.1 and localhost when server is nil) and, with requireClient, a
// generated client CA and a client certificate signed by it.
func writeTLSFiles(dir string, server *certgen.Cert, chain []*certgen.Cert, requireClient bool) (tlsFiles, error) {
	f := tlsFiles{Server: server}
	var err error
	if f.Server == nil {
		f.Server, err = certgen.New(certgen.Spec{
			CommonName: "127.0.0.1",
			DNSNames:   []string{"localhost"},
			IPs:        []net.IP{net.IPv4(127, 0, 0, 1)},
		}, nil)
		if err != nil {
			return f, fmt.Errorf("server certificate: %w", err)
		}
	}
	if f.Cert, f.Key, err = f.Server.WriteFiles(dir, "server"); err != nil {
		return f, fmt.Errorf("server certificate files: %w", err)
	}
	if f.FullChain, _, err = f.Server.WriteFiles(dir, "server-fullchain", chain...); err != nil {
		return f, fmt.Errorf("server chain files: %w", err)
	}
	if len(chain) > 0 {
		var pemBytes []byte
		for _, c := range chain {
			pemBytes = append(pemBytes, c.CertPEM()...)
		}
		f.Chain = filepath.Join(dir, "chain.crt")
		if err := os.WriteFile(f.Chain, pemBytes, 0o600); err != nil {
			return f, fmt.Errorf("chain file: %w", err)
		}
	}
	if requireClient {
		if f.CA, f.Client, f.CAFile, err = writeClientPKI(dir); err != nil {
			return f, err
		}
	}
	return f, nil
}

// writeClientPKI makes a client CA and a client certificate it signed, and
// writes the CA to dir/client-ca.crt for the server to verify clients with.
func writeClientPKI(dir string) (ca, client *certgen.Cert, caFile string, err error) {
	ca, err = certgen.New(certgen.Spec{CommonName: "Lockbox Test Client CA", IsCA: true}, nil)
	if err != nil {
		return nil, nil, "", fmt.Errorf("client CA: %w", err)
	}
	client, err = certgen.New(certgen.Spec{
		CommonName:  "lockbox-test-client",
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, ca)
	if err != nil {
		return nil, nil, "", fmt.Errorf("client certificate: %w", err)
	}
	caFile = filepath.Join(dir, "client-ca.crt")
	if err := os.WriteFile(caFile, ca.CertPEM(), 0o600); err != nil {
		return nil, nil, "", fmt.Errorf("client CA file: %w", err)
	}
	return ca, client, caFile, nil
}

// daemon describes one server child process for runDaemon.
type daemon struct {
	name string   // for messages: "proftpd", "pure-ftpd", "nginx"
	bin  string   // executable
	args []string // arguments
	env  []string // full environment; nil means the test's
	// outPath receives the child's stdout and stderr.
	outPath string
	// outOnStdin makes outPath (opened read-write) the child's stdin too.
	outOnStdin bool
	// probe checks once whether our server answers; nil means ready.
	probe func() error
	// busy reports whether the output says the port could not be bound.
	busy func(out string) bool
}

// runDaemon starts d and waits until d.probe succeeds. It returns
// errPortBusy (wrapped) when the server exited because its port was taken.
func runDaemon(d daemon) (*process, error) {
	out, err := os.OpenFile(d.outPath, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("output file: %w", err)
	}
	defer out.Close()
	cmd := exec.Command(d.bin, d.args...)
	cmd.Stdout, cmd.Stderr = out, out
	if d.outOnStdin {
		cmd.Stdin = out
	}
	cmd.Env = d.env
	p, err := startProcess(cmd)
	if err != nil {
		return nil, fmt.Errorf("exec %s: %w", d.bin, err)
	}
	if err := waitDaemon(p, d); err != nil {
		if stopErr := p.stop(); stopErr != nil {
			err = fmt.Errorf("%w (and stopping it: %v)", err, stopErr)
		}
		return nil, err
	}
	return p, nil
}

// waitDaemon polls d.probe until it succeeds, the process exits or
// startupTimeout passes.
func waitDaemon(p *process, d daemon) error {
	deadline := time.NewTimer(startupTimeout)
	defer deadline.Stop()
	for {
		lastErr := d.probe()
		if lastErr == nil {
			return nil
		}
		select {
		case <-p.done:
			b, _ := os.ReadFile(d.outPath)
			msg := strings.TrimSpace(string(b))
			if d.busy != nil && d.busy(msg) {
				return fmt.Errorf("%w: %s: %s", errPortBusy, d.name, msg)
			}
			return fmt.Errorf("%s exited during startup (%v): %s", d.name, p.waitErr, msg)
		case <-deadline.C:
			return fmt.Errorf("%s not ready after %v: %w", d.name, startupTimeout, lastErr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// launch reserves a port block, calls start with its base port and
// retries with another block while start reports errPortBusy. The running
// process is stopped (with every process it forked) and the block released
// in t.Cleanup; on failure logTail is added to the message.
func launch(t testing.TB, name string, start func(base int) (*process, error), logTail func() string) {
	t.Helper()
	tried := map[int]bool{}
	var lastErr error
	for range 8 {
		base, lock, err := reservePortBlock(tried)
		if err != nil {
			t.Fatalf("servertest: reserving ports for %s: %v", name, err)
		}
		p, err := start(base)
		if errors.Is(err, errPortBusy) {
			lastErr = err
			lock.Close()
			continue
		}
		if err != nil {
			lock.Close()
			t.Fatalf("servertest: starting %s: %v%s", name, err, logTail())
		}
		t.Cleanup(func() {
			if err := p.stop(); err != nil {
				t.Errorf("servertest: stopping %s: %v", name, err)
			}
			lock.Close()
			if t.Failed() {
				t.Logf("servertest: %s on port %d%s", name, base, logTail())
			}
		})
		return
	}
	t.Fatalf("servertest: %s could not bind a port after 8 attempts: %v", name, lastErr)
}

// removeOnCleanup removes dir when the test ends.
func removeOnCleanup(t testing.TB, dir string) {
	if dir == "" {
		return
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("servertest: removing %s: %v", dir, err)
		}
	})
}

// tailFiles returns the last lines of each non-empty file, for failure
// messages.
func tailFiles(paths ...string) string {
	var b strings.Builder
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil || len(data) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		fmt.Fprintf(&b, "\n--- %s (tail) ---\n%s", p, strings.Join(lines, "\n"))
	}
	return b.String()
}

// nobody returns the names of the unprivileged user "nobody" and of its
// primary group, which servers started as root (nginx's workers,
// tinyproxy) switch to.
func nobody() (userName, groupName string, err error) {
	u, err := user.Lookup("nobody")
	if err != nil {
		return "", "", fmt.Errorf("unprivileged user: %w", err)
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		return "", "", fmt.Errorf("group of %s: %w", u.Username, err)
	}
	return u.Username, g.Name, nil
}

// envWithout returns the test's environment without the named variables,
// plus extra.
func envWithout(names []string, extra ...string) []string {
	var env []string
	for _, e := range os.Environ() {
		drop := false
		for _, n := range names {
			if strings.HasPrefix(e, n+"=") {
				drop = true
			}
		}
		if !drop {
			env = append(env, e)
		}
	}
	return append(env, extra...)
}

// tls12OnlyOpenSSLConf caps OpenSSL, and so a server that uses its
// default configuration, at TLS 1.2.
const tls12OnlyOpenSSLConf = `# Written by lockbox/client/servertest: cap the server at TLS 1.2.
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1.2
MaxProtocol = TLSv1.2
`

// opensslEnv returns the environment for a server that has no option to
// cap its TLS version (vsftpd, Pure-FTPd): the test's without
// OPENSSL_CONF and, with tls12Only, OPENSSL_CONF naming dir/openssl.cnf,
// which it writes with tls12OnlyOpenSSLConf.
func opensslEnv(dir string, tls12Only bool) ([]string, error) {
	if !tls12Only {
		return envWithout([]string{"OPENSSL_CONF"}), nil
	}
	conf := filepath.Join(dir, "openssl.cnf")
	if err := os.WriteFile(conf, []byte(tls12OnlyOpenSSLConf), 0o600); err != nil {
		return nil, fmt.Errorf("openssl.cnf: %w", err)
	}
	return envWithout([]string{"OPENSSL_CONF"}, "OPENSSL_CONF="+conf), nil
}

// cryptPassword hashes password with SHA-512 crypt ("$6$...") using
// openssl, for the password files of ProFTPD and Pure-FTPd. The password
// goes through stdin, never the command line.
func cryptPassword(password string) (string, error) {
	bin, err := LookBinary("openssl")
	if err != nil {
		return "", fmt.Errorf("hashing the password: %w (install it: apt-get install openssl)", err)
	}
	cmd := exec.Command(bin, "passwd", "-6", "-stdin")
	cmd.Stdin = strings.NewReader(password + "\n")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("openssl passwd: %w: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", fmt.Errorf("openssl passwd: %w", err)
	}
	h := strings.TrimSpace(string(out))
	if !strings.HasPrefix(h, "$6$") || strings.ContainsAny(h, ":\n") {
		return "", fmt.Errorf("openssl passwd: unexpected hash %q", h)
	}
	return h, nil
}

// FTPServer is what the vsftpd, ProFTPD and Pure-FTPd servers have in
// common.
type FTPServer struct {
	// Addr is the control address, "127.0.0.1:PORT".
	Addr string
	// Root is the served directory (the chroot of the FTP user).
	Root string
	// User and Password log in with USER/PASS.
	User, Password string
	// Implicit is true when TLS starts at once (implicit FTPS).
	Implicit bool
	// CACert signs client certificates when a client certificate is
	// required (else nil).
	CACert *certgen.Cert
	// ClientCert is a client identity signed by CACert (else nil).
	ClientCert *certgen.Cert
	// ServerCert is the certificate the server presents.
	ServerCert *certgen.Cert
	// LogPath is the server's main log; ConfigPath its generated
	// configuration (empty for servers configured on the command line).
	LogPath, ConfigPath string
	// PasvMinPort and PasvMaxPort bound the passive data ports.
	PasvMinPort, PasvMaxPort int

	dir   string
	nonce string
	// logs are the files shown when a test fails.
	logs []string
}

// newFTPServer makes the folder of an FTP server that logs acct in (see
// serverDir) and returns the FTPServer for it, with a fresh banner nonce.
// Its dir is set whenever a folder was made, even on error.
func newFTPServer(name string, files map[string][]byte, acct ftpAccount, implicit bool) (FTPServer, error) {
	dir, root, err := serverDir("lockbox-"+name+"-", files, acct)
	return FTPServer{
		Root:     root,
		User:     acct.name,
		Password: acct.password,
		Implicit: implicit,
		dir:      dir,
		nonce:    randomHex(8),
	}, err
}

// setupTLS writes the certificate files into the server folder (see
// writeTLSFiles) and records the certificates.
func (s *FTPServer) setupTLS(server *certgen.Cert, chain []*certgen.Cert, requireClient bool) error {
	f, err := writeTLSFiles(s.dir, server, chain, requireClient)
	s.ServerCert, s.CACert, s.ClientCert = f.Server, f.CA, f.Client
	return err
}

// setPorts fills in the addresses for the port block at base.
func (s *FTPServer) setPorts(base int) {
	s.Addr = net.JoinHostPort("127.0.0.1", fmt.Sprint(base))
	s.PasvMinPort, s.PasvMaxPort = base+1, base+portBlock-1
}

// logTail returns the end of the server's logs, for failure messages.
func (s *FTPServer) logTail() string { return tailFiles(s.logs...) }

// dialProbe opens one connection to addr for a readiness probe, with a
// deadline for the whole exchange.
func dialProbe(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// probeCert does one TLS handshake with addr, presenting client when it is
// not nil, and checks the server shows want, so another server on the port
// is not mistaken for ours.
func probeCert(addr string, want *x509.Certificate, client *certgen.Cert) error {
	c, err := dialProbe(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	tc := &tls.Config{InsecureSkipVerify: true} // compared below
	if client != nil {
		tc.Certificates = []tls.Certificate{client.TLS()}
	}
	tconn := tls.Client(c, tc)
	if err := tconn.Handshake(); err != nil {
		return fmt.Errorf("TLS handshake: %w", err)
	}
	certs := tconn.ConnectionState().PeerCertificates
	if len(certs) == 0 || !certs[0].Equal(want) {
		return errors.New("another server answers on " + addr)
	}
	return nil
}

// probeFTP connects once to addr and checks that the 220 greeting (after
// the TLS handshake when implicit) carries nonce, so another server on
// the port is not mistaken for ours. An empty nonce accepts any 220
// greeting.
func probeFTP(addr string, implicit bool, client *certgen.Cert, nonce string) error {
	c, err := dialProbe(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if implicit {
		tc := &tls.Config{InsecureSkipVerify: true} // probe only: any server cert
		if client != nil {
			tc.Certificates = []tls.Certificate{client.TLS()}
		}
		tconn := tls.Client(c, tc)
		if err := tconn.Handshake(); err != nil {
			return fmt.Errorf("implicit TLS handshake: %w", err)
		}
		c = tconn
	}
	tp := textproto.NewConn(c)
	_, msg, err := tp.ReadResponse(220)
	if err != nil {
		return fmt.Errorf("reading banner: %w", err)
	}
	if !strings.Contains(msg, nonce) {
		return fmt.Errorf("another server answers on %s: %q", addr, msg)
	}
	_ = tp.PrintfLine("QUIT")
	return nil
}

// errPortBusy means a server could not bind its port.
var errPortBusy = errors.New("port in use")

// process is a running server (the listener, which forks sessions).
type process struct {
	cmd     *exec.Cmd
	done    chan struct{} // closed when cmd.Wait returns
	waitErr error
}

// startProcess starts cmd in its own process group (signals to the test's
// group do not hit it), killed if the test binary dies before its cleanup
// runs, and waits for it in the background.
func startProcess(cmd *exec.Cmd) (*process, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	p := &process{cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// Pdeathsig fires when the *thread* that forked the child exits:
		// pin this goroutine to its thread for the server's whole life.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return p, nil
}

// stop kills the listener and every session process it forked, then waits
// for the listener. Sessions may call setsid (vsftpd's do), so a
// process-group kill would miss them; instead the whole tree is frozen
// with SIGSTOP (so nothing can fork or be reparented meanwhile) and then
// killed.
func (p *process) stop() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	pid := p.cmd.Process.Pid
	_ = syscall.Kill(pid, syscall.SIGSTOP)
	frozen := map[int]bool{}
	for range 100 {
		grew := false
		for _, d := range descendants(pid) {
			if !frozen[d] {
				_ = syscall.Kill(d, syscall.SIGSTOP)
				frozen[d], grew = true, true
			}
		}
		if !grew {
			break
		}
	}
	for d := range frozen {
		_ = syscall.Kill(d, syscall.SIGKILL)
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s %d: %w", filepath.Base(p.cmd.Path), pid, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("%s %d did not exit 10s after SIGKILL", filepath.Base(p.cmd.Path), pid)
	}
}

// descendants lists the processes below pid, from /proc.
func descendants(pid int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]int{}
	for _, e := range ents {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// "pid (comm) state ppid ...": comm may hold spaces and ')'.
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 {
			continue
		}
		ppid, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		children[ppid] = append(children[ppid], child)
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, c := range children[n] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}
