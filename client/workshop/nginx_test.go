//go:build linux

package workshop

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"

	"lockbox/client"
	"lockbox/client/servertest"
)

// httpStatus is the status line of the HTTP response in r's trace.
func httpStatus(r *client.Report) string {
	for _, s := range r.Steps {
		if s.Name == "http_response" {
			status, _, _ := strings.Cut(s.Summary, " | ")
			return status
		}
	}
	return "no response"
}

func TestNginxVerifyClientWorkshopIdentity(t *testing.T) {
	srv := servertest.StartNginx(t, servertest.NginxConfig{RequireClientCert: true,
		Files: map[string][]byte{"hello.txt": []byte("hello\n")}})
	w, sec, _ := newWorkshop(t)
	p, err := w.NewRequest("web", Spec{Subject: Subject{CommonName: "alice"}, Key: Ed25519})
	if err != nil {
		t.Fatal(err)
	}
	// nginx's OpenSSL takes Ed25519 client certificates; Go's TLS client
	// signs with them in TLS 1.3 and 1.2.
	if _, err := w.Import(signWithOpenssl(t, p.RequestPEM(), srv.CACert), ""); err != nil {
		t.Fatal(err)
	}
	tg, err := client.ParseURL(srv.URL + "/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	base := client.Options{ExtraRoots: []*x509.Certificate{srv.ServerCert.Cert}, NoSystemRoots: true}
	report, err := client.Inspect(context.Background(), tg, base)
	if err != nil || !strings.Contains(httpStatus(report), "400") {
		t.Fatalf("without an identity: %v, %s; nginx must refuse, else the test proves nothing", err, httpStatus(report))
	}
	offered := 0
	opts := base
	opts.ChooseIdentity = offerSaved(t, w.Identities(), sec, &offered)
	report, err = client.Inspect(context.Background(), tg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if offered != 1 || report.ClientCertificate.Sent == nil || !strings.Contains(httpStatus(report), "200") {
		t.Errorf("offered %d, sent %v, %s; want the imported identity accepted", offered, report.ClientCertificate.Sent, httpStatus(report))
	}
}
