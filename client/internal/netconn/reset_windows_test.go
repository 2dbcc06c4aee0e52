package netconn

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/windows"
)

// underWine reports whether this Windows test binary runs under wine,
// whose ntdll exports wine_get_version.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// The errors Windows gives a read on a reset connection are IsReset: the
// first row is the error a download got under wine, printed as
// "wsarecv: Connection reset by peer", which syscall.ECONNRESET does not
// match on Windows; the others are not.
func TestIsResetWindowsErrors(t *testing.T) {
	opErr := func(call string, errno error) error {
		return &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError(call, errno)}
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"WSAECONNRESET from wsarecv", opErr("wsarecv", syscall.Errno(10054)), true},
		{"WSAECONNABORTED from wsarecv", opErr("wsarecv", syscall.Errno(10053)), true},
		{"wrapped twice", errors.Join(io.ErrUnexpectedEOF, opErr("wsasend", syscall.WSAECONNRESET)), true},
		{"end of file", io.EOF, false},
		{"timeout", opErr("wsarecv", os.ErrDeadlineExceeded), false},
		{"refused", opErr("connectex", syscall.Errno(10061)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsReset(tc.err); got != tc.want {
				t.Fatalf("IsReset(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
	if errors.Is(syscall.WSAECONNRESET, syscall.ECONNRESET) {
		t.Log("Go now matches WSAECONNRESET as syscall.ECONNRESET; IsReset's Windows case could go")
	}
}
