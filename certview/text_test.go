package certview

import (
	"bytes"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"lockbox/client/verify"
)

func TestWriteTextThreeInvalidFields(t *testing.T) {
	bad := selfSignedBad(t)
	r := check([]*x509.Certificate{bad.Cert}, nil, "ftp.example.com", fixedNow)
	m := Build(r.Chain, r.Problems, ModelOptions{DialedName: "ftp.example.com", Now: fixedNow, Trust: "untrusted"})
	var buf bytes.Buffer
	if err := WriteText(&buf, m); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "Not trusted: the certificate is self-signed") {
		t.Errorf("output does not start with the summary:\n%s", out)
	}
	// The three fields, each on its own line with its own message.
	tests := []struct{ row, message string }{
		{"DNS name", "The certificate is issued to nas.local, nas and 192.168.1.20, not to ftp.example.com."},
		{"Self-signed", "The certificate signed itself"},
		{"Not after", "The server's certificate expired on 2026-06-11 00:00 UTC, 4 days ago."},
	}
	for _, tt := range tests {
		found := false
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), tt.row) && strings.Contains(line, "<-- INVALID: ") {
				found = true
			}
		}
		if !found {
			t.Errorf("no INVALID %s line", tt.row)
		}
		if !strings.Contains(out, "<-- INVALID: "+tt.message) {
			t.Errorf("message %q not printed after an INVALID marker", tt.message)
		}
	}
	if n := strings.Count(out, "<-- INVALID"); n < 3 {
		t.Errorf("%d INVALID markers, want at least 3", n)
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("output has colour codes")
	}
	if !strings.Contains(out, "Level 0 (server): nas.local   [INVALID]") {
		t.Errorf("no level heading:\n%s", out)
	}
}

func TestWriteText(t *testing.T) {
	ch := newTestChain(t)
	roots := []*x509.Certificate{ch.root.Cert}
	r := check(ch.certs(), roots, "ftp.example.com", fixedNow)
	valid := Build(r.Chain, r.Problems, ModelOptions{DialedName: "ftp.example.com", Now: fixedNow, Trust: "verified"})
	soonAt := notAfter.Add(-10 * 24 * time.Hour)
	r = check(ch.certs(), roots, "ftp.example.com", soonAt)
	soon := Build(r.Chain, r.Problems, ModelOptions{DialedName: "ftp.example.com", Now: soonAt, Trust: "verified"})
	notes := Build(nil, []verify.Problem{{Level: 0, Field: verify.FieldChain, Code: verify.CodeIncompleteChain,
		Severity: verify.SeverityError, Message: "The server sent no certificate at all."}}, ModelOptions{Now: fixedNow})
	tests := []struct {
		name    string
		m       *Model
		want    []string
		notWant []string
	}{
		{"valid", valid, []string{
			"Trusted: the chain leads to the trusted root",
			"Level 0 (server): ftp.example.com\n",
			"Level 2 (root): Lockbox Test Root CA\n",
			"DNS name                       ftp.example.com   (matches ftp.example.com)",
			"  Fingerprints\n",
		}, []string{"INVALID", "WARNING"}},
		{"expires soon", soon, []string{"[WARNING]", "Not after", "<-- WARNING: The server's certificate expires on 2027-01-01 00:00 UTC, in 10 days.", "<-- WARNING: (see above)"}, []string{"INVALID"}},
		{"no certificate", notes, []string{"sent no certificate", "Chain  incomplete chain   <-- INVALID: The server sent no certificate at all."}, nil},
		{"nil", nil, []string{"No certificate."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteText(&buf, tt.m); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, buf.String())
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(buf.String(), w) {
					t.Errorf("output has %q", w)
				}
			}
		})
	}
	if err := WriteText(failWriter{}, valid); err == nil {
		t.Error("write error not returned")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
