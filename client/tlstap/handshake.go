package tlstap

import (
	"fmt"
)

// Handshake message types (RFC 8446 section 4 and its predecessors).
const (
	typeClientHello        = 1
	typeServerHello        = 2
	typeNewSessionTicket   = 4
	typeCertificate        = 11
	typeServerKeyExchange  = 12
	typeCertificateRequest = 13
	typeServerHelloDone    = 14
	typeCertificateVerify  = 15
	typeClientKeyExchange  = 16
	typeCertificateStatus  = 22
)

// otherHandshakeNames name the message types the tap does not look inside.
var otherHandshakeNames = map[uint8]string{
	0: "hello_request", 3: "hello_verify_request", 5: "end_of_early_data",
	8: "encrypted_extensions", 20: "finished", 21: "certificate_url",
	23: "supplemental_data", 24: "key_update", 25: "compressed_certificate",
	254: "message_hash",
}

// handshakeBytes reassembles handshake messages from record bodies, which
// may hold several messages or a piece of one.
func (c *Conn) handshakeBytes(s *side, b []byte) error {
	s.hs = append(s.hs, b...)
	off := 0
	for len(s.hs)-off >= 4 {
		h := s.hs[off:]
		n := int(h[1])<<16 | int(h[2])<<8 | int(h[3])
		if n > maxHandshakeBuffered {
			return fmt.Errorf("handshake message of %d bytes is larger than the tap follows", n)
		}
		if len(h) < 4+n {
			break
		}
		if err := c.handshakeMessage(s, h[0], h[4:4+n]); err != nil {
			return err
		}
		off += 4 + n
	}
	if off > 0 {
		s.hs = append(s.hs[:0], s.hs[off:]...)
	}
	if len(s.hs) > maxHandshakeBuffered {
		return fmt.Errorf("more than %d handshake bytes without a complete message", maxHandshakeBuffered)
	}
	return nil
}

// handshakeMessage turns one complete plaintext handshake message into a step.
// body is only valid during the call.
func (c *Conn) handshakeMessage(s *side, typ uint8, body []byte) error {
	switch typ {
	case typeClientHello:
		return c.clientHello(s, body)
	case typeServerHello:
		return c.serverHello(s, body)
	case typeCertificate:
		return c.certificate(s, body)
	case typeServerKeyExchange:
		return c.serverKeyExchange(s, body)
	case typeCertificateRequest:
		return c.certificateRequest(s, body)
	case typeServerHelloDone:
		s.add("server_hello_done", "the server waits for the client",
			"The server has finished its part of the greeting and now waits for the client.")
		return nil
	case typeClientKeyExchange:
		return c.clientKeyExchange(s, body)
	case typeCertificateVerify:
		return c.certificateVerify(s, body)
	case typeNewSessionTicket:
		return c.newSessionTicket(s, body)
	case typeCertificateStatus:
		s.add("certificate_status", fmt.Sprintf("revocation status, %d bytes", len(body)),
			"The server attached a recent statement from its certificate's issuer saying the certificate has not been revoked.")
		return nil
	}
	name, ok := otherHandshakeNames[typ]
	if !ok {
		name = "handshake_message"
	}
	s.add(name, fmt.Sprintf("type %d, %d bytes", typ, len(body)),
		fmt.Sprintf("%s sent a handshake message that Lockbox shows without further detail.", who(s)))
	return nil
}
