package netconn

import (
	"errors"
	"syscall"
)

// IsReset reports whether err says the peer reset the connection. On
// Windows a reset is WSAECONNRESET (10054), which syscall.ECONNRESET (a
// value Go invents for Windows) does not match; a connection the local
// stack aborted is WSAECONNABORTED.
func IsReset(err error) bool {
	return errors.Is(err, syscall.WSAECONNRESET) || errors.Is(err, syscall.WSAECONNABORTED)
}
