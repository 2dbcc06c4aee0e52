package demo

import (
	"bufio"
	"crypto/tls"
	"net"
	"os"
	"strings"
	"testing"
)

func TestLocalDemoServesExplicitTLS(t *testing.T) {
	l, err := StartLocal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(l.URL(), "ftpes://demo@127.0.0.1:") {
		t.Errorf("URL = %s", l.URL())
	}
	c, err := net.Dial("tcp", l.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	if line, _ := r.ReadString('\n'); !strings.HasPrefix(line, "220 ") {
		t.Fatalf("banner %q", line)
	}
	c.Write([]byte("AUTH TLS\r\n"))
	if line, _ := r.ReadString('\n'); !strings.HasPrefix(line, "234 ") {
		t.Fatalf("AUTH TLS reply %q", line)
	}
	tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	leaf := tc.ConnectionState().PeerCertificates[0]
	if leaf.Subject.String() != leaf.Issuer.String() || leaf.VerifyHostname("127.0.0.1") != nil {
		t.Errorf("demo certificate: subject %s issuer %s", leaf.Subject, leaf.Issuer)
	}
	root := l.Root
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := net.Dial("tcp", l.Addr); err == nil {
		t.Error("server still accepts connections after Close")
	}
	if _, err := os.Stat(root); err == nil {
		t.Error("demo folder left behind")
	}
}
