package settings

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"lockbox/ui/internal/uitest"
)

func TestFormEdits(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(f *Form)
		want Settings
	}{
		{"unchanged", func(*Form) {}, Defaults()},
		{"theme", func(f *Form) { f.theme.SetSelected("Dark") }, with(func(s *Settings) { s.Theme = "dark" })},
		{"connections", func(f *Form) { f.connections.SetSelected("10") }, with(func(s *Settings) { s.Connections = 10 })},
		{"tls", func(f *Form) { f.minTLS.SetSelected("TLS 1.3 only") }, with(func(s *Settings) { s.MinTLS = "1.3" })},
		{"timeout", func(f *Form) {
			f.timeout.SetText("")
			test.Type(f.timeout, " 120")
		}, with(func(s *Settings) { s.TimeoutSeconds = 120 })},
		{"exists", func(f *Form) { f.exists.SetSelected("Rename the new copy (keep both)") }, with(func(s *Settings) { s.Exists = "rename" })},
		{"notify", func(f *Form) { test.Tap(f.notify) }, with(func(s *Settings) { s.Notify = false })},
		{"transfer mode", func(f *Form) { f.mode.SetSelected("Active") }, with(func(s *Settings) { s.Mode = "active" })},
		{"active mode behind NAT", func(f *Form) {
			test.Type(f.activePorts, "50000-50100")
			test.Type(f.externalIP, " 203.0.113.7")
			test.Type(f.bindAddr, "192.0.2.1")
		}, with(func(s *Settings) { s.ActivePorts, s.ExternalIP, s.BindAddr = "50000-50100", "203.0.113.7", "192.0.2.1" })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			test.NewTempApp(t)
			var saved []Settings
			f := NewForm(Defaults(), func(s Settings) { saved = append(saved, s) }, func() { t.Error("Cancel called") })
			test.NewTempWindow(t, f.Content)
			tc.edit(f)
			test.Tap(f.save)
			if len(saved) != 1 || saved[0] != tc.want {
				t.Errorf("saved %+v, want %+v", saved, tc.want)
			}
		})
	}
}

func TestFormShowsCurrent(t *testing.T) {
	test.NewTempApp(t)
	cur := Settings{Theme: "light", Connections: 7, MinTLS: "1.3", TimeoutSeconds: 45, Exists: "skip", Notify: false,
		Mode: "auto", ActivePorts: "50000-50009", ExternalIP: "203.0.113.7", BindAddr: "::1"}
	f := NewForm(cur, nil, nil)
	got, err := f.Settings()
	if err != nil || got != cur {
		t.Errorf("form reads %+v, %v; want %+v", got, err, cur)
	}

	// Values out of bounds show their defaults rather than a blank control.
	bad := cur
	bad.Theme, bad.Connections = "sepia", 40
	got, err = NewForm(bad, nil, nil).Settings()
	want := cur
	want.Theme, want.Connections = "system", 2
	if err != nil || got != want {
		t.Errorf("form for %+v reads %+v, %v; want %+v", bad, got, err, want)
	}
}

func TestFormRejectsBadTimeout(t *testing.T) {
	for _, text := range []string{"4", "601", "abc", "", "1.5"} {
		t.Run(text, func(t *testing.T) {
			test.NewTempApp(t)
			saved := 0
			f := NewForm(Defaults(), func(Settings) { saved++ }, nil)
			test.NewTempWindow(t, f.Content)
			f.timeout.SetText("")
			test.Type(f.timeout, text)
			if !f.save.Disabled() {
				t.Error("Save is enabled with a bad timeout")
			}
			_, err := f.Settings()
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "timeout_seconds" {
				t.Fatalf("Settings error = %v, want a timeout FieldError", err)
			}
			if !strings.Contains(err.Error(), "use a whole number of seconds from 5 to 600") {
				t.Errorf("error %q does not say what is accepted", err)
			}
			f.save.OnTapped() // as if it were tapped anyway
			if saved != 0 || !f.problem.Visible() || f.problem.Text != err.Error() {
				t.Errorf("saved %d times; problem %q (visible %v)", saved, f.problem.Text, f.problem.Visible())
			}
			f.timeout.SetText("30")
			if f.save.Disabled() {
				t.Error("Save stays disabled once the timeout is fixed")
			}
		})
	}
}

