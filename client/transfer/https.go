package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"lockbox/client"
)

// HTTPSGetOptions configure GetHTTPS.
type HTTPSGetOptions struct {
	// LocalRoot is the folder the file is written into; nothing is written
	// outside it.
	LocalRoot string
	// Local is the file's path relative to LocalRoot.
	Local string
	// Exists is the existing-files policy; "" means ExistsResume.
	Exists ExistsPolicy
	// BufferSize is the copy buffer; 0 means DefaultBufferSize.
	BufferSize int
	// Observer receives progress as for a Queue: on state changes and at
	// most once per ProgressInterval (at least 100 ms) while it runs.
	Observer         func(Progress)
	ProgressInterval time.Duration
	// IgnoreTimes turns off setting the file's time from Last-Modified.
	IgnoreTimes bool
}

// GetHTTPS downloads an https:// URL into a file, through the engine's own
// dialing, tap and verification (the same steps and trust decision as
// Inspect) with the response's status and headers recorded as the
// http_response step. Like an FTP download it writes NAME.lockbox-part and
// renames it only when complete and of the announced size; a part file is
// resumed with a Range request, and a server that answers 200 instead of
// 206 is downloaded whole. The validator of the response that began a part
// file (its strong ETag, else a strong Last-Modified) is kept beside it in
// NAME.lockbox-part.meta, and a resume sends it as If-Range: a file that
// changed on the server since is downloaded again from the start, never
// pieced together from two versions. Redirects are reported, not followed.
// The report is never nil; the Progress is the job's final state.
func GetHTTPS(ctx context.Context, t client.Target, opts client.Options, g HTTPSGetOptions) (*client.Report, Progress, error) {
	c := client.NewHTTPSClient(t, opts)
	j := newJob(1, JobSpec{Kind: KindDownload, Remote: t.String(), Local: g.Local})
	ticker := newProgressTicker(g.ProgressInterval, g.Observer)
	j.begin(nil)
	err := ticker.runJob(ctx, j, false, func() error { return getHTTPS(ctx, t, c, g, j) })
	ticker.close()
	return c.Finish(err), j.Progress(), err
}

