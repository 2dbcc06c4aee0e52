package identity

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"lockbox/client/certgen"
)

func loadP12(t *testing.T, p pki) *Identity {
	t.Helper()
	file := writeFile(t, t.TempDir(), "alice.p12", encodeP12(t, pkcs12.Modern, p, goodPassword))
	id, err := LoadPKCS12(file, goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestMatches(t *testing.T) {
	p := newPKI(t, certgen.ECDSAP256)
	withChain := loadP12(t, p)
	leafOnly := &Identity{Leaf: p.alice.Cert}
	stranger := certgen.Must(t, certgen.Spec{CommonName: "Other CA", IsCA: true}, nil)
	tests := []struct {
		name string
		id   *Identity
		cas  [][]byte
		want bool
	}{
		{"no CA names means any", withChain, nil, true},
		{"leaf issuer", leafOnly, [][]byte{p.inter.Cert.RawSubject}, true},
		{"root named, chain carries it", withChain, [][]byte{p.root.Cert.RawSubject}, true},
		{"root named, leaf only", leafOnly, [][]byte{p.root.Cert.RawSubject}, false},
		{"unrelated CA", withChain, [][]byte{stranger.Cert.RawSubject}, false},
		{"one of several", withChain, [][]byte{stranger.Cert.RawSubject, p.inter.Cert.RawSubject}, true},
		{"nil identity with CA names", nil, [][]byte{p.root.Cert.RawSubject}, false},
	}
	for _, tt := range tests {
		if got := tt.id.Matches(tt.cas); got != tt.want {
			t.Errorf("%s: Matches = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestDescriptionsHideKey(t *testing.T) {
	p := newPKI(t, certgen.ECDSAP256)
	id := loadP12(t, p)
	js, err := json.Marshal(id)
	if err != nil {
		t.Fatal(err)
	}
	jsValue, err := json.Marshal(*id)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
	}{
		{"String", id.String()},
		{"%v pointer", fmt.Sprintf("%v", id)},
		{"%+v value", fmt.Sprintf("%+v", *id)},
		{"%#v pointer", fmt.Sprintf("%#v", id)},
		{"JSON pointer", string(js)},
		{"JSON value", string(jsValue)},
	}
	for _, tt := range tests {
		assertNoSecrets(t, tt.name, tt.text, p.alice, goodPassword)
	}
	for _, s := range []string{id.String(), string(js)} {
		if strings.Contains(s, "PRIVATE") {
			t.Errorf("description mentions PRIVATE: %q", s)
		}
	}
	if want := "CN=alice,O=Lockbox Test (issued by CN=Test CA,O=Lockbox Test)"; id.String() != want {
		t.Errorf("String = %q, want %q", id.String(), want)
	}
	var decoded identityJSON
	if err := json.Unmarshal(js, &decoded); err != nil {
		t.Fatal(err)
	}
	if decoded.Subject != id.Subject() || decoded.Issuer != id.Issuer() || !decoded.NotAfter.Equal(id.NotAfter()) ||
		len(decoded.Chain) != 2 || len(decoded.SHA256) != 64 {
		t.Errorf("JSON = %s, missing fields", js)
	}
}

// TestMutualTLS proves the loaded tls.Certificate works: a server that trusts
// only the root accepts it, so the intermediate was sent.
func TestMutualTLS(t *testing.T) {
	p := newPKI(t, certgen.ECDSAP256)
	id := loadP12(t, p)
	server := certgen.Must(t, certgen.Spec{CommonName: "server", DNSNames: []string{"server.test"}}, p.root)
	roots := x509.NewCertPool()
	roots.AddCert(p.root.Cert)

	serverConf := &tls.Config{
		Certificates: []tls.Certificate{server.TLS()},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    roots,
	}
	var matched bool
	clientConf := &tls.Config{
		RootCAs:    roots,
		ServerName: "server.test",
		GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			matched = id.Matches(cri.AcceptableCAs)
			return &id.Certificate, nil
		},
	}
	cConn, sConn := pipe(t)
	srvErr := make(chan error, 1)
	go func() {
		s := tls.Server(sConn, serverConf)
		err := s.Handshake()
		if err == nil && len(s.ConnectionState().PeerCertificates) == 0 {
			err = fmt.Errorf("server saw no client certificate")
		}
		s.Close()
		srvErr <- err
	}()
	c := tls.Client(cConn, clientConf)
	cliErr := c.Handshake()
	c.Close()
	if err := <-srvErr; err != nil {
		t.Fatalf("server handshake: %v", err)
	}
	if cliErr != nil {
		t.Fatalf("client handshake: %v", cliErr)
	}
	if !matched {
		t.Error("Matches rejected the server's acceptable CA list")
	}
}
