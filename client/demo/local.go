package demo

import (
	"crypto/tls"
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

// Local is the built-in demo: an explicit-FTPS server on loopback with a
// fresh self-signed certificate and a folder of sample files.
type Local struct {
	*Server
	// Root is the temporary folder served.
	Root string
}

// URL is the address to type into Lockbox, user name included.
func (l *Local) URL() string { return "ftpes://" + DemoUser + "@" + l.Addr + "/" }

// StartLocal starts the demo server. Close removes its folder.
func StartLocal() (*Local, error) {
	root, err := os.MkdirTemp("", "lockbox-demo-")
	if err != nil {
		return nil, fmt.Errorf("demo folder: %w", err)
	}
	for name, body := range sampleFiles {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			os.RemoveAll(root)
			return nil, fmt.Errorf("demo folder: %w", err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			os.RemoveAll(root)
			return nil, fmt.Errorf("demo folder: %w", err)
		}
	}
	cert, err := SelfSigned()
	if err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	srv, err := Start(Config{Root: root, User: DemoUser, Password: DemoPassword,
		TLS: &tls.Config{Certificates: []tls.Certificate{cert}}, Welcome: "Lockbox local demo (self-signed certificate)"})
	if err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	return &Local{Server: srv, Root: root}, nil
}

// Close stops the server and removes its folder.
func (l *Local) Close() error {
	err := l.Server.Close()
	if rerr := os.RemoveAll(l.Root); err == nil {
		err = rerr
	}
	return err
}