func getHTTPS(ctx context.Context, t client.Target, c *client.HTTPSClient, g HTTPSGetOptions, j *Job) error {
	if t.Scheme != client.HTTPS {
		return fmt.Errorf("get: %s is not an https:// URL", t.Scheme)
	}
	policy, err := ParseExistsPolicy(string(g.Exists))
	if err != nil {
		return err
	}
	bufSize, err := checkBuffer("get", g.BufferSize)
	if err != nil {
		return err
	}
	target, err := localRel(g.Local)
	if err != nil {
		return err
	}
	root, err := openRoot(g.LocalRoot)
	if err != nil {
		return fmt.Errorf("get: local folder: %w", err)
	}
	defer root.Close()

	d, err := preparePart(root, target, policy, "get", j)
	if err != nil || d == nil {
		return err
	}
	var started partMeta // what the part file was started from
	if d.offset > 0 {
		var ok bool
		if started, ok = readPartMeta(root, d.part+MetaSuffix); !ok {
			// A validator file that cannot be read says nothing about the
			// part file's bytes: start again rather than guess.
			d.offset = 0
		}
	}

	if err := c.Open(ctx); err != nil {
		return err
	}
	defer c.Close()

	var resp *http.Response
	var size int64 = -1
	for attempt := 0; ; attempt++ {
		// The bytes on disk must be the bytes on the server: no transparent
		// decompression, which would also break ranges and sizes.
		header := http.Header{"Accept-Encoding": {"identity"}}
		if d.offset > 0 {
			header.Set("Range", fmt.Sprintf("bytes=%d-", d.offset))
			if v := started.ifRange(); v != "" {
				header.Set("If-Range", v)
				c.Note("http_range", fmt.Sprintf("resuming at byte %d of %s, if the file is still %s", d.offset, d.part, v),
					"Lockbox asks only for the part of the file it does not have yet, and only if the file on the server is still the one it started with; otherwise the server sends the whole new file.")
			} else {
				c.Note("http_range", fmt.Sprintf("resuming at byte %d of %s (no validator kept: the server's file cannot be checked to be the same)", d.offset, d.part),
					"Lockbox asks only for the part of the file it does not have yet. It has no ETag or date from when the download started, so it cannot ask the server to confirm the file did not change.")
			}
		}
		if resp, err = c.Do(ctx, http.MethodGet, header); err != nil {
			return err
		}
		if resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && d.offset > 0 && attempt == 0 {
			// The part file is as long as the file, or longer: a complete
			// part or another file's. Either way ask for everything.
			total := contentRangeTotal(resp.Header.Get("Content-Range"))
			got := metaOf(resp.Header).ETag
			resp.Body.Close()
			if total == d.offset && (started.ETag == "" || got == "" || got == started.ETag) {
				size = total
				break
			}
			d.offset = 0
			continue
		}
		if resp.StatusCode == http.StatusPartialContent && d.offset > 0 && attempt == 0 {
			if got := metaOf(resp.Header).ETag; started.ETag != "" && got != "" && got != started.ETag {
				// If-Range should have made the server send the whole file.
				resp.Body.Close()
				c.Note("http_range", fmt.Sprintf("the server sent the rest of another version of the file (ETag %s, not %s): downloading it all again", got, started.ETag),
					"The part already downloaded belongs to an earlier version of the file, so Lockbox starts from the beginning.")
				d.offset = 0
				continue
			}
		}
		break
	}
	if resp != nil {
		defer resp.Body.Close()
	}
	complete := size >= 0 // a 416 said the part file is the whole file
	if !complete {
		switch {
		case resp.StatusCode == http.StatusPartialContent && d.offset > 0:
			start, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
			if !ok || start != d.offset {
				return &client.StepError{Step: "http_response", Reply: resp.Status, Err: fmt.Errorf("the server sent the range %q, not the one asked for (from byte %d)", resp.Header.Get("Content-Range"), d.offset)}
			}
			size = total
		case resp.StatusCode == http.StatusOK:
			if d.offset > 0 {
				c.Note("http_range", "the server sent the whole file (200), not the rest (206): downloading it all again",
					"This server does not resume downloads, so Lockbox starts from the beginning.")
			}
			d.offset = 0
			size = resp.ContentLength
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			return &client.StepError{Step: "http_response", Reply: resp.Status, Err: fmt.Errorf("the server redirects to %q; Lockbox does not follow redirects (their certificate was not checked under this report): fetch that URL instead", resp.Header.Get("Location"))}
		default:
			return &client.StepError{Step: "http_response", Reply: resp.Status, Err: errors.New("the server did not send the file")}
		}
	}
	if size >= 0 {
		j.total.Store(size)
	}
	if skip, err := d.begin(j, size, size >= 0); skip || err != nil {
		return err
	}
	if !complete && d.offset == 0 {
		// A new start: what is in the part file, if anything, is dropped
		// before the new validator is written beside it, so that no crash
		// leaves old bytes under the new file's validator.
		if err := removeIfExists(root, d.part); err != nil {
			return fmt.Errorf("get: %w", err)
		}
		if err := writePartMeta(root, d.part+MetaSuffix, metaOf(resp.Header)); err != nil {
			return fmt.Errorf("get: %w", err)
		}
	}
	n, rerr, werr := d.fill(j, func(f *partFile) (int64, error, error) {
		if complete {
			return 0, nil, nil // nothing to fetch, but flushed to disk all the same
		}
		return client.CopyData(f, resp.Body, make([]byte, bufSize), j.add)
	})
	switch {
	case werr != nil:
		return &client.StepError{Step: "http_body", Err: fmt.Errorf("writing the local file: %w", werr)}
	case rerr != nil:
		if ctx.Err() != nil {
			rerr = fmt.Errorf("%w (%v)", ctx.Err(), rerr)
		}
		return &client.StepError{Step: "http_body", Err: fmt.Errorf("the connection broke after %d bytes; kept %s for a resume: %w", n, d.part, rerr)}
	}
	lm, _ := http.ParseTime(resp.Header.Get("Last-Modified")) // zero if none
	if err := d.commit(j, "http_body", n, lm, g.IgnoreTimes); err != nil {
		return err
	}
	if err := removeIfExists(root, d.part+MetaSuffix); err != nil {
		j.setNote("validator file not removed: " + err.Error())
	}
	return nil
}

