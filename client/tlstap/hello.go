package tlstap

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"

	"lockbox/client/words"
)

// Extension types the tap reads.
const (
	extServerName        = 0
	extSupportedGroups   = 10
	extALPN              = 16
	extSessionTicket     = 35
	extPreSharedKey      = 41
	extSupportedVersions = 43
	extCookie            = 44
	extKeyShare          = 51
)

// helloRetryRandom is the ServerHello random that marks a HelloRetryRequest
// (RFC 8446 section 4.1.3).
var helloRetryRandom = []byte{
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
}

var errTruncated = errors.New("truncated or malformed")

// readExtensions calls fn for each extension of a hello whose fixed part has
// been read from s. A hello may end without an extensions block.
func readExtensions(s cryptobyte.String, fn func(typ uint16, data cryptobyte.String) error) error {
	if s.Empty() {
		return nil
	}
	var exts cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&exts) || !s.Empty() {
		return fmt.Errorf("extensions: %w", errTruncated)
	}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return fmt.Errorf("extensions: %w", errTruncated)
		}
		if err := fn(typ, data); err != nil {
			return fmt.Errorf("extension %d: %w", typ, err)
		}
	}
	return nil
}

// clientHelloInfo is what a ClientHello says beyond Facts.
type clientHelloInfo struct {
	legacyVersion uint16
	sessionID     []byte
	resumption    bool
}

// clientHello handles a ClientHello.
func (c *Conn) clientHello(s *side, body []byte) error {
	var f Facts
	var info clientHelloInfo
	if err := parseClientHello(body, &f, &info); err != nil {
		return fmt.Errorf("client_hello: %w", err)
	}
	if len(f.OfferedVersions) == 0 {
		f.OfferedVersions = []uint16{info.legacyVersion}
	}
	c.facts.OfferedVersions = f.OfferedVersions
	c.facts.SNI = f.SNI
	c.facts.ALPN = f.ALPN
	c.facts.CipherSuitesOffered = f.CipherSuitesOffered
	c.facts.GroupsOffered = f.GroupsOffered
	c.st.clientSessionID = info.sessionID

	parts := []string{versionList(f.OfferedVersions) + " offered"}
	if f.SNI != "" {
		parts = append(parts, "SNI "+printable(f.SNI))
	} else {
		parts = append(parts, "no SNI")
	}
	if len(f.ALPN) > 0 {
		names := make([]string, len(f.ALPN))
		for i, p := range f.ALPN {
			names[i] = printable(p)
		}
		parts = append(parts, "ALPN "+strings.Join(names, ", "))
	}
	parts = append(parts, words.Plural(f.CipherSuitesOffered, "cipher suite"))
	if len(f.GroupsOffered) > 0 {
		names := make([]string, len(f.GroupsOffered))
		for i, g := range f.GroupsOffered {
			names[i] = g.String()
		}
		parts = append(parts, "groups "+strings.Join(names, ", "))
	}
	if info.resumption {
		parts = append(parts, "offers to resume a session")
	}
	s.add("client_hello", strings.Join(parts, "; "),
		"The client said hello: the TLS versions, encryption methods and server name it asks for.")
	return nil
}

// parseClientHello fills f and info from a ClientHello body.
func parseClientHello(body []byte, f *Facts, info *clientHelloInfo) error {
	s := cryptobyte.String(body)
	var sid, suites, compression cryptobyte.String
	if !s.ReadUint16(&info.legacyVersion) || !s.Skip(32) ||
		!s.ReadUint8LengthPrefixed(&sid) || !s.ReadUint16LengthPrefixed(&suites) ||
		!s.ReadUint8LengthPrefixed(&compression) {
		return errTruncated
	}
	info.sessionID = bytes.Clone(sid)
	for !suites.Empty() {
		var cs uint16
		if !suites.ReadUint16(&cs) {
			return fmt.Errorf("cipher suites: %w", errTruncated)
		}
		if !isGREASE(cs) {
			f.CipherSuitesOffered++
		}
	}
	return readExtensions(s, func(typ uint16, data cryptobyte.String) error {
		switch typ {
		case extServerName:
			return parseSNI(data, f)
		case extSupportedGroups:
			var list cryptobyte.String
			if !data.ReadUint16LengthPrefixed(&list) {
				return errTruncated
			}
			for !list.Empty() {
				var g uint16
				if !list.ReadUint16(&g) {
					return errTruncated
				}
				if !isGREASE(g) {
					f.GroupsOffered = append(f.GroupsOffered, tls.CurveID(g))
				}
			}
		case extALPN:
			var list cryptobyte.String
			if !data.ReadUint16LengthPrefixed(&list) {
				return errTruncated
			}
			for !list.Empty() {
				var proto cryptobyte.String
				if !list.ReadUint8LengthPrefixed(&proto) {
					return errTruncated
				}
				f.ALPN = append(f.ALPN, string(proto))
			}
		case extSupportedVersions:
			var list cryptobyte.String
			if !data.ReadUint8LengthPrefixed(&list) {
				return errTruncated
			}
			for !list.Empty() {
				var v uint16
				if !list.ReadUint16(&v) {
					return errTruncated
				}
				if !isGREASE(v) {
					f.OfferedVersions = append(f.OfferedVersions, v)
				}
			}
		case extPreSharedKey:
			info.resumption = true
		case extSessionTicket:
			info.resumption = info.resumption || !data.Empty()
		}
		return nil
	})
}

