package demo

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Demo credentials: public by design, shown in the window next to the demo.
const (
	DemoUser     = "demo"
	DemoPassword = "demo"
)

// sampleFiles is what the demo server serves.
var sampleFiles = map[string]string{
	"README.txt": "Welcome to the Lockbox local demo.\n\n" +
		"This FTPS server runs inside Lockbox, on 127.0.0.1 only. Its certificate is\n" +
		"self-signed, so Lockbox marks the issuer as invalid and asks you to decide.\n",
	"reports/2026-q3.csv":  "quarter,revenue\n2026-Q3,1234\n",
	"reports/2026-q4.csv":  "quarter,revenue\n2026-Q4,2345\n",
	"images/lockbox.txt":   "a picture would be here\n",
	"notes/tls-basics.txt": "TLS gives you privacy (encryption) and identity (certificates).\n",
}

// LargeFile is a sample big enough to watch its transfer's progress bar.
const LargeFile = "large/sample-64MiB.bin"

// LargeSize is LargeFile's size.
const LargeSize = 64 << 20

// writeLarge writes LargeFile: a repeating pattern, written in 1 MiB
// blocks, so that it costs the demo a few milliseconds to make.
func writeLarge(p string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	block := make([]byte, 1<<20)
	for i := range block {
		block[i] = byte(i*7 + i>>8)
	}
	for n := 0; n < LargeSize; n += len(block) {
		if _, err := f.Write(block); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// Local is the built-in demo: an explicit-FTPS server on loopback with a
// fresh self-signed certificate and a folder of sample files, and a second
// one serving the same folder that also requires a client certificate
// issued by a fresh demo CA (ClientCAName). The identity that opens it
// (ClientIdentityName) is written to files of the demo's temporary folder.
type Local struct {
	*Server
	// Root is the temporary folder served (by both servers).
	Root string

	clientCert *Server       // the server that requires a client certificate
	dir        string        // the temporary folder holding Root and the identity
	identity   identityFiles // the demo identity, 0600 files in a 0700 folder
}

// URL is the address to type into Lockbox, user name included.
func (l *Local) URL() string { return "ftpes://" + DemoUser + "@" + l.Addr + "/" }

// ClientCertURL is the address of the server that requires a client
// certificate: ftpes://127.0.0.1:PORT/. Without one (IdentityPEM or
// IdentityPKCS12) the handshake is refused; the user name and password are
// those of URL.
func (l *Local) ClientCertURL() string { return "ftpes://" + l.clientCert.Addr + "/" }

// IdentityPEM returns the files of the demo identity in PEM form: the
// certificate, and its private key (PKCS#8). Both are removed by Close.
func (l *Local) IdentityPEM() (certFile, keyFile string) {
	return l.identity.certPEM, l.identity.keyPEM
}

// IdentityPKCS12 returns the demo identity as a PKCS#12 file, whose
// password is IdentityPassword. It is removed by Close.
func (l *Local) IdentityPKCS12() string { return l.identity.pkcs12 }

// StartLocal starts the demo servers. Close stops them and removes their
// folder.
func StartLocal() (_ *Local, err error) {
	dir, err := os.MkdirTemp("", "lockbox-demo-")
	if err != nil {
		return nil, fmt.Errorf("demo folder: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	root := filepath.Join(dir, "files")
	for name, body := range sampleFiles {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("demo folder: %w", err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return nil, fmt.Errorf("demo folder: %w", err)
		}
	}
	if err := writeLarge(filepath.Join(root, filepath.FromSlash(LargeFile))); err != nil {
		return nil, fmt.Errorf("demo folder: %w", err)
	}
	cert, err := SelfSigned()
	if err != nil {
		return nil, err
	}
	pki, err := newClientPKI()
	if err != nil {
		return nil, err
	}
	// The identity lives beside the served folder, never inside it.
	ids, err := pki.writeIdentity(filepath.Join(dir, "identity"))
	if err != nil {
		return nil, err
	}
	srv, err := Start(Config{Root: root, User: DemoUser, Password: DemoPassword,
		TLS: &tls.Config{Certificates: []tls.Certificate{cert}}, Welcome: "Lockbox local demo (self-signed certificate)"})
	if err != nil {
		return nil, err
	}
	cas := x509.NewCertPool()
	cas.AddCert(pki.ca)
	// goftp uses this config for data connections too, so each of them is
	// checked as well: resumed from a session that presented the identity,
	// or presenting it again.
	ccSrv, err := Start(Config{Root: root, User: DemoUser, Password: DemoPassword,
		TLS: &tls.Config{
			Certificates: []tls.Certificate{cert},
			ClientAuth:   tls.RequireAndVerifyClientCert,
			ClientCAs:    cas,
		},
		Welcome: "Lockbox local demo (client certificate required)"})
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &Local{Server: srv, Root: root, clientCert: ccSrv, dir: dir, identity: ids}, nil
}

// Close stops both servers and removes the demo's folder, the identity
// files included.
func (l *Local) Close() error {
	err := errors.Join(l.Server.Close(), l.clientCert.Close())
	if rerr := os.RemoveAll(l.dir); err == nil {
		err = rerr
	}
	return err
}