// MetaSuffix names the file beside a .lockbox-part file of an HTTPS
// download that keeps the validator it was started from (NAME.lockbox-part
// + MetaSuffix).
const MetaSuffix = ".meta"

// maxMetaSize bounds what is read of a validator file.
const maxMetaSize = 4 << 10

// partMeta is what a partial HTTPS download was started from: the response's
// validators, as the server sent them.
type partMeta struct {
	// ETag is the response's ETag if it was a strong one.
	ETag string `json:"etag,omitempty"`
	// LastModified is the response's Last-Modified if it was a strong
	// validator: at least a second older than the response's Date.
	LastModified string `json:"last_modified,omitempty"`
}

// metaOf keeps the validators of h that If-Range may carry (RFC 9110
// section 13.1.5): a strong ETag, and a Last-Modified date at least a second
// before the response's Date.
func metaOf(h http.Header) partMeta {
	var m partMeta
	if e := h.Get("ETag"); strongETag(e) {
		m.ETag = e
	}
	lm, err1 := http.ParseTime(h.Get("Last-Modified"))
	date, err2 := http.ParseTime(h.Get("Date"))
	if err1 == nil && err2 == nil && !date.Before(lm.Add(time.Second)) {
		m.LastModified = lm.UTC().Format(http.TimeFormat)
	}
	return m
}

// ifRange is the If-Range value for a resume: the ETag, else the date;
// "" when there is neither.
func (m partMeta) ifRange() string {
	if strongETag(m.ETag) {
		return m.ETag
	}
	if _, err := http.ParseTime(m.LastModified); err == nil {
		return m.LastModified
	}
	return ""
}

// strongETag reports whether s is a strong entity tag: a quoted string of
// visible characters (RFC 9110 section 8.8.3), without the W/ of a weak one.
func strongETag(s string) bool {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; c == '"' || c < 0x21 || c == 0x7f {
			return false
		}
	}
	return true
}

// readPartMeta reads a part file's validators. A missing file is no
// validator (ok); one that cannot be read or parsed is not ok.
func readPartMeta(root *os.Root, name string) (m partMeta, ok bool) {
	f, err := root.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return m, true
	}
	if err != nil {
		return m, false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMetaSize+1))
	if err != nil || len(b) > maxMetaSize || json.Unmarshal(b, &m) != nil {
		return partMeta{}, false
	}
	if m.ETag != "" && !strongETag(m.ETag) {
		return partMeta{}, false
	}
	if _, err := http.ParseTime(m.LastModified); m.LastModified != "" && err != nil {
		return partMeta{}, false
	}
	return m, true
}

// writePartMeta writes a part file's validators (readable by the owner
// only), or removes the file when there are none.
func writePartMeta(root *os.Root, name string, m partMeta) error {
	if m == (partMeta{}) {
		return removeIfExists(root, name)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("validator file: %w", err)
	}
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("validator file: %w", err)
	}
	if err := f.Chmod(0o600); err != nil { // an older file of another mode
		f.Close()
		return fmt.Errorf("validator file: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("validator file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("validator file: %w", err)
	}
	return nil
}

// removeIfExists removes name under root; a missing file is no error.
func removeIfExists(root *os.Root, name string) error {
	if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// parseContentRange parses "bytes START-END/TOTAL" (TOTAL may be "*",
// returned as -1).
func parseContentRange(s string) (start, total int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(s), "bytes ")
	if !found {
		return 0, 0, false
	}
	span, tot, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, false
	}
	a, b, found := strings.Cut(span, "-")
	if !found {
		return 0, 0, false
	}
	start, err1 := strconv.ParseInt(a, 10, 64)
	end, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || start < 0 || end < start {
		return 0, 0, false
	}
	total = -1
	if tot != "*" {
		var err error
		if total, err = strconv.ParseInt(tot, 10, 64); err != nil || total <= end {
			return 0, 0, false
		}
	}
	return start, total, true
}

// contentRangeTotal parses the "bytes */TOTAL" of a 416 answer; -1 if absent.
func contentRangeTotal(s string) int64 {
	rest, found := strings.CutPrefix(strings.TrimSpace(s), "bytes */")
	if !found {
		return -1
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	if err != nil {
		return -1
	}
	return n
}