// parseSNI reads the host name of a server_name extension.
func parseSNI(data cryptobyte.String, f *Facts) error {
	var list cryptobyte.String
	if !data.ReadUint16LengthPrefixed(&list) {
		return errTruncated
	}
	for !list.Empty() {
		var nameType uint8
		var name cryptobyte.String
		if !list.ReadUint8(&nameType) || !list.ReadUint16LengthPrefixed(&name) {
			return errTruncated
		}
		if nameType == 0 {
			f.SNI = string(name)
		}
	}
	return nil
}

// serverHelloInfo is what a ServerHello says.
type serverHelloInfo struct {
	legacyVersion, version, suite uint16
	retry                         bool
	sessionID                     []byte
	group                         tls.CurveID
	hasKeyShare, hasPSK           bool
	alpn                          string
}

// serverHello handles a ServerHello or HelloRetryRequest.
func (c *Conn) serverHello(s *side, body []byte) error {
	var h serverHelloInfo
	if err := parseServerHello(body, &h); err != nil {
		return fmt.Errorf("server_hello: %w", err)
	}
	version := h.legacyVersion
	if h.version != 0 {
		version = h.version
	}
	c.facts.Version = version
	c.facts.CipherSuite = h.suite
	if h.retry {
		c.facts.HelloRetry = true
		summary := "server asks the client to say hello again"
		if h.hasKeyShare {
			summary = "server asks for key share " + h.group.String()
		}
		s.add("hello_retry_request", summary,
			"The server cannot use the key the client offered and asks it to say hello again with one the server accepts.")
		return nil
	}
	c.st.helloSeen = true
	parts := []string{tls.VersionName(version), tls.CipherSuiteName(h.suite)}
	if version >= tls.VersionTLS13 {
		c.facts.Resumed = h.hasPSK
		if h.hasKeyShare {
			c.facts.Group = h.group
			parts = append(parts, "key share "+h.group.String())
		}
		// Everything the server sends after this is encrypted.
		s.encrypted = true
		c.facts.Encrypted = true
	} else {
		c.facts.Resumed = len(h.sessionID) > 0 && bytes.Equal(h.sessionID, c.st.clientSessionID)
		if h.alpn != "" {
			parts = append(parts, "ALPN "+printable(h.alpn))
		}
	}
	if c.facts.Resumed {
		parts = append(parts, "resumed session")
	} else {
		parts = append(parts, "new session")
	}
	s.add("server_hello", strings.Join(parts, ", "),
		"The server picked the TLS version and encryption method both sides will use.")
	return nil
}

// parseServerHello fills h from a ServerHello body.
func parseServerHello(body []byte, h *serverHelloInfo) error {
	s := cryptobyte.String(body)
	var random []byte
	var sid cryptobyte.String
	var compression uint8
	if !s.ReadUint16(&h.legacyVersion) || !s.ReadBytes(&random, 32) ||
		!s.ReadUint8LengthPrefixed(&sid) || !s.ReadUint16(&h.suite) || !s.ReadUint8(&compression) {
		return errTruncated
	}
	h.retry = bytes.Equal(random, helloRetryRandom)
	h.sessionID = sid
	return readExtensions(s, func(typ uint16, data cryptobyte.String) error {
		switch typ {
		case extSupportedVersions:
			if !data.ReadUint16(&h.version) {
				return errTruncated
			}
		case extKeyShare:
			var g uint16
			if !data.ReadUint16(&g) {
				return errTruncated
			}
			h.group, h.hasKeyShare = tls.CurveID(g), true
		case extPreSharedKey:
			h.hasPSK = true
		case extALPN:
			var list, proto cryptobyte.String
			if !data.ReadUint16LengthPrefixed(&list) || !list.ReadUint8LengthPrefixed(&proto) {
				return errTruncated
			}
			h.alpn = string(proto)
		}
		return nil
	})
}
