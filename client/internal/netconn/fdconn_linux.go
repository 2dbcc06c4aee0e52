//go:build linux

package netconn

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// fdConn is a TCP connection for bulk data (FTP data connections and
// HTTPS downloads) that Go's network poller never sees: its socket is not
// in the runtime's epoll set, and a read or write that has to wait does so
// in poll(2) on its goroutine's own thread.
//
// Why: a download reads its socket tens of thousands of times. Through a
// net.TCPConn, every arrival of data woke the runtime's epoll thread, even
// while the reading goroutine was busy decrypting; each wait parked the
// goroutine, let every P go idle and sent the runtime's monitor thread
// (sysmon) to deep sleep, and the next read woke it again to poll every
// 20 µs. Measured on a two-core machine against vsftpd (perf stat, one
// 512 MiB download, no fsync, medians of batches of 5 to 10): through a
// net.TCPConn 570 ms of CPU and 20,800 context switches; through fdConn
// 324 to 339 ms and 7,000 to 9,000; lftp 397 to 437 ms.
//
// It keeps a net.TCPConn's contract where the engine relies on it: one
// reader and one writer at a time, deadlines (poll's timeout) that a
// SetDeadline for a sooner time or a Close cut short at once (an eventfd
// per direction wakes the waiting poll), errors as *net.OpError with the
// usual texts ("i/o timeout", "use of closed network connection"), and
// CloseWrite for the half-close the data connections need.
type fdConn struct {
	fd           int
	rwake, wwake int // eventfds: a waiting read, a waiting write
	laddr, raddr net.Addr

	rmu, wmu sync.Mutex // held through a read, a write; Close takes both
	closed   atomic.Bool
	rdl, wdl atomic.Int64 // deadlines, Unix nanoseconds; 0 for none

	once     sync.Once
	closeErr error

	ryield, wyield int64 // when Read, Write last yielded (Unix nanoseconds); under rmu, wmu
}

// yieldEvery is how often a goroutine that keeps reading (or writing)
// yields the processor (runtime.Gosched).
//
// Why: through fdConn a download's goroutine never parks, so the
// scheduler sees it run on one time slice for as long as the download
// lasts. Every 10 ms the runtime's monitor thread (sysmon) forces a
// preemption, takes the processor from it if it sits in poll(2) at that
// moment, hands it to another thread, and then, having found work, polls
// every 20 µs for a while: about half of a download's context switches were
// sysmon's (perf, sched_switch). Measured on the 2-vCPU VM of
// bench/run.sh, 512 MiB from vsftpd, interleaved runs (perf stat, medians
// of 10): without the yield 398 ms of CPU, 8,100 context switches and half
// the runs at half speed (probably sysmon's wake-ups landing on the
// server's CPU: vsftpd used 950 ms of CPU in those runs, 560 in the others);
// with it 356 ms, 6,300, and 9 runs of 10 at 0.57 to 0.64 s.
const yieldEvery = int64(5 * time.Millisecond)

// yieldIfDue yields the processor if yieldEvery has passed since *last.
func yieldIfDue(last *int64) {
	if now := time.Now().UnixNano(); now-*last >= yieldEvery {
		*last = now
		runtime.Gosched()
	}
}

// DialData connects to addr ("host:port") with an fdConn. A host name
// is looked up first and its addresses tried in turn, as Go's dialer does
// (without its IPv4/IPv6 race); FTP data connections always name an IP.
func DialData(ctx context.Context, addr string) (net.Conn, error) {
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		return dialFD(ctx, ap)
	}
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: err}
	}
	port, err := net.DefaultResolver.LookupPort(ctx, "tcp", portStr)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: err}
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: err}
	}
	var first error
	for _, ip := range ips {
		c, err := dialFD(ctx, netip.AddrPortFrom(ip, uint16(port)))
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	if first == nil {
		first = &net.OpError{Op: "dial", Net: "tcp", Err: &net.AddrError{Err: "no addresses", Addr: host}}
	}
	return nil, first
}

// AdoptData turns an accepted connection (an active-mode data connection)
// into an fdConn, for the same reasons as DialData: its socket is
// duplicated out of Go's network poller and the original closed. On error
// c is returned as it was, still open and usable.
func AdoptData(c *net.TCPConn) (net.Conn, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return c, err
	}
	fd := -1
	var dupErr error
	if err := rc.Control(func(orig uintptr) {
		fd, dupErr = unix.FcntlInt(orig, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return c, err
	}
	if dupErr != nil {
		return c, os.NewSyscallError("fcntl", dupErr)
	}
	fc := &fdConn{fd: fd, rwake: -1, wwake: -1, laddr: c.LocalAddr(), raddr: c.RemoteAddr()}
	fail := func(err error) (net.Conn, error) {
		fc.closeFDs()
		return c, err
	}
	// The duplicate shares the file status flags: Go's socket is already
	// non-blocking, as fdConn needs.
	if fc.rwake, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		return fail(os.NewSyscallError("eventfd", err))
	}
	if fc.wwake, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		return fail(os.NewSyscallError("eventfd", err))
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		return fail(os.NewSyscallError("fcntl", err))
	}
	// Closing Go's descriptor leaves the socket open through ours; Go
	// never shuts it down on close.
	c.Close()
	return fc, nil
}

