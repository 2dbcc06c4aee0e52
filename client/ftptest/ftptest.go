// Package ftptest lets the front end's tests start the real FTP servers
// the engine's tests use (client/internal/servertest), which Go's internal
// rule keeps out of ui/'s reach. Only tests import it; it adds nothing of
// its own, so a server behaves the same in the engine's tests and the
// window's.
package ftptest

import (
	"testing"

	"lockbox/client/internal/servertest"
)

// VsftpdConfig configures a vsftpd started by StartVsftpd (see
// servertest.VsftpdConfig: TLS, files, extra vsftpd.conf settings such as
// pasv_enable=NO).
type VsftpdConfig = servertest.VsftpdConfig

// Vsftpd is a running vsftpd: its Addr, Root, User and Password.
type Vsftpd = servertest.Vsftpd

// StartVsftpd starts a real vsftpd on loopback for t and stops it in
// t.Cleanup; without vsftpd or root the test is skipped (failed in CI).
func StartVsftpd(t testing.TB, cfg VsftpdConfig) *Vsftpd { return servertest.StartVsftpd(t, cfg) }
