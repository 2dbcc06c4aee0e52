package secrets

import (
	"errors"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// useMock puts go-keyring's in-memory provider in place (for the whole test
// binary: the library cannot restore the real one) and skips the D-Bus
// check, so the Keyring type's own logic is what is tested.
func useMock(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		keyring.MockInitWithError(err)
	} else {
		keyring.MockInit()
	}
	old := busCheck
	busCheck = func() error { return nil }
	t.Cleanup(func() { busCheck = old })
}

func TestKeyringStoresUnderItsService(t *testing.T) {
	useMock(t, nil)
	k := NewKeyring()
	type step struct {
		op, key, value string
		want           string
		wantNotFound   bool
	}
	steps := []step{
		{op: "get", key: "site:a", wantNotFound: true},
		{op: "set", key: "site:a", value: "first"},
		{op: "get", key: "site:a", want: "first"},
		{op: "set", key: "site:a", value: "second"},
		{op: "get", key: "site:a", want: "second"},
		{op: "set", key: "site:b", value: "p@ss wörd"},
		{op: "get", key: "site:b", want: "p@ss wörd"},
		{op: "delete", key: "site:a"},
		{op: "get", key: "site:a", wantNotFound: true},
		{op: "delete", key: "site:a"}, // missing: not an error
		{op: "get", key: "site:b", want: "p@ss wörd"},
	}
	for i, s := range steps {
		switch s.op {
		case "get":
			got, err := k.Get(s.key)
			if s.wantNotFound {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("step %d: Get(%q) = %q, %v; want ErrNotFound", i, s.key, got, err)
				}
				continue
			}
			if err != nil || got != s.want {
				t.Fatalf("step %d: Get(%q) = %q, %v; want %q", i, s.key, got, err, s.want)
			}
		case "set":
			if err := k.Set(s.key, s.value); err != nil {
				t.Fatalf("step %d: Set: %v", i, err)
			}
		case "delete":
			if err := k.Delete(s.key); err != nil {
				t.Fatalf("step %d: Delete: %v", i, err)
			}
		}
	}
	// The entries are filed under the "Lockbox" service.
	if got, err := keyring.Get("Lockbox", "site:b"); err != nil || got != "p@ss wörd" {
		t.Errorf("go-keyring Get(Lockbox, site:b) = %q, %v", got, err)
	}
}

func TestKeyringIsAStore(t *testing.T) {
	var _ Store = NewKeyring()
	var _ Store = NewMemory()
}

func TestKeyringConcurrentUse(t *testing.T) {
	useMock(t, nil)
	k := NewKeyring()
	done := make(chan error)
	for i := 0; i < 8; i++ {
		go func(i int) {
			key := "site:" + string(rune('a'+i))
			if err := k.Set(key, "pw"); err != nil {
				done <- err
				return
			}
			_, err := k.Get(key)
			done <- err
		}(i)
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestProbeWithMock(t *testing.T) {
	tests := []struct {
		name    string
		libErr  error
		wantErr string // "" = works
	}{
		{"keyring answers", nil, ""},
		{"unsupported platform", keyring.ErrUnsupportedPlatform, "Lockbox cannot use a keyring on"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			useMock(t, tc.libErr)
			err := Probe()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Probe: %v", err)
				}
				return
			}
			var ue *UnavailableError
			if !errors.As(err, &ue) {
				t.Fatalf("Probe = %v (%T), want *UnavailableError", err, err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Probe = %q, want it to contain %q", err, tc.wantErr)
			}
			if !errors.Is(err, tc.libErr) {
				t.Errorf("Probe's error does not wrap the library's %v", tc.libErr)
			}
			st, openErr := Open()
			if _, ok := st.(*Memory); !ok || openErr == nil {
				t.Errorf("Open = %T, %v; want *Memory and the reason", st, openErr)
			}
		})
	}
}

func TestOpenUsesKeyringWhenItWorks(t *testing.T) {
	useMock(t, nil)
	st, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.(*Keyring); !ok {
		t.Fatalf("Open = %T, want *Keyring", st)
	}
}

func TestSetTooBig(t *testing.T) {
	useMock(t, keyring.ErrSetDataTooBig)
	err := NewKeyring().Set("site:a", "x")
	if err == nil || !strings.Contains(err.Error(), "too long for the system keyring") {
		t.Fatalf("Set = %v", err)
	}
	var ue *UnavailableError
	if errors.As(err, &ue) {
		t.Errorf("a too-long secret is not an unavailable keyring: %v", err)
	}
}
