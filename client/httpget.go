package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"lockbox/client/trace"
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
// 206 is downloaded whole. Redirects are reported, not followed. The report
// is never nil; the Progress is the job's final state.
func GetHTTPS(ctx context.Context, t Target, opts Options, g HTTPSGetOptions) (*Report, Progress, error) {
	rec := trace.NewRecorder(opts.Observer)
	report := &Report{URL: t.String(), Address: t.Address(), Trust: TrustUntrusted}
	j := newJob(1, JobSpec{Kind: KindDownload, Remote: t.String(), Local: g.Local})
	ticker := newProgressTicker(g.ProgressInterval, g.Observer)
	j.mu.Lock()
	j.state, j.started = StateRunning, time.Now()
	j.mu.Unlock()
	ticker.startJob(j)
	ticker.emitJob(j, false)

	err := getHTTPS(ctx, t, &opts, g, rec, report, j)

	ticker.endJob(j)
	j.mu.Lock()
	switch {
	case err == nil:
		j.state = StateDone
	case ctx.Err() != nil:
		j.state, j.err = StateCancelled, err
	default:
		j.state, j.err = StateFailed, err
	}
	j.finished = time.Now()
	j.mu.Unlock()
	ticker.emitJob(j, false)
	ticker.close()
	report.Steps = rec.Steps()
	if err != nil {
		report.Error = err.Error()
	}
	return report, j.Progress(), err
}

func getHTTPS(ctx context.Context, t Target, opts *Options, g HTTPSGetOptions, rec *trace.Recorder, report *Report, j *Job) error {
	if t.Scheme != HTTPS {
		return fmt.Errorf("get: %s is not an https:// URL", t.Scheme)
	}
	policy, err := ParseExistsPolicy(string(g.Exists))
	if err != nil {
		return err
	}
	bufSize := g.BufferSize
	if bufSize == 0 {
		bufSize = DefaultBufferSize
	}
	if bufSize < MinBufferSize || bufSize > MaxBufferSize {
		return fmt.Errorf("get: buffer of %d bytes; use %d to %d", bufSize, MinBufferSize, MaxBufferSize)
	}
	target, err := localRel(g.Local)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(g.LocalRoot, 0o755); err != nil {
		return fmt.Errorf("get: local folder: %w", err)
	}
	root, err := os.OpenRoot(g.LocalRoot)
	if err != nil {
		return fmt.Errorf("get: local folder: %w", err)
	}
	defer root.Close()

	st, err := root.Stat(target)
	exists := err == nil
	if exists && st.IsDir() {
		return fmt.Errorf("get: a folder named %s is in the way", target)
	}
	switch policy {
	case ExistsSkip:
		if exists {
			j.setSkipped("the file exists")
			return nil
		}
	case ExistsRename:
		orig := target
		for n := 1; exists; n++ {
			target = numbered(orig, n)
			_, err := root.Stat(target)
			exists = err == nil
		}
	}
	part := target + PartSuffix
	var offset int64
	if policy != ExistsOverwrite {
		if pst, err := root.Stat(part); err == nil && pst.Mode().IsRegular() {
			offset = pst.Size()
		}
	}

	h, err := newHTTPSClient(ctx, t, opts, rec, report)
	if err != nil {
		return err
	}
	cl := h.client()
	defer cl.CloseIdleConnections()
	em := rec.Conn("https")
	p := t.Path
	if p == "" {
		p = "/"
	}

	var resp *http.Response
	var size int64 = -1
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+t.Address()+p, nil)
		if err != nil {
			return fmt.Errorf("build request: %w", err)
		}
		req.Host = h.sec.serverName
		// The bytes on disk must be the bytes on the server: no transparent
		// decompression, which would also break ranges and sizes.
		req.Header.Set("Accept-Encoding", "identity")
		if offset > 0 {
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
			em.Emit(trace.Info, "http_range", fmt.Sprintf("resuming at byte %d of %s", offset, part),
				"Lockbox asks only for the part of the file it does not have yet.")
		}
		resp, err = cl.Do(req)
		if h.last != nil {
			report.TLS = tlsInfo(h.last.ConnectionState())
		}
		if err != nil {
			var se *StepError
			if errors.As(err, &se) {
				return se
			}
			return &StepError{Step: "http_request", Err: h.sec.explainHandshakeError(err)}
		}
		responseStep(em, resp)
		if resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && offset > 0 && attempt == 0 {
			// The part file is as long as the file, or longer: a complete
			// part or another file's. Either way ask for everything.
			total := contentRangeTotal(resp.Header.Get("Content-Range"))
			resp.Body.Close()
			if total == offset {
				size = total
				break
			}
			offset = 0
			continue
		}
		break
	}
	if resp != nil {
		defer resp.Body.Close()
	}
	complete := size >= 0 // a 416 said the part file is the whole file
	if !complete {
		switch {
		case resp.StatusCode == http.StatusPartialContent && offset > 0:
			start, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
			if !ok || start != offset {
				return &StepError{Step: "http_response", Reply: resp.Status, Err: fmt.Errorf("the server sent the range %q, not the one asked for (from byte %d)", resp.Header.Get("Content-Range"), offset)}
			}
			size = total
		case resp.StatusCode == http.StatusOK:
			if offset > 0 {
				em.Emit(trace.Info, "http_range", "the server sent the whole file (200), not the rest (206): downloading it all again",
					"This server does not resume downloads, so Lockbox starts from the beginning.")
			}
			offset = 0
			size = resp.ContentLength
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			return &StepError{Step: "http_response", Reply: resp.Status, Err: fmt.Errorf("the server redirects to %q; Lockbox does not follow redirects (their certificate was not checked under this report): fetch that URL instead", resp.Header.Get("Location"))}
		default:
			return &StepError{Step: "http_response", Reply: resp.Status, Err: errors.New("the server did not send the file")}
		}
	}
	if size >= 0 {
		j.total.Store(size)
	}
	if policy == ExistsResume && exists && size >= 0 && st.Size() == size {
		j.setSkipped("the file exists with the server's size")
		return nil
	}

	if dir := filepath.Dir(target); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("get: %w", err)
		}
	}
	f := &partFile{root: root, name: part, offset: offset}
	j.done.Store(offset)
	var n int64
	var rerr, werr error
	if !complete {
		n, rerr, werr = copyData(f, resp.Body, make([]byte, bufSize), j.add)
	}
	if werr == nil && rerr == nil {
		werr = f.open() // an empty file writes nothing
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	switch {
	case werr != nil:
		return &StepError{Step: "http_body", Err: fmt.Errorf("writing the local file: %w", werr)}
	case rerr != nil:
		if ctx.Err() != nil {
			rerr = fmt.Errorf("%w (%v)", ctx.Err(), rerr)
		}
		return &StepError{Step: "http_body", Err: fmt.Errorf("the connection broke after %d bytes; kept %s for a resume: %w", n, part, rerr)}
	}
	if got := offset + n; size >= 0 && got != size {
		return &StepError{Step: "http_body", Err: fmt.Errorf("size mismatch: %d bytes received, the server said %d; kept %s", got, size, part)}
	}
	if !g.IgnoreTimes && resp != nil {
		if lm, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
			if err := root.Chtimes(part, lm, lm); err != nil {
				j.setNote("modification time not kept: " + err.Error())
			}
		}
	}
	if err := root.Rename(part, target); err != nil {
		return fmt.Errorf("get: %w", err)
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
