// Package verify checks a server's certificate chain and reports every
// problem it has at once, per certificate and per field, instead of stopping
// at the first one as x509.Verify does. It is pure and does no network I/O,
// so it can run inside tls.Config.VerifyConnection.
package verify

import (
	"fmt"
	"strings"
)

// Severity says whether a problem makes the connection untrustworthy.
type Severity string

// Severities.
const (
	// SeverityError means the chain must not be trusted as it is.
	SeverityError Severity = "error"
	// SeverityWarning means the chain is fine today but needs attention.
	SeverityWarning Severity = "warning"
)

// Fields name the part of a certificate a problem is about.
const (
	FieldIssuer    = "issuer"
	FieldOwner     = "owner"
	FieldValidity  = "validity"
	FieldChain     = "chain"
	FieldUsage     = "usage"
	FieldSignature = "signature"
	FieldKey       = "key"
	FieldPin       = "pin"
)

// Codes identify the kind of problem so callers can branch on it.
const (
	CodeUnknownAuthority = "unknown_authority"
	CodeSelfSigned       = "self_signed"
	CodeIncompleteChain  = "incomplete_chain"
	CodeNotACA           = "not_a_ca"
	CodeHostnameMismatch = "hostname_mismatch"
	CodeExpired          = "expired"
	CodeNotYetValid      = "not_yet_valid"
	CodeExpiresSoon      = "expires_soon"
	CodeWrongUsage       = "wrong_usage"
	CodeWeakSignature    = "weak_signature"
	CodeWeakKey          = "weak_key"
	CodePinMismatch      = "pin_mismatch"
	// CodeFingerprintMismatch is a certificate other than the one whose
	// fingerprint the user gave for this connection.
	CodeFingerprintMismatch = "fingerprint_mismatch"
	// CodeChainRejected is x509.Verify refusing a chain that reaches a
	// trusted root for a reason no specific check explained (name
	// constraints, path length, a CA's usage limits).
	CodeChainRejected = "chain_rejected"
)

// RootUnknown reports whether p says that the chain does not reach a
// trusted root because its root, or the issuer of its top certificate, is
// not among the trusted roots. Adding that CA to the trusted roots is the
// fix, if the user trusts whoever runs it; each front end words how.
func RootUnknown(p Problem) bool {
	return p.Code == CodeUnknownAuthority || p.Code == CodeIncompleteChain
}

// titles are the codes in a few plain words, for a one-line summary.
var titles = map[string]string{
	CodeUnknownAuthority:    "issuer not trusted",
	CodeSelfSigned:          "self-signed",
	CodeIncompleteChain:     "incomplete chain",
	CodeNotACA:              "issued by a non-CA",
	CodeHostnameMismatch:    "wrong host name",
	CodeExpired:             "expired",
	CodeNotYetValid:         "not yet valid",
	CodeExpiresSoon:         "expires soon",
	CodeWrongUsage:          "not for servers",
	CodeWeakSignature:       "weak signature",
	CodeWeakKey:             "weak key",
	CodePinMismatch:         "not the pinned certificate",
	CodeFingerprintMismatch: "not the expected fingerprint",
	CodeChainRejected:       "chain rejected",
}

// Title says what a problem code means in a few plain words ("self-signed",
// "wrong host name"), for a summary where the full message does not fit. An
// unknown code is returned with its underscores as spaces.
func Title(code string) string {
	if t, ok := titles[code]; ok {
		return t
	}
	return strings.ReplaceAll(code, "_", " ")
}

// Problem is one thing wrong with one certificate of the chain.
type Problem struct {
	// Level is the certificate's position: 0 is the server's own, the
	// highest is the root.
	Level int `json:"level"`
	// Field is one of the Field constants.
	Field string `json:"field"`
	// Code is one of the Code constants.
	Code string `json:"code"`
	// Severity says whether the problem breaks trust.
	Severity Severity `json:"severity"`
	// Message says what is wrong and what the user can do about it.
	Message string `json:"message"`
}

// Error formats the problem so it can be returned as an error.
func (p Problem) Error() string {
	return fmt.Sprintf("certificate level %d, %s (%s): %s", p.Level, p.Field, p.Code, p.Message)
}

func newError(level int, field, code, format string, args ...any) Problem {
	return Problem{Level: level, Field: field, Code: code, Severity: SeverityError, Message: fmt.Sprintf(format, args...)}
}

func newWarning(level int, field, code, format string, args ...any) Problem {
	return Problem{Level: level, Field: field, Code: code, Severity: SeverityWarning, Message: fmt.Sprintf(format, args...)}
}