// An active-mode port range or address Lockbox cannot use keeps Save off
// and is named when Save is tapped anyway.
func TestFormRejectsBadActiveSettings(t *testing.T) {
	for _, tc := range []struct {
		name, field, text string
		entry             func(f *Form) *widget.Entry
	}{
		{"ports", "active_ports", "50100-50000", func(f *Form) *widget.Entry { return f.activePorts }},
		{"ports below 1024", "active_ports", "21-22", func(f *Form) *widget.Entry { return f.activePorts }},
		{"external host name", "active_external_ip", "nat.example.com", func(f *Form) *widget.Entry { return f.externalIP }},
		{"bind", "active_bind_addr", "300.1.1.1", func(f *Form) *widget.Entry { return f.bindAddr }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			test.NewTempApp(t)
			saved := 0
			f := NewForm(Defaults(), func(Settings) { saved++ }, nil)
			test.NewTempWindow(t, f.Content)
			e := tc.entry(f)
			test.Type(e, tc.text)
			if !f.save.Disabled() {
				t.Error("Save is enabled with a bad value")
			}
			_, err := f.Settings()
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("Settings error = %v, want a %s FieldError", err, tc.field)
			}
			f.save.OnTapped()
			if saved != 0 || !f.problem.Visible() {
				t.Errorf("saved %d times; problem %q", saved, f.problem.Text)
			}
			e.SetText("")
			if f.save.Disabled() {
				t.Error("Save stays disabled once the value is cleared")
			}
		})
	}
}

func TestFormCancel(t *testing.T) {
	test.NewTempApp(t)
	cancelled := 0
	f := NewForm(Defaults(), func(Settings) { t.Error("Save called") }, func() { cancelled++ })
	f.theme.SetSelected("Dark")
	test.Tap(f.cancel)
	if cancelled != 1 {
		t.Errorf("onCancel called %d times, want 1", cancelled)
	}
}

func TestShowDialog(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(uitest.LightTheme())
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(800, 600))
	var saved []Settings
	cur := Defaults()
	cur.Connections = 4
	d := ShowDialog(w, cur, func(s Settings) { saved = append(saved, s) })
	if d == nil {
		t.Fatal("ShowDialog returned no dialog")
	}
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("no dialog shown")
	}
	test.AssertImageMatches(t, "settings_dialog.png", w.Canvas().Capture())
	// Each page fits the dialog, with Save and Cancel in view.
	for i, page := range []string{ConnectionPage, ProxyPage} {
		tabs := pagesOf(t, w.Canvas().Overlays().Top())
		tabs.SelectIndex(i + 1)
		if tabs.Selected().Text != page {
			t.Fatalf("page %d is %q, want %q", i+1, tabs.Selected().Text, page)
		}
		test.AssertImageMatches(t, "settings_dialog_"+strings.ToLower(page)+".png", w.Canvas().Capture())
	}
	pagesOf(t, w.Canvas().Overlays().Top()).SelectIndex(0)

	save := button(t, w.Canvas().Overlays().Top(), "Save")
	test.Tap(save)
	if len(saved) != 1 || saved[0] != cur {
		t.Errorf("saved %+v, want %+v", saved, cur)
	}
	if w.Canvas().Overlays().Top() != nil {
		t.Error("the dialog is still open after Save")
	}

	ShowDialog(w, cur, func(s Settings) { t.Error("Save called on Cancel") })
	test.Tap(button(t, w.Canvas().Overlays().Top(), "Cancel"))
	if w.Canvas().Overlays().Top() != nil {
		t.Error("the dialog is still open after Cancel")
	}
}

// button finds the button labelled text under o.
func button(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, c := range test.LaidOutObjects(o) {
		if b, ok := c.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no %q button", text)
	return nil
}

// pagesOf finds the settings' tabs in the dialog o.
func pagesOf(t *testing.T, o fyne.CanvasObject) *container.AppTabs {
	t.Helper()
	var tabs *container.AppTabs
	uitest.Walk(o, func(o fyne.CanvasObject) {
		if at, ok := o.(*container.AppTabs); ok && tabs == nil {
			tabs = at
		}
	})
	if tabs == nil {
		t.Fatal("the settings dialog has no pages")
	}
	return tabs
}
