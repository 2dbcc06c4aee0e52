//go:build !windows

package netconn

// underWine reports whether the test runs under wine: never outside Windows.
func underWine() bool { return false }
