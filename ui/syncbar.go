package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/client/dirsync"
	"lockbox/ui/syncui"
)

// syncBar is folder synchronisation in the window: Compare,
// Synchronize…, Profiles… and the watch toggle in the tools row while an
// FTP site is connected, and after a comparison its summary line and the
// legend of the marks under the panes.
type syncBar struct {
	w           *MainWindow
	buttons     *fyne.Container // in the tools row; shown while connected
	content     *fyne.Container // under the panes: summary and legend, shown after a comparison
	frame       *fyne.Container // the panes with the bar under them, laid out again when the bar shows or hides
	toolsRow    *fyne.Container // the row holding buttons
	compare     *widget.Button
	synchronize *widget.Button
	more        *widget.Button // Sync profiles…, Keep the server up to date
	watching    bool
	checksums   bool // Compare also hashes same-size files on the server
	summary     *widget.Label
	legend      fyne.CanvasObject

	conn      *connection
	scan      *dirsync.Scan // the last comparison, for the dialog
	cfg       dirsync.Config
	opts      syncui.Options
	stopWatch context.CancelFunc
	watchDone chan struct{} // closed when the last watch started has ended
	dialog    *syncui.Dialog
}

func (w *MainWindow) newSyncBar() *syncBar {
	b := &syncBar{w: w, opts: syncui.Options{Plan: dirsync.PlanOptions{Direction: dirsync.Up}}}
	b.compare = widget.NewButtonWithIcon("Compare", theme.ViewRestoreIcon(), func() { b.Compare(nil) })
	b.synchronize = widget.NewButtonWithIcon("Sync…", theme.ViewRefreshIcon(), func() { b.Compare(b.openDialog) })
	b.more = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), b.showMenu)
	b.summary = widget.NewLabel("")
	b.summary.Truncation = fyne.TextTruncateEllipsis
	b.legend = container.NewHScroll(syncui.Legend())
	b.buttons = container.NewHBox(b.compare, b.synchronize, b.more)
	b.buttons.Hide()
	b.content = container.NewVBox(b.summary, b.legend)
	b.content.Hide()
	return b
}

// connected shows the bar for an FTP connection.
func (b *syncBar) connected(c *connection) {
	b.conn = c
	b.clear()
	b.buttons.Show()
	b.relayout()
}

// relayout lays the panes out again after the bar or legend showed or hid.
func (b *syncBar) relayout() {
	b.buttons.Refresh()
	if b.toolsRow != nil {
		b.toolsRow.Refresh()
	}
	b.content.Refresh()
	if b.frame != nil {
		b.frame.Refresh()
	}
}

// disconnected hides the bar, stops watching and removes the marks.
func (b *syncBar) disconnected() {
	b.setWatch(false)
	b.conn = nil
	b.clear()
	b.buttons.Hide()
	b.relayout()
}

func (b *syncBar) clear() {
	b.scan = nil
	b.w.local.SetMarker(nil)
	b.w.remote.pane.SetMarker(nil)
	b.content.Hide()
	b.relayout()
}

// config is the synchronisation of the two folders the panes show.
func (b *syncBar) config() (dirsync.Config, error) {
	local, remote := b.w.local.Dir(), b.w.remote.pane.Dir()
	if b.conn == nil || local == "" || remote == "" {
		return dirsync.Config{}, fmt.Errorf("connect to a server and open the folders to compare in both panes")
	}
	t := b.conn.target
	t.Path, t.LoginRelative = remote, false
	cfg := dirsync.Config{LocalDir: local, RemoteDir: remote, Filter: b.opts.Filter, Plan: b.opts.Plan, Verify: b.opts.Verify,
		Key: dirsync.Key(local, t.String())}
	if b.w.deps.SyncDir != "" {
		cfg.State = dirsync.OpenState(b.w.deps.SyncDir)
	}
	return cfg, nil
}

// Compare compares the two folders off the UI goroutine, then marks both
// panes and says the summary; then runs next, if any, on the UI goroutine.
func (b *syncBar) Compare(next func()) {
	cfg, err := b.config()
	if err != nil {
		b.w.setStatus(strings.ToUpper(err.Error()[:1])+err.Error()[1:]+".", widget.WarningImportance)
		return
	}
	b.compareWith(cfg, next)
}

// compareWith compares the folders of cfg (see Compare).
func (b *syncBar) compareWith(cfg dirsync.Config, next func()) {
	c, checksums := b.conn, b.checksums
	b.compare.Disable()
	b.synchronize.Disable()
	b.w.setStatus("Comparing "+cfg.LocalDir+" with "+cfg.RemoteDir+"…", widget.MediumImportance)
	go func() {
		scan, err := dirsync.CompareTrees(c.ctx, c.pool, cfg)
		note := ""
		if err == nil && checksums {
			if _, cerr := dirsync.CompareChecksums(c.ctx, c.pool, cfg, scan, 0); errors.Is(cerr, dirsync.ErrNoHashCommand) {
				note = "Not compared by checksum: " + cerr.Error() + "."
			} else {
				err = cerr
			}
		}
		b.w.do(func() {
			b.compare.Enable()
			b.synchronize.Enable()
			if b.conn != c {
				return
			}
			if err != nil {
				b.w.setStatus("Compare failed: "+err.Error(), widget.DangerImportance)
				return
			}
			b.showScan(cfg, scan)
			if note != "" {
				b.w.setStatus(note, widget.WarningImportance)
			}
			if next != nil {
				next()
			}
		})
	}()
}

