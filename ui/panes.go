package ui

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/client/transfer"
	"lockbox/ui/browser"
)

// remoteSource browses a connected site through its pool: each command
// borrows a pooled session, so listings and transfers run side by side.
type remoteSource struct {
	browser.POSIX
	pool *client.Pool
	// failed is told, on the listing's goroutine, why a listing failed.
	failed func(error)
}

// CheckName implements browser.Source with the engine's own rule, the one
// downloads and uploads apply: a name it refuses could not be transferred.
func (r *remoteSource) CheckName(name string) error { return client.CheckName(name) }

// List implements browser.Source.
func (r *remoteSource) List(ctx context.Context, dir string) ([]browser.Entry, error) {
	var list []client.Entry
	err := r.pool.Do(ctx, func(s *client.Session) (err error) {
		list, err = s.List(dir)
		return err
	})
	if err != nil {
		if r.failed != nil && ctx.Err() == nil {
			r.failed(err)
		}
		return nil, err
	}
	out := make([]browser.Entry, 0, len(list))
	for _, e := range list { // Session.List leaves out "." and ".."
		out = append(out, browser.Entry{
			Name: e.Name, Dir: e.Type == "dir", Link: e.Type == "link",
			Size: int64(e.Size), ModTime: e.Time, Perm: e.Perm, Target: e.Target,
		})
	}
	return out, nil
}

// MakeDir implements browser.Source.
func (r *remoteSource) MakeDir(ctx context.Context, dir, name string) error {
	if err := r.CheckName(name); err != nil {
		return err
	}
	return r.pool.Do(ctx, func(s *client.Session) error { return s.MakeDir(ctx, path.Join(dir, name)) })
}

// Rename implements browser.Source.
func (r *remoteSource) Rename(ctx context.Context, dir, oldName, newName string) error {
	if err := r.CheckName(newName); err != nil {
		return err
	}
	return r.pool.Do(ctx, func(s *client.Session) error {
		return s.Rename(ctx, path.Join(dir, oldName), path.Join(dir, newName))
	})
}

// Delete implements browser.Source: a folder is emptied first, depth first.
func (r *remoteSource) Delete(ctx context.Context, dir string, e browser.Entry) error {
	p := path.Join(dir, e.Name)
	return r.pool.Do(ctx, func(s *client.Session) error {
		if !e.Dir || e.Link {
			return s.Delete(ctx, p)
		}
		return removeTree(ctx, s, p)
	})
}

// removeTree deletes folder p and everything in it.
func removeTree(ctx context.Context, s *client.Session, p string) error {
	list, err := s.List(p)
	if err != nil {
		return err
	}
	for _, e := range list {
		if err := client.CheckName(e.Name); err != nil {
			return fmt.Errorf("%s holds %q, which Lockbox will not touch: %w", p, e.Name, err)
		}
		child := path.Join(p, e.Name)
		if e.Type == "dir" {
			err = removeTree(ctx, s, child)
		} else {
			err = s.Delete(ctx, child)
		}
		if err != nil {
			return err
		}
	}
	return s.RemoveDir(ctx, p)
}

// httpsSource is the remote pane after an https:// URL was inspected: the
// one resource the URL names, to download.
type httpsSource struct {
	browser.POSIX
	name string
}

// List implements browser.Source.
func (h *httpsSource) List(context.Context, string) ([]browser.Entry, error) {
	return []browser.Entry{{Name: h.name, Size: -1}}, nil
}

// MakeDir implements browser.Source.
func (h *httpsSource) MakeDir(context.Context, string, string) error {
	return fmt.Errorf("an HTTPS URL names one resource: there are no folders to make")
}

// Rename implements browser.Source.
func (h *httpsSource) Rename(context.Context, string, string, string) error {
	return fmt.Errorf("an HTTPS URL names one resource: it cannot be renamed")
}

// Delete implements browser.Source.
func (h *httpsSource) Delete(context.Context, string, browser.Entry) error {
	return fmt.Errorf("an HTTPS URL names one resource: it cannot be deleted")
}

// remotePane is the right-hand pane: the connected site (or an HTTPS URL).
type remotePane struct {
	w        *MainWindow
	pane     *browser.Pane
	https    *client.Target // the inspected https:// URL the pane shows, if any
	httpsRep *client.Report // its inspection's report
}

