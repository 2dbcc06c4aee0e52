package trust

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"lockbox/client/certgen"
	"lockbox/client/configfile"
)

func TestCAStore(t *testing.T) {
	ca := certgen.Must(t, certgen.Spec{CommonName: "Home CA", IsCA: true}, nil)
	other := certgen.Must(t, certgen.Spec{CommonName: "Office CA", IsCA: true}, nil)
	leaf := certgen.Must(t, certgen.Spec{CommonName: "nas"}, ca)
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), TrustedCAsFile)
	s, err := OpenCAs(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewTrustedCA(leaf.Cert, "", now); err == nil {
		t.Fatal("a server certificate was accepted as a CA")
	}
	global, err := NewTrustedCA(ca.Cert, "", now)
	if err != nil {
		t.Fatal(err)
	}
	site, _ := NewTrustedCA(other.Cert, "office", now)
	for _, c := range []TrustedCA{global, site, global} {
		if err := s.Add(c); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		site string
		want int
	}{{"", 1}, {"office", 2}, {"home", 1}} {
		if got := len(s.Roots(tc.site)); got != tc.want {
			t.Errorf("Roots(%q) = %d CAs, want %d", tc.site, got, tc.want)
		}
	}
	re, err := OpenCAs(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(re.All()) != 2 || re.All()[0].Site != "" {
		t.Errorf("reopened: %+v", re.All())
	}
	if got := re.Find(global.SHA256[:12]); len(got) != 1 || got[0].Subject != global.Subject {
		t.Errorf("Find by fingerprint prefix = %+v", got)
	}
	if err := re.Remove(global.SHA256, "office"); !errors.Is(err, ErrCANotTrusted) {
		t.Errorf("remove with the wrong scope: %v", err)
	}
	if err := re.Remove(global.SHA256, ""); err != nil {
		t.Fatal(err)
	}
	if len(re.Roots("")) != 0 {
		t.Error("the removed CA is still trusted")
	}
	// Windows ignores Unix modes: the profile folder's ACL protects the
	// file there (configfile.ModesApply).
	if fi, err := os.Stat(path); err != nil || configfile.ModesApply && fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode: %v %v", fi, err)
	}

	t.Run("damaged file is set aside", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), TrustedCAsFile)
		os.WriteFile(bad, []byte(`{"version":1,"cas":[{"sha256":"00","certificate":"AAAA"}]}`), 0o600)
		s, err := OpenCAs(bad)
		var ce *configfile.CorruptError
		if !errors.As(err, &ce) || s == nil || len(s.All()) != 0 {
			t.Errorf("err = %v, store %v", err, s)
		}
	})
}