// showScan marks both panes with a comparison and says its summary.
func (b *syncBar) showScan(cfg dirsync.Config, scan *dirsync.Scan) {
	b.scan, b.cfg = scan, cfg
	marks := syncui.NewMarks(scan.Comparison)
	localRoot := cfg.LocalDir
	b.w.local.SetMarker(marks.Marker(func(dir string) (string, bool) {
		rel, err := filepath.Rel(localRoot, dir)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", false
		}
		if rel == "." {
			return "", true
		}
		return filepath.ToSlash(rel), true
	}))
	b.w.remote.pane.SetMarker(marks.Marker(syncui.RemoteRel(cfg.RemoteDir)))
	counts := map[dirsync.Status]int{}
	for st, n := range scan.Comparison.Counts {
		counts[st] = n
	}
	text := dirsync.Summary(counts)
	if scan.Remote.Clock.Source == dirsync.TimesLIST {
		text += " (" + scan.Remote.Clock.String() + ")"
	}
	b.summary.SetText(strings.ToUpper(text[:1]) + text[1:])
	b.content.Show()
	b.relayout()
}

// openDialog opens the Synchronize dialog on the last comparison.
func (b *syncBar) openDialog() {
	if b.scan == nil {
		return
	}
	scan, cfg, c := b.scan, b.cfg, b.conn
	d := syncui.NewDialog(b.w.Window, scan.Comparison, b.opts)
	d.OnRun = func(plan []dirsync.Action, o syncui.Options) {
		b.opts = o
		cfg.Filter, cfg.Plan, cfg.Verify = o.Filter, o.Plan, o.Verify
		b.run(c, cfg, scan, plan)
	}
	b.dialog = d
	d.Show()
}

// run carries out a plan: the transfers go to the connection's queue (the
// Transfers tab shows them); then both folders are compared again.
func (b *syncBar) run(c *connection, cfg dirsync.Config, scan *dirsync.Scan, plan []dirsync.Action) {
	b.w.tabs.SelectIndex(transfersTab)
	b.w.setStatus(fmt.Sprintf("Synchronizing: %d actions…", len(plan)), widget.MediumImportance)
	go func() {
		res, err := dirsync.Execute(c.ctx, c.pool, c.queue, cfg, scan, plan)
		b.w.do(func() {
			if b.conn != c {
				return
			}
			switch {
			case err != nil:
				b.w.setStatus("Synchronize failed: "+err.Error(), widget.DangerImportance)
			case res.Failed > 0 || res.Conflicts > 0:
				b.w.setStatus(fmt.Sprintf("Synchronized with %d failed and %d conflicts left alone (see the Transfers tab).", res.Failed, res.Conflicts), widget.WarningImportance)
			default:
				b.w.setStatus(fmt.Sprintf("Synchronized: %d actions done.", len(res.Outcomes)), widget.SuccessImportance)
			}
			b.w.local.Refresh()
			b.w.remote.Refresh()
			b.Compare(nil)
		})
	}()
}

// setWatch starts or stops keeping the server's folder up to date with
// the local one shown (uploads, and deletions when the last Synchronize
// had "Delete" ticked).
func (b *syncBar) setWatch(on bool) {
	if b.stopWatch != nil {
		b.stopWatch()
		b.stopWatch = nil
		b.w.setStatus("Stopped keeping the server up to date.", widget.MediumImportance)
	}
	b.watching = false
	if !on {
		return
	}
	cfg, err := b.config()
	if err != nil {
		b.w.setStatus(strings.ToUpper(err.Error()[:1])+err.Error()[1:]+".", widget.WarningImportance)
		return
	}
	b.watching = true
	c := b.conn
	ctx, stop := context.WithCancel(c.ctx)
	b.stopWatch = stop
	b.w.setStatus("Keeping "+cfg.RemoteDir+" up to date with "+cfg.LocalDir+".", widget.MediumImportance)
	done := make(chan struct{})
	b.watchDone = done
	go b.watch(ctx, c, cfg, done)
}

// watch runs dirsync.Watch until ctx ends, then closes done.
func (b *syncBar) watch(ctx context.Context, c *connection, cfg dirsync.Config, done chan struct{}) {
	defer close(done)
	dirsync.Watch(ctx, c.pool, c.queue, cfg, dirsync.WatchOptions{Ran: func(r *dirsync.Result, err error) {
		b.w.do(func() {
			if b.conn != c || ctx.Err() != nil {
				return
			}
			if err != nil {
				b.w.setStatus("Keeping the server up to date: "+err.Error(), widget.DangerImportance)
				return
			}
			if len(r.Outcomes) > 0 {
				b.w.setStatus(fmt.Sprintf("Kept the server up to date: %d actions, %d failed.", len(r.Outcomes), r.Failed), widget.MediumImportance)
				b.w.remote.Refresh()
			}
		})
	}})
}

