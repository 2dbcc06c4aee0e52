package trust

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"lockbox/client/certfile"
	"lockbox/client/certgen"
	"lockbox/client/configfile"
)

// fuzzOpen writes data to name in dir, opens it with open and checks what
// holds for both JSON stores: a store is returned unless the error is not a
// *configfile.CorruptError; a *configfile.CorruptError means the file was moved aside intact; a
// file that opened without error is still in place. It leaves dir empty.
func fuzzOpen(t *testing.T, dir, name string, data []byte, open func(string) (bool, error)) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	defer func() {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}()
	opened, err := open(path)
	var ce *configfile.CorruptError
	switch {
	case errors.As(err, &ce):
		if !opened {
			t.Fatalf("corrupt file, but no usable empty store: %v", err)
		}
		if kept, rerr := os.ReadFile(ce.MovedTo); rerr != nil || !bytes.Equal(kept, data) {
			t.Fatalf("damaged file not kept intact at %q: %v", ce.MovedTo, rerr)
		}
		if _, serr := os.Stat(path); !errors.Is(serr, os.ErrNotExist) {
			t.Fatalf("damaged file still in place: %v", serr)
		}
	case err != nil:
		if opened {
			t.Fatalf("error %v, yet a store was returned", err)
		}
		if !strings.Contains(err.Error(), path) {
			t.Fatalf("error %q does not name the file", err)
		}
	default:
		if !opened {
			t.Fatal("no store and no error")
		}
		if _, serr := os.Stat(path); serr != nil {
			t.Fatalf("a readable file was moved: %v", serr)
		}
	}
}

func samePin(a, b Pin) bool {
	return a.HostPort == b.HostPort && a.SHA256 == b.SHA256 && a.SPKISHA256 == b.SPKISHA256 &&
		a.Subject == b.Subject && a.Issuer == b.Issuer && a.NotAfter.Equal(b.NotAfter) && a.AcceptedAt.Equal(b.AcceptedAt)
}

// FuzzOpenPins: whatever pins.json holds, Open never panics and keeps a
// file it cannot read aside; every pin it accepts is valid, can be looked
// up under its own host:port, and survives being written and read again.
func FuzzOpenPins(f *testing.F) {
	valid := `{"version":1,"pins":[{"host_port":"FTP.example.com:990","sha256":"` + strings.Repeat("AB", 32) + `","spki_sha256":"x","subject":"CN=a","issuer":"CN=b","not_after":"2027-01-01T00:00:00Z","accepted_at":"2026-01-01T00:00:00+02:00"}]}`
	for _, s := range []string{valid, valid[:len(valid)/2], "", " ", "{}", `{"version":1}`, `{"version":2,"pins":[]}`, `{"version":1,"pins":null}`,
		`{"version":1,"pins":[{"host_port":"[::1]:21","sha256":"` + strings.Repeat("0", 64) + `"}]}`, `[]`, "null", `{"version":1e999}`} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOpen(t, dir, PinsFile, data, func(path string) (bool, error) {
			s, err := Open(path)
			if s != nil {
				for _, p := range s.All() {
					if got, ok := s.Lookup(p.HostPort); !ok || !reflect.DeepEqual(got, p) {
						t.Fatalf("pin for %q cannot be looked up", p.HostPort)
					}
				}
			}
			return s != nil, err
		})
		pins, err := parsePins(PinsFile, data)
		if err != nil {
			return
		}
		for _, p := range pins {
			if err := p.validate(); err != nil {
				t.Fatalf("accepted an invalid pin: %v", err)
			}
		}
		out, err := json.Marshal(pinsFile{Version: pinsFileSpec.Version, Pins: pins})
		if err != nil {
			t.Fatalf("cannot write back accepted pins: %v", err)
		}
		again, err := parsePins(PinsFile, out)
		if err != nil || len(again) != len(pins) {
			t.Fatalf("written pins read back as %d, %v; want %d", len(again), err, len(pins))
		}
		for i := range pins {
			if !samePin(pins[i], again[i]) {
				t.Fatalf("pin changed on the round trip: %+v -> %+v", pins[i], again[i])
			}
		}
	})
}

// FuzzOpenSeen: the same for tls_seen.json.
func FuzzOpenSeen(f *testing.F) {
	valid := `{"version":1,"hosts":[{"host_port":"FTP.example.com:21","first_seen":"2026-01-01T00:00:00Z","last_seen":"2026-02-01T00:00:00Z"}]}`
	for _, s := range []string{valid, valid[:len(valid)/3], "", "\n", `{"version":1,"hosts":[]}`, `{"version":1,"hosts":[{"host_port":"a:1"}]}`, `{"version":3}`, `{"hosts":[]}`} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOpen(t, dir, SeenFile, data, func(path string) (bool, error) {
			s, err := OpenSeen(path)
			if s != nil {
				for hp, e := range s.hosts {
					if got, ok := s.Lookup(hp); !ok || got.HostPort != e.HostPort {
						t.Fatalf("entry for %q cannot be looked up", hp)
					}
				}
			}
			return s != nil, err
		})
		hosts, err := parseSeen(SeenFile, data)
		if err != nil {
			return
		}
		for _, e := range hosts {
			if err := e.validate(); err != nil {
				t.Fatalf("accepted an invalid entry: %v", err)
			}
		}
		out, err := json.Marshal(seenFile{Version: seenFileSpec.Version, Hosts: hosts})
		if err != nil {
			t.Fatalf("cannot write back accepted entries: %v", err)
		}
		if again, err := parseSeen(SeenFile, out); err != nil || len(again) != len(hosts) {
			t.Fatalf("written entries read back as %d, %v; want %d", len(again), err, len(hosts))
		}
	})
}

// FuzzParseCAFile: whatever a CA file holds (PEM, DER, PKCS#7 in DER, BER
// or PEM), parsing never panics, and a file it accepts gave at least one
// certificate and no nil.
func FuzzParseCAFile(f *testing.F) {
	ca := certgen.Must(f, certgen.Spec{CommonName: "Fuzz Root", IsCA: true}, nil)
	other := certgen.Must(f, certgen.Spec{CommonName: "Fuzz Other", IsCA: true}, nil)
	bundle := append(append([]byte("# bundle\n"), ca.CertPEM()...), other.CertPEM()...)
	p7, err := certfile.MarshalPKCS7(ca.Cert, other.Cert)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range [][]byte{
		p7, p7[:len(p7)/2], pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: p7}),
		append(append([]byte{0x30, 0x80}, p7[2+int(p7[1]&0x7f):]...), 0, 0), // the outer SEQUENCE in BER
		bundle, bundle[:len(bundle)/2], ca.Cert.Raw, append(append([]byte{}, ca.Cert.Raw...), other.Cert.Raw...),
		ca.Cert.Raw[:40], ca.KeyPEM(), []byte("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n"), {}, {0x30, 0x80, 0x00, 0x00},
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := parseCAData(data)
		if err != nil {
			if certs != nil {
				t.Fatalf("error %v with %d certificates", err, len(certs))
			}
			return
		}
		if len(certs) == 0 {
			t.Fatal("accepted a file without certificates")
		}
		for _, c := range certs {
			if c == nil || len(c.Raw) == 0 {
				t.Fatal("accepted a nil certificate")
			}
		}
		if _, err := RootPool(certs, true); err != nil {
			t.Fatalf("RootPool: %v", err)
		}
	})
}
