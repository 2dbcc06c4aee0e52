//go:build linux

package servertest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// portBlock is how many consecutive ports one server reserves: the control
// port and portBlock-1 passive data ports.
const portBlock = 16

// candidateBlocks lists block base ports outside the kernel's ephemeral
// range, so outgoing connections do not take them.
func candidateBlocks() []int {
	lo, hi := 32768, 60999
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			l, err1 := strconv.Atoi(f[0])
			h, err2 := strconv.Atoi(f[1])
			if err1 == nil && err2 == nil && l <= h {
				lo, hi = l, h
			}
		}
	}
	var bases []int
	for b := 10240; b+portBlock <= lo; b += portBlock {
		bases = append(bases, b)
	}
	for b := (hi/portBlock + 1) * portBlock; b+portBlock <= 65536; b += portBlock {
		bases = append(bases, b)
	}
	return bases
}

// reservePortBlock picks a random block not in tried whose control port is
// free and locks it against other servers of this and other processes
// until the returned file is closed.
func reservePortBlock(tried map[int]bool) (int, *os.File, error) {
	dir := filepath.Join(stateDir, "ports")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, nil, fmt.Errorf("port lock dir: %w", err)
	}
	bases := candidateBlocks()
	if len(bases) == 0 {
		return 0, nil, errors.New("no port range outside the ephemeral range")
	}
	rand.Shuffle(len(bases), func(i, j int) { bases[i], bases[j] = bases[j], bases[i] })
	for _, base := range bases {
		if tried[base] {
			continue
		}
		tried[base] = true
		lock, err := lockFile(filepath.Join(dir, strconv.Itoa(base)+".lock"), false)
		if errors.Is(err, syscall.EWOULDBLOCK) {
			continue // another server holds the block
		}
		if err != nil {
			return 0, nil, err
		}
		// Cheap pre-check; the server's own bind is the real test.
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(base)))
		if err != nil {
			lock.Close()
			continue
		}
		l.Close()
		return base, lock, nil
	}
	return 0, nil, fmt.Errorf("all %d port blocks are taken", len(bases))
}
