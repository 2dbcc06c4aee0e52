package client

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"lockbox/client/trace"
)

func TestZZDebugTiming(t *testing.T) {
	srv, opts := startTransferVsftpd(t, map[string][]byte{"keep.txt": []byte("keep\n")})
	start := time.Now()
	opts.Observer = trace.ObserverFunc(func(s trace.Step) {
		fmt.Printf("%6d ms %-8s %-5s %-20s %.80s\n", time.Since(start).Milliseconds(), s.Conn, s.Dir, s.Name, s.Summary)
	})
	sess, _ := vsftpdLogin(t, srv, "ftpes", opts)
	for _, size := range []int{16<<10 + 5, 1 << 20} {
		data := randomBytes(size, 1)
		t0 := time.Now()
		_, err := sess.Upload(bg, "/x.bin", bytes.NewReader(data), 0, nil, nil)
		fmt.Println("UPLOAD", size, time.Since(t0), err)
		t0 = time.Now()
		var out bytes.Buffer
		_, err = sess.Download(bg, "/x.bin", 0, &out, nil, nil)
		fmt.Println("DOWNLOAD", size, time.Since(t0), err)
	}
}
