//go:build !windows

package netconn

import (
	"errors"
	"syscall"
)

// IsReset reports whether err says the peer reset the connection
// (ECONNRESET).
func IsReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET)
}
