//go:build linux

package servertest

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"lockbox/client/certgen"
)

// ProFTPDConfig selects the ProFTPD variant StartProFTPD runs.
type ProFTPDConfig struct {
	// Implicit selects implicit FTPS (TLSOptions UseImplicitSSL) instead
	// of explicit AUTH TLS.
	Implicit bool
	// RequireClientCert makes ProFTPD demand a client certificate signed
	// by a generated test CA (TLSVerifyClient on, TLSCACertificateFile);
	// ProFTPD.ClientCert is such a certificate.
	RequireClientCert bool
	// TLS12Only caps the server at TLS 1.2 (TLSProtocol TLSv1.2). Note
	// that ProFTPD 1.3.8 then issues no TLS 1.2 session tickets (it does
	// while TLS 1.3 is enabled), and Go's TLS resumes TLS 1.2 sessions
	// only with tickets: a Go client's data connections are refused (425)
	// unless SessionTickets is set.
	TLS12Only bool
	// SessionTickets sets TLSSessionTickets on.
	SessionTickets bool
	// ServerCert is the server's certificate (ECDSA or RSA), followed on
	// the wire by ServerChain. Nil means a generated self-signed ECDSA
	// certificate for 127.0.0.1 and localhost.
	ServerCert  *certgen.Cert
	ServerChain []*certgen.Cert
	// Files are placed in the served root, keyed by slash-separated
	// relative path, owned by the FTP user.
	Files map[string][]byte
	// Digest loads mod_digest (Debian's proftpd-mod-crypto): FEAT then
	// lists HASH and the X-commands XCRC, XMD5, XSHA1 and XSHA256.
	Digest bool
}

// ProFTPD is a running ProFTPD started by StartProFTPD.
type ProFTPD struct {
	FTPServer
	// TLSLogPath is mod_tls's log (handshakes, session reuse on data
	// connections).
	TLSLogPath string
}

// ProFTPDPath finds the proftpd binary: installed, or unpacked by ./dev
// under UnpackedRoot.
func ProFTPDPath() (string, error) { return LookServerBinary("proftpd") }

// StartProFTPD starts a real ProFTPD 1.3.8 (standalone, in the foreground
// with -n) on 127.0.0.1 for the test and stops it, with every session
// process it forked, in t.Cleanup. It needs root and the proftpd binary
// with mod_tls (Debian's proftpd-core and proftpd-mod-crypto, which
// conflict with vsftpd and are therefore unpacked by ./dev into
// UnpackedRoot); without them the test is skipped, or fails when CI=true.
//
// Login: USER/PASS as the same local account as StartVsftpd
// ("lockboxftp", shared random password), but checked against a private
// AuthUserFile (ftpasswd format, SHA-512 crypt hash made with openssl
// passwd) with AuthOrder mod_auth_file.c, not against /etc/shadow: the
// account is deliberately expired so other services refuse it, and
// mod_auth_unix would refuse it too, while PAM would need a service file
// of ProFTPD's fixed name. The file maps the user to the account's uid and
// gid with Root as home; DefaultRoot ~ chroots it there, so uploads are
// owned by lockboxftp.
//
// TLS: mod_tls with TLSRequired on (control and data), TLSProtocol
// TLSv1.2 TLSv1.3 (TLSv1.2 only with TLS12Only) and ProFTPD's default
// TLSOptions, under which every data connection must resume the control
// connection's TLS session (a data connection that does not is answered
// "425 Unable to build data connection: Operation not permitted"). With
// both versions enabled ProFTPD issues session tickets; see
// ProFTPDConfig.TLS12Only for the TLS 1.2-only case. Ports: a reserved block of 16 as for vsftpd
// (control port then passive range), SocketBindTight on 127.0.0.1, and
// readiness by the 220 banner carrying a random nonce (ServerIdent).
func StartProFTPD(t testing.TB, cfg ProFTPDConfig) *ProFTPD {
	t.Helper()
	bin := requireServerBinary(t, "proftpd")
	requireRoot(t, "ProFTPD needs root to switch to the FTP user and chroot it")
	modDir := filepath.Join(filepath.Dir(filepath.Dir(bin)), "lib", "proftpd")
	if _, err := os.Stat(filepath.Join(modDir, "mod_tls.so")); err != nil {
		unavailable(t, fmt.Sprintf("servertest: ProFTPD's mod_tls is missing (%v); it is in the proftpd-mod-crypto package", err))
	}
	acct := requireAccount(t)
	s, err := prepareProFTPD(cfg, acct)
	if s != nil {
		removeOnCleanup(t, s.dir)
	}
	if err != nil {
		t.Fatalf("servertest: preparing proftpd: %v", err)
	}
	launch(t, "proftpd", func(base int) (*process, error) {
		s.setPorts(base)
		conf, err := s.config(cfg, modDir, acct)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(s.ConfigPath, []byte(conf), 0o600); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		return runDaemon(daemon{
			name:    "proftpd",
			bin:     bin,
			args:    []string{"--nodaemon", "--config", s.ConfigPath},
			outPath: filepath.Join(s.dir, "proftpd.out"),
			probe:   func() error { return probeFTP(s.Addr, s.Implicit, s.ClientCert, s.nonce) },
			busy: func(out string) bool {
				return strings.Contains(out, "Address already in use") || strings.Contains(out, "Unable to bind")
			},
		})
	}, s.logTail)
	return s
}

