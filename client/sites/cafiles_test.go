package sites

import (
	"os"
	"path/filepath"
	"testing"

	"lockbox/client/certgen"
)

func TestCAFileCerts(t *testing.T) {
	dir := t.TempDir()
	ca := certgen.Must(t, certgen.Spec{CommonName: "Site CA", IsCA: true}, nil)
	good := filepath.Join(dir, "ca.pem")
	os.WriteFile(good, ca.CertPEM(), 0o600)
	st, err := Open(filepath.Join(dir, "sites.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []Site{
		{Name: "nas", URL: "ftpes://nas.example.com", CAFiles: []string{good, filepath.Join(dir, "gone.pem")}},
		{Name: "plain", URL: "ftpes://ftp.example.com"},
	} {
		if err := st.Put(s); err != nil {
			t.Fatal(err)
		}
	}
	got := st.CAFileCerts()
	if len(got) != 2 || got[0].Cert == nil || got[0].Cert.Subject.CommonName != "Site CA" || got[0].Site != "nas" || got[1].Err == nil {
		t.Fatalf("CAFileCerts = %+v, want the CA and the missing file's error", got)
	}
}
