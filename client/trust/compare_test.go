package trust

import (
	"reflect"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	caA := newCA(t, "CA A")
	caB := newCA(t, "CA B")
	orig := newLeaf(t, "ftp.example.com", caA)
	old := NewPin("ftp.example.com:990", orig.Cert, fixedNow)

	renewed := reissue(t, orig, caA)
	newKey := newLeaf(t, "ftp.example.com", caA).Cert
	otherIssuer := newLeaf(t, "ftp.example.com", caB).Cert
	sameKeyOtherIssuer := reissue(t, orig, caB)
	otherSubject := newLeaf(t, "evil.example", caB).Cert

	tests := []struct {
		name                             string
		leaf                             []byte
		wantChanged                      bool
		sameKey, sameIssuer, sameSubject bool
		verdictPrefix                    string
		verdictParts                     string
	}{
		{name: "identical", leaf: orig.Cert.Raw, wantChanged: false},
		{"renewal with same key", renewed.Raw, true, true, true, true,
			"likely a renewal: same key and same issuer, new certificate", "subject same, issuer same, key same"},
		{"same issuer new key", newKey.Raw, true, false, true, true,
			"the issuer is the same but the key changed", "subject same, issuer same, key different"},
		{"different issuer", otherIssuer.Raw, true, false, false, true,
			"possible interception: a different issuer signed this certificate", "subject same, issuer different, key different"},
		{"different issuer same key", sameKeyOtherIssuer.Raw, true, true, false, true,
			"possible interception: a different issuer signed this certificate", "subject same, issuer different, key same"},
		{"everything different", otherSubject.Raw, true, false, false, false,
			"possible interception", "subject different, issuer different, key different"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaf := mustParse(t, tt.leaf)
			c, changed := Compare(old, leaf)
			if changed != tt.wantChanged {
				t.Fatalf("changed = %v, want %v", changed, tt.wantChanged)
			}
			if !changed {
				return
			}
			if c.SameKey != tt.sameKey || c.SameIssuer != tt.sameIssuer || c.SameSubject != tt.sameSubject {
				t.Errorf("key/issuer/subject same = %v/%v/%v, want %v/%v/%v",
					c.SameKey, c.SameIssuer, c.SameSubject, tt.sameKey, tt.sameIssuer, tt.sameSubject)
			}
			if c.LikelyRenewal != (tt.sameKey && tt.sameIssuer) {
				t.Errorf("LikelyRenewal = %v", c.LikelyRenewal)
			}
			if !reflect.DeepEqual(c.Old, old) {
				t.Errorf("Old pin not carried in the change")
			}
			for _, want := range []string{tt.verdictPrefix, tt.verdictParts,
				ShortFingerprint(old.SHA256), ShortFingerprint(Fingerprint(tt.leaf))} {
				if !strings.Contains(c.Verdict, want) {
					t.Errorf("verdict %q lacks %q", c.Verdict, want)
				}
			}
			if !strings.HasPrefix(c.Verdict, tt.verdictPrefix) {
				t.Errorf("verdict %q does not start with %q", c.Verdict, tt.verdictPrefix)
			}
		})
	}
}

func TestCompareNilLeaf(t *testing.T) {
	old := NewPin("a.example:1", newLeaf(t, "a", nil).Cert, fixedNow)
	c, changed := Compare(old, nil)
	if !changed || c.LikelyRenewal || c.Verdict == "" {
		t.Fatalf("Compare(nil) = %+v, %v; want a change with a verdict", c, changed)
	}
}

func TestShortFingerprint(t *testing.T) {
	tests := []struct{ in, want string }{
		{strings.Repeat("ab", 32), "AB:AB:AB:AB:AB:AB:AB:AB…"},
		{"0123456789abcdef", "01:23:45:67:89:AB:CD:EF"},
		{"abc", "ABC"},
	}
	for _, tt := range tests {
		if got := ShortFingerprint(tt.in); got != tt.want {
			t.Errorf("ShortFingerprint(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
