package tlstap

import (
	"crypto/tls"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"

	"lockbox/client/trace"
)

const (
	recordHeaderLen = 5
	// maxRecordLen is the largest TLS 1.2 ciphertext record; anything longer
	// means the tap is not looking at a record header.
	maxRecordLen = 16384 + 2048
	// maxHandshakeBuffered bounds the bytes held while reassembling one
	// handshake message.
	maxHandshakeBuffered = 256 << 10
)

// Record content types.
const (
	recordChangeCipherSpec = 20
	recordAlert            = 21
	recordHandshake        = 22
	recordApplicationData  = 23
	recordHeartbeat        = 24
)

// parse runs the record layer of s over p. Called with c.mu held.
func (c *Conn) parse(s *side, p []byte) {
	for len(p) > 0 && !s.done.Load() {
		if s.hdrN < recordHeaderLen {
			n := copy(s.hdr[s.hdrN:], p)
			s.hdrN += n
			p = p[n:]
			if s.hdrN < recordHeaderLen {
				return
			}
			if err := c.beginRecord(s); err != nil {
				c.loseSync(s, err)
				return
			}
		} else {
			n := min(s.left, len(p))
			if err := c.recordBytes(s, p[:n]); err != nil {
				c.loseSync(s, err)
				return
			}
			s.left -= n
			p = p[n:]
		}
		if s.left == 0 {
			s.hdrN = 0
			if err := c.endRecord(s); err != nil {
				c.loseSync(s, err)
				return
			}
		}
	}
}

// beginRecord checks a complete record header.
func (c *Conn) beginRecord(s *side) error {
	h := cryptobyte.String(s.hdr[:])
	var typ uint8
	var version, length uint16
	if !h.ReadUint8(&typ) || !h.ReadUint16(&version) || !h.ReadUint16(&length) {
		return errors.New("record header: truncated")
	}
	if typ < recordChangeCipherSpec || typ > recordHeartbeat {
		return fmt.Errorf("record header: content type %d is not TLS", typ)
	}
	if version>>8 != 3 {
		return fmt.Errorf("record header: version 0x%04x is not TLS", version)
	}
	if length > maxRecordLen {
		return fmt.Errorf("record header: length %d exceeds the TLS maximum", length)
	}
	s.typ, s.left = typ, int(length)
	s.body = s.body[:0]
	s.recEncrypted = s.encrypted
	return nil
}

// recordBytes takes the next part of the current record's body.
func (c *Conn) recordBytes(s *side, b []byte) error {
	switch s.typ {
	case recordHandshake:
		if s.recEncrypted {
			return nil
		}
		return c.handshakeBytes(s, b)
	case recordChangeCipherSpec, recordAlert:
		s.body = append(s.body, b...)
	}
	return nil
}

// tls13 reports whether a ServerHello has settled on TLS 1.3.
func (c *Conn) tls13() bool {
	return c.st.helloSeen && c.facts.Version >= tls.VersionTLS13
}

// endRecord acts on a complete record.
func (c *Conn) endRecord(s *side) error {
	switch s.typ {
	case recordChangeCipherSpec:
		return c.changeCipherSpec(s)
	case recordAlert:
		if s.recEncrypted && len(s.body) != 2 {
			// Plaintext alerts are two bytes; an encrypted one is longer.
			s.addFailed("alert", "encrypted alert (content hidden)",
				fmt.Sprintf("%s ended the connection with an encrypted error message, so its reason cannot be seen here.", who(s)))
			s.done.Store(true)
			return nil
		}
		return c.alerts(s)
	case recordHandshake:
		if !s.recEncrypted {
			return nil
		}
		if c.tls13() {
			c.firstEncrypted13(s)
		} else {
			s.add("finished", fmt.Sprintf("encrypted, %d bytes", s.recLen()),
				"The first encrypted message: it proves that both sides computed the same keys and saw the same handshake.")
			s.done.Store(true)
		}
	case recordApplicationData:
		switch {
		case c.tls13():
			c.firstEncrypted13(s)
		case s.recEncrypted:
			// TLS 1.2 application data before Finished: nothing left to show.
			s.done.Store(true)
		}
		// Otherwise it is early data or noise before the ServerHello; it
		// carries nothing the tap can read.
	}
	return nil
}

// recLen is the length of the record that just ended, from its header.
func (s *side) recLen() int { return int(s.hdr[3])<<8 | int(s.hdr[4]) }

// encryptedAlertLen is the size of a TLS 1.3 record that carries only an
// alert: two bytes of alert, one of inner content type and the 16-byte AEAD
// tag every TLS 1.3 suite Go speaks uses. No Finished is that short.
const encryptedAlertLen = 2 + 1 + 16

// firstEncrypted13 reports the first encrypted TLS 1.3 record of s; after it
// nothing in that direction is readable.
func (c *Conn) firstEncrypted13(s *side) {
	if s.recLen() == encryptedAlertLen {
		s.addFailed("alert", "encrypted alert (content hidden)",
			fmt.Sprintf("%s ended the handshake with an encrypted error message instead of finishing it.", who(s)))
		s.done.Store(true)
		return
	}
	if s.dir == trace.Recv {
		s.add("encrypted_flight",
			"the server's EncryptedExtensions, Certificate, CertificateVerify and Finished are encrypted; their content is filled in from the verification callback",
			"From here on the server's handshake is encrypted, so its certificate is shown from what the TLS library checked rather than from the wire.")
	} else {
		s.add("client_finished",
			"encrypted; contains the client's Finished (and certificate if asked)",
			"The client sent its encrypted confirmation that it saw the same handshake; the secure connection is now ready.")
	}
	s.done.Store(true)
}

// changeCipherSpec handles a ChangeCipherSpec record.
func (c *Conn) changeCipherSpec(s *side) error {
	if len(s.body) != 1 || s.body[0] != 1 {
		return fmt.Errorf("change_cipher_spec: unexpected body of %d bytes", len(s.body))
	}
	// Only a TLS 1.2 CCS after the ServerHello switches on encryption; any
	// other one is TLS 1.3 middlebox compatibility and changes nothing.
	if c.st.helloSeen && !c.tls13() {
		s.encrypted = true
		c.facts.Encrypted = true
		s.add("change_cipher_spec", "switching to encryption",
			fmt.Sprintf("From this message on, everything %s sends is encrypted.", lowerWho(s)))
		return nil
	}
	s.add("change_cipher_spec", "compatibility record (TLS 1.3 ignores it)",
		"A leftover message TLS 1.3 sends only so that old network equipment lets the connection through; it changes nothing.")
	return nil
}
