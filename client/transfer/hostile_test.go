package transfer

import (
	"bufio"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"lockbox/client"
)

// fakeFTP is a plain FTP server on loopback that serves fixed MLSD
// listings and files, to any number of control connections, and records
// which files were asked for.
type fakeFTP struct {
	ln       net.Listener
	listings map[string]string
	files    map[string]string

	mu    sync.Mutex
	retrs []string
	wg    sync.WaitGroup
}

func startFakeFTP(t *testing.T, listings, files map[string]string) *fakeFTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeFTP{ln: ln, listings: listings, files: files}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.wg.Add(1)
			go func() {
				defer f.wg.Done()
				f.serve(c)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); f.wg.Wait() })
	return f
}

func (f *fakeFTP) serve(c net.Conn) {
	defer c.Close()
	var data net.Listener
	defer func() {
		if data != nil {
			data.Close()
		}
	}()
	reply := func(s string) { fmt.Fprintf(c, "%s\r\n", s) }
	send := func(body string) {
		dc, err := data.Accept()
		if err == nil {
			dc.Write([]byte(body))
			dc.Close()
		}
		data.Close()
		data = nil
	}
	reply("220 fake server")
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		switch strings.ToUpper(verb) {
		case "USER":
			reply("331 password please")
		case "PASS":
			reply("230 logged in")
		case "FEAT":
			reply("211-Features:\r\n MLST type*;size*;modify*;\r\n SIZE\r\n REST STREAM\r\n211 End")
		case "TYPE", "NOOP":
			reply("200 ok")
		case "PWD":
			reply(`257 "/"`)
		case "EPSV":
			if data, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
				reply("425 no port")
				continue
			}
			reply(fmt.Sprintf("229 Entering Extended Passive Mode (|||%d|)", data.Addr().(*net.TCPAddr).Port))
		case "MLSD":
			body, ok := f.listings[arg]
			if !ok {
				reply("550 no such directory")
				continue
			}
			reply("150 here it comes")
			send(body)
			reply("226 done")
		case "SIZE":
			if body, ok := f.files[arg]; ok {
				reply(fmt.Sprintf("213 %d", len(body)))
			} else {
				reply("550 no such file")
			}
		case "RETR":
			f.mu.Lock()
			f.retrs = append(f.retrs, arg)
			f.mu.Unlock()
			body, ok := f.files[arg]
			if !ok {
				reply("550 no such file")
				continue
			}
			reply("150 here it comes")
			send(body)
			reply("226 done")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}

func TestHostileListingWritesNothingOutside(t *testing.T) {
	const when = "modify=20200102030405"
	listings := map[string]string{
		"/": strings.Join([]string{
			"type=file;size=5;" + when + "; good.txt",
			"type=file;size=4;" + when + "; ../evil",
			"type=file;size=4;" + when + "; /etc/x",
			"type=file;size=4;" + when + "; a/b",
			"type=file;size=4;" + when + "; bad\x00name",
			"type=file;size=4;" + when + `; ..\evil2`,
			"type=file;size=4;" + when + "; tab\tname",
			"type=dir;" + when + "; ../up",
			"type=dir;" + when + "; sub",
			"type=cdir; .",
			"type=pdir; ..",
		}, "\r\n") + "\r\n",
		"/sub":   "type=file;size=3;" + when + "; inner.txt\r\ntype=file;size=4;" + when + "; ../../escape\r\n",
		"/../up": "type=file;size=4;" + when + "; pwned\r\n",
	}
	files := map[string]string{"/good.txt": "good\n", "/sub/inner.txt": "in\n"}
	for _, bad := range []string{"/../evil", "//etc/x", "/a/b", "/bad\x00name", `/..\evil2`, "/../up/pwned", "/sub/../../escape"} {
		files[bad] = "evil"
	}
	srv := startFakeFTP(t, listings, files)

	tg := mustTarget(t, "ftp://alice@"+srv.ln.Addr().String()+"/")
	tg.Password, tg.HasPassword = "pw", true
	pool := openTestPool(t, tg, client.Options{AllowPlaintext: true, Timeout: 10 * time.Second}, client.PoolOptions{Size: 2, KeepAlive: -1}, nil)
	parent := t.TempDir()
	q := newTestQueue(t, pool, QueueOptions{LocalRoot: filepath.Join(parent, "dl")})
	tree, err := q.DownloadTree(bg, "/", "")
	if err != nil {
		t.Fatal(err)
	}
	q.Wait(bg)

	var refused []string
	for _, ne := range tree.Refused {
		refused = append(refused, fmt.Sprintf("%q", ne.Name))
	}
	sort.Strings(refused)
	want := []string{`"../../escape"`, `"../evil"`, `"../up"`, `"/etc/x"`, `"a/b"`, `"bad\x00name"`, `"tab\tname"`, `"..\\evil2"`}
	sort.Strings(want)
	if strings.Join(refused, " ") != strings.Join(want, " ") {
		t.Errorf("refused %v\nwant    %v", refused, want)
	}
	s := q.Summary()
	if s.Files != 2 || len(s.Failed) != len(want) {
		t.Errorf("summary: %d files, failed %v", s.Files, s.Failed)
	}
	for _, f := range s.Failed {
		if strings.ContainsRune(f.Error, 0) || !strings.Contains(f.Error, "refused the name") {
			t.Errorf("failure message %q", f.Error)
		}
	}

	// Nothing outside dl/, and inside it only what was listed properly.
	var found []string
	filepath.WalkDir(parent, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(parent, p)
		found = append(found, filepath.ToSlash(rel))
		return err
	})
	if got := strings.Join(found, ","); got != ".,dl,dl/good.txt,dl/sub,dl/sub/inner.txt" {
		t.Errorf("written: %s", got)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(parent), "evil")); err == nil {
		t.Error("evil was written beside the download folder")
	}
	srv.mu.Lock()
	retrs := append([]string(nil), srv.retrs...)
	srv.mu.Unlock()
	sort.Strings(retrs)
	if strings.Join(retrs, ",") != "/good.txt,/sub/inner.txt" {
		t.Errorf("asked the server for %q", retrs)
	}
	if st, err := os.Stat(filepath.Join(parent, "dl", "good.txt")); err != nil || !st.ModTime().Equal(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("MLSD time not kept: %v %v", st.ModTime(), err)
	}
}
