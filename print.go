package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"lockbox/certview"
	"lockbox/client"
)

// printReport prints the TLS parameters, the certificate inspector's text
// (summary, every level and section, invalid rows marked) and the verdict,
// after the steps, which were printed live.
func printReport(w io.Writer, r *client.Report, dialed string) {
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
	if len(r.Certificates) > 0 {
		fmt.Fprintln(w)
		certview.WriteText(w, certview.FromReport(r, dialed, time.Now()))
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

// printListing prints a directory listing as a table, with a column of
// permissions when the server listed any.
func printListing(w io.Writer, dir string, entries []client.Entry) {
	fmt.Fprintf(w, "\n%s:\n", dir)
	perms := false
	for _, e := range entries {
		perms = perms || e.Perm != ""
	}
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
		if perms {
			fmt.Fprintf(tw, "%s\t", e.Perm)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t\n", e.Type, e.Size, when+"  "+name)
	}
	tw.Flush()
}

// dialedName is the name the certificate was checked against.
func dialedName(t client.Target, o client.Options) string {
	if o.ServerName != "" {
		return o.ServerName
	}
	return t.Host
}
