//go:build !windows

package main

// attachConsole has nothing to do outside Windows: a program started from
// a terminal writes to it (see console_windows.go).
func attachConsole() {}