func dialFD(ctx context.Context, ap netip.AddrPort) (net.Conn, error) {
	raddr := net.TCPAddrFromAddrPort(ap)
	opErr := func(err error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Addr: raddr, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return nil, opErr(ctxErr(err))
	}
	ip := ap.Addr().Unmap()
	family := unix.AF_INET6
	var sa unix.Sockaddr
	if ip.Is4() {
		family = unix.AF_INET
		sa = &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ip.As4()}
	} else {
		sa6 := &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ip.As16()}
		if z := ip.Zone(); z != "" {
			ifi, err := net.InterfaceByName(z)
			if err != nil {
				return nil, opErr(err)
			}
			sa6.ZoneId = uint32(ifi.Index)
		}
		sa = sa6
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return nil, opErr(os.NewSyscallError("socket", err))
	}
	c := &fdConn{fd: fd, rwake: -1, wwake: -1, raddr: raddr}
	fail := func(err error) (net.Conn, error) {
		c.closeFDs()
		return nil, opErr(err)
	}
	if c.rwake, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		return fail(os.NewSyscallError("eventfd", err))
	}
	if c.wwake, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		return fail(os.NewSyscallError("eventfd", err))
	}
	// As Go's dialer does.
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)

	err = unix.Connect(fd, sa)
	for err == unix.EINTR {
		err = unix.Connect(fd, sa)
	}
	if err == unix.EINPROGRESS {
		err = c.waitConnect(ctx)
	} else if err != nil {
		err = os.NewSyscallError("connect", err)
	}
	if err != nil {
		return fail(err)
	}
	c.laddr = &net.TCPAddr{}
	if lsa, err := unix.Getsockname(fd); err == nil {
		c.laddr = sockaddrToTCP(lsa)
	}
	return c, nil
}

// waitConnect waits for a non-blocking connect to finish, or ctx to end.
func (c *fdConn) waitConnect(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { poke(c.wwake) })
	defer stop()
	fds := []unix.PollFd{{Fd: int32(c.fd), Events: unix.POLLOUT}, {Fd: int32(c.wwake), Events: unix.POLLIN}}
	for {
		if err := ctx.Err(); err != nil {
			return ctxErr(err)
		}
		timeout := -1
		if d, ok := ctx.Deadline(); ok {
			timeout = pollTimeout(time.Until(d))
		}
		fds[0].Revents, fds[1].Revents = 0, 0
		if _, err := unix.Poll(fds, timeout); err != nil && err != unix.EINTR {
			return os.NewSyscallError("poll", err)
		}
		if fds[0].Revents != 0 {
			soerr, err := unix.GetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_ERROR)
			if err != nil {
				return os.NewSyscallError("getsockopt", err)
			}
			if soerr != 0 {
				return os.NewSyscallError("connect", unix.Errno(soerr))
			}
			return nil
		}
	}
}

// ctxErr is the error a dial cut off by its context reports, as Go's own
// dialer words it.
func ctxErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return os.ErrDeadlineExceeded
	}
	return err
}

func sockaddrToTCP(sa unix.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]).To16(), Port: a.Port}
	case *unix.SockaddrInet6:
		var zone string
		if a.ZoneId != 0 {
			if ifi, err := net.InterfaceByIndex(int(a.ZoneId)); err == nil {
				zone = ifi.Name
			}
		}
		return &net.TCPAddr{IP: append(net.IP(nil), a.Addr[:]...), Port: a.Port, Zone: zone}
	}
	return &net.TCPAddr{}
}

// pollTimeout turns what is left of a deadline into poll's milliseconds,
// rounded up so that a wait never ends before the deadline.
func pollTimeout(left time.Duration) int {
	if left <= 0 {
		return 0
	}
	ms := (left + time.Millisecond - 1) / time.Millisecond
	if ms > 1<<30 {
		ms = 1 << 30
	}
	return int(ms)
}

// poke wakes a poll(2) waiting on the eventfd.
func poke(efd int) {
	one := [8]byte{1}
	unix.Write(efd, one[:])
}