func newRemotePane(w *MainWindow) *remotePane {
	r := &remotePane{w: w, pane: browser.New("Remote server", w.Window, nil, w.runUI)}
	r.pane.SetTransferLabel("Download")
	r.pane.SetTransferIcon(theme.DownloadIcon())
	r.pane.OnTransfer = w.download
	r.pane.OnActivate = w.download
	r.pane.OnDragDrop = func(es []browser.Entry, at fyne.Position) {
		if w.local.Contains(at) {
			w.download(es)
		}
	}
	w.local.OnDragDrop = func(es []browser.Entry, at fyne.Position) {
		if r.pane.Contains(at) {
			w.upload(es)
		}
	}
	return r
}

// connect browses c from dir. A listing that fails for a reason the
// window can advise on (such as a server refusing passive mode) says what
// to change in the status line too, since the pane shows only the error.
func (r *remotePane) connect(c *connection, dir string) {
	r.https = nil
	w, do := r.w, r.w.do
	failed := func(err error) {
		if Advice(err) == "" {
			return
		}
		do(func() {
			if w.ctl.conn == c {
				w.setStatus(withAdvice("Could not list the folder: "+err.Error(), err), widget.DangerImportance)
			}
		})
	}
	r.pane.SetSource(&remoteSource{pool: c.pool, failed: failed})
	r.pane.SetDir(dir)
	r.w.sync.connected(c)
}

// showHTTPS shows the resource of an inspected https:// URL.
func (r *remotePane) showHTTPS(t client.Target, rep *client.Report) {
	name := path.Base(t.Path)
	if name == "/" || name == "." || name == "" || client.CheckName(name) != nil {
		name = "index.html"
	}
	tt := t
	r.w.sync.disconnected()
	r.https, r.httpsRep = &tt, rep
	r.pane.SetSource(&httpsSource{name: name})
	r.pane.SetDir("/")
}

func (r *remotePane) disconnect() {
	r.w.sync.disconnected()
	r.https = nil
	r.pane.SetSource(nil)
}

// Refresh lists the remote folder again.
func (r *remotePane) Refresh() { r.pane.Refresh() }

// download queues the remote entries for download into the folder the
// local pane shows: files one job each, folders as whole trees.
func (w *MainWindow) download(es []browser.Entry) {
	localDir := w.local.Dir()
	if localDir == "" {
		w.setStatus("Choose a local folder first.", widget.WarningImportance)
		return
	}
	if w.remote.https != nil {
		w.downloadHTTPS(*w.remote.https, es, localDir)
		return
	}
	c := w.ctl.conn
	if c == nil {
		w.setStatus("Not connected: connect to a server first.", widget.WarningImportance)
		return
	}
	remoteDir := w.remote.pane.Dir()
	for _, e := range es {
		remote := path.Join(remoteDir, e.Name)
		if e.Dir && !e.Link {
			do := w.do
			go func() {
				if _, err := c.queue.DownloadTreeInto(c.ctx, remote, localDir, e.Name); err != nil {
					do(func() { w.setStatus("Download of "+remote+": "+err.Error(), widget.DangerImportance) })
				}
			}()
			continue
		}
		c.queue.Add(transfer.JobSpec{Kind: transfer.KindDownload, Remote: remote, Local: e.Name, LocalRoot: localDir,
			Size: e.Size, HasSize: e.Size >= 0 && !e.Link, ModTime: e.ModTime})
	}
	w.tabs.SelectIndex(transfersTab)
}

// downloadHTTPS fetches an inspected https:// URL into localDir, with the
// same trust and identity handling as the inspection and progress in the
// transfer list.
func (w *MainWindow) downloadHTTPS(t client.Target, es []browser.Entry, localDir string) {
	if len(es) == 0 {
		return
	}
	w.runHTTPS(w.ctl.nextHTTPS(), t, es[0].Name, localDir, w.remote.httpsRep)
	w.tabs.SelectIndex(transfersTab)
}

