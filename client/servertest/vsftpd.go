//go:build linux

package servertest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"lockbox/client/certgen"
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
)

// vsftpdPAMConfig is written to /etc/pam.d/lockbox-vsftpd-test. It admits
// only vsftpdUser, checks its /etc/shadow password with pam_unix (which,
// running as root, does not fork a helper) and skips the account checks,
// because the account is deliberately expired so that no other service
// (sshd, login, su) accepts it. PAM modules that fork (pam_exec) cannot be
// used: vsftpd 3.0.3's SIGCHLD handler then waits for its own session
// child and the login hangs for ever.
const vsftpdPAMConfig = `# Written by lockbox/client/servertest for test vsftpd servers.
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
	// IPv6 makes vsftpd listen on ::1 only (listen_ipv6=YES) instead of
	// 127.0.0.1; Addr is then "[::1]:PORT".
	IPv6 bool
	// Files are placed in the served root, keyed by slash-separated
	// relative path (subdirectories are created), owned by the FTP user.
	Files map[string][]byte
	// Extra vsftpd.conf settings; they override the harness defaults
	// except the ones that place the server (listen*, background, pasv
	// port range), which are rejected. Overriding ftpd_banner or
	// banner_file drops the nonce from the banner: readiness then accepts
	// any 220 greeting on the port.
	Extra map[string]string
}

// Vsftpd is a running vsftpd started by StartVsftpd. Its LogPath is
// vsftpd's log (protocol, transfers and SSL debug lines) and ConfigPath
// the generated vsftpd.conf.
type Vsftpd struct {
	FTPServer
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
	bin := RequireBinary(t, "vsftpd")
	requireRoot(t, "vsftpd needs root to log local users in and chroot them")
	acct := requireAccount(t)
	s, err := prepareVsftpd(cfg, acct)
	if s != nil {
		removeOnCleanup(t, s.dir)
	}
	if err != nil {
		t.Fatalf("servertest: preparing vsftpd: %v", err)
	}
	env, err := opensslEnv(s.dir, cfg.TLS12Only)
	if err != nil {
		t.Fatalf("servertest: preparing vsftpd: %v", err)
	}
	nonce := s.nonce
	if cfg.Extra["ftpd_banner"] != "" || cfg.Extra["banner_file"] != "" {
		nonce = "" // our banner is overridden: any greeting will do
	}
	launch(t, "vsftpd", func(base int) (*process, error) {
		s.setPorts(base)
		if cfg.IPv6 {
			s.Addr = net.JoinHostPort("::1", strconv.Itoa(base))
		}
		conf, err := s.config(cfg, base)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(s.ConfigPath, []byte(conf), 0o600); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		return runDaemon(daemon{
			name: "vsftpd",
			bin:  bin,
			args: []string{s.ConfigPath},
			env:  env,
			// vsftpd reports fatal errors ("500 OOPS: ...") on fd 0, the
			// control connection in inetd mode: give it the output file.
			outPath:    filepath.Join(s.dir, "vsftpd.stdio"),
			outOnStdin: true,
			probe:      func() error { return probeFTP(s.Addr, s.Implicit, s.ClientCert, nonce) },
			busy:       func(out string) bool { return strings.Contains(out, "could not bind") },
		})
	}, s.logTail)
	return s
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

// requireAccount is ensureAccount for a test, which fails if the account
// cannot be set up.
func requireAccount(t testing.TB) ftpAccount {
	t.Helper()
	acct, err := ensureAccount()
	if err != nil {
		t.Fatalf("servertest: preparing the FTP login account: %v", err)
	}
	return acct
}

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

// prepareVsftpd makes the server folder, certificates and served files.
// A returned non-nil *Vsftpd with a dir must be removed even on error.
func prepareVsftpd(cfg VsftpdConfig, acct ftpAccount) (*Vsftpd, error) {
	srv, err := newFTPServer("vsftpd", cfg.Files, acct, cfg.Implicit)
	s := &Vsftpd{FTPServer: srv}
	s.LogPath, s.ConfigPath = filepath.Join(s.dir, "vsftpd.log"), filepath.Join(s.dir, "vsftpd.conf")
	s.logs = []string{filepath.Join(s.dir, "vsftpd.stdio"), s.LogPath}
	if err != nil {
		return s, err
	}
	return s, s.setupTLS(cfg.ServerCert, cfg.ServerChain, cfg.RequireClientCert)
}

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
	"listen": true, "listen_ipv6": true, "listen_address": true, "listen_address6": true, "listen_port": true,
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
	listen := [][2]string{{"listen", "YES"}, {"listen_ipv6", "NO"}, {"listen_address", "127.0.0.1"}}
	if cfg.IPv6 {
		listen = [][2]string{{"listen", "NO"}, {"listen_ipv6", "YES"}, {"listen_address6", "::1"}}
	}
	kv := append(listen, [][2]string{
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
		{"rsa_cert_file", filepath.Join(s.dir, "server-fullchain.crt")},
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
	}...)
	if cfg.IPv6 {
		kv = slices.DeleteFunc(kv, func(e [2]string) bool { return e[0] == "pasv_address" })
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
	b.WriteString("# Generated by lockbox/client/servertest.\n")
	for _, e := range kv {
		fmt.Fprintf(&b, "%s=%s\n", e[0], e[1])
	}
	return b.String(), nil
}
