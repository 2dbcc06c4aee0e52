package client

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"lockbox/client/internal/enginetest"
)

func TestCopyDataReportsWhichSideFailed(t *testing.T) {
	data := enginetest.RandomBytes(100_000, 1)
	boom := errors.New("boom")
	tests := []struct {
		name      string
		src       io.Reader
		dst       io.Writer
		wantN     int64
		readFail  bool
		writeFail bool
	}{
		{"complete, one byte at a time", iotest.OneByteReader(bytes.NewReader(data)), &bytes.Buffer{}, int64(len(data)), false, false},
		{"read fails after 1000 bytes: they are written", io.MultiReader(bytes.NewReader(data[:1000]), iotest.ErrReader(boom)), &bytes.Buffer{}, 1000, true, false},
		{"write fails", bytes.NewReader(data), failWriter{}, 0, false, true},
		{"short write", bytes.NewReader(data), shortWriter{}, 1, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var progress int64
			n, rerr, werr := CopyData(tc.dst, tc.src, make([]byte, MinBufferSize), func(k int64) { progress += k })
			if n != tc.wantN || (rerr != nil) != tc.readFail || (werr != nil) != tc.writeFail {
				t.Errorf("n=%d rerr=%v werr=%v", n, rerr, werr)
			}
			if b, ok := tc.dst.(*bytes.Buffer); ok && !bytes.Equal(b.Bytes(), data[:n]) {
				t.Error("bytes differ")
			}
			if !tc.writeFail && progress != n {
				t.Errorf("progress %d, written %d", progress, n)
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

type shortWriter struct{}

func (shortWriter) Write([]byte) (int, error) { return 1, nil }
