package netconn

import "io"

// WriteChunk is the most CopyChunks gathers before it writes, for
// downloads and client.CopyData. On the 2-vCPU VM of bench/run.sh (Linux 6.18, ext4, 512 MiB from vsftpd on loopback),
// in three of five interleaved comparisons 256 KiB writes cost 1.3 to 2.8
// times the system time of 64 KiB writes, and 1 MiB writes 4.8 times
// (larger writes make the page cache allocate larger folios, which that VM
// seems to have to fault in from its host); in the other two, 256 KiB
// writes cost 7 to 15 % less CPU (fewer system calls). 64 KiB bounds the
// bad case; BenchmarkVsftpdTransfer compares the sizes on a machine.
const WriteChunk = 64 << 10

// CopyChunks copies src to dst through buf. It gathers reads (a TLS
// record each, 16 KiB at most) into writes of chunk bytes, or of len(buf)
// if smaller, and tells progress of every read. It returns the bytes
// written and which side failed; a read error comes after everything
// received before it was written. It allocates nothing.
func CopyChunks(dst io.Writer, src io.Reader, buf []byte, chunk int, progress func(int64)) (n int64, readErr, writeErr error) {
	if chunk > 0 && len(buf) > chunk {
		buf = buf[:chunk]
	}
	for {
		m := 0
		var rerr error
		for m < len(buf) {
			k, err := src.Read(buf[m:])
			m += k
			if k > 0 && progress != nil {
				progress(int64(k))
			}
			if err != nil {
				rerr = err
				break
			}
		}
		if m > 0 {
			w, werr := dst.Write(buf[:m])
			n += int64(w)
			if werr == nil && w < m {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return n, nil, werr
			}
		}
		if rerr == io.EOF {
			return n, nil, nil
		}
		if rerr != nil {
			return n, rerr, nil
		}
	}
}
