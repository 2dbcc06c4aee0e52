package verify

import "testing"

// TestTitleCoversEveryCode keeps a plain title for every code, so that a
// summary never falls back to a raw code such as "self_signed".
func TestTitleCoversEveryCode(t *testing.T) {
	codes := []string{CodeUnknownAuthority, CodeSelfSigned, CodeIncompleteChain, CodeNotACA, CodeHostnameMismatch,
		CodeExpired, CodeNotYetValid, CodeExpiresSoon, CodeWrongUsage, CodeWeakSignature, CodeWeakKey,
		CodePinMismatch, CodeChainRejected}
	for _, c := range codes {
		if _, ok := titles[c]; !ok {
			t.Errorf("code %q has no title", c)
		}
	}
	if got := Title("brand_new"); got != "brand new" {
		t.Errorf("Title(brand_new) = %q, want %q", got, "brand new")
	}
}

func TestRootUnknown(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{CodeUnknownAuthority, true},
		{CodeIncompleteChain, true},
		{CodeSelfSigned, false},
		{CodeChainRejected, false},
		{CodeHostnameMismatch, false},
	}
	for _, tt := range tests {
		if got := RootUnknown(Problem{Code: tt.code, Severity: SeverityError}); got != tt.want {
			t.Errorf("RootUnknown(%s) = %v, want %v", tt.code, got, tt.want)
		}
	}
}
