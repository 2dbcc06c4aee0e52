//go:build linux

package workshop

import (
	"context"
	"crypto"
	"crypto/x509"
	"net"
	"path/filepath"
	"testing"

	"lockbox/client"
	"lockbox/client/certgen"
	"lockbox/client/identity"
	"lockbox/client/secrets"
	"lockbox/client/servertest"
	"lockbox/client/trust"
)

// offerSaved answers a server's request for a client certificate as the
// window does: with the first saved identity whose chain the server's CA
// list names.
func offerSaved(t *testing.T, ids *identity.Store, sec secrets.Store, offered *int) func(context.Context, client.IdentityRequest) *identity.Identity {
	return func(_ context.Context, r client.IdentityRequest) *identity.Identity {
		for _, sv := range ids.List() {
			if sv.Matches(r.AcceptableCADER) {
				id, err := ids.LoadSaved(sv.Name, sec)
				if err != nil {
					t.Errorf("load %q: %v", sv.Name, err)
					return nil
				}
				*offered++
				return id
			}
		}
		t.Errorf("no saved identity matches the CAs %v", r.AcceptableCAs)
		return nil
	}
}

func login(t *testing.T, srv *servertest.Vsftpd, opts client.Options) (*client.Report, error) {
	t.Helper()
	tg, err := client.ParseURL("ftpes://" + srv.User + "@" + srv.Addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	tg.Password = srv.Password
	sess, report, err := client.Connect(context.Background(), tg, opts)
	if err != nil {
		return report, err
	}
	defer sess.Close()
	if _, err := sess.List("/"); err != nil {
		t.Errorf("list after login: %v", err)
	}
	return report, nil
}

func TestVsftpdRequiresWorkshopIdentity(t *testing.T) {
	for _, tc := range []struct {
		name string
		// start starts the server and returns the CA to sign with.
		start func(t *testing.T, w *Workshop) (*servertest.Vsftpd, func(csrPEM []byte) []byte)
	}{
		{"request signed by the server's CA with openssl x509 -req", func(t *testing.T, w *Workshop) (*servertest.Vsftpd, func([]byte) []byte) {
			srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{RequireClientCert: true})
			return srv, func(csr []byte) []byte { return signWithOpenssl(t, csr, srv.CACert) }
		}},
		{"request signed by a private CA made by Lockbox", func(t *testing.T, w *Workshop) (*servertest.Vsftpd, func([]byte) []byte) {
			ca, err := w.NewCA("FTP users CA", Spec{})
			if err != nil {
				t.Fatal(err)
			}
			caCert, _ := ca.Cert()
			caFile := writeTemp(t, "users-ca.pem", CertificatePEM(caCert))
			srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{RequireClientCert: true,
				Extra: map[string]string{"ca_certs_file": caFile}})
			return srv, func(csr []byte) []byte {
				cert, err := w.Sign("FTP users CA", csr, 30, UsageClient)
				if err != nil {
					t.Fatal(err)
				}
				return CertificatePEM(cert, caCert)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, sec, _ := newWorkshop(t)
			srv, sign := tc.start(t, w)
			p, err := w.NewRequest("ftp login", Spec{Subject: Subject{CommonName: "lockboxftp"}, Key: RSA2048})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Import(sign(p.RequestPEM()), ""); err != nil {
				t.Fatal(err)
			}
			base := client.Options{ExtraRoots: []*x509.Certificate{srv.ServerCert.Cert}, NoSystemRoots: true,
				ServerName: srv.ServerCert.Cert.DNSNames[0]}
			if _, err := login(t, srv, base); err == nil {
				t.Fatal("vsftpd let in a client without a certificate; the test proves nothing")
			}
			offered := 0
			opts := base
			opts.ChooseIdentity = offerSaved(t, w.Identities(), sec, &offered)
			report, err := login(t, srv, opts)
			if err != nil {
				t.Fatalf("login with the imported identity: %v\nvsftpd log: %s", err, srv.LogPath)
			}
			if offered != 1 || report.ClientCertificate.Sent == nil {
				t.Errorf("identity offered %d times, sent %v", offered, report.ClientCertificate.Sent)
			}
		})
	}
}

