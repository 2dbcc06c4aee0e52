package ui

import (
	"crypto/tls"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/client/secrets"
	"lockbox/client/sites"
	"lockbox/client/verify"
	"lockbox/ui/settings"
	"lockbox/ui/sitesui"
)

// flagLike is a command-line flag such as --cert: the window never names one.
var flagLike = regexp.MustCompile(`(^|[^-\w])--[a-z]`)

// TestAdvicePerReason checks that each reason the engine gives is worded
// with the window's own menus and settings.
func TestAdvicePerReason(t *testing.T) {
	unknownRoot := verify.Problem{Level: 1, Field: verify.FieldIssuer, Code: verify.CodeUnknownAuthority, Severity: verify.SeverityError}
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"client certificate required",
			&client.StepError{Step: "tls_handshake", Err: &client.ClientCertRequiredError{Err: errors.New("remote error")}},
			[]string{"Client certificate", "File › Site manager…", "Identities › Client identities…"}},
		{"server offers only TLS 1.0",
			&client.TLSVersionError{Offered: tls.VersionTLS10, Min: tls.VersionTLS12, Err: errors.New("x")},
			[]string{"TLS 1.2 and 1.3 only", "administrator to enable TLS 1.2"}},
		{"chain's root unknown",
			&client.StepError{Step: "tls_handshake", Err: &client.UntrustedError{Problems: []verify.Problem{unknownRoot}}},
			[]string{"Extra CA roots", "File › Site manager…", "If you know and trust"}},
		{"plain FTP would send the password",
			&client.StepError{Step: "login", Reason: client.ReasonPlaintextPassword, Err: errors.New("ftp:// sends your password unencrypted")},
			[]string{"FTPES (explicit TLS)", "FTPS (implicit TLS)", "as the protocol"}},
		{"TLS 1.2 server without session tickets",
			&client.StepError{Step: "list", Reason: client.ReasonResumptionNeedsTickets, Err: errors.New("522")},
			[]string{"TLS minimum", "TLS 1.3 only", "Oldest TLS", "File › Settings…", "session tickets"}},
		{"proxy refused the password",
			&client.StepError{Step: "proxy_connect", Err: &client.ProxyError{Proxy: "socks5://u@p:1080", Failure: client.ProxyAuthFailed}},
			[]string{"Proxy", "user and password", "File › Site manager…", "File › Settings…"}},
		{"proxy refused the target",
			&client.ProxyError{Proxy: "http://p:3128", Target: "h:21", Failure: client.ProxyTargetRefused, Answer: "HTTP/1.0 403 Forbidden"},
			[]string{"proxy's rules", "Proxy", "File › Site manager…"}},
		{"proxy unreachable",
			&client.ProxyError{Proxy: "http://p:3128", Failure: client.ProxyUnreachable, Err: errors.New("connection refused")},
			[]string{"Proxy", "running proxy", "File › Settings…"}},
		{"active mode through a proxy",
			&client.ActiveThroughProxyError{Proxy: "http://p:3128"},
			[]string{"passive mode", "Proxy"}},
		{"server refuses passive mode",
			&client.StepError{Step: "list", Err: &client.PassiveRefusedError{Reply: "502 Passive mode is disabled on this server.", Err: errors.New("502")}},
			[]string{"Set Transfer mode to Active (or Auto)", "File › Site manager…", "quick-connect bar's Mode", "File › Settings…"}},
		{"server never connected back",
			&client.StepError{Step: "tcp_accept", Err: errors.New("i/o timeout")},
			[]string{"never connected back", "External IP address", "Active mode ports", "File › Settings…", "Transfer mode to Passive"}},
		{"no port for active mode",
			&client.StepError{Step: "tcp_listen", Err: errors.New("address already in use")},
			[]string{"could not open a port", "Active mode ports", "Bind address", "File › Settings…", "Transfer mode to Passive"}},
	}
	// Every reason the engine has is in the table: a new one needs its
	// window wording and a row here.
	covered := map[client.Reason]bool{}
	for _, tt := range tests {
		covered[client.ReasonOf(tt.err)] = true
	}
	for _, r := range client.Reasons() {
		if !covered[r] {
			t.Errorf("no row for the reason %s", r)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Advice(tt.err)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Advice = %q, want it to mention %q", got, w)
				}
			}
			if flagLike.MatchString(got) {
				t.Errorf("Advice = %q names a command-line flag", got)
			}
			if msg := withAdvice("Failed: "+tt.err.Error(), tt.err); msg != "Failed: "+tt.err.Error()+". "+got {
				t.Errorf("withAdvice = %q, want the error, then the advice as the next sentence", msg)
			}
		})
	}
	if got := Advice(errors.New("connection refused")); got != "" {
		t.Errorf("Advice(no reason) = %q, want none", got)
	}
	selfSigned := &client.UntrustedError{Problems: []verify.Problem{{Code: verify.CodeSelfSigned, Severity: verify.SeverityError}}}
	if got := Advice(selfSigned); got != "" {
		t.Errorf("Advice(self-signed) = %q, want none: there is no root to add", got)
	}
}

