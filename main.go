// Command lockbox is an FTP/FTPS/HTTPS client that shows what a TLS
// connection really did. Without arguments it opens the window; with a
// sub-command it runs the same engine from the command line.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"

	"fyne.io/fyne/v2/app"

	"lockbox/ui"
	_ "lockbox/ui/locale" // before Fyne initialises: see the package
)

func main() {
	if len(os.Args) < 2 {
		if !haveDisplay(runtime.GOOS, os.Getenv) {
			noDisplay(os.Stderr)
			os.Exit(2)
		}
		a := app.NewWithID("app.lockbox")
		ui.Run(a)
		return
	}
	attachConsole()
	os.Exit(runCLI(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// haveDisplay reports whether a window can be opened: on X11/Wayland
// systems one of DISPLAY or WAYLAND_DISPLAY must be set, or GLFW panics
// with "The GLFW library is not initialized".
func haveDisplay(goos string, getenv func(string) string) bool {
	switch goos {
	case "windows", "darwin", "android", "ios", "js", "wasip1":
		return true
	}
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
}

// noDisplay says why the window cannot open and what to do instead.
func noDisplay(w io.Writer) {
	fmt.Fprintln(w, "lockbox: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set).")
	fmt.Fprintln(w, "Run it from a desktop session, or use the command line: lockbox help")
}