// showMenu opens the menu of the ⋮ button.
func (b *syncBar) showMenu() {
	watch := fyne.NewMenuItem("Keep the server up to date", func() { b.setWatch(!b.watching) })
	watch.Checked = b.watching
	sums := fyne.NewMenuItem("Compare checksums too", func() { b.checksums = !b.checksums })
	sums.Checked = b.checksums
	m := fyne.NewMenu("", fyne.NewMenuItem("Sync profiles…", b.showProfiles), watch, sums)
	c := fyne.CurrentApp().Driver().CanvasForObject(b.more)
	if c == nil {
		return
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b.more)
	widget.ShowPopUpMenuAtPosition(m, c, pos.Add(fyne.NewPos(0, b.more.Size().Height)))
}

// showProfiles lists the saved sync profiles of the connected site; Run
// compares the profile's folders and opens the Synchronize dialog with its
// direction and filters.
func (b *syncBar) showProfiles() {
	if b.w.deps.SyncDir == "" || b.conn == nil {
		b.w.setStatus("Sync profiles are not available.", widget.WarningImportance)
		return
	}
	store := dirsync.OpenProfiles(b.w.deps.SyncDir)
	list, err := store.List()
	if err != nil {
		b.w.setStatus("Sync profiles: "+err.Error(), widget.DangerImportance)
		return
	}
	var names []string
	byName := map[string]dirsync.Profile{}
	for _, p := range list {
		names = append(names, p.Name)
		byName[p.Name] = p
	}
	sel := widget.NewSelect(names, nil)
	info := widget.NewLabel("")
	info.Wrapping = fyne.TextWrapWord
	sel.OnChanged = func(n string) {
		p := byName[n]
		info.SetText(fmt.Sprintf("%s with %s, %s%s", p.Local, p.URL, p.Direction, map[bool]string{true: ", deletes", false: ""}[p.Delete]))
	}
	name := widget.NewEntry()
	name.SetPlaceHolder("Name for the folders shown now")
	var d *dialog.CustomDialog
	run := widget.NewButtonWithIcon("Run", theme.MediaPlayIcon(), func() {
		p, ok := byName[sel.Selected]
		if !ok {
			return
		}
		d.Hide()
		b.runProfile(p)
	})
	save := widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() {
		t := b.conn.target
		t.Path = b.w.remote.pane.Dir()
		t.LoginRelative = false
		p := dirsync.Profile{Name: strings.TrimSpace(name.Text), URL: t.String(), Local: b.w.local.Dir(), Direction: b.opts.Plan.Direction,
			Filter: b.opts.Filter, Delete: b.opts.Plan.Delete, OnlyMissing: b.opts.Plan.OnlyMissing, Verify: true}
		if err := store.Save(p); err != nil {
			b.w.setStatus("Save sync profile: "+err.Error(), widget.DangerImportance)
			return
		}
		d.Hide()
		b.w.setStatus(fmt.Sprintf("Saved sync profile %q: lockbox sync --profile %q runs it.", p.Name, p.Name), widget.SuccessImportance)
	})
	body := container.NewVBox(widget.NewLabel("Saved profiles"), sel, info, container.NewHBox(run),
		widget.NewSeparator(), widget.NewLabel("Save the folders shown, with the last direction and filters"), name, container.NewHBox(save))
	d = dialog.NewCustom("Sync profiles", "Close", body, b.w.Window)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
}

// runProfile opens the profile's folders (its server must be the one
// connected) and compares them, then opens the dialog with its options.
func (b *syncBar) runProfile(p dirsync.Profile) {
	t := b.conn.target
	pt, err := client.ParseURL(p.URL)
	if err != nil || pt.Host != t.Host || pt.Port != t.Port || pt.User != t.User {
		b.w.setStatus(fmt.Sprintf("Profile %q is for %s: connect to it first.", p.Name, p.URL), widget.WarningImportance)
		return
	}
	b.opts = syncui.Options{Plan: dirsync.PlanOptions{Direction: p.Direction, Delete: p.Delete, OnlyMissing: p.OnlyMissing}, Filter: p.Filter, Verify: p.Verify}
	remote := pt.RemotePath("")
	if remote == "" {
		remote = "."
	}
	cfg := dirsync.Config{LocalDir: p.Local, RemoteDir: remote, Filter: p.Filter, Plan: b.opts.Plan, Verify: p.Verify,
		State: dirsync.OpenState(b.w.deps.SyncDir), Key: dirsync.ProfileKey(p.Name)}
	b.w.local.SetDir(p.Local)
	b.w.remote.pane.SetDir(remote)
	b.compareWith(cfg, b.openDialog)
}
