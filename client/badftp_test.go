package client

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"lockbox/client/internal/ftpwire"
)

// misbehaviour is how a badFTP server goes wrong once it reaches the
// chosen command.
type misbehaviour int

const (
	// behave answers normally.
	behave misbehaviour = iota
	// silent reads on and never answers.
	silent
	// stall sends the first line of a multi-line reply, then nothing.
	stall
	// drip sends the start of a reply and then one byte per tick, each
	// well within the timeout, for far longer than the timeout.
	drip
	// flood sends a 10 MB reply line.
	flood
)

func (m misbehaviour) String() string {
	return [...]string{"behaves", "silent", "stops mid-reply", "drips", "sends a 10 MB line"}[m]
}

// dripEvery is the drip's pace: faster than any test timeout, so that only
// an absolute deadline (not an idle one) can end it. dripFor bounds the
// drip, after which the server hangs up: a client without the deadline then
// fails with EOF instead of a timeout, and the test says so.
const (
	dripEvery = 40 * time.Millisecond
	dripFor   = 250 // ticks: 10 s
)

// fakeScript is what one connection of a badFTP server does.
type fakeScript struct {
	// at is where the misbehaviour starts: "banner" or a command verb
	// ("AUTH", "USER", "PASS", "LIST"); "" for never.
	at  string
	how misbehaviour
	// replies overrides the answer to a verb.
	replies map[string]string
	// pasvHost, when set, makes EPSV fail and PASV name this IPv4 address
	// (the data listener is on 127.0.0.1 all the same).
	pasvHost string
	// dataSilent accepts the data connection of a listing and then neither
	// starts TLS on it nor sends anything; dataMute completes the TLS
	// handshake and then sends nothing.
	dataSilent, dataMute bool
	// listing is the body of a LIST reply ("" = one file).
	listing string
	// listingFor, when set, gives the body for the directory asked for.
	listingFor func(dir string) string
	// mlsd announces MLST in FEAT, so clients list with MLSD.
	mlsd bool
	// protAfterLogin answers PBSZ and PROT with 530 until PASS succeeded.
	protAfterLogin bool
	// passivePort, when set, is the port EPSV and PASV name instead of the
	// server's data listener (one that never answers, say).
	passivePort int
}

// badFTP is an FTP(S) server on 127.0.0.1 that follows one fakeScript per
// connection (the last one repeats). It speaks TLS after AUTH TLS when it
// has a certificate, and encrypts data connections after PROT P. Its
// cleanup closes every socket it opened and waits for its goroutines, so
// that goroutine-leak checks see only the client's.
type badFTP struct {
	t       testing.TB
	ln      net.Listener
	tls     *tls.Config
	scripts []fakeScript
	stop    chan struct{}
	wg      sync.WaitGroup

	mu       sync.Mutex
	dataLn   net.Listener // one data port for every passive reply
	n        int
	closers  []io.Closer
	got      []string
	dataHits int // data connections accepted
}

func startBadFTP(t testing.TB, cfg *tls.Config, scripts ...fakeScript) *badFTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) == 0 {
		scripts = []fakeScript{{}}
	}
	f := &badFTP{t: t, ln: ln, tls: cfg, scripts: scripts, stop: make(chan struct{})}
	f.wg.Add(1)
	go f.accept()
	t.Cleanup(f.close)
	return f
}

func (f *badFTP) addr() string { return f.ln.Addr().String() }

func (f *badFTP) close() {
	f.ln.Close()
	close(f.stop)
	f.mu.Lock()
	for _, c := range f.closers {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

// track remembers c so close can end it; false when the server is closing.
func (f *badFTP) track(c io.Closer) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	select {
	case <-f.stop:
		c.Close()
		return false
	default:
	}
	f.closers = append(f.closers, c)
	return true
}

func (f *badFTP) received() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

func (f *badFTP) dataConnections() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dataHits
}

func (f *badFTP) accept() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		if !f.track(c) {
			return
		}
		f.mu.Lock()
		sc := f.scripts[min(f.n, len(f.scripts)-1)]
		f.n++
		f.mu.Unlock()
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			defer c.Close()
			f.serve(c, sc)
		}()
	}
}

// replyCode is the code a well-behaved server would answer verb with.
func replyCode(verb string) string {
	switch verb {
	case "banner":
		return "220"
	case "AUTH":
		return "234"
	case "USER":
		return "331"
	case "PASS":
		return "230"
	case "LIST", "MLSD", "NLST", "RETR", "STOR":
		return "150"
	}
	return "200"
}

