package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"lockbox/client"
	"lockbox/client/dirsync"
	"lockbox/client/transfer"
	"lockbox/client/trust"
)

const syncUsageText = `Usage:
  lockbox sync [flags] LOCAL URL     compare LOCAL with the server folder in URL and synchronise
  lockbox sync [flags] --profile NAME  run a saved sync profile (LOCKBOX_PASSWORD for cron/systemd)
  lockbox sync --profiles [--json]   list the saved sync profiles

Compares by size and modification time (MLSD or MDTM in UTC; for a server with LIST only, the
clock offset is measured once with a probe file and shown). What both sides looked like after a
run is kept in sync-state.json in the configuration folder, so a file changed on both sides is a
conflict (reported, never overwritten) and a second run right after does nothing.
--dry-run prints the plan (with --json: {"clock", "actions": [{"op", "path", "size", "reason"}]})
and changes nothing. Exit codes: 0 done, 1 an action failed or conflicts remain, 2 usage,
3 certificate not trusted.

Flags:
`

// syncFlags are the flags sync adds.
type syncFlags struct {
	direction   string
	del         bool
	dryRun      bool
	include     stringList
	exclude     stringList
	onlyMissing bool
	parallel    int
	profile     string
	saveProfile string
	tolerance   time.Duration
	verify      bool
	watch       bool
	list        bool
	checksum    bool
}

// syncJSON is what --json prints.
type syncJSON struct {
	Clock     dirsync.Clock          `json:"clock"`
	Counts    map[dirsync.Status]int `json:"counts"`
	DryRun    bool                   `json:"dry_run"`
	Actions   []dirsync.Outcome      `json:"actions"`
	Failed    int                    `json:"failed"`
	Conflicts int                    `json:"conflicts"`
	Refused   []string               `json:"refused"`
	Error     string                 `json:"error,omitempty"`
}

