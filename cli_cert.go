package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"lockbox/certview"
	"lockbox/client"
	"lockbox/client/trust"
	"lockbox/client/verify"
)

// runCert prints a certificate file (PEM, DER, PKCS#12, PKCS#7) as the
// inspector shows it, with every problem that can be judged offline:
// validity, self-signed or unknown issuer (against the system roots and
// --ca), usage, weak keys and signatures; no hostname.
func runCert(args []string, stdout, stderr io.Writer) int {
	if isWorkshopCommand(args) {
		return runWorkshop(args, stdout, stderr)
	}
	var f cliFlags
	fs := newFlagSet(&f, stderr)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "lockbox cert: need exactly one certificate file, got %d\n", len(pos))
		return exitUsage
	}
	roots, err := f.extraRoots()
	if err != nil {
		return optionsFailed("cert", err, stderr)
	}
	password := ""
	if f.certPassEnv != "" {
		password = os.Getenv(f.certPassEnv)
	}
	path := pos[0]
	loaded, err := certview.LoadFile(path, password)
	if err != nil {
		var pe *certview.PasswordError
		if errors.As(err, &pe) && f.certPassEnv == "" {
			err = fmt.Errorf("%w (give the password in an environment variable named by --cert-password-env)", err)
		}
		fmt.Fprintf(stderr, "lockbox cert: %v\n", err)
		return exitFailure
	}
	now := time.Now()
	if loaded.Request != nil {
		return showRequest(path, loaded, f.json, now, stdout, stderr)
	}
	problems, chain, err := certview.OfflineProblems(loaded.Chain, roots, f.noSystemRoots, now)
	if err != nil {
		fmt.Fprintf(stderr, "lockbox cert: %v\n", err)
		return exitFailure
	}
	if f.json {
		out := struct {
			File     string            `json:"file"`
			Format   string            `json:"format"`
			Chain    []client.CertInfo `json:"chain"`
			Problems []verify.Problem  `json:"problems"`
			Trusted  bool              `json:"trusted"`
		}{File: path, Format: loaded.Format, Chain: []client.CertInfo{}, Problems: problems, Trusted: !verify.HasErrors(problems)}
		if out.Problems == nil {
			out.Problems = []verify.Problem{}
		}
		for i, c := range chain {
			out.Chain = append(out.Chain, client.DescribeCert(i, c))
		}
		writeJSON(stdout, out)
	} else {
		m := certview.Build(chain, problems, certview.ModelOptions{Now: now, Source: fmt.Sprintf("%s (%s)", path, loaded.Format)})
		certview.WriteText(stdout, m)
	}
	if verify.HasErrors(problems) {
		if a := rootAdvice(problems); a != "" {
			fmt.Fprintf(stderr, "lockbox cert: %s\n", a)
		}
		return exitUntrusted
	}
	return exitOK
}

// showRequest prints a certificate request as the inspector shows it,
// with the problems a CA would refuse it for (exit 3 when there are any).
func showRequest(path string, loaded *certview.Loaded, asJSON bool, now time.Time, stdout, stderr io.Writer) int {
	csr := loaded.Request
	problems := certview.RequestProblems(csr)
	if asJSON {
		out := struct {
			File       string           `json:"file"`
			Format     string           `json:"format"`
			Subject    string           `json:"subject"`
			DNSNames   []string         `json:"dns_names,omitempty"`
			IPs        []string         `json:"ip_addresses,omitempty"`
			Emails     []string         `json:"email_addresses,omitempty"`
			PublicKey  string           `json:"public_key_algorithm"`
			Signature  string           `json:"signature_algorithm"`
			SPKISHA256 string           `json:"spki_sha256"`
			Problems   []verify.Problem `json:"problems"`
		}{File: path, Format: loaded.Format, Subject: csr.Subject.String(), DNSNames: csr.DNSNames, Emails: csr.EmailAddresses,
			PublicKey: csr.PublicKeyAlgorithm.String(), Signature: csr.SignatureAlgorithm.String(),
			SPKISHA256: trust.SPKIHash(&x509.Certificate{RawSubjectPublicKeyInfo: csr.RawSubjectPublicKeyInfo}), Problems: problems}
		for _, ip := range csr.IPAddresses {
			out.IPs = append(out.IPs, ip.String())
		}
		if out.Problems == nil {
			out.Problems = []verify.Problem{}
		}
		writeJSON(stdout, out)
	} else {
		certview.WriteText(stdout, certview.BuildRequest(csr, problems, certview.ModelOptions{Now: now, Source: fmt.Sprintf("%s (%s)", path, loaded.Format)}))
	}
	if verify.HasErrors(problems) {
		fmt.Fprintf(stderr, "lockbox cert: the request has problems a CA would refuse it for\n")
		return exitUntrusted
	}
	return exitOK
}
