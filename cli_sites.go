package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"lockbox/client/secrets"
	"lockbox/client/sites"
)

const sitesUsageText = `Usage:
  lockbox sites [--json]              list the saved sites and whether a password is in the keyring
  lockbox sites import [--json] FILE  import FileZilla's sitemanager.xml (~/.config/filezilla/);
                                      passwords go to the system keyring, never to a file
  lockbox sites rm NAME               delete a site and its saved password

Sites live in sites.json in the configuration folder ($LOCKBOX_CONFIG_DIR, else ~/.config/lockbox).
Passwords are kept in the system keyring (Secret Service on Linux, Keychain, Credential Manager)
and are never printed.

Exit codes: 0 done, 1 failure, 2 usage.

Flags:
`

// openSiteSecrets opens the password store for "lockbox sites": the system
// keyring, or the reason it cannot be used. A variable so that tests need
// no keyring.
var openSiteSecrets = secrets.Open

// siteJSON is one site in "lockbox sites --json": the saved fields and
// whether a password is in the keyring (null when that cannot be told).
type siteJSON struct {
	sites.Site
	PasswordSaved *bool `json:"password_saved"`
}

// runSites runs "lockbox sites" and returns its exit code.
func runSites(args []string, stdout, stderr io.Writer) int {
	fs := newCommandFlagSet("lockbox sites", sitesUsageText, stderr)
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return parseExit(err)
	}
	sub := ""
	if len(pos) > 0 {
		sub, pos = pos[0], pos[1:]
	}
	switch sub {
	case "", "list", "ls":
		if len(pos) != 0 {
			fmt.Fprintf(stderr, "lockbox sites: unexpected %q\n", pos[0])
			return exitUsage
		}
	case "import", "rm":
		if len(pos) != 1 {
			what := "FILE"
			if sub == "rm" {
				what = "NAME"
			}
			fmt.Fprintf(stderr, "lockbox sites %s: need exactly one %s, got %d\n", sub, what, len(pos))
			return exitUsage
		}
	default:
		fmt.Fprintf(stderr, "lockbox sites: unknown command %q\n\n", sub)
		fs.Usage()
		return exitUsage
	}

	store, err := sites.OpenDefault()
	if err := warnSetAside(err, stderr); err != nil {
		fmt.Fprintf(stderr, "lockbox sites: %v\n", err)
		return exitFailure
	}
	switch sub {
	case "import":
		return sitesImport(store, pos[0], *asJSON, stdout, stderr)
	case "rm":
		return sitesRemove(store, pos[0], *asJSON, stdout, stderr)
	}
	return sitesList(store, *asJSON, stdout, stderr)
}

