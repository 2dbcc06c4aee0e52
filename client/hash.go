package client

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"net/textproto"
	"strings"

	"lockbox/client/internal/ftpwire"
	"lockbox/client/trace"
)

// HashAlgo is a file checksum a server can compute.
type HashAlgo string

// The algorithms, strongest first.
const (
	SHA256 HashAlgo = "SHA-256"
	SHA1   HashAlgo = "SHA-1"
	MD5    HashAlgo = "MD5"
	CRC32  HashAlgo = "CRC32"
)

// NewHash returns a hash.Hash computing a.
func (a HashAlgo) NewHash() hash.Hash {
	switch a {
	case SHA256:
		return sha256.New()
	case SHA1:
		return sha1.New()
	case MD5:
		return md5.New()
	}
	return crc32.NewIEEE()
}

// HashMethod is how a session asks the server for a file's hash: the HASH
// command (draft-bryan-ftpext-hash) after OPTS HASH, or an X-command
// (XSHA256, XSHA1, XMD5, XCRC).
type HashMethod struct {
	Algo HashAlgo
	// Command is "HASH" or the X-command.
	Command string
}

// HashMethod returns the strongest way the server announced in FEAT to
// hash a file: HASH with SHA-256, SHA-1, MD5 or CRC32, else XSHA256, XSHA1,
// XMD5 or XCRC; ok false when it offers none.
func (s *Session) HashMethod() (m HashMethod, ok bool) {
	f := s.Features()
	if p, has := f["HASH"]; has {
		offered := strings.ToUpper(strings.ReplaceAll(p, "*", ""))
		for _, a := range []HashAlgo{SHA256, SHA1, MD5, CRC32} {
			for _, o := range strings.Split(offered, ";") {
				if strings.TrimSpace(o) == string(a) {
					return HashMethod{Algo: a, Command: "HASH"}, true
				}
			}
		}
	}
	for _, x := range []HashMethod{{SHA256, "XSHA256"}, {SHA1, "XSHA1"}, {MD5, "XMD5"}, {CRC32, "XCRC"}} {
		if _, has := f[x.Command]; has {
			return x, true
		}
	}
	return HashMethod{}, false
}

// RemoteHash asks the server for the hash of file p with the strongest
// method it offers; ErrUnsupported when it offers none. The sum is lower-case
// hex.
func (s *Session) RemoteHash(ctx context.Context, p string) (HashMethod, string, error) {
	m, ok := s.HashMethod()
	if !ok {
		return m, "", &StepError{Step: "hash", Err: ErrUnsupported}
	}
	if strings.ContainsAny(p, "\r\n") {
		return m, "", &StepError{Step: "hash", Err: fmt.Errorf("a file name with a line break cannot be sent")}
	}
	var sum string
	err := s.ctl.Exec(ctx, "hash", nil, func() error {
		if m.Command == "HASH" {
			if _, err := s.expect(2, "OPTS HASH "+string(m.Algo)); err != nil {
				return err
			}
		}
		msg, err := s.expect(2, m.Command+" "+p)
		if err != nil {
			return err
		}
		sum, err = hexIn(msg, m.Algo)
		return err
	})
	return m, sum, err
}

// expect sends one command and wants a reply of class class (2: 2xx).
func (s *Session) expect(class int, line string) (string, error) {
	code, msg, err := s.ctl.Command(line)
	if err != nil {
		return "", err
	}
	if code/100 != class {
		return "", &textproto.Error{Code: code, Msg: msg}
	}
	return msg, nil
}

// hexIn finds the hash in a reply (see ftpwire.HexSum): some servers drop
// CRC32's leading zeros.
func hexIn(msg string, a HashAlgo) (string, error) {
	if sum, ok := ftpwire.HexSum(msg, a.NewHash().Size()*2, a == CRC32); ok {
		return sum, nil
	}
	return "", fmt.Errorf("no %s sum in the reply %q", a, msg)
}

// HashMismatchError says a file's hash on the server differs from the
// local copy's.
type HashMismatchError struct {
	Path          string
	Algo          HashAlgo
	Local, Remote string
}

func (e *HashMismatchError) Error() string {
	return fmt.Sprintf("%s: %s differs: the server has %s, the local file %s", e.Path, e.Algo, e.Remote, e.Local)
}

// VerifyFile compares the server's hash of remote with the hash of what r
// reads (the local copy). It records a "verify" step with the command and
// both hashes. With no hash command it returns verified false and no error,
// and the step says the file was not verified.
func (s *Session) VerifyFile(ctx context.Context, remote string, r io.Reader) (verified bool, err error) {
	m, sum, err := s.RemoteHash(ctx, remote)
	if errors.Is(err, ErrUnsupported) {
		s.em.Emit(trace.Info, "verify", remote+": not verified: the server offers no hash command (HASH, XSHA256, XSHA1, XMD5, XCRC)",
			"Only a server that computes checksums can confirm that its copy is the same as the local one.")
		return false, nil
	}
	if err != nil {
		return false, err
	}
	h := m.Algo.NewHash()
	if _, err := io.Copy(h, r); err != nil {
		return false, fmt.Errorf("verify %s: %w", remote, err)
	}
	local := hex.EncodeToString(h.Sum(nil))
	if local != sum {
		s.em.Fail(trace.Info, "verify", fmt.Sprintf("%s: %s %s: server %s, local %s: DIFFERENT", remote, m.Command, m.Algo, sum, local),
			"The file on the server is not the file here: it was damaged in transit or changed since.")
		return false, &StepError{Step: "verify", Err: &HashMismatchError{Path: remote, Algo: m.Algo, Local: local, Remote: sum}}
	}
	s.em.Emit(trace.Info, "verify", fmt.Sprintf("%s: %s %s: server %s, local %s: same", remote, m.Command, m.Algo, sum, local),
		"The server computed the same checksum as Lockbox did for the local copy.")
	return true, nil
}
