// Command lockbox is an FTP/FTPS/HTTPS client that shows what a TLS
// connection really did. Without arguments it opens the window; with a
// sub-command it runs the same engine from the command line.
package main

import (
	"os"

	"fyne.io/fyne/v2/app"

	"lockbox/ui"
	_ "lockbox/ui/locale" // before Fyne initialises: see the package
)

func main() {
	if len(os.Args) < 2 {
		a := app.NewWithID("app.lockbox")
		ui.Run(a)
		return
	}
	os.Exit(runCLI(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
