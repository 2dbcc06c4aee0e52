package servertest

import (
	"bufio"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"lockbox/client/internal/certgen"
)

const (
	// vsftpdUser is the local account test clients log in as.
	vsftpdUser = "lockboxftp"
	// vsftpdPAMService is the PAM service (/etc/pam.d/<name>) vsftpd uses.
	vsftpdPAMService = "lockbox-vsftpd-test"
	// stateDir holds the shared password, the setup lock and port locks.
	stateDir = "/var/lib/lockbox-servertest"
	// secureChrootDir is vsftpd's secure_chroot_dir; it is also the home
	// directory of vsftpdUser, so a login that cannot reach local_root
	// lands in an empty, read-only directory rather than in "/".
	secureChrootDir = "/var/run/vsftpd/empty"
	// startupTimeout bounds how long StartVsftpd waits for the banner.
	startupTimeout = 15 * time.Second
)

// vsftpdPAMConfig is written to /etc/pam.d/lockbox-vsftpd-test. It admits
// only vsftpdUser, checks its /etc/shadow password with pam_unix (which,
// running as root, does not fork a helper) and skips the account checks,
// because the account is deliberately expired so that no other service
// (sshd, login, su) accepts it. PAM modules that fork (pam_exec) cannot be
// used: vsftpd 3.0.3's SIGCHLD handler then waits for its own session
// child and the login hangs for ever.
const vsftpdPAMConfig = `# Written by lockbox/client/internal/servertest for test vsftpd servers.
# Only the test account lockboxftp may log in through this service.
auth     required pam_succeed_if.so quiet user = ` + vsftpdUser + `
auth     required pam_unix.so
account  required pam_permit.so
session  required pam_permit.so
`

// VsftpdConfig selects the vsftpd variant StartVsftpd runs.
type VsftpdConfig struct {
	// Implicit selects implicit FTPS (implicit_ssl=YES: TLS from the first
	// byte) instead of explicit AUTH TLS.
	Implicit bool
	// RequireClientCert makes vsftpd demand a client certificate signed by
	// a generated test CA (require_cert=YES, validate_cert=YES,
	// ca_certs_file=<CA>); Vsftpd.ClientCert is such a certificate.
	RequireClientCert bool
	// TLS12Only caps the server at TLS 1.2. vsftpd 3.0.3 has no option for
	// that (only ssl_sslv2, ssl_sslv3 and ssl_tlsv1; no ssl_tlsv1_1,
	// ssl_tlsv1_2 or TLS 1.3 switch), so the cap is applied through
	// OpenSSL: vsftpd is started with OPENSSL_CONF pointing at a file with
	// MaxProtocol = TLSv1.2.
	TLS12Only bool
	// ServerCert is the server's certificate, followed on the wire by
	// ServerChain. Nil means a generated self-signed ECDSA certificate for
	// 127.0.0.1 and localhost.
	ServerCert  *certgen.Cert
	ServerChain []*certgen.Cert
	// Files are placed in the served root, keyed by slash-separated
	// relative path (subdirectories are created), owned by the FTP user.
	Files map[string][]byte
	// Extra vsftpd.conf settings; they override the harness defaults
	// except the ones that place the server (listen*, background, pasv
	// port range), which are rejected.
	Extra map[string]string
}

// Vsftpd is a running vsftpd started by StartVsftpd.
type Vsftpd struct {
	// Addr is the control address, "127.0.0.1:PORT".
	Addr string
	// Root is the served directory (the chroot of the FTP user).
	Root string
	// User and Password log in with USER/PASS.
	User, Password string
	// CACert signs client certificates when RequireClientCert (else nil).
	CACert *certgen.Cert
	// ClientCert is a client identity signed by CACert (else nil).
	ClientCert *certgen.Cert
	// ServerCert is the certificate the server presents.
	ServerCert *certgen.Cert
	// LogPath is vsftpd's log (protocol, transfers and SSL debug lines).
	LogPath string
	// ConfigPath is the generated vsftpd.conf.
	ConfigPath string
	// PasvMinPort and PasvMaxPort bound the passive data ports.
	PasvMinPort, PasvMaxPort int

	dir      string
	implicit bool
	nonce    string
}