// wait waits in poll(2) until the socket has events (POLLIN or POLLOUT),
// the deadline passes (os.ErrDeadlineExceeded), the connection is closed
// (net.ErrClosed), or the deadline is moved sooner (then it returns nil and
// the caller tries again).
func (c *fdConn) wait(events int16, wake int, dl *atomic.Int64) error {
	if c.closed.Load() {
		return net.ErrClosed
	}
	timeout := -1
	if d := dl.Load(); d != 0 {
		left := time.Until(time.Unix(0, d))
		if left <= 0 {
			return os.ErrDeadlineExceeded
		}
		timeout = pollTimeout(left)
	}
	fds := [2]unix.PollFd{{Fd: int32(c.fd), Events: events}, {Fd: int32(wake), Events: unix.POLLIN}}
	if _, err := unix.Poll(fds[:], timeout); err != nil && err != unix.EINTR {
		return os.NewSyscallError("poll", err)
	}
	if fds[1].Revents != 0 {
		if c.closed.Load() {
			return net.ErrClosed // the eventfd stays readable for the other side
		}
		var b [8]byte
		unix.Read(wake, b[:])
	}
	return nil
}

func (c *fdConn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: c.laddr, Addr: c.raddr, Err: err}
}

// expired reports whether the deadline in dl has passed.
func expired(dl *atomic.Int64) bool {
	d := dl.Load()
	return d != 0 && time.Now().UnixNano() >= d
}

// Read reads what the socket holds, waiting while it holds nothing.
func (c *fdConn) Read(p []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.closed.Load() {
		return 0, c.opError("read", net.ErrClosed)
	}
	if expired(&c.rdl) {
		return 0, c.opError("read", os.ErrDeadlineExceeded)
	}
	if len(p) == 0 {
		return 0, nil
	}
	yieldIfDue(&c.ryield)
	for {
		n, err := unix.Read(c.fd, p)
		switch err {
		case nil:
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			if err := c.wait(unix.POLLIN, c.rwake, &c.rdl); err != nil {
				return 0, c.opError("read", err)
			}
		default:
			return 0, c.opError("read", os.NewSyscallError("read", err))
		}
	}
}

// Write writes all of p, waiting while the socket's buffer is full.
func (c *fdConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	yieldIfDue(&c.wyield)
	n := 0
	for {
		if c.closed.Load() {
			return n, c.opError("write", net.ErrClosed)
		}
		if expired(&c.wdl) {
			return n, c.opError("write", os.ErrDeadlineExceeded)
		}
		if n == len(p) {
			return n, nil
		}
		k, err := unix.Write(c.fd, p[n:])
		if k > 0 {
			n += k
		}
		switch err {
		case nil, unix.EINTR:
		case unix.EAGAIN:
			if err := c.wait(unix.POLLOUT, c.wwake, &c.wdl); err != nil {
				return n, c.opError("write", err)
			}
		default:
			return n, c.opError("write", os.NewSyscallError("write", err))
		}
	}
}

// Close closes the connection; a read or write waiting in poll(2) returns
// at once with net.ErrClosed.
func (c *fdConn) Close() error {
	first := false
	c.once.Do(func() {
		first = true
		c.closed.Store(true)
		poke(c.rwake)
		poke(c.wwake)
		c.rmu.Lock()
		c.wmu.Lock()
		c.closeErr = c.closeFDs()
		c.wmu.Unlock()
		c.rmu.Unlock()
	})
	if !first {
		return c.opError("close", net.ErrClosed)
	}
	if c.closeErr != nil {
		return c.opError("close", c.closeErr)
	}
	return nil
}

func (c *fdConn) closeFDs() error {
	for _, fd := range []int{c.rwake, c.wwake} {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
	if err := unix.Close(c.fd); err != nil {
		return os.NewSyscallError("close", err)
	}
	return nil
}

// CloseWrite shuts down the sending side (a TCP FIN), as
// net.TCPConn.CloseWrite does.
func (c *fdConn) CloseWrite() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed.Load() {
		return c.opError("close", net.ErrClosed)
	}
	if err := unix.Shutdown(c.fd, unix.SHUT_WR); err != nil {
		return c.opError("close", os.NewSyscallError("shutdown", err))
	}
	return nil
}

// LocalAddr is the local end's address.
func (c *fdConn) LocalAddr() net.Addr { return c.laddr }

// RemoteAddr is the server's address.
func (c *fdConn) RemoteAddr() net.Addr { return c.raddr }

// SetDeadline sets the read and write deadlines.
func (c *fdConn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

// SetReadDeadline sets the read deadline; a read waiting for a later one
// (or for none) is woken to honour it.
func (c *fdConn) SetReadDeadline(t time.Time) error {
	return c.setDeadline(&c.rdl, c.rwake, t)
}

// SetWriteDeadline sets the write deadline, as SetReadDeadline does.
func (c *fdConn) SetWriteDeadline(t time.Time) error {
	return c.setDeadline(&c.wdl, c.wwake, t)
}

func (c *fdConn) setDeadline(dl *atomic.Int64, wake int, t time.Time) error {
	if c.closed.Load() {
		return c.opError("set", net.ErrClosed)
	}
	var d int64
	if !t.IsZero() {
		d = t.UnixNano()
		if d == 0 {
			d = 1 // the Unix epoch itself: long past, not "none"
		}
	}
	if old := dl.Swap(d); d != 0 && (old == 0 || d < old) {
		poke(wake)
	}
	return nil
}
