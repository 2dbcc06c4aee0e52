// Package locale gives Fyne a locale it can parse before Fyne starts.
//
// Debian images and CI machines often run with LANG=C.UTF-8 (or C, or
// POSIX). Fyne's lang package parses the locale while it initialises and
// logs "Fyne error: Error parsing user locale C" for those, on every run of
// the command line. They mean "no particular language", which is English to
// Fyne, so this package says so before Fyne looks.
//
// It must be imported (for its side effect) by main, and it imports nothing
// that imports Fyne: Go initialises packages in import-path order among those
// whose imports are ready, and "lockbox/ui/locale" sorts before Fyne's
// dependencies "log" and "text/template", so it runs first.
package locale

import "os"

// neutral are the locale names that mean "no language".
var neutral = map[string]bool{"": true, "C": true, "POSIX": true, "C.UTF-8": true, "C.utf8": true}

func init() {
	if Normalize(os.LookupEnv) {
		os.Setenv("LC_ALL", "en_US.UTF-8")
	}
}

// Normalize reports whether the environment names no usable language (the
// first of LC_ALL, LC_MESSAGES, LANG that is set is neutral), in which case
// the caller sets English.
func Normalize(lookup func(string) (string, bool)) bool {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v, ok := lookup(name); ok && v != "" {
			return neutral[v]
		}
	}
	return false
}