// prepareProFTPD makes the server folder, password files and
// certificates. A returned non-nil *ProFTPD with a dir must be removed
// even on error.
func prepareProFTPD(cfg ProFTPDConfig, acct ftpAccount) (*ProFTPD, error) {
	srv, err := newFTPServer("proftpd", cfg.Files, acct, cfg.Implicit)
	dir := srv.dir
	s := &ProFTPD{FTPServer: srv, TLSLogPath: filepath.Join(dir, "tls.log")}
	s.LogPath, s.ConfigPath = filepath.Join(dir, "proftpd.log"), filepath.Join(dir, "proftpd.conf")
	s.logs = []string{filepath.Join(dir, "proftpd.out"), s.LogPath, s.TLSLogPath}
	if err != nil {
		return s, err
	}
	hash, err := cryptPassword(acct.password)
	if err != nil {
		return s, err
	}
	// ftpasswd format: name:hash:uid:gid:gecos:home:shell.
	passwd := fmt.Sprintf("%s:%s:%d:%d:Lockbox test FTP user:%s:/bin/sh\n", acct.name, hash, acct.uid, acct.gid, s.Root)
	if err := os.WriteFile(filepath.Join(dir, "ftpd.passwd"), []byte(passwd), 0o600); err != nil {
		return s, fmt.Errorf("AuthUserFile: %w", err)
	}
	group := fmt.Sprintf("%s:x:%d:\n", acct.name, acct.gid)
	if err := os.WriteFile(filepath.Join(dir, "ftpd.group"), []byte(group), 0o600); err != nil {
		return s, fmt.Errorf("AuthGroupFile: %w", err)
	}
	return s, s.setupTLS(cfg.ServerCert, cfg.ServerChain, cfg.RequireClientCert)
}

// config renders proftpd.conf for the ports set by setPorts.
func (s *ProFTPD) config(cfg ProFTPDConfig, modDir string, acct ftpAccount) (string, error) {
	dir := s.dir
	certDirective := ""
	switch s.ServerCert.Key.(type) {
	case *ecdsa.PrivateKey:
		certDirective = "TLSECCertificate"
	case *rsa.PrivateKey:
		certDirective = "TLSRSACertificate"
	default:
		return "", fmt.Errorf("ProFTPD 1.3.8 takes RSA or ECDSA server keys, not %T", s.ServerCert.Key)
	}
	_, port, _ := strings.Cut(s.Addr, ":")
	protocols := "TLSv1.2 TLSv1.3"
	if cfg.TLS12Only {
		protocols = "TLSv1.2"
	}
	lines := []string{
		"# Generated by lockbox/client/servertest.",
		"ServerType standalone",
		`ServerName "Lockbox test ProFTPD"`,
		`ServerIdent on "Lockbox test proftpd ` + s.nonce + `"`,
		"DefaultAddress 127.0.0.1",
		"SocketBindTight on",
		"UseIPv6 off",
		"Port " + port,
		"PassivePorts " + strconv.Itoa(s.PasvMinPort) + " " + strconv.Itoa(s.PasvMaxPort),
		"MasqueradeAddress 127.0.0.1",
		// The daemon's own identity between sessions; sessions switch to
		// the logged-in user.
		"User " + acct.name,
		"Group " + acct.name,
		"PidFile " + filepath.Join(dir, "proftpd.pid"),
		"ScoreboardFile " + filepath.Join(dir, "proftpd.scoreboard"),
		"SystemLog " + s.LogPath,
		"TransferLog " + filepath.Join(dir, "xferlog"),
		"DelayEngine off",
		"WtmpLog off",
		"UseReverseDNS off",
		"MaxInstances 64",
		// Login: a private password file (see StartProFTPD).
		"AuthOrder mod_auth_file.c",
		"AuthUserFile " + filepath.Join(dir, "ftpd.passwd"),
		"AuthGroupFile " + filepath.Join(dir, "ftpd.group"),
		"RequireValidShell off",
		"DefaultRoot ~",
		"Umask 022",
		"AllowOverwrite on",
		// TLS.
		"ModulePath " + modDir,
		"LoadModule mod_tls.c",
		"TLSEngine on",
		"TLSLog " + s.TLSLogPath,
		"TLSRequired on",
		"TLSProtocol " + protocols,
		certDirective + "File " + filepath.Join(dir, "server.crt"),
		certDirective + "KeyFile " + filepath.Join(dir, "server.key"),
	}
	if len(cfg.ServerChain) > 0 {
		lines = append(lines, "TLSCertificateChainFile "+filepath.Join(dir, "chain.crt"))
	}
	if cfg.Digest {
		lines = append(lines, "LoadModule mod_digest.c", "DigestEngine on")
	}
	if cfg.SessionTickets {
		lines = append(lines, "TLSSessionTickets on")
	}
	if cfg.RequireClientCert {
		lines = append(lines, "TLSVerifyClient on", "TLSCACertificateFile "+filepath.Join(dir, "client-ca.crt"))
	} else {
		lines = append(lines, "TLSVerifyClient off")
	}
	if cfg.Implicit {
		// Only this option: the default ones (session reuse required on
		// data connections) stay.
		lines = append(lines, "TLSOptions UseImplicitSSL")
	}
	return strings.Join(lines, "\n") + "\n", nil
}
