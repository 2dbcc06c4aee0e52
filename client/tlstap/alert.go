package tlstap

import (
	"fmt"

	"lockbox/client/trace"
)

// alertNames are the alert descriptions of RFC 8446 and its predecessors.
var alertNames = map[uint8]string{
	0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac",
	21: "decryption_failed", 22: "record_overflow", 30: "decompression_failure",
	40: "handshake_failure", 41: "no_certificate", 42: "bad_certificate",
	43: "unsupported_certificate", 44: "certificate_revoked", 45: "certificate_expired",
	46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca",
	49: "access_denied", 50: "decode_error", 51: "decrypt_error",
	60: "export_restriction", 70: "protocol_version", 71: "insufficient_security",
	80: "internal_error", 86: "inappropriate_fallback", 90: "user_canceled",
	100: "no_renegotiation", 109: "missing_extension", 110: "unsupported_extension",
	111: "certificate_unobtainable", 112: "unrecognized_name",
	113: "bad_certificate_status_response", 114: "bad_certificate_hash_value",
	115: "unknown_psk_identity", 116: "certificate_required",
	120: "no_application_protocol", 121: "ech_required",
}

// alertReasons finish the sentence "The server stopped the connection: ...".
var alertReasons = map[uint8]string{
	0:   "it is closing the connection normally",
	10:  "it received a message it did not expect at this point",
	20:  "a message arrived damaged or was tampered with",
	22:  "a message was too large",
	40:  "the two sides could not agree on security settings",
	42:  "the certificate it received is broken or was rejected",
	43:  "it does not support this kind of certificate",
	44:  "a certificate has been revoked by its issuer",
	45:  "a certificate has expired or is not yet valid",
	46:  "it could not accept the certificate",
	47:  "a message contained a value that is not allowed",
	48:  "it does not trust the issuer of the certificate",
	49:  "access was refused",
	50:  "a message could not be decoded",
	51:  "a signature or key check failed",
	70:  "the two sides have no TLS version in common",
	71:  "the other side's settings are too weak for it",
	80:  "it hit an internal error unrelated to the other side",
	86:  "the client retried with a lower TLS version than it supports",
	90:  "the handshake was cancelled",
	109: "a required hello extension was missing",
	110: "it received an extension it did not ask for",
	112: "it does not serve the requested server name",
	116: "it requires a client certificate and none was sent",
	120: "the two sides have no application protocol (ALPN) in common",
}

// alertText formats an alert as "fatal: handshake_failure (40)".
func alertText(level, desc uint8) string {
	lv := fmt.Sprintf("level %d", level)
	switch level {
	case 1:
		lv = "warning"
	case 2:
		lv = "fatal"
	}
	name, ok := alertNames[desc]
	if !ok {
		name = "unknown alert"
	}
	return fmt.Sprintf("%s: %s (%d)", lv, name, desc)
}

// alerts handles the body of a plaintext alert record.
func (c *Conn) alerts(s *side) error {
	if len(s.body)%2 != 0 {
		return fmt.Errorf("alert: record of odd length %d", len(s.body))
	}
	for i := 0; i < len(s.body); i += 2 {
		level, desc := s.body[i], s.body[i+1]
		text := alertText(level, desc)
		c.facts.Alert = text
		reason, ok := alertReasons[desc]
		if !ok {
			reason = "the reason is the alert shown"
		}
		s.addFailed("alert", text, fmt.Sprintf("%s stopped the connection: %s.", who(s), reason))
	}
	return nil
}

// who names the sender of s's messages at the start of a sentence.
func who(s *side) string {
	if s.dir == trace.Recv {
		return "The server"
	}
	return "The client"
}

// lowerWho names the sender of s's messages inside a sentence.
func lowerWho(s *side) string {
	if s.dir == trace.Recv {
		return "the server"
	}
	return "the client"
}
