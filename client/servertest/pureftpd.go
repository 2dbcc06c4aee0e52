//go:build linux

package servertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"lockbox/client/certgen"
)

// PureFTPdConfig selects the Pure-FTPd variant StartPureFTPd runs.
// Pure-FTPd 1.0.50 as built by Debian has no implicit FTPS (a compile-time
// option), so it is explicit AUTH TLS only.
type PureFTPdConfig struct {
	// RequireClientCert makes Pure-FTPd demand a client certificate
	// ("-J -C:HIGH"). Pure-FTPd verifies it against the CA certificates in
	// its own certificate file, so the generated client CA is appended
	// there, and the server therefore also sends it after its own chain:
	// that is how this server behaves in the wild.
	RequireClientCert bool
	// TLS12Only caps the server at TLS 1.2. Pure-FTPd has no option for
	// it: like vsftpd it is started with OPENSSL_CONF pointing at a file
	// with MaxProtocol = TLSv1.2.
	TLS12Only bool
	// ServerCert is the server's certificate, followed on the wire by
	// ServerChain. Nil means a generated self-signed ECDSA certificate for
	// 127.0.0.1 and localhost.
	ServerCert  *certgen.Cert
	ServerChain []*certgen.Cert
	// Files are placed in the served root, keyed by slash-separated
	// relative path, owned by the FTP user.
	Files map[string][]byte
}

// PureFTPd is a running Pure-FTPd started by StartPureFTPd.
type PureFTPd struct {
	FTPServer
}

// PureFTPdPath finds the pure-ftpd binary: installed, or unpacked by ./dev
// under UnpackedRoot.
func PureFTPdPath() (string, error) { return LookServerBinary("pure-ftpd") }

// StartPureFTPd starts a real Pure-FTPd 1.0.50 (standalone, in the
// foreground) on 127.0.0.1 for the test and stops it, with every session
// process it forked, in t.Cleanup. It needs root and the pure-ftpd and
// pure-pw binaries (Debian's pure-ftpd and pure-ftpd-common, which
// conflict with vsftpd and are therefore unpacked by ./dev into
// UnpackedRoot); without them the test is skipped, or fails when CI=true.
//
// Login: a virtual user in a private PureDB (-l puredb:FILE) named like
// the vsftpd account ("lockboxftp", same shared password) and mapped to
// its uid and gid, chrooted in Root. The password file line is written
// with a SHA-512 crypt hash (openssl passwd) and compiled with pure-pw
// mkdb: pure-pw useradd would hash with argon2id at a cost that takes
// seconds per login.
//
// TLS: -Y 3 (TLS required on the control and the data connections), the
// certificate with -2 CERT,KEY and, with RequireClientCert, -J -C:HIGH.
// Pure-FTPd does not require data connections to resume the control
// connection's session, and it issues session tickets under TLS 1.2 but
// none under TLS 1.3 (measured with OpenSSL 3.0), so a Go client's data
// connections resume under TLS 1.2 only. Ports: a reserved block of 16 (-S control, -p
// passive range, -P 127.0.0.1 in passive replies); readiness by the 220
// banner, which carries a random nonce through a one-line fortunes file
// (-F).
func StartPureFTPd(t testing.TB, cfg PureFTPdConfig) *PureFTPd {
	t.Helper()
	bin := requireServerBinary(t, "pure-ftpd")
	pw := requireServerBinary(t, "pure-pw")
	requireRoot(t, "Pure-FTPd needs root to switch to the FTP user and chroot it")
	acct := requireAccount(t)
	s, err := preparePureFTPd(cfg, acct, pw)
	if s != nil {
		removeOnCleanup(t, s.dir)
	}
	if err != nil {
		t.Fatalf("servertest: preparing pure-ftpd: %v", err)
	}
	env, err := opensslEnv(s.dir, cfg.TLS12Only)
	if err != nil {
		t.Fatalf("servertest: preparing pure-ftpd: %v", err)
	}
	launch(t, "pure-ftpd", func(base int) (*process, error) {
		s.setPorts(base)
		return runDaemon(daemon{
			name:    "pure-ftpd",
			bin:     bin,
			args:    s.args(cfg),
			env:     env,
			outPath: s.LogPath,
			probe:   func() error { return probeFTP(s.Addr, false, nil, s.nonce) },
			busy:    func(out string) bool { return strings.Contains(out, "Address already in use") },
		})
	}, s.logTail)
	return s
}