// serverCert makes a server certificate for 127.0.0.1 signed by the
// workshop's CA, imported as an identity, and returns it with its key.
func serverCert(t *testing.T, w *Workshop, sec secrets.Store, caName, name string) *certgen.Cert {
	t.Helper()
	p, err := w.NewRequest(name, Spec{Subject: Subject{CommonName: "127.0.0.1"}, DNSNames: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := w.Sign(caName, p.RequestPEM(), 30, UsageServer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Import(CertificatePEM(cert), ""); err != nil {
		t.Fatal(err)
	}
	id, err := w.Identities().LoadSaved(name, sec)
	if err != nil {
		t.Fatal(err)
	}
	return &certgen.Cert{Cert: id.Leaf, Key: id.Certificate.PrivateKey.(crypto.Signer)}
}

func TestVsftpdTrustIssuingCA(t *testing.T) {
	w, sec, dir := newWorkshop(t)
	ca, err := w.NewCA("NAS CA", Spec{})
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := ca.Cert()
	caChain := []*certgen.Cert{{Cert: caCert}}
	first := servertest.StartVsftpd(t, servertest.VsftpdConfig{ServerCert: serverCert(t, w, sec, "NAS CA", "nas1"), ServerChain: caChain})
	second := servertest.StartVsftpd(t, servertest.VsftpdConfig{ServerCert: serverCert(t, w, sec, "NAS CA", "nas2"), ServerChain: caChain})

	pins, err := trust.Open(filepath.Join(dir, trust.PinsFile))
	if err != nil {
		t.Fatal(err)
	}
	cas, err := trust.OpenCAs(filepath.Join(dir, trust.TrustedCAsFile))
	if err != nil {
		t.Fatal(err)
	}
	asked := 0
	var offered *x509.Certificate
	opts := client.Options{NoSystemRoots: true, ExtraRoots: []*x509.Certificate{}, Pins: pins, TrustedCAs: cas,
		Decide: func(_ context.Context, d client.Decision) client.Choice {
			asked++
			offered = d.IssuingCA()
			return client.TrustIssuingCA
		}}
	// NoSystemRoots needs a root: a throwaway CA that vouches for nothing here.
	opts.ExtraRoots = append(opts.ExtraRoots, certgen.Must(t, certgen.Spec{CommonName: "Unrelated", IsCA: true}, nil).Cert)

	report, err := login(t, first, opts)
	if err != nil {
		t.Fatalf("first server: %v", err)
	}
	if asked != 1 || offered == nil || !offered.Equal(caCert) {
		t.Fatalf("asked %d times, offered CA %v; want the NAS CA offered once", asked, offered)
	}
	if report.Trust != client.TrustVerified {
		t.Errorf("first server: trust %v, want verified", report.Trust)
	}
	if len(pins.All()) != 0 {
		t.Errorf("the server was pinned: %+v", pins.All())
	}
	if got := cas.All(); len(got) != 1 || got[0].SHA256 != trust.Fingerprint(caCert.Raw) || got[0].Site != "" {
		t.Errorf("trusted CAs = %+v, want the NAS CA for all sites", got)
	}
	report, err = login(t, second, opts)
	if err != nil {
		t.Fatalf("second server: %v", err)
	}
	if asked != 1 || report.Trust != client.TrustVerified {
		t.Errorf("second server: asked %d times in all, trust %v; want verified without asking", asked, report.Trust)
	}

	t.Run("for one site only", func(t *testing.T) {
		siteCAs, err := trust.OpenCAs(filepath.Join(t.TempDir(), trust.TrustedCAsFile))
		if err != nil {
			t.Fatal(err)
		}
		asked := 0
		o := opts
		o.TrustedCAs, o.Site = siteCAs, "nas"
		o.Decide = func(context.Context, client.Decision) client.Choice { asked++; return client.TrustIssuingCAForSite }
		if _, err := login(t, first, o); err != nil {
			t.Fatal(err)
		}
		if got := siteCAs.All(); len(got) != 1 || got[0].Site != "nas" {
			t.Fatalf("trusted CAs = %+v, want the NAS CA for the site nas", got)
		}
		if _, err := login(t, second, o); err != nil || asked != 1 {
			t.Errorf("same site, second server: asked %d times, %v", asked, err)
		}
		o.Site = "elsewhere"
		o.Decide = func(context.Context, client.Decision) client.Choice { asked++; return client.Reject }
		if _, err := login(t, second, o); err == nil || asked != 2 {
			t.Errorf("another site: asked %d times, err %v; want asked again and refused", asked, err)
		}
	})
}

func TestIssuingCANotOfferedForSelfSignedLeaf(t *testing.T) {
	w, _, dir := newWorkshop(t)
	m, err := w.NewSelfSigned("own server", Spec{Subject: Subject{CommonName: "127.0.0.1"}, Usage: UsageServer})
	if err != nil {
		t.Fatal(err)
	}
	id, err := w.Identities().LoadSaved("own server", w.sec)
	if err != nil {
		t.Fatal(err)
	}
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{ServerCert: &certgen.Cert{Cert: m.Certificate, Key: id.Certificate.PrivateKey.(crypto.Signer)}})
	pins, _ := trust.Open(filepath.Join(dir, trust.PinsFile))
	var offered *x509.Certificate
	asked := 0
	opts := client.Options{NoSystemRoots: true, Pins: pins,
		ExtraRoots: []*x509.Certificate{certgen.Must(t, certgen.Spec{CommonName: "Unrelated", IsCA: true}, nil).Cert},
		Decide: func(_ context.Context, d client.Decision) client.Choice {
			asked++
			offered = d.IssuingCA()
			return client.AcceptAlways
		}}
	report, err := login(t, srv, opts)
	if err != nil {
		t.Fatal(err)
	}
	if asked != 1 || offered != nil {
		t.Errorf("asked %d, offered %v; want asked once and no CA offered", asked, offered)
	}
	if report.Trust != client.TrustPinned {
		t.Errorf("trust %v, want pinned", report.Trust)
	}
	if _, ok := pins.Lookup(net.JoinHostPort("127.0.0.1", srv.Addr[len("127.0.0.1:"):])); !ok {
		t.Error("the self-signed certificate from Lockbox was not pinned")
	}
}
