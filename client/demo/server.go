// Package demo runs an FTPS server inside the process, on loopback: the
// "Local demo" a newcomer can connect to with no server of their own, and
// the fast in-process peer of the engine's unit tests. It is built on
// goftp.io/server/v2.
package demo

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	ftpserver "goftp.io/server/v2"
	"goftp.io/server/v2/driver/file"
)

// Config describes one server.
type Config struct {
	// Root is the folder served.
	Root string
	// User and Password are the one account that may log in.
	User, Password string
	// TLS is the server's TLS configuration; nil serves plain FTP.
	TLS *tls.Config
	// Implicit serves implicit FTPS (TLS from the first byte) instead of AUTH TLS.
	Implicit bool
	// Welcome is the banner text.
	Welcome string
}

// Server is a running in-process FTP server.
type Server struct {
	// Addr is "127.0.0.1:PORT".
	Addr string
	srv  *ftpserver.Server
	done chan error
}

// Start starts a server on a free loopback port and returns once it accepts
// connections.
func Start(cfg Config) (*Server, error) {
	driver, err := file.NewDriver(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("demo server root %s: %w", cfg.Root, err)
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("demo server: %w", err)
	}
	ready := &readyLogger{ready: make(chan struct{})}
	welcome := cfg.Welcome
	if welcome == "" {
		welcome = "Lockbox demo FTPS server"
	}
	opts := &ftpserver.Options{
		Driver:         driver,
		Auth:           &ftpserver.SimpleAuth{Name: cfg.User, Password: cfg.Password},
		Perm:           ftpserver.NewSimplePerm("lockbox", "lockbox"),
		Name:           "Lockbox demo",
		Hostname:       "127.0.0.1",
		PublicIP:       "127.0.0.1",
		Port:           port,
		WelcomeMessage: welcome,
		Logger:         ready,
	}
	if cfg.TLS != nil {
		opts.TLS = true
		opts.TLSConfig = cfg.TLS
		opts.ExplicitFTPS = !cfg.Implicit
		opts.ForceTLS = !cfg.Implicit
	}
	srv, err := ftpserver.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("demo server: %w", err)
	}
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), srv: srv, done: make(chan error, 1)}
	go func() { s.done <- srv.ListenAndServe() }()
	select {
	case <-ready.ready:
	case err := <-s.done:
		return nil, fmt.Errorf("demo server on port %d: %w", port, err)
	}
	// goftp logs "listening" before its accept loop records the listener,
	// and Shutdown before then would not stop it: wait for a greeting, which
	// only the accept loop sends.
	if err := greeted(s.Addr, cfg.TLS != nil && cfg.Implicit); err != nil {
		srv.Shutdown()
		return nil, fmt.Errorf("demo server on port %d: %w", port, err)
	}
	return s, nil
}

// greeted connects once and reads the server's 220 greeting.
func greeted(addr string, implicit bool) error {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if implicit {
		tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true}) // only checks that it speaks
		defer tc.Close()
		c = tc
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return fmt.Errorf("no greeting: %w", err)
	}
	if !strings.HasPrefix(line, "220") {
		return fmt.Errorf("unexpected greeting %q", line)
	}
	return nil
}

// Close stops the server.
func (s *Server) Close() error {
	err := s.srv.Shutdown()
	if serr := <-s.done; serr != nil && !errors.Is(serr, ftpserver.ErrServerClosed) {
		return serr
	}
	return err
}

// freePort asks the kernel for a free loopback port. goftp's server only
// sets up TLS in ListenAndServe, so it must be given a port, not a listener.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// readyLogger drops the server's log and signals when it listens.
type readyLogger struct {
	ready chan struct{}
	once  sync.Once
}

func (l *readyLogger) Print(string, interface{}) {}
func (l *readyLogger) Printf(_ string, format string, _ ...interface{}) {
	if strings.Contains(format, "listening on") {
		l.once.Do(func() { close(l.ready) })
	}
}
func (l *readyLogger) PrintCommand(string, string, string) {}
func (l *readyLogger) PrintResponse(string, int, string)   {}
