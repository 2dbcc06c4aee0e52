package identity

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxFileSize is the largest certificate, key or PKCS#12 file accepted; real
// ones are a few KiB, so anything bigger is the wrong file.
const MaxFileSize = 1 << 20

// readSmallFile reads path, refusing directories, empty files and files over
// MaxFileSize before reading them whole. Errors do not repeat the path: the
// caller names the file and its role.
func readSmallFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, pe.Err
		}
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, errors.New("is a directory, not a file")
	}
	if fi.Mode().IsRegular() && fi.Size() > MaxFileSize {
		return nil, fmt.Errorf("file is larger than 1 MiB (%d bytes)", fi.Size())
	}
	// The limit is applied again while reading because pipes and devices
	// report no size.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, errors.New("file is larger than 1 MiB")
	}
	if len(data) == 0 {
		return nil, errors.New("file is 0 bytes")
	}
	return data, nil
}
