package dirsync

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"lockbox/client"
)

// ErrNoHashCommand says the server announced no hash command, so checksums
// cannot be compared.
var ErrNoHashCommand = errors.New("the server offers no hash command (HASH, XSHA256, XSHA1, XMD5, XCRC)")

// CompareChecksums refines a comparison by content: every file present on
// both sides with the same size is hashed by the server (the strongest
// command it offers) and locally; equal sums make it the same whatever
// the times, different sums make a file that compared the same by size
// and time different (newer by time, else different-size). It returns how
// many files were hashed.
func CompareChecksums(ctx context.Context, pool *client.Pool, c Config, s *Scan, workers int) (int, error) {
	if workers <= 0 {
		workers = pool.Size()
	}
	var idx []int
	for i, it := range s.Comparison.Items {
		if it.Local != nil && it.Remote != nil && !it.Dir && !it.Local.Dir && !it.Remote.Dir && it.Local.Size == it.Remote.Size && !it.Conflict {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return 0, nil
	}
	equal := make([]int8, len(idx)) // 1 same, -1 different, 0 not hashed
	err := onSessions(ctx, pool, workers, len(idx), func(sess *client.Session, k int) error {
		if _, ok := sess.HashMethod(); !ok {
			return ErrNoHashCommand
		}
		it := s.Comparison.Items[idx[k]]
		m, sum, err := sess.RemoteHash(ctx, path.Join(c.RemoteDir, it.Path))
		if err != nil {
			if sess.Broken() || ctx.Err() != nil {
				return err
			}
			return nil
		}
		local, err := hashFile(filepath.Join(c.LocalDir, filepath.FromSlash(it.Path)), m.Algo)
		if err != nil {
			return nil
		}
		equal[k] = -1
		if local == sum {
			equal[k] = 1
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("checksums: %w", err)
	}
	n := 0
	tol := c.tolerance(s.Remote.Clock)
	for k, i := range idx {
		it := &s.Comparison.Items[i]
		if equal[k] == 0 {
			continue
		}
		n++
		old := it.Status
		switch {
		case equal[k] > 0:
			it.Status = Same
		case old == Same:
			st, _ := byTimes(*it.Local, *it.Remote, tol)
			if st == Same {
				st = DifferentSize
			}
			it.Status = st
		}
		if it.Status != old {
			s.Comparison.Counts[old]--
			s.Comparison.Counts[it.Status]++
		}
	}
	return n, nil
}

func hashFile(p string, a client.HashAlgo) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := a.NewHash()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