// VsftpdPath finds the vsftpd binary on PATH or in /usr/sbin (and /sbin,
// /usr/local/sbin).
func VsftpdPath() (string, error) { return LookBinary("vsftpd") }

// StartVsftpd starts a real vsftpd on 127.0.0.1 for the test and stops it
// (SIGKILL of the server and every session process it forked, then wait)
// in t.Cleanup. It needs root; without vsftpd or root the test is skipped,
// or fails when CI=true.
//
// Login: clients do a real USER/PASS login as the local system user
// "lockboxftp". On first use the harness (as root, idempotently, under a
// file lock so parallel test binaries agree) creates that user (system
// account, shell /usr/sbin/nologin, home /var/run/vsftpd/empty), gives it a
// random password kept in /var/lib/lockbox-servertest/lockboxftp.password
// (mode 0600; generated once and shared by every server and test binary, so
// concurrent packages never change it under each other), sets the account
// expiry in the past so pam_unix account checks in other services (sshd,
// login, su) reject it, and writes the PAM service
// /etc/pam.d/lockbox-vsftpd-test, which admits only that user, checks the
// password with pam_unix and skips the expiry check. The user is
// chrooted (chroot_local_user) into Root, which it owns, so uploads work.
//
// TLS: ssl_enable with force_local_logins_ssl, force_local_data_ssl and
// require_ssl_reuse=YES (data connections must resume the control
// connection's TLS session), ssl_ciphers=HIGH (Debian's default is the
// single RSA suite ECDHE-RSA-AES256-GCM-SHA384, which an ECDSA certificate
// cannot use) and vsftpd's default ssl_request_cert=YES, so every client is
// sent a CertificateRequest. TLS 1.3 and 1.2 are offered unless TLS12Only.
//
// Ports: vsftpd cannot be handed a listening socket (standalone mode binds
// its own; inetd mode takes one already-accepted connection), so the
// harness reserves a block of 16 ports below the kernel's ephemeral range
// with an exclusive flock on /var/lib/lockbox-servertest/ports/<port>.lock,
// held while the server runs: the first port is the control port, the
// other 15 the passive range. If the bind still fails the next block is
// tried. Readiness is the server's own 220 banner, which carries a random
// nonce so a different server on the port is not mistaken for ours.
func StartVsftpd(t testing.TB, cfg VsftpdConfig) *Vsftpd {
	t.Helper()
	bin, err := VsftpdPath()
	if err != nil {
		unavailable(t, fmt.Sprintf("%v (install it: apt-get install vsftpd)", err))
	}
	if os.Geteuid() != 0 {
		unavailable(t, fmt.Sprintf("%v: vsftpd needs root to log local users in and chroot them", errNotRoot))
	}
	acct, err := ensureAccount()
	if err != nil {
		t.Fatalf("servertest: preparing the vsftpd login account: %v", err)
	}
	s, err := prepareVsftpd(cfg, acct)
	if s != nil && s.dir != "" {
		dir := s.dir
		t.Cleanup(func() {
			if err := os.RemoveAll(dir); err != nil {
				t.Errorf("servertest: removing %s: %v", dir, err)
			}
		})
	}
	if err != nil {
		t.Fatalf("servertest: preparing vsftpd: %v", err)
	}

	tried := map[int]bool{}
	var lastErr error
	for attempt := 0; attempt < 8; attempt++ {
		base, lock, err := reservePortBlock(tried)
		if err != nil {
			t.Fatalf("servertest: reserving ports for vsftpd: %v", err)
		}
		p, err := s.start(bin, cfg, base)
		if errors.Is(err, errPortBusy) {
			lastErr = err
			lock.Close()
			continue
		}
		if err != nil {
			lock.Close()
			t.Fatalf("servertest: starting vsftpd: %v%s", err, s.logTail())
		}
		t.Cleanup(func() {
			if err := p.stop(); err != nil {
				t.Errorf("servertest: stopping vsftpd: %v", err)
			}
			lock.Close()
			if t.Failed() {
				t.Logf("servertest: vsftpd on %s, config %s%s", s.Addr, s.ConfigPath, s.logTail())
			}
		})
		return s
	}
	t.Fatalf("servertest: vsftpd could not bind a port after 8 attempts: %v", lastErr)
	return nil
}