func sitesList(store *sites.Store, asJSON bool, stdout, stderr io.Writer) int {
	list := store.List()
	out := make([]siteJSON, len(list))
	var keyringErr error
	if len(list) > 0 {
		// Only ask the keyring (D-Bus, perhaps an unlock prompt) when there
		// is something to ask about.
		var sec secrets.Store
		sec, keyringErr = openSiteSecrets()
		for i, s := range list {
			out[i].Site = s
			if keyringErr != nil {
				continue
			}
			has, err := sites.HasPassword(sec, s.Name)
			if err != nil {
				fmt.Fprintf(stderr, "lockbox sites: %v\n", err)
				continue
			}
			out[i].PasswordSaved = &has
		}
	}
	if asJSON {
		v := struct {
			File         string     `json:"file"`
			KeyringError *string    `json:"keyring_error"`
			Sites        []siteJSON `json:"sites"`
		}{File: store.Path(), Sites: out}
		if keyringErr != nil {
			msg := keyringErr.Error()
			v.KeyringError = &msg
		}
		writeJSON(stdout, v)
		return exitOK
	}
	if len(list) == 0 {
		fmt.Fprintf(stdout, "No saved sites in %s.\nAdd one in the window's site manager, or import FileZilla's: lockbox sites import ~/.config/filezilla/sitemanager.xml\n", store.Path())
		return exitOK
	}
	fmt.Fprintf(stdout, "Sites in %s:\n\n", store.Path())
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tURL\tUSER\tPASSWORD")
	for _, s := range out {
		pw := "unknown"
		if s.PasswordSaved != nil {
			pw = map[bool]string{true: "in keyring", false: "none (asked)"}[*s.PasswordSaved]
		}
		url := s.URL
		if s.RemoteDir != "" {
			url += "  (folder " + s.RemoteDir + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, url, orDash(s.User), pw)
	}
	tw.Flush()
	if keyringErr != nil {
		fmt.Fprintf(stdout, "\nWhich passwords are saved cannot be told: %v.\n", keyringErr)
	}
	return exitOK
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func sitesImport(store *sites.Store, file string, asJSON bool, stdout, stderr io.Writer) int {
	// Without a keyring the passwords are saved nowhere: the in-memory
	// fallback would forget them when this command ends.
	res, err := store.ImportFileZillaFile(file, openSiteSecrets)
	if err != nil {
		fmt.Fprintf(stderr, "lockbox sites import: %v\n", err)
		return exitFailure
	}
	if asJSON {
		v := struct {
			File              string   `json:"file"`
			Added             []string `json:"added"`
			PasswordsSaved    int      `json:"passwords_saved"`
			PasswordsNotSaved []string `json:"passwords_not_saved"`
			PasswordError     *string  `json:"password_error"`
			Warnings          []string `json:"warnings"`
		}{store.Path(), nonNil(res.Added), res.PasswordsSaved, nonNil(res.PasswordsNotSaved), nil, nonNil(res.Warnings)}
		if res.PasswordError != nil {
			msg := res.PasswordError.Error()
			v.PasswordError = &msg
		}
		writeJSON(stdout, v)
		return exitOK
	}
	if len(res.Added) == 0 {
		fmt.Fprintf(stdout, "No sites were imported from %s.\n", file)
	} else {
		fmt.Fprintf(stdout, "Imported %d sites from %s into %s:\n", len(res.Added), file, store.Path())
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, n := range res.Added {
			s, _ := store.Get(n)
			fmt.Fprintf(tw, "  %s\t%s\n", n, s.URL)
		}
		tw.Flush()
	}
	if res.PasswordsSaved > 0 {
		fmt.Fprintf(stdout, "%d passwords were saved in the system keyring (service %q).\n", res.PasswordsSaved, secrets.KeyringService)
	}
	if len(res.PasswordsNotSaved) > 0 {
		fmt.Fprintf(stdout, "%d passwords were NOT saved (%s): %v.", len(res.PasswordsNotSaved), strings.Join(res.PasswordsNotSaved, ", "), res.PasswordError)
		if !res.KeyringUnavailable() {
			// An unavailable keyring's reason already says so.
			fmt.Fprint(stdout, " You will be asked for them when you connect.")
		}
		fmt.Fprintln(stdout)
	}
	if len(res.Warnings) > 0 {
		fmt.Fprintln(stdout, "\nWarnings:")
		for _, w := range res.Warnings {
			fmt.Fprintf(stdout, "  %s\n", w)
		}
	}
	return exitOK
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sitesRemove(store *sites.Store, name string, asJSON bool, stdout, stderr io.Writer) int {
	if _, ok := store.Get(name); !ok {
		fmt.Fprintf(stderr, "lockbox sites rm: no site is called %q (lockbox sites lists them)\n", name)
		return exitFailure
	}
	sec, keyringErr := openSiteSecrets()
	if keyringErr != nil {
		sec = nil
	}
	if err := store.Delete(name, sec); err != nil {
		fmt.Fprintf(stderr, "lockbox sites rm: %v\n", err)
		return exitFailure
	}
	if keyringErr != nil {
		fmt.Fprintf(stderr, "lockbox sites rm: warning: if a password was saved for %q, it is still in the keyring, which cannot be used: %v\n", name, keyringErr)
	}
	if asJSON {
		writeJSON(stdout, struct {
			Deleted string `json:"deleted"`
		}{name})
		return exitOK
	}
	fmt.Fprintf(stdout, "Deleted site %q.\n", name)
	return exitOK
}