func (f *badFTP) serve(raw net.Conn, sc fakeScript) {
	var conn net.Conn = raw
	if sc.at == "banner" {
		f.misbehave(conn, "220", sc.how)
		return
	}
	io.WriteString(conn, "220 fake FTP server\r\n")
	r := bufio.NewReader(conn)
	var data net.Listener
	var active netip.AddrPort // where EPRT or PORT said to connect
	protected, loggedIn := false, false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSpace(line)
		f.mu.Lock()
		f.got = append(f.got, line)
		f.mu.Unlock()
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		if verb == sc.at && sc.how != behave {
			f.misbehave(conn, replyCode(verb), sc.how)
			return
		}
		if reply, ok := sc.replies[verb]; ok {
			io.WriteString(conn, reply)
			continue
		}
		switch verb {
		case "AUTH":
			if f.tls == nil {
				io.WriteString(conn, "502 no TLS here\r\n")
				continue
			}
			io.WriteString(conn, "234 go ahead\r\n")
			tc := tls.Server(raw, f.tls)
			if tc.Handshake() != nil {
				return
			}
			conn, r = tc, bufio.NewReader(tc)
		case "PBSZ", "PROT":
			if sc.protAfterLogin && !loggedIn {
				io.WriteString(conn, "530 log in first\r\n")
				continue
			}
			protected = protected || verb == "PROT" && f.tls != nil
			io.WriteString(conn, "200 ok\r\n")
		case "TYPE", "OPTS", "NOOP":
			io.WriteString(conn, "200 ok\r\n")
		case "FEAT":
			if sc.mlsd {
				io.WriteString(conn, "211-Features:\r\n UTF8\r\n MLST type*;size*;modify*;\r\n211 End\r\n")
			} else {
				io.WriteString(conn, "211-Features:\r\n UTF8\r\n211 End\r\n")
			}
		case "USER":
			io.WriteString(conn, "331 password please\r\n")
		case "PASS":
			loggedIn = true
			io.WriteString(conn, "230 logged in\r\n")
		case "PWD":
			io.WriteString(conn, "257 \"/\" is the current directory\r\n")
		case "CWD":
			io.WriteString(conn, "250 ok\r\n")
		case "EPSV", "PASV":
			if verb == "EPSV" && sc.pasvHost != "" {
				io.WriteString(conn, "500 EPSV not understood\r\n")
				continue
			}
			if data, err = f.dataListener(); err != nil {
				io.WriteString(conn, "425 cannot open a port\r\n")
				continue
			}
			active = netip.AddrPort{}
			port := data.Addr().(*net.TCPAddr).Port
			if sc.passivePort != 0 {
				port = sc.passivePort
			}
			if verb == "EPSV" {
				fmt.Fprintf(conn, "229 Entering Extended Passive Mode (|||%d|)\r\n", port)
				continue
			}
			host := sc.pasvHost
			if host == "" {
				host = "127.0.0.1"
			}
			fmt.Fprintf(conn, "227 Entering Passive Mode (%s,%d,%d)\r\n", strings.ReplaceAll(host, ".", ","), port>>8, port&0xff)
		case "EPRT", "PORT":
			parse := ftpwire.ParseEPRTArg
			if verb == "PORT" {
				parse = ftpwire.ParsePORTArg
			}
			ap, err := parse(arg)
			if err != nil {
				io.WriteString(conn, "501 bad address\r\n")
				continue
			}
			active, data = ap, nil
			io.WriteString(conn, "200 ok\r\n")
		case "LIST", "MLSD", "NLST":
			if data == nil && !active.IsValid() {
				io.WriteString(conn, "425 use PASV first\r\n")
				continue
			}
			io.WriteString(conn, "150 here it comes\r\n")
			if !f.sendListing(data, active, sc, arg, protected) {
				return
			}
			data, active = nil, netip.AddrPort{}
			io.WriteString(conn, "226 done\r\n")
		case "QUIT":
			io.WriteString(conn, "221 bye\r\n")
			return
		default:
			io.WriteString(conn, "502 not implemented\r\n")
		}
	}
}

// dataListener returns the server's one data port, opened on first use.
// One port for all (rather than one per passive reply) keeps a fuzzer that
// lists thousands of times a second from using up the ephemeral ports.
func (f *badFTP) dataListener() (net.Listener, error) {
	f.mu.Lock()
	ln := f.dataLn
	f.mu.Unlock()
	if ln != nil {
		return ln, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if !f.track(ln) {
		return nil, net.ErrClosed
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dataLn != nil { // another connection got there first
		ln.Close()
		return f.dataLn, nil
	}
	f.dataLn = ln
	return ln, nil
}

// sendListing accepts the data connection (or, in active mode, connects
// to the client) and sends the listing over it; false when the connection
// should end.
func (f *badFTP) sendListing(ln net.Listener, active netip.AddrPort, sc fakeScript, dir string, protected bool) bool {
	var dc net.Conn
	var err error
	if active.IsValid() {
		dc, err = net.DialTimeout("tcp", active.String(), 5*time.Second)
	} else {
		dc, err = ln.Accept()
	}
	if err != nil || !f.track(dc) {
		return false
	}
	defer dc.Close()
	f.mu.Lock()
	f.dataHits++
	f.mu.Unlock()
	if sc.dataSilent {
		io.Copy(io.Discard, dc) // until the client gives up
		return false
	}
	var w io.Writer = dc
	if protected {
		tc := tls.Server(dc, f.tls)
		if tc.Handshake() != nil {
			return false
		}
		defer tc.Close()
		w = tc
		if sc.dataMute {
			io.Copy(io.Discard, tc)
			return false
		}
	}
	listing := sc.listing
	if sc.listingFor != nil {
		listing = sc.listingFor(dir)
	} else if listing == "" {
		listing = "-rw-r--r--   1 ftp ftp          6 Jan 01 2026 hello.txt\r\n"
	}
	_, err = io.WriteString(w, listing)
	return err == nil
}

// misbehave answers with code and then goes wrong in the way asked.
func (f *badFTP) misbehave(c net.Conn, code string, how misbehaviour) {
	switch how {
	case stall:
		io.WriteString(c, code+"-the first line of a reply that never ends\r\n")
	case drip:
		io.WriteString(c, code+"-")
		tick := time.NewTicker(dripEvery)
		defer tick.Stop()
		for range dripFor {
			select {
			case <-f.stop:
				return
			case <-tick.C:
			}
			if _, err := c.Write([]byte{'x'}); err != nil {
				return
			}
		}
		return // hang up: without a deadline the client sees EOF
	case flood:
		chunk := strings.Repeat("A", 64<<10)
		io.WriteString(c, code+" ")
		for range (10 << 20) / len(chunk) {
			if _, err := io.WriteString(c, chunk); err != nil {
				return
			}
		}
		io.WriteString(c, "\r\n")
	}
	io.Copy(io.Discard, c) // say nothing more until the client hangs up
}
