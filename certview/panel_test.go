package certview

import (
	"crypto/x509"
	"errors"
	"image/color"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"software.sslmate.com/src/go-pkcs12"
)

// variantTheme is the default theme forced to one variant, so golden
// images do not depend on the machine's preference.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// goldenModels are the three chains the golden images show.
func goldenModels(t *testing.T) map[string]*Model {
	t.Helper()
	ch := newTestChain(t)
	roots := []*x509.Certificate{ch.root.Cert}
	out := map[string]*Model{}

	r := check(ch.certs(), roots, "ftp.example.com", fixedNow)
	out["valid"] = Build(r.Chain, r.Problems, ModelOptions{DialedName: "ftp.example.com", Now: fixedNow, Trust: "verified"})

	bad := selfSignedBad(t)
	r = check([]*x509.Certificate{bad.Cert}, nil, "ftp.example.com", fixedNow)
	out["selfsigned"] = Build(r.Chain, r.Problems, ModelOptions{DialedName: "ftp.example.com", Now: fixedNow, Trust: "untrusted"})

	r = check([]*x509.Certificate{ch.leaf.Cert, ch.root.Cert}, roots, "ftp.example.com", fixedNow)
	out["missing"] = Build(r.Chain, r.Problems, ModelOptions{DialedName: "ftp.example.com", Now: fixedNow, Trust: "untrusted"})
	return out
}

func TestPanelGolden(t *testing.T) {
	variants := []struct {
		name    string
		variant fyne.ThemeVariant
	}{{"light", theme.VariantLight}, {"dark", theme.VariantDark}}
	// valid: a CA-issued chain of three levels, all OK. selfsigned: three
	// invalid fields at once (SANs, issuer/self-signed, not after).
	// missing: the intermediate was not sent; the view scrolls to it.
	for _, v := range variants {
		for _, name := range []string{"valid", "selfsigned", "missing"} {
			t.Run(name+"_"+v.name, func(t *testing.T) {
				a := test.NewTempApp(t)
				a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), v.variant})
				w, _ := showPanel(t, goldenModels(t)[name])
				test.AssertImageMatches(t, "panel_"+name+"_"+v.name+".png", w.Canvas().Capture())
			})
		}
	}
}

// showPanel puts a panel for m in a 1000x700 test window.
func showPanel(t *testing.T, m *Model) (fyne.Window, *Panel) {
	t.Helper()
	w := test.NewTempWindow(t, nil)
	p := NewPanel(m, w)
	w.SetContent(p)
	w.Resize(fyne.NewSize(1000, 700))
	return w, p
}

func TestPanelButtons(t *testing.T) {
	a := test.NewTempApp(t)
	models := goldenModels(t)
	w, p := showPanel(t, models["valid"])

	tests := []struct {
		level int
		want  string
	}{{0, "ftp.example.com"}, {2, "Lockbox Test Root CA"}, {1, "Lockbox Test Issuing CA 1"}}
	for _, tt := range tests {
		p.Select(tt.level)
		test.Tap(p.copyButton)
		lv := models["valid"].Levels[tt.level]
		if got, want := a.Clipboard().Content(), value(t, lv.Section(SectionFingerprints).Rows, "SHA-256"); got != want {
			t.Errorf("level %d: clipboard %q, want %q", tt.level, got, want)
		}
		if !strings.Contains(p.status.Text, tt.want) {
			t.Errorf("status %q does not name %q", p.status.Text, tt.want)
		}
	}

	test.Tap(p.pemButton)
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("View PEM showed no dialog")
	}
	w.Canvas().Overlays().Top().Hide()
	w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	test.Tap(p.exportButton)
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("Export certificate showed no dialog")
	}

	p.SetModel(nil)
	for _, b := range []*widget.Button{p.copyButton, p.pemButton, p.exportButton, p.chainButton} {
		if !b.Disabled() {
			t.Errorf("%q enabled without a model", b.Text)
		}
	}
	p.SetModel(models["selfsigned"])
	if p.copyButton.Disabled() || p.selected != 0 || p.Model() != models["selfsigned"] {
		t.Errorf("SetModel did not select level 0 (selected %d)", p.selected)
	}
}

