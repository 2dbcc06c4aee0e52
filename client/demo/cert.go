package demo

import (
	"crypto/tls"
	"fmt"
	"net"

	"lockbox/client/certgen"
)

// SelfSigned makes a fresh self-signed server certificate for 127.0.0.1
// and localhost, as the demo server presents: the case Lockbox exists to
// show (nothing vouches for it; the user decides).
func SelfSigned() (tls.Certificate, error) {
	c, err := certgen.New(certgen.Spec{
		CommonName: "Lockbox demo server",
		DNSNames:   []string{"localhost"},
		IPs:        []net.IP{net.IPv4(127, 0, 0, 1)},
	}, nil)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("demo certificate: %w", err)
	}
	return c.TLS(), nil
}