// runHTTPS runs HTTPS download id (again, for a retry). Its Cancel and
// Retry buttons in the transfer list work as for FTP jobs.
func (w *MainWindow) runHTTPS(id int, t client.Target, name, localDir string, inspected *client.Report) {
	opts := w.options(context.Background(), w.ctl.gen, t.Host, connectPrefs{})
	// The certificate the user accepted once when inspecting the URL is
	// accepted again for its download; any other is asked about.
	if rep := inspected; rep != nil && rep.Trust == client.TrustAcceptedOnce && len(rep.Chain) > 0 {
		ask, accepted := opts.Decide, rep.Chain[0].SHA256
		opts.Decide = func(ctx context.Context, d client.Decision) client.Choice {
			if d.Report != nil && len(d.Report.Chain) > 0 && d.Report.Chain[0].SHA256 == accepted && d.Report.PinChange == nil {
				return client.AcceptOnce
			}
			return ask(ctx, d)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.ctl.trackHTTPS(id, cancel, func() { w.runHTTPS(id, t, name, localDir, inspected) })
	exists, do := w.settings.ExistsPolicy(), w.do
	go func() {
		defer cancel()
		_, _, err := transfer.GetHTTPS(ctx, t, opts, transfer.HTTPSGetOptions{
			LocalRoot: localDir, Local: name, Exists: exists,
			Observer: func(p transfer.Progress) {
				p.ID = id
				do(func() { w.showProgress(p) })
			},
		})
		if err != nil && ctx.Err() == nil {
			do(func() { w.setStatus("Download of "+t.String()+": "+err.Error(), widget.DangerImportance) })
		}
	}()
}

// The tabs under the panes, by index.
const (
	handshakeTab = iota
	protocolTab
	certificateTab
	transfersTab
)

// upload queues local entries for upload into the folder the remote pane
// shows: files one job each, folders as whole trees.
func (w *MainWindow) upload(es []browser.Entry) {
	c := w.ctl.conn
	if c == nil {
		w.setStatus("Not connected: connect to a server first.", widget.WarningImportance)
		return
	}
	paths := make([]string, len(es))
	for i, e := range es {
		paths[i] = filepath.Join(w.local.Dir(), e.Name)
	}
	w.uploadPaths(c, paths)
}

// uploadPaths uploads local files and folders into the remote pane's folder.
func (w *MainWindow) uploadPaths(c *connection, paths []string) {
	remoteDir := w.remote.pane.Dir()
	do := w.do
	for _, p := range paths {
		st, err := os.Lstat(p)
		if err != nil {
			w.setStatus("Upload: "+err.Error(), widget.DangerImportance)
			continue
		}
		name := filepath.Base(p)
		if err := client.CheckName(name); err != nil {
			w.setStatus(fmt.Sprintf("Upload of %q: %v", name, err), widget.DangerImportance)
			continue
		}
		remote := path.Join(remoteDir, name)
		switch {
		case st.IsDir():
			go func() {
				if err := c.queue.UploadTree(c.ctx, p, remote); err != nil {
					do(func() { w.setStatus("Upload of "+p+": "+err.Error(), widget.DangerImportance) })
				}
			}()
		case st.Mode().IsRegular():
			c.queue.Add(transfer.JobSpec{Kind: transfer.KindUpload, Local: p, Remote: remote})
		default:
			w.setStatus(fmt.Sprintf("Upload of %s: only files and folders are sent (this is a %s).", p, fileKind(st.Mode())), widget.WarningImportance)
		}
	}
	w.tabs.SelectIndex(transfersTab)
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return strings.TrimSpace(m.Type().String())
}

// dropped handles files dragged from the desktop onto the window: dropped
// on the remote pane (or anywhere while connected) they are uploaded; a
// folder dropped on the local pane is opened there.
func (w *MainWindow) dropped(at fyne.Position, uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u.Scheme() == storage.NewFileURI("/").Scheme() {
			paths = append(paths, u.Path())
		}
	}
	if len(paths) == 0 {
		return
	}
	if w.local.Contains(at) {
		if st, err := os.Stat(paths[0]); err == nil {
			dir := paths[0]
			if !st.IsDir() {
				dir = filepath.Dir(dir)
			}
			w.local.SetDir(dir)
		}
		return
	}
	if w.ctl.conn == nil {
		w.setStatus("Not connected: connect to a server, then drop files on the remote pane to upload them.", widget.WarningImportance)
		return
	}
	w.uploadPaths(w.ctl.conn, paths)
}
