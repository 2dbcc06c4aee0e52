package trustui

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"lockbox/client/sites"
	"lockbox/client/trust"
	"lockbox/ui/internal/uitest"
)

var (
	day0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	day1 = time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
)

func fixedCert(t *testing.T, seed byte, cn string, isCA bool) *x509.Certificate {
	t.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(seed)), Subject: pkix.Name{CommonName: cn},
		NotBefore: day0, NotAfter: day1, BasicConstraintsValid: true, IsCA: isCA}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

func stores(t *testing.T) (*trust.Store, *trust.CAStore) {
	dir := t.TempDir()
	pins, err := trust.Open(filepath.Join(dir, trust.PinsFile))
	if err != nil {
		t.Fatal(err)
	}
	cas, err := trust.OpenCAs(filepath.Join(dir, trust.TrustedCAsFile))
	if err != nil {
		t.Fatal(err)
	}
	for i, hp := range []string{"ftp.example.com:21", "nas.home.arpa:990"} {
		if err := pins.Add(trust.NewPin(hp, fixedCert(t, byte(10+i), strings.Split(hp, ":")[0], false), day0.Add(24*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	for i, site := range []string{"", "office"} {
		ca, err := trust.NewTrustedCA(fixedCert(t, byte(20+i), []string{"Home CA", "Office CA"}[i], true), site, day0.Add(48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := cas.Add(ca); err != nil {
			t.Fatal(err)
		}
	}
	return pins, cas
}

func newManager(t *testing.T, pins *trust.Store, cas *trust.CAStore, opts Options) (fyne.Window, *Manager) {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(uitest.LightTheme())
	w := test.NewTempWindow(t, nil)
	m := New(w, pins, cas, opts)
	w.SetContent(m.Content())
	w.Resize(WindowSize)
	return w, m
}

func TestManagerGolden(t *testing.T) {
	pins, cas := stores(t)
	q := uitest.NewQueue()
	w, m := newManager(t, pins, cas, Options{Do: q.Do, Now: func() time.Time { return day0 },
		Check: func(_ context.Context, hp string) (string, error) {
			return hp + " shows the pinned certificate (pinned).", nil
		}})
	if len(m.entries) != 4 {
		t.Fatalf("%d rows, want 2 pins and 2 CAs", len(m.entries))
	}
	m.Select(0)
	test.AssertImageMatches(t, "trust_manager.png", w.Canvas().Capture())
}

func TestManagerActions(t *testing.T) {
	pins, cas := stores(t)
	q := uitest.NewQueue()
	checked := ""
	_, m := newManager(t, pins, cas, Options{Do: q.Do, Now: func() time.Time { return day0 },
		Check: func(_ context.Context, hp string) (string, error) {
			checked = hp
			return hp + " shows the pinned certificate.", nil
		}})
	if !m.show.Disabled() || !m.remove.Disabled() {
		t.Error("actions enabled with nothing selected")
	}

	m.Select(0)
	test.Tap(m.check)
	q.Pump(t, "the check", func() bool { return strings.Contains(m.status.Text, "shows the pinned") })
	if checked != "ftp.example.com:21" {
		t.Errorf("checked %q", checked)
	}

	out := filepath.Join(t.TempDir(), "pin.pem")
	if err := m.ExportTo(out); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	certs, err := trust.ParseCertificates(data)
	if err != nil || certs[0].Subject.CommonName != "ftp.example.com" {
		t.Errorf("exported %v (%v)", certs, err)
	}

	test.Tap(m.remove)
	if m.confirm == nil {
		t.Fatal("Remove did not ask first")
	}
	m.confirm.Hide() // cancelling keeps it
	if len(pins.All()) != 2 {
		t.Error("removed without confirmation")
	}
	m.RemoveSelected()
	if _, ok := pins.Lookup("ftp.example.com:21"); ok || len(m.entries) != 3 {
		t.Errorf("pin still there after removing (%d rows)", len(m.entries))
	}

	m.Select(2) // the CA for the site "office"
	if m.entries[2].ca == nil || m.entries[2].ca.Site != "office" {
		t.Fatalf("row 2 is %+v", m.entries[2])
	}
	if !m.check.Disabled() {
		t.Error("\"Check now\" is enabled for a CA")
	}
	m.RemoveSelected()
	if len(cas.Roots("office")) != 1 {
		t.Errorf("office still trusts %d CAs, want only the global one", len(cas.Roots("office")))
	}
}

func TestManagerListsSiteCAFiles(t *testing.T) {
	pins, cas := stores(t)
	siteCA := fixedCert(t, 30, "Site File CA", true)
	_, m := newManager(t, pins, cas, Options{Do: uitest.NewQueue().Do, SiteCAs: func() []sites.SiteCA {
		return []sites.SiteCA{{Site: "nas", File: "/etc/nas-ca.pem", Cert: siteCA}}
	}})
	last := len(m.entries) - 1
	if title, _ := m.describe(m.entries[last]); !strings.Contains(title, "site nas") || !strings.Contains(title, "Site File CA") {
		t.Fatalf("last row %q, want the site's CA file", title)
	}
	m.Select(last)
	if !m.remove.Disabled() || m.show.Disabled() {
		t.Error("a site's CA file can be shown but is removed in the site manager")
	}
}
