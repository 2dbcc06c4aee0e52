package transfer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"lockbox/client"
)

// DownloadTree lists remoteDir recursively on one pooled session and
// queues every file for download into localDir (relative to LocalRoot;
// "" for LocalRoot itself), creating its folders. Names the server should
// not have sent are recorded as failed jobs and nothing is written for them.
func (q *Queue) DownloadTree(ctx context.Context, remoteDir, localDir string) (*client.Tree, error) {
	return q.downloadTree(ctx, remoteDir, q.root, "", localDir)
}

// DownloadTreeInto is DownloadTree into localDir relative to localRoot, a
// folder of its own in place of the queue's LocalRoot (see
// JobSpec.LocalRoot).
func (q *Queue) DownloadTreeInto(ctx context.Context, remoteDir, localRoot, localDir string) (*client.Tree, error) {
	root, err := openRoot(localRoot)
	if err != nil {
		return nil, fmt.Errorf("download: local folder: %w", err)
	}
	defer root.Close()
	return q.downloadTree(ctx, remoteDir, root, localRoot, localDir)
}

func (q *Queue) downloadTree(ctx context.Context, remoteDir string, root *os.Root, rootDir, localDir string) (*client.Tree, error) {
	if root == nil {
		return nil, errors.New("download: the queue has no local folder")
	}
	base := "."
	if localDir != "" && localDir != "." {
		var err error
		if base, err = localRel(localDir); err != nil {
			return nil, err
		}
	}
	var tree *client.Tree
	var precise bool
	err := q.pool.Do(ctx, func(s *client.Session) (err error) {
		tree, err = s.ListRecursive(ctx, remoteDir)
		precise = s.ListsPreciseTimes()
		return err
	})
	if err != nil {
		return tree, err
	}
	for _, ne := range tree.Refused {
		q.addFailed(JobSpec{Kind: KindDownload, Remote: fmt.Sprintf("%s/%q", strings.TrimSuffix(ne.Dir, "/"), ne.Name)}, ne)
	}
	if err := root.MkdirAll(base, 0o755); err != nil {
		return tree, fmt.Errorf("download: %w", err)
	}
	for _, d := range tree.Dirs {
		rel, err := client.CheckRelPath(d.Path)
		if err == nil {
			err = root.MkdirAll(filepath.Join(base, rel), 0o755)
		}
		if err != nil {
			return tree, fmt.Errorf("download: %w", err)
		}
	}
	for _, f := range tree.Files {
		rel, err := client.CheckRelPath(f.Path)
		if err != nil {
			q.addFailed(JobSpec{Kind: KindDownload, Remote: path.Join(remoteDir, f.Path)}, err)
			continue
		}
		spec := JobSpec{Kind: KindDownload, Remote: path.Join(remoteDir, f.Path), Local: filepath.Join(base, rel), LocalRoot: rootDir, Size: int64(f.Size), HasSize: true}
		if precise {
			spec.ModTime = f.Time
		}
		q.Add(spec)
	}
	return tree, nil
}

// UploadTree creates remoteDir and every folder under localDir on the
// server (on one pooled session, parents first), then queues every regular
// file for upload. Local names that are not plain names (client.CheckName) are
// recorded as failed jobs.
func (q *Queue) UploadTree(ctx context.Context, localDir, remoteDir string) error {
	var dirs, files []string
	err := WalkLocal(localDir, func(p, rel string, d fs.DirEntry, cerr error) {
		q.addFailed(JobSpec{Kind: KindUpload, Local: p, Remote: path.Join(remoteDir, rel)}, &client.NameError{Dir: filepath.Dir(p), Name: d.Name(), Reason: cerr.Error()})
	}, func(p, rel string, d fs.DirEntry) error {
		switch {
		case d.IsDir():
			dirs = append(dirs, rel)
		case d.Type().IsRegular():
			files = append(files, rel)
		case d.Type()&fs.ModeSymlink != 0:
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				files = append(files, rel)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	sort.Strings(dirs) // a parent sorts before its children
	err = q.pool.Do(ctx, func(s *client.Session) error {
		if err := ensureDir(ctx, s, remoteDir); err != nil {
			return err
		}
		for _, d := range dirs {
			if err := ensureDir(ctx, s, path.Join(remoteDir, d)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, f := range files {
		q.Add(JobSpec{Kind: KindUpload, Local: filepath.Join(localDir, filepath.FromSlash(f)), Remote: path.Join(remoteDir, f)})
	}
	return nil
}

// WalkLocal walks the local folder root as filepath.WalkDir does and calls
// visit for every entry below root with its path and its slash-separated
// path relative to root. An entry whose name is not a plain name
// (client.CheckName) goes to refused instead, with the reason, and a
// refused folder is not entered.
func WalkLocal(root string, refused func(p, rel string, d fs.DirEntry, err error), visit func(p, rel string, d fs.DirEntry) error) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if cerr := client.CheckName(d.Name()); cerr != nil {
			refused(p, rel, d, cerr)
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		return visit(p, rel, d)
	})
}

// ensureDir creates a remote directory unless it exists.
func ensureDir(ctx context.Context, s *client.Session, p string) error {
	if p == "" || p == "." || p == "/" {
		return nil
	}
	err := s.MakeDir(ctx, p)
	if err == nil || !isMissing(err) {
		return err
	}
	if ok, derr := s.IsDir(ctx, p); derr != nil || ok {
		return derr
	}
	return err
}