// logTail returns the end of the vsftpd log, for failure messages.
func (s *Vsftpd) logTail() string {
	b, err := os.ReadFile(s.LogPath)
	if err != nil || len(b) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return "\n--- vsftpd log " + s.LogPath + " (tail) ---\n" + strings.Join(lines, "\n")
}

// ftpAccount is the local login the servers accept.
type ftpAccount struct {
	name, password string
	uid, gid       int
}

// ensureAccount sets up the login account and PAM service once per
// process (see StartVsftpd).
var ensureAccount = sync.OnceValues(func() (ftpAccount, error) {
	a, err := setupAccount()
	if err != nil {
		return a, fmt.Errorf("servertest: account %s: %w", vsftpdUser, err)
	}
	return a, nil
})

func setupAccount() (ftpAccount, error) {
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return ftpAccount{}, fmt.Errorf("state dir: %w", err)
	}
	lock, err := lockFile(filepath.Join(stateDir, "setup.lock"), true)
	if err != nil {
		return ftpAccount{}, err
	}
	defer lock.Close()

	if err := os.MkdirAll(secureChrootDir, 0o755); err != nil {
		return ftpAccount{}, fmt.Errorf("secure_chroot_dir: %w", err)
	}
	u, err := user.Lookup(vsftpdUser)
	var unknown user.UnknownUserError
	if errors.As(err, &unknown) {
		shell := "/usr/sbin/nologin"
		if _, err := os.Stat(shell); err != nil {
			shell = "/bin/false"
		}
		if err := runTool("useradd", "", "--system", "--no-create-home", "--home-dir", secureChrootDir,
			"--shell", shell, "--user-group", "--comment", "Lockbox test FTP user", vsftpdUser); err != nil {
			return ftpAccount{}, err
		}
		u, err = user.Lookup(vsftpdUser)
	}
	if err != nil {
		return ftpAccount{}, fmt.Errorf("lookup: %w", err)
	}
	if u.HomeDir != secureChrootDir {
		// vsftpd chdirs to the home directory before local_root, so it
		// must exist; an empty directory is also the safe fallback.
		if err := runTool("usermod", "", "--home", secureChrootDir, vsftpdUser); err != nil {
			return ftpAccount{}, err
		}
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return ftpAccount{}, fmt.Errorf("uid %q: %w", u.Uid, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return ftpAccount{}, fmt.Errorf("gid %q: %w", u.Gid, err)
	}
	pw, err := sharedPassword()
	if err != nil {
		return ftpAccount{}, err
	}
	if err := runTool("chpasswd", vsftpdUser+":"+pw+"\n"); err != nil {
		return ftpAccount{}, err
	}
	// Expired on 1970-01-02: pam_unix's account check (used by sshd,
	// login, su...) refuses it; our PAM service does not run that check.
	if err := runTool("usermod", "", "--expiredate", "1", vsftpdUser); err != nil {
		return ftpAccount{}, err
	}
	if err := writeIfChanged(filepath.Join("/etc/pam.d", vsftpdPAMService), []byte(vsftpdPAMConfig), 0o644); err != nil {
		return ftpAccount{}, fmt.Errorf("PAM service: %w", err)
	}
	return ftpAccount{name: vsftpdUser, password: pw, uid: uid, gid: gid}, nil
}