func runSyncCLI(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var f cliFlags
	var sf syncFlags
	fs := newFlagSet(&f, stderr)
	fs.StringVar(&sf.direction, "direction", "up", "`up` (make the server like LOCAL), down (LOCAL like the server) or both (newer wins)")
	fs.BoolVar(&sf.del, "delete", false, "mirror deletions (off by default)")
	fs.BoolVar(&sf.dryRun, "dry-run", false, "print the plan, change nothing")
	fs.Var(&sf.include, "include", "compare only files matching `GLOB` (base name or relative path; repeatable)")
	fs.Var(&sf.exclude, "exclude", "leave out files and folders matching `GLOB` (repeatable)")
	fs.BoolVar(&sf.onlyMissing, "only-missing", false, "copy only files the other side lacks")
	fs.IntVar(&sf.parallel, "parallel", client.DefaultPoolSize, fmt.Sprintf("list and transfer over `N` connections (1-%d)", client.MaxPoolSize))
	fs.StringVar(&sf.profile, "profile", "", "run the saved sync profile `NAME`")
	fs.StringVar(&sf.saveProfile, "save-profile", "", "save LOCAL, URL, direction, filters and --delete as profile `NAME` (then run it)")
	fs.BoolVar(&sf.verify, "verify", false, "check each transferred file's hash with the server (HASH, XSHA256, XSHA1, XMD5 or XCRC); on by default in a saved profile")
	fs.BoolVar(&sf.watch, "watch", false, "after synchronising, keep watching LOCAL and upload each burst of changes (with --delete, delete too) until Ctrl+C")
	fs.BoolVar(&sf.checksum, "checksum", false, "also compare files of the same size by the server's hash (HASH, XSHA256, XSHA1, XMD5 or XCRC) when it offers one")
	fs.BoolVar(&sf.list, "profiles", false, "list the saved sync profiles (with --json, as JSON)")
	fs.DurationVar(&sf.tolerance, "tolerance", dirsync.DefaultTolerance, "times closer than `DURATION` are equal")
	setUsage(fs, syncUsageText)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return parseExit(err)
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "lockbox sync: %s\n", fmt.Sprintf(format, a...))
		return exitUsage
	}
	cfgDir, err := trust.ConfigDir()
	if err != nil {
		return usage("%v", err)
	}
	profiles := dirsync.OpenProfiles(cfgDir)
	if sf.list {
		return listProfiles(profiles, f.json, stdout, stderr)
	}
	var prof dirsync.Profile
	key := ""
	switch {
	case sf.profile != "":
		if len(pos) != 0 {
			return usage("--profile takes no LOCAL or URL")
		}
		p, ok, err := profiles.Get(sf.profile)
		if err != nil {
			return usage("%v", err)
		}
		if !ok {
			return usage("no sync profile is called %q (in %s)", sf.profile, profiles.Path())
		}
		prof, key = p, dirsync.ProfileKey(p.Name)
	case len(pos) == 2:
		dir, err := dirsync.ParseDirection(sf.direction)
		if err != nil {
			return usage("--direction: %v", err)
		}
		verifySet := false
		fs.Visit(func(fl *flag.Flag) { verifySet = verifySet || fl.Name == "verify" })
		prof = dirsync.Profile{Name: sf.saveProfile, Local: pos[0], URL: pos[1], Direction: dir,
			Filter: dirsync.Filter{Include: sf.include, Exclude: sf.exclude}, Delete: sf.del, OnlyMissing: sf.onlyMissing,
			Verify: sf.verify || sf.saveProfile != "" && !verifySet}
	default:
		return usage("need LOCAL and URL, or --profile NAME (see lockbox sync -h)")
	}
	if sf.watch && (sf.dryRun || prof.Direction != dirsync.Up) {
		return usage("--watch uploads local changes: it takes --direction up and no --dry-run")
	}
	if sf.parallel < 1 || sf.parallel > client.MaxPoolSize {
		return usage("--parallel must be 1 to %d", client.MaxPoolSize)
	}
	if err := prof.Filter.Check(); err != nil {
		return usage("%v", err)
	}
	target, err := client.ParseURL(prof.URL)
	if err != nil {
		return usage("%v", err)
	}
	if !target.Scheme.IsFTP() {
		return usage("sync works with ftp://, ftpes:// and ftps:// URLs")
	}
	if target.HasPassword {
		return usage("put the password in LOCKBOX_PASSWORD, not in the URL")
	}
	if sf.saveProfile != "" {
		if err := profiles.Save(prof); err != nil {
			return usage("%v", err)
		}
		key = dirsync.ProfileKey(prof.Name)
		if !f.json {
			fmt.Fprintf(stdout, "Saved sync profile %q.\n", prof.Name)
		}
	}
	if key == "" {
		key = dirsync.Key(prof.Local, target.String())
	}
	if st, err := os.Stat(prof.Local); err != nil || !st.IsDir() {
		if prof.Direction != dirsync.Down || (err != nil && !os.IsNotExist(err)) {
			return usage("local folder %s: not a folder", prof.Local)
		}
	}
	opts, err := f.options(target, os.Getenv, stderr)
	if err != nil {
		return optionsFailed("sync", err, stderr)
	}
	if err := askPassword(&target, stdin, stderr); err != nil {
		return usage("%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	out := syncJSON{DryRun: sf.dryRun, Actions: []dirsync.Outcome{}, Refused: []string{}}
	fail := func(err error, code int) int {
		out.Error = withAdvice(err)
		if f.json {
			writeJSON(stdout, out)
		}
		fmt.Fprintf(stderr, "lockbox sync: %s\n", out.Error)
		return code
	}
	pool, _, err := client.OpenPool(ctx, target, opts, client.PoolOptions{Size: sf.parallel})
	if err != nil {
		if client.IsTrustFailure(err) {
			return fail(err, exitUntrusted)
		}
		return fail(err, exitFailure)
	}
	defer pool.Close()
	remote := target.RemotePath("")
	if remote == "" {
		remote = "."
	}
	cfg := dirsync.Config{LocalDir: prof.Local, RemoteDir: remote, Filter: prof.Filter, Tolerance: sf.tolerance,
		Plan:  dirsync.PlanOptions{Direction: prof.Direction, Delete: prof.Delete, OnlyMissing: prof.OnlyMissing},
		State: dirsync.OpenState(cfgDir), Key: key}
	if prof.Direction == dirsync.Down {
		if err := os.MkdirAll(prof.Local, 0o755); err != nil {
			return fail(err, exitFailure)
		}
	}
	if sf.watch {
		return watchCLI(ctx, pool, cfg, prof.Verify, f.json, stdout, stderr)
	}
	scan, err := dirsync.CompareTrees(ctx, pool, cfg)
	if err != nil {
		return fail(err, exitFailure)
	}
	if sf.checksum {
		if _, err := dirsync.CompareChecksums(ctx, pool, cfg, scan, 0); errors.Is(err, dirsync.ErrNoHashCommand) {
			fmt.Fprintf(stderr, "lockbox sync: not compared by checksum: %v\n", err)
		} else if err != nil {
			return fail(err, exitFailure)
		}
	}
	out.Clock, out.Counts = scan.Remote.Clock, scan.Comparison.Counts
	for _, r := range scan.Remote.Refused {
		out.Refused = append(out.Refused, r.Error())
	}
	for _, r := range scan.RefusedLocal {
		out.Refused = append(out.Refused, "local name "+r+" is not a plain name; left alone")
	}
	plan := dirsync.Plan(scan.Comparison, cfg.Plan)
	if !f.json {
		fmt.Fprintf(stdout, "%s; %s\n", scan.Remote.Clock, dirsync.Summary(scan.Comparison.Counts))
		for _, r := range out.Refused {
			fmt.Fprintf(stderr, "lockbox sync: refused: %s\n", r)
		}
	}
	code := exitOK
	if sf.dryRun {
		for _, a := range plan {
			out.Actions = append(out.Actions, dirsync.Outcome{Action: a})
			if a.Op == dirsync.OpConflict {
				out.Conflicts++
			}
		}
	} else {
		bars := newProgressBars(stderr)
		q, err := transfer.NewQueue(pool, transfer.QueueOptions{Observer: bars.observe, Verify: prof.Verify})
		if err != nil {
			return fail(err, exitFailure)
		}
		q.Start(ctx)
		res, err := dirsync.Execute(ctx, pool, q, cfg, scan, plan)
		q.Close()
		bars.clear()
		if res != nil {
			out.Actions, out.Failed, out.Conflicts = res.Outcomes, res.Failed, res.Conflicts
		}
		if err != nil {
			return fail(err, exitFailure)
		}
	}
	if out.Failed > 0 || out.Conflicts > 0 {
		code = exitFailure
	}
	if f.json {
		writeJSON(stdout, out)
		return code
	}
	for _, o := range out.Actions {
		line := fmt.Sprintf("%-13s %s  (%s)", o.Op, o.Path, o.Reason)
		if o.Error != "" {
			line += ": FAILED: " + o.Error
		}
		fmt.Fprintln(stdout, line)
	}
	verb := "done"
	if sf.dryRun {
		verb = "planned (dry run, nothing changed)"
	}
	fmt.Fprintf(stdout, "%d action(s) %s; %d failed, %d conflict(s)\n", len(out.Actions), verb, out.Failed, out.Conflicts)
	return code
}

// watchCLI runs sync --watch: one line (or JSON object) per pass, until
// Ctrl+C.
func watchCLI(ctx context.Context, pool *client.Pool, cfg dirsync.Config, verify, asJSON bool, stdout, stderr io.Writer) int {
	q, err := transfer.NewQueue(pool, transfer.QueueOptions{Verify: verify})
	if err != nil {
		fmt.Fprintf(stderr, "lockbox sync: %v\n", err)
		return exitFailure
	}
	q.Start(ctx)
	defer q.Close()
	if !asJSON {
		fmt.Fprintf(stdout, "Watching %s (Ctrl+C stops)\n", cfg.LocalDir)
	}
	err = dirsync.Watch(ctx, pool, q, cfg, dirsync.WatchOptions{Ran: func(r *dirsync.Result, err error) {
		stamp := time.Now().Format("15:04:05")
		switch {
		case asJSON:
			out := syncJSON{Actions: []dirsync.Outcome{}, Refused: []string{}}
			if r != nil {
				out.Actions, out.Failed, out.Conflicts = r.Outcomes, r.Failed, r.Conflicts
			}
			if err != nil {
				out.Error = withAdvice(err)
			}
			writeJSON(stdout, out)
		case err != nil:
			fmt.Fprintf(stderr, "%s lockbox sync: %s\n", stamp, withAdvice(err))
		default:
			for _, o := range r.Outcomes {
				line := fmt.Sprintf("%s %-13s %s", stamp, o.Op, o.Path)
				if o.Error != "" {
					line += ": FAILED: " + o.Error
				}
				fmt.Fprintln(stdout, line)
			}
		}
	}})
	if err != nil {
		fmt.Fprintf(stderr, "lockbox sync: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// listProfiles prints the saved sync profiles.
func listProfiles(store *dirsync.Profiles, asJSON bool, stdout, stderr io.Writer) int {
	list, err := store.List()
	if err != nil {
		fmt.Fprintf(stderr, "lockbox sync: %v\n", err)
		return exitFailure
	}
	if list == nil {
		list = []dirsync.Profile{}
	}
	if asJSON {
		writeJSON(stdout, map[string]any{"profiles": list})
		return exitOK
	}
	if len(list) == 0 {
		fmt.Fprintf(stdout, "No saved sync profiles in %s.\n", store.Path())
		return exitOK
	}
	for _, p := range list {
		extra := ""
		if p.Delete {
			extra += ", --delete"
		}
		if p.Verify {
			extra += ", --verify"
		}
		if len(p.Filter.Include)+len(p.Filter.Exclude) > 0 {
			extra += fmt.Sprintf(", include %q, exclude %q", p.Filter.Include, p.Filter.Exclude)
		}
		fmt.Fprintf(stdout, "%s: %s <-> %s, %s%s\n", p.Name, p.Local, p.URL, p.Direction, extra)
	}
	return exitOK
}