func TestRootAdviceInTrustDialog(t *testing.T) {
	tests := []struct {
		name string
		rep  *client.Report
		want string
	}{
		{"no report", nil, ""},
		{"issuer unknown", &client.Report{Problems: []verify.Problem{{Code: verify.CodeUnknownAuthority, Severity: verify.SeverityError}}}, "Extra CA roots in File › Site manager…"},
		{"intermediate missing", &client.Report{Problems: []verify.Problem{{Code: verify.CodeIncompleteChain, Severity: verify.SeverityError}}}, "Extra CA roots"},
		{"self-signed: no root to add", &client.Report{Problems: []verify.Problem{{Code: verify.CodeSelfSigned, Severity: verify.SeverityError}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rootAdvice(tt.rep)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("rootAdvice = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestAdviceNamesRealLabels checks the names Advice uses against the menu,
// the site manager's form and the settings page, so that a renamed label
// cannot leave the advice pointing at nothing.
func TestAdviceNamesRealLabels(t *testing.T) {
	store, err := sites.Open(filepath.Join(t.TempDir(), sites.FileName))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Deps{Sites: store, Secrets: secrets.NewMemory()})
	menu := map[string]bool{}
	for _, m := range h.w.mainMenu().Items {
		for _, it := range m.Items {
			menu[m.Label+" › "+it.Label] = true
		}
	}
	for _, path := range []string{siteManagerPath, identitiesPath, settingsPath} {
		if !menu[path] {
			t.Errorf("menu has no %q", path)
		}
	}
	labels := map[string]bool{}
	collect := func(o fyne.CanvasObject) {
		walkObjects(o, func(o fyne.CanvasObject) {
			switch w := o.(type) {
			case *widget.Form:
				for _, it := range w.Items {
					labels[it.Text] = true
				}
			case *widget.Select:
				for _, opt := range w.Options {
					labels[opt] = true
				}
			}
		})
	}
	collect(h.w.siteManager().Content())
	collect(settings.NewForm(settings.Defaults(), nil, nil).Content)
	for _, l := range []string{siteTLSField, siteCAField, siteCertField, settingsTLS, tls13Choice, proxyField} {
		if !labels[l] {
			t.Errorf("no form field or choice is labelled %q", l)
		}
	}
	// The transfer mode advice names fields of both the site manager and
	// the settings page: check each in its own.
	for _, page := range []struct {
		name   string
		o      fyne.CanvasObject
		labels []string
	}{
		{"site manager", h.w.siteManager().Content(), []string{modeField, passiveChoice, activeChoice, autoChoice}},
		{"settings", settings.NewForm(settings.Defaults(), nil, nil).Content,
			[]string{modeField, passiveChoice, activeChoice, autoChoice, settingsPorts, settingsExternal, settingsBind}},
	} {
		labels = map[string]bool{}
		collect(page.o)
		for _, l := range page.labels {
			if !labels[l] {
				t.Errorf("the %s has no form field or choice labelled %q", page.name, l)
			}
		}
	}
	// The quick-connect bar labels its mode choice, with the same choices.
	bar := map[string]bool{}
	walkObjects(h.w.top.quick.content, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			bar[w.Text] = true
		case *widget.Select:
			for _, opt := range w.Options {
				bar[opt] = true
			}
		}
	})
	for _, l := range []string{quickModeLabel, passiveChoice, activeChoice, autoChoice} {
		if !bar[l] {
			t.Errorf("the quick-connect bar has no label or choice %q", l)
		}
	}
	if l, ok := sitesui.ProtocolLabel(client.FTPES); !ok || !strings.Contains(reasonAdvice(client.ReasonPlaintextPassword), l) {
		t.Errorf("plain-FTP advice does not name the protocol choice %q", l)
	}
}

// walkObjects calls f on o and every object inside it.
func walkObjects(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	f(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, child := range c.Objects {
			walkObjects(child, f)
		}
	case *container.Split:
		walkObjects(c.Leading, f)
		walkObjects(c.Trailing, f)
	case *container.Scroll:
		walkObjects(c.Content, f)
	case *container.AppTabs:
		// Every page, not only the one shown.
		for _, it := range c.Items {
			walkObjects(it.Content, f)
		}
	case fyne.Widget:
		r := test.WidgetRenderer(c)
		for _, child := range r.Objects() {
			walkObjects(child, f)
		}
	}
}