// sharedPassword reads the account password, generating it on first use.
// The caller holds the setup lock.
func sharedPassword() (string, error) {
	path := filepath.Join(stateDir, vsftpdUser+".password")
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 16 {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("password file: %w", err)
	}
	pw := randomHex(16)
	if err := os.WriteFile(path, []byte(pw+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("password file: %w", err)
	}
	return pw, nil
}

// runTool runs a system administration tool (from PATH or /usr/sbin).
func runTool(name, stdin string, args ...string) error {
	p, err := LookBinary(name)
	if err != nil {
		return err
	}
	cmd := exec.Command(p, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// writeIfChanged atomically replaces path with data unless it already
// holds exactly data.
func writeIfChanged(path string, data []byte, perm os.FileMode) error {
	if old, err := os.ReadFile(path); err == nil && string(old) == string(data) {
		return nil
	}
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, data, perm); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// lockFile takes an exclusive flock on path; with block false it fails at
// once if another open file description holds it (in this process or
// another). Closing the file releases the lock, as does process death.
func lockFile(path string, block bool) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	how := syscall.LOCK_EX
	if !block {
		how |= syscall.LOCK_NB
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// prepareVsftpd makes the server directory, certificates and served files.
// A returned non-nil *Vsftpd with a dir must be cleaned up even on error.
func prepareVsftpd(cfg VsftpdConfig, acct ftpAccount) (*Vsftpd, error) {
	dir, err := os.MkdirTemp("", "lockbox-vsftpd-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	s := &Vsftpd{
		Root:       filepath.Join(dir, "root"),
		User:       acct.name,
		Password:   acct.password,
		LogPath:    filepath.Join(dir, "vsftpd.log"),
		ConfigPath: filepath.Join(dir, "vsftpd.conf"),
		dir:        dir,
		implicit:   cfg.Implicit,
		nonce:      randomHex(8),
	}
	if strings.ContainsAny(dir, " \t\n") {
		return s, fmt.Errorf("temp dir %q contains white space, which vsftpd.conf cannot express", dir)
	}
	// vsftpd changes into local_root as the FTP user, before chroot: every
	// ancestor of Root must be searchable by it. If not, vsftpd silently
	// stays in the (empty) home directory.
	if err := os.Chmod(dir, 0o711); err != nil {
		return s, fmt.Errorf("chmod %s: %w", dir, err)
	}
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return s, fmt.Errorf("stat %s: %w", d, err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return s, fmt.Errorf("%s (an ancestor of the served root) is not searchable by others (mode %v); set TMPDIR elsewhere", d, fi.Mode().Perm())
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	if err := mkdirOwned(s.Root, acct); err != nil {
		return s, err
	}
	for name, data := range cfg.Files {
		rel := filepath.FromSlash(name)
		if !filepath.IsLocal(rel) {
			return s, fmt.Errorf("file %q: not a local relative path", name)
		}
		p := filepath.Join(s.Root, rel)
		if err := mkdirAllOwned(s.Root, filepath.Dir(p), acct); err != nil {
			return s, err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return s, fmt.Errorf("file %q: %w", name, err)
		}
		if err := os.Chown(p, acct.uid, acct.gid); err != nil {
			return s, fmt.Errorf("file %q: %w", name, err)
		}
	}

	s.ServerCert = cfg.ServerCert
	if s.ServerCert == nil {
		s.ServerCert, err = certgen.New(certgen.Spec{
			CommonName: "127.0.0.1",
			DNSNames:   []string{"localhost"},
			IPs:        []net.IP{net.IPv4(127, 0, 0, 1)},
		}, nil)
		if err != nil {
			return s, fmt.Errorf("server certificate: %w", err)
		}
	}
	if _, _, err := s.ServerCert.WriteFiles(dir, "server", cfg.ServerChain...); err != nil {
		return s, fmt.Errorf("server certificate files: %w", err)
	}
	if cfg.RequireClientCert {
		if s.CACert, s.ClientCert, _, err = writeClientPKI(dir); err != nil {
			return s, err
		}
	}
	if cfg.TLS12Only {
		if err := os.WriteFile(filepath.Join(dir, "openssl.cnf"), []byte(tls12OnlyOpenSSLConf), 0o600); err != nil {
			return s, fmt.Errorf("openssl.cnf: %w", err)
		}
	}
	return s, nil
}

// tls12OnlyOpenSSLConf caps OpenSSL (and so vsftpd) at TLS 1.2.
const tls12OnlyOpenSSLConf = `# Written by lockbox/client/internal/servertest: cap vsftpd at TLS 1.2.
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1.2
MaxProtocol = TLSv1.2
`

func mkdirOwned(p string, acct ftpAccount) error {
	if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("mkdir %s: %w", p, err)
	}
	if err := os.Chown(p, acct.uid, acct.gid); err != nil {
		return fmt.Errorf("chown %s: %w", p, err)
	}
	return nil
}

// mkdirAllOwned creates dir and its missing parents below root, owned by
// the FTP user.
func mkdirAllOwned(root, dir string, acct ftpAccount) error {
	if dir == root {
		return nil
	}
	if err := mkdirAllOwned(root, filepath.Dir(dir), acct); err != nil {
		return err
	}
	return mkdirOwned(dir, acct)
}

// managedKeys are vsftpd.conf settings that Extra may not override.
var managedKeys = map[string]bool{
	"listen": true, "listen_ipv6": true, "listen_address": true, "listen_port": true,
	"background": true, "pasv_min_port": true, "pasv_max_port": true,
}

// config renders vsftpd.conf for the given control port.
func (s *Vsftpd) config(cfg VsftpdConfig, port int) (string, error) {
	yes := func(b bool) string {
		if b {
			return "YES"
		}
		return "NO"
	}
	kv := [][2]string{
		{"listen", "YES"},
		{"listen_ipv6", "NO"},
		{"listen_address", "127.0.0.1"},
		{"listen_port", strconv.Itoa(port)},
		{"background", "NO"},
		{"ftpd_banner", "Lockbox test vsftpd " + s.nonce},
		// Login: local user, PAM service of our own, chrooted in Root.
		{"anonymous_enable", "NO"},
		{"local_enable", "YES"},
		{"write_enable", "YES"},
		{"local_umask", "022"},
		{"pam_service_name", vsftpdPAMService},
		{"local_root", s.Root},
		{"chroot_local_user", "YES"},
		{"allow_writeable_chroot", "YES"},
		{"secure_chroot_dir", secureChrootDir},
		// Data connections.
		{"pasv_enable", "YES"},
		{"pasv_address", "127.0.0.1"},
		{"pasv_min_port", strconv.Itoa(s.PasvMinPort)},
		{"pasv_max_port", strconv.Itoa(s.PasvMaxPort)},
		// TLS.
		{"ssl_enable", "YES"},
		{"implicit_ssl", yes(cfg.Implicit)},
		{"rsa_cert_file", filepath.Join(s.dir, "server.crt")},
		{"rsa_private_key_file", filepath.Join(s.dir, "server.key")},
		{"ssl_ciphers", "HIGH"},
		{"require_ssl_reuse", "YES"},
		{"force_local_logins_ssl", "YES"},
		{"force_local_data_ssl", "YES"},
		{"require_cert", yes(cfg.RequireClientCert)},
		{"validate_cert", yes(cfg.RequireClientCert)},
		// Logging.
		{"xferlog_enable", "YES"},
		{"xferlog_std_format", "NO"},
		{"vsftpd_log_file", s.LogPath},
		{"log_ftp_protocol", "YES"},
		{"debug_ssl", "YES"},
		{"syslog_enable", "NO"},
		// Containers: no seccomp, no per-session PID/net namespaces
		// (they change nothing on the wire and can fail or be slow).
		{"seccomp_sandbox", "NO"},
		{"isolate", "NO"},
		{"isolate_network", "NO"},
	}
	if cfg.RequireClientCert {
		kv = append(kv, [2]string{"ca_certs_file", filepath.Join(s.dir, "client-ca.crt")})
	}
	keys := make([]string, 0, len(cfg.Extra))
	for k := range cfg.Extra {
		keys = append(keys, k)
	}
	slices.Sort(keys) // deterministic order for appended keys

	for _, k := range keys {
		v := cfg.Extra[k]
		if k == "" || strings.ContainsAny(k, "= \t\r\n#") || strings.ContainsAny(v, "\r\n") {
			return "", fmt.Errorf("invalid Extra setting %q=%q", k, v)
		}
		if managedKeys[k] {
			return "", fmt.Errorf("Extra setting %q is managed by the harness", k)
		}
		found := false
		for i := range kv {
			if kv[i][0] == k {
				kv[i][1], found = v, true
			}
		}
		if !found {
			kv = append(kv, [2]string{k, v})
		}
	}
	var b strings.Builder
	b.WriteString("# Generated by lockbox/client/internal/servertest.\n")
	for _, e := range kv {
		fmt.Fprintf(&b, "%s=%s\n", e[0], e[1])
	}
	return b.String(), nil
}

// errPortBusy means vsftpd could not bind its control port.
var errPortBusy = errors.New("port in use")

// process is a running vsftpd listener.
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

// start writes the config for the port block at base and runs vsftpd until
// it answers with its banner.
func (s *Vsftpd) start(bin string, cfg VsftpdConfig, base int) (*process, error) {
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(base))
	s.PasvMinPort, s.PasvMaxPort = base+1, base+portBlock-1
	conf, err := s.config(cfg, base)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(s.ConfigPath, []byte(conf), 0o600); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	// vsftpd reports fatal errors ("500 OOPS: ...") on fd 0, the control
	// connection in inetd mode: give it a read-write file there.
	stdioPath := filepath.Join(s.dir, "vsftpd.stdio")
	stdio, err := os.OpenFile(stdioPath, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("stdio file: %w", err)
	}
	defer stdio.Close()

	cmd := exec.Command(bin, s.ConfigPath)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdio, stdio, stdio
	env := make([]string, 0, len(os.Environ())+1)
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "OPENSSL_CONF=") {
			env = append(env, e)
		}
	}
	if cfg.TLS12Only {
		env = append(env, "OPENSSL_CONF="+filepath.Join(s.dir, "openssl.cnf"))
	}
	cmd.Env = env
	p, err := startProcess(cmd)
	if err != nil {
		return nil, fmt.Errorf("exec %s: %w", bin, err)
	}

	if err := s.waitReady(p, stdioPath); err != nil {
		if stopErr := p.stop(); stopErr != nil {
			err = fmt.Errorf("%w (and stopping it: %v)", err, stopErr)
		}
		return nil, err
	}
	return p, nil
}

// waitReady polls the control port until our vsftpd greets with its banner,
// returning early if the process exits.
func (s *Vsftpd) waitReady(p *process, stdioPath string) error {
	deadline := time.NewTimer(startupTimeout)
	defer deadline.Stop()
	var lastErr error
	for {
		if lastErr = s.probe(); lastErr == nil {
			return nil
		}
		select {
		case <-p.done:
			out, _ := os.ReadFile(stdioPath)
			msg := strings.TrimSpace(string(out))
			if strings.Contains(msg, "could not bind") {
				return fmt.Errorf("%w: %s: %s", errPortBusy, s.Addr, msg)
			}
			return fmt.Errorf("vsftpd exited during startup (%v): %s", p.waitErr, msg)
		case <-deadline.C:
			return fmt.Errorf("vsftpd not ready on %s after %v: %w", s.Addr, startupTimeout, lastErr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// probe connects once and checks the banner is ours.
func (s *Vsftpd) probe() error {
	c, err := net.DialTimeout("tcp", s.Addr, 2*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return err
	}
	if s.implicit {
		tc := &tls.Config{InsecureSkipVerify: true} // probe only: any server cert
		if s.ClientCert != nil {
			tc.Certificates = []tls.Certificate{s.ClientCert.TLS()}
		}
		t := tls.Client(c, tc)
		if err := t.Handshake(); err != nil {
			return fmt.Errorf("implicit TLS handshake: %w", err)
		}
		c = t
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return fmt.Errorf("reading banner: %w", err)
	}
	if !strings.HasPrefix(line, "220") {
		return fmt.Errorf("unexpected banner %q", line)
	}
	if strings.Contains(line, "Lockbox test vsftpd") && !strings.Contains(line, s.nonce) {
		return fmt.Errorf("another server answers on %s: %q", s.Addr, line)
	}
	_, _ = c.Write([]byte("QUIT\r\n"))
	return nil
}

// stop kills the listener and every session process it forked, then waits
// for the listener. Sessions call setsid, so a process-group kill would
// miss them; instead the whole tree is frozen with SIGSTOP (so nothing can
// fork or be reparented meanwhile) and then killed.
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
		return fmt.Errorf("kill vsftpd %d: %w", pid, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("vsftpd %d did not exit 10s after SIGKILL", pid)
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
