package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"lockbox/client"
	"lockbox/client/verify"
)

// printReport prints the chain, the problems and the verdict after the
// steps (which were printed live).
func printReport(w io.Writer, r *client.Report) {
	if r.TLS != nil {
		fmt.Fprintf(w, "\nTLS: %s, %s", r.TLS.Version, r.TLS.CipherSuite)
		if r.TLS.Group != "" {
			fmt.Fprintf(w, ", %s", r.TLS.Group)
		}
		fmt.Fprintf(w, ", resumed: %s\n", yesNo(r.TLS.Resumed))
	}
	cc := r.ClientCertificate
	if cc.Requested {
		sent := "none"
		if cc.Sent != nil {
			sent = *cc.Sent
		}
		fmt.Fprintf(w, "Client certificate: requested (acceptable CAs: %s); sent: %s\n", orAny(cc.AcceptableCAs), sent)
	}
	byLevel := map[int][]verify.Problem{}
	for _, p := range r.Problems {
		byLevel[p.Level] = append(byLevel[p.Level], p)
	}
	if len(r.Chain) > 0 {
		fmt.Fprintln(w, "\nCertificate chain:")
	}
	for _, c := range r.Chain {
		role := "intermediate"
		switch {
		case c.Level == 0:
			role = "server"
		case c.Level == len(r.Chain)-1 && c.SelfSigned:
			role = "root"
		}
		mark := ""
		if len(byLevel[c.Level]) > 0 {
			mark = "  [INVALID]"
			if !hasError(byLevel[c.Level]) {
				mark = "  [WARNING]"
			}
		}
		fmt.Fprintf(w, "  [%d] %s (%s)%s\n", c.Level, c.Subject, role, mark)
		row := func(field, label, value string) {
			fmt.Fprintf(w, "      %-10s %s%s\n", label+":", value, fieldMark(byLevel[c.Level], field))
		}
		row(verify.FieldIssuer, "issuer", c.Issuer)
		row(verify.FieldValidity, "valid", fmt.Sprintf("%s to %s", c.NotBefore.Format(time.RFC3339), c.NotAfter.Format(time.RFC3339)))
		if c.Level == 0 {
			row(verify.FieldOwner, "names", names(c))
			row(verify.FieldUsage, "usage", strings.Join(c.ExtKeyUsage, ", "))
		}
		row(verify.FieldKey, "key", c.PublicKey)
		row(verify.FieldSignature, "signature", c.SignatureAlgorithm)
		row(verify.FieldChain, "CA", yesNo(c.IsCA))
		fmt.Fprintf(w, "      %-10s %s\n", "sha256:", c.SHA256)
	}
	if len(r.Problems) > 0 {
		fmt.Fprintln(w, "\nProblems:")
		for _, p := range r.Problems {
			fmt.Fprintf(w, "  %s level %d %s/%s: %s\n", severityMark(p.Severity), p.Level, p.Field, p.Code, p.Message)
		}
	}
	if r.PinChange != nil {
		fmt.Fprintf(w, "\nPINNED CERTIFICATE CHANGED: %s\n  pinned: %s (accepted %s)\n  now:    %s\n",
			r.PinChange.Verdict, r.PinChange.Old.SHA256, r.PinChange.Old.AcceptedAt.Format(time.RFC3339), r.PinChange.NewSHA256)
	}
	switch {
	case r.Trusted:
		fmt.Fprintf(w, "\nResult: trusted (%s)\n", r.Trust)
	case r.TLS == nil && r.Error == "" && len(r.Chain) == 0:
		fmt.Fprintln(w, "\nResult: NOT encrypted (plain FTP)")
	default:
		fmt.Fprintf(w, "\nResult: NOT trusted (%s)\n", r.Trust)
	}
}

func fieldMark(problems []verify.Problem, field string) string {
	var codes []string
	worst := verify.SeverityWarning
	for _, p := range problems {
		if p.Field == field {
			codes = append(codes, p.Code)
			if p.Severity == verify.SeverityError {
				worst = verify.SeverityError
			}
		}
	}
	if len(codes) == 0 {
		return ""
	}
	label := "Warning"
	if worst == verify.SeverityError {
		label = "Invalid"
	}
	return fmt.Sprintf("   <-- %s: %s", label, strings.Join(codes, ", "))
}

func hasError(ps []verify.Problem) bool {
	for _, p := range ps {
		if p.Severity == verify.SeverityError {
			return true
		}
	}
	return false
}

func severityMark(s verify.Severity) string {
	if s == verify.SeverityError {
		return "✗ error  "
	}
	return "! warning"
}

func names(c client.CertInfo) string {
	var parts []string
	for _, d := range c.DNSNames {
		parts = append(parts, "DNS:"+d)
	}
	for _, ip := range c.IPAddresses {
		parts = append(parts, "IP:"+ip)
	}
	if len(parts) == 0 {
		return "(no subject alternative names)"
	}
	return strings.Join(parts, ", ")
}

func orAny(cas []string) string {
	if len(cas) == 0 {
		return "any"
	}
	return strings.Join(cas, "; ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// printListing prints a directory listing as a table.
func printListing(w io.Writer, dir string, entries []client.Entry) {
	fmt.Fprintf(w, "\n%s:\n", dir)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	for _, e := range entries {
		name := e.Name
		if e.Type == "dir" {
			name += "/"
		}
		if e.Target != "" {
			name += " -> " + e.Target
		}
		when := ""
		if !e.Time.IsZero() {
			when = e.Time.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t\n", e.Type, e.Size, when+"  "+name)
	}
	tw.Flush()
}
