package sites

import (
	"crypto/x509"

	"lockbox/client/trust"
)

// SiteCA is one CA certificate a saved site trusts through its CAFiles,
// or the reason a file could not be read (Cert is then nil).
type SiteCA struct {
	Site string
	File string
	Cert *x509.Certificate
	Err  error
}

// CAFileCerts reads every site's CA files, for a list of everything
// Lockbox trusts beyond the system's roots. A file that cannot be read is
// listed with its error rather than left out.
func (s *Store) CAFileCerts() []SiteCA {
	var out []SiteCA
	for _, site := range s.List() {
		for _, f := range site.CAFiles {
			certs, err := trust.LoadCAFiles([]string{f})
			if err != nil {
				out = append(out, SiteCA{Site: site.Name, File: f, Err: err})
				continue
			}
			for _, c := range certs {
				out = append(out, SiteCA{Site: site.Name, File: f, Cert: c})
			}
		}
	}
	return out
}