func TestWriteExport(t *testing.T) {
	ch := newTestChain(t)
	m := Build(ch.certs(), nil, ModelOptions{Now: fixedNow})
	path := filepath.Join(t.TempDir(), "chain.pem")
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := writeExport(w, ChainPEM(m)); err != nil {
		t.Fatal(err)
	}
	l, err := LoadFile(path, "")
	if err != nil || len(l.Chain) != 3 {
		t.Fatalf("exported chain reads back as %v, %v", l, err)
	}
}

func TestLevelVerdict(t *testing.T) {
	models := goldenModels(t)
	tests := []struct {
		model string
		level int
		want  string
	}{
		{"valid", 0, "OK"},
		{"selfsigned", 0, "3 problems"},
		{"missing", 0, "1 problem"},
		{"missing", 1, "OK"},
	}
	for _, tt := range tests {
		m := models[tt.model]
		if got := levelVerdict(m, m.Levels[tt.level]); got != tt.want {
			t.Errorf("%s level %d: %q, want %q", tt.model, tt.level, got, tt.want)
		}
	}
}

func TestReadableColors(t *testing.T) {
	white := color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	dark := color.NRGBA{R: 0x17, G: 0x17, B: 0x18, A: 0xff}
	tests := []struct {
		name   string
		fg, bg color.Color
		same   bool
	}{
		{"pale green on white is darkened", color.NRGBA{R: 0x43, G: 0xf4, B: 0x36, A: 0xff}, white, false},
		{"orange on white is darkened", color.NRGBA{R: 0xff, G: 0x98, B: 0x00, A: 0xff}, white, false},
		{"green on dark is kept", color.NRGBA{R: 0x43, G: 0xf4, B: 0x36, A: 0xff}, dark, true},
		{"dark blue on dark is lightened", color.NRGBA{R: 0x10, G: 0x10, B: 0x60, A: 0xff}, dark, false},
	}
	for _, tt := range tests {
		got := readable(tt.fg, tt.bg)
		if c := contrast(got, tt.bg); c < minContrast {
			t.Errorf("%s: contrast %.2f", tt.name, c)
		}
		if (got == color.Color(color.NRGBAModel.Convert(tt.fg))) != tt.same {
			t.Errorf("%s: %v -> %v", tt.name, tt.fg, got)
		}
	}
}

func TestModelFromFile(t *testing.T) {
	ch := newTestChain(t)
	p12, err := pkcs12.Modern.Encode(ch.leaf.Key, ch.leaf.Cert, []*x509.Certificate{ch.inter.Cert}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	var pe *PasswordError
	if _, err := modelFromFile("id.p12", p12, "", fixedNow, true); !errors.As(err, &pe) || !pe.Empty {
		t.Fatalf("no password: %v", err)
	}
	if _, err := modelFromFile("id.p12", p12, "nope", fixedNow, true); !errors.As(err, &pe) || pe.Empty {
		t.Fatalf("wrong password: %v", err)
	}
	m, err := modelFromFile("id.p12", p12, "pw", fixedNow, true)
	if err != nil {
		t.Fatal(err)
	}
	if m.Source != "id.p12 (PKCS#12)" || len(m.Levels) != 2 || m.Trusted ||
		!strings.Contains(m.Advice, "host name was not checked") {
		t.Errorf("model: source %q, %d levels, trusted %v, advice %q", m.Source, len(m.Levels), m.Trusted, m.Advice)
	}
	if _, err := modelFromFile("k.pem", []byte("-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n"), "", fixedNow, true); err == nil {
		t.Error("a key file gave a model")
	}
}

func TestPasswordDialog(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(800, 600))
	var got []string
	entry, d := askPassword(w, "id.p12", &PasswordError{}, func(pw string) { got = append(got, pw) })
	test.Type(entry, "s3cret")
	d.Submit()
	if len(got) != 1 || got[0] != "s3cret" {
		t.Fatalf("submitted %q", got)
	}
	if !entry.Password {
		t.Error("the password is shown in clear")
	}
}

func TestOpenFileDialogShows(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1000, 700))
	OpenFileDialog(w, func(*Model) { t.Error("loaded without a file") }, nil)
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("no file dialog")
	}
}
