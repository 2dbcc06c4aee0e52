//go:build linux

// Package servertest starts real third-party servers (vsftpd, ProFTPD,
// Pure-FTPd, nginx) for integration tests, so Lockbox is tested against
// the servers it will meet in the wild rather than against Go stand-ins.
//
// Servers listen on 127.0.0.1 only, run as child processes of the test
// binary and are stopped in t.Cleanup. Several test binaries may start
// servers at the same time: ports are handed out in blocks guarded by
// cross-process file locks (see StartVsftpd).
package servertest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// sbinDirs are searched after PATH: as a non-root user /usr/sbin is often
// not on PATH, yet that is where Debian installs daemons such as vsftpd.
var sbinDirs = []string{"/usr/sbin", "/sbin", "/usr/local/sbin"}

// InCI reports whether the tests run in CI (environment CI=true), where a
// missing server binary or missing privilege is a failure, not a skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// LookBinary finds the executable name on PATH or in the sbin
// directories. It returns an error naming every place it looked.
func LookBinary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range sbinDirs {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("servertest: %q not found on PATH or in %v: %w", name, sbinDirs, exec.ErrNotFound)
}

// RequireBinary returns the path of the executable name (found on PATH or
// in /usr/sbin, /sbin, /usr/local/sbin). When it is missing the test fails
// if CI=true and is skipped otherwise, with a message saying what to
// install.
func RequireBinary(t testing.TB, name string) string {
	t.Helper()
	p, err := LookBinary(name)
	if err != nil {
		unavailable(t, fmt.Sprintf("%v (install it, e.g. apt-get install %s)", err, name))
	}
	return p
}

// unavailable fails the test in CI and skips it elsewhere: a local
// developer without the server or without root can still run the rest of
// the suite, but CI must never silently skip the real-server tests.
func unavailable(t testing.TB, msg string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s (CI=true: real-server tests must not be skipped)", msg)
	}
	t.Skipf("%s; skipping (set CI=true to make this a failure)", msg)
}

// errNotRoot is returned when a server needs root and we are not root.
var errNotRoot = errors.New("servertest: must run as root")

// WaitForLog returns the content of the log at path once it contains want,
// or, after timeout, whatever it holds then. Servers write a request's log
// line after they answer it (nginx logs when the request ends, vsftpd as
// the session goes on), so a client can finish before the line is there:
// a test that checks a log waits for the line it expects, and judges the
// rest of the log from what it then holds.
func WaitForLog(path string, want []byte, timeout time.Duration) ([]byte, error) {
	deadline := time.Now().Add(timeout)
	for {
		b, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		if bytes.Contains(b, want) || time.Now().After(deadline) {
			return b, nil
		}
		time.Sleep(10 * time.Millisecond) // polling the server's file, bounded by timeout
	}
}