// preparePureFTPd makes the server folder, the PureDB and the
// certificate file. A returned non-nil *PureFTPd with a dir must be
// removed even on error.
func preparePureFTPd(cfg PureFTPdConfig, acct ftpAccount, purePW string) (*PureFTPd, error) {
	srv, err := newFTPServer("pureftpd", cfg.Files, acct, false)
	dir := srv.dir
	s := &PureFTPd{FTPServer: srv}
	s.LogPath = filepath.Join(dir, "pure-ftpd.out")
	s.logs = []string{s.LogPath, filepath.Join(dir, "transfer.log")}
	if err != nil {
		return s, err
	}
	hash, err := cryptPassword(acct.password)
	if err != nil {
		return s, err
	}
	// pure-pw's passwd format: name:hash:uid:gid:gecos:home/./ (the "/./"
	// chroots the user there) and twelve optional limit fields.
	line := fmt.Sprintf("%s:%s:%d:%d::%s/./::::::::::::\n", acct.name, hash, acct.uid, acct.gid, s.Root)
	passwd := filepath.Join(dir, "pureftpd.passwd")
	if err := os.WriteFile(passwd, []byte(line), 0o600); err != nil {
		return s, fmt.Errorf("password file: %w", err)
	}
	out, err := exec.Command(purePW, "mkdb", filepath.Join(dir, "pureftpd.pdb"), "-f", passwd).CombinedOutput()
	if err != nil {
		return s, fmt.Errorf("pure-pw mkdb: %w: %s", err, strings.TrimSpace(string(out)))
	}
	fortune := "Lockbox test pure-ftpd " + s.nonce + "\n"
	if err := os.WriteFile(filepath.Join(dir, "banner"), []byte(fortune), 0o644); err != nil {
		return s, fmt.Errorf("banner file: %w", err)
	}
	if err := s.setupTLS(cfg.ServerCert, cfg.ServerChain, cfg.RequireClientCert); err != nil {
		return s, err
	}
	// One certificate file: the leaf, its chain and, when client
	// certificates are checked, the CA they must be signed by.
	bundle := s.ServerCert.CertPEM()
	for _, c := range cfg.ServerChain {
		bundle = append(bundle, c.CertPEM()...)
	}
	if s.CACert != nil {
		bundle = append(bundle, s.CACert.CertPEM()...)
	}
	if err := os.WriteFile(filepath.Join(dir, "pure-ftpd.crt"), bundle, 0o600); err != nil {
		return s, fmt.Errorf("certificate file: %w", err)
	}
	return s, nil
}

// args is pure-ftpd's command line for the ports set by setPorts.
func (s *PureFTPd) args(cfg PureFTPdConfig) []string {
	ciphers := "HIGH"
	if cfg.RequireClientCert {
		ciphers = "-C:HIGH"
	}
	return []string{
		"--bind", "127.0.0.1," + strings.TrimPrefix(s.Addr, "127.0.0.1:"),
		"--ipv4only",
		"--passiveportrange", strconv.Itoa(s.PasvMinPort) + ":" + strconv.Itoa(s.PasvMaxPort),
		"--forcepassiveip", "127.0.0.1",
		"--tls", "3",
		"--certfile", filepath.Join(s.dir, "pure-ftpd.crt") + "," + filepath.Join(s.dir, "server.key"),
		"--tlsciphersuite", ciphers,
		"--login", "puredb:" + filepath.Join(s.dir, "pureftpd.pdb"),
		"--noanonymous",
		"--chrooteveryone",
		"--minuid", "1",
		"--dontresolve",
		"--fortunesfile", filepath.Join(s.dir, "banner"),
		"--pidfile", filepath.Join(s.dir, "pure-ftpd.pid"),
		"--altlog", "clf:" + filepath.Join(s.dir, "transfer.log"),
		"--umask", "133:022",
	}
}
