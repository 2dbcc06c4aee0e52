//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// attachParentProcess is AttachConsole's "the console of my parent".
const attachParentProcess = ^uint32(0)

// attachConsole gives the command line the console it was started from.
// Lockbox.exe is a GUI-subsystem program (no console window flashes up
// when the window opens from the Start menu), so Windows gives it no
// console: started from cmd.exe or PowerShell, its standard handles are
// empty and lockbox ls would print nothing. Handles that a pipe or a file
// redirection set are kept as they are; the empty ones are pointed at the
// parent's console, attached with AttachConsole(ATTACH_PARENT_PROCESS).
// Started from Explorer there is no parent console, and nothing changes.
// (x/sys/windows has no AttachConsole, hence the lazy kernel32 proc.)
func attachConsole() {
	out, errOut, in := stdHandle(windows.STD_OUTPUT_HANDLE), stdHandle(windows.STD_ERROR_HANDLE), stdHandle(windows.STD_INPUT_HANDLE)
	if out && errOut && in {
		return
	}
	attach := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")
	if r, _, _ := attach.Call(uintptr(attachParentProcess)); r == 0 {
		return
	}
	if !out {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			os.Stdout = f
		}
	}
	if !errOut {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			os.Stderr = f
		}
	}
	if !in {
		if f, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil {
			os.Stdin = f
		}
	}
}

// stdHandle reports whether the standard handle n leads somewhere.
func stdHandle(n uint32) bool {
	h, err := windows.GetStdHandle(n)
	return err == nil && h != 0 && h != windows.InvalidHandle
}
