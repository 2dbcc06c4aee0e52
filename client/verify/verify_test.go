package verify

import (
	"crypto/x509"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"lockbox/client/certgen"
)

// fixtures is a small PKI: root -> inter -> leaf, plus variants of each.
type fixtures struct {
	now         time.Time
	root, inter *certgen.Cert
	leaf        *certgen.Cert
	rootPool    *x509.CertPool
}

const host = "ftp.example.com"

func newFixtures(t *testing.T) fixtures {
	t.Helper()
	// Like a real root, it predates everything it issued.
	now := time.Now()
	root := certgen.Must(t, certgen.Spec{CommonName: "Lockbox Test Root", IsCA: true,
		NotBefore: now.AddDate(-10, 0, 0), NotAfter: now.AddDate(10, 0, 0)}, nil)
	inter := certgen.Must(t, certgen.Spec{CommonName: "Lockbox Test Intermediate", IsCA: true}, root)
	leaf := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host, "www.example.com"}}, inter)
	pool := x509.NewCertPool()
	pool.AddCert(root.Cert)
	return fixtures{now: now, root: root, inter: inter, leaf: leaf, rootPool: pool}
}

func certs(cs ...*certgen.Cert) []*x509.Certificate {
	out := make([]*x509.Certificate, len(cs))
	for i, c := range cs {
		out[i] = c.Cert
	}
	return out
}

func keys(ps []Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = fmt.Sprintf("%d %s %s %s", p.Level, p.Field, p.Code, p.Severity)
	}
	return out
}

func key(level int, field, code string, sev Severity) string {
	return fmt.Sprintf("%d %s %s %s", level, field, code, sev)
}

type checkCase struct {
	name      string
	presented []*x509.Certificate
	opts      Options
	want      []string // problem keys in result order
	verified  bool
	chain     []*x509.Certificate // expected display chain; nil skips
	message   string              // substring the first problem's message must contain
}

func runCases(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Check(tc.presented, tc.opts)
			if got := keys(r.Problems); !slices.Equal(got, tc.want) {
				t.Errorf("problems = %q, want %q\nmessages: %v", got, tc.want, r.Problems)
			}
			if r.Verified != tc.verified {
				t.Errorf("Verified = %v, want %v", r.Verified, tc.verified)
			}
			if wantErrs := slices.ContainsFunc(tc.want, func(k string) bool {
				return strings.HasSuffix(k, " "+string(SeverityError))
			}); r.HasErrors() != wantErrs {
				t.Errorf("HasErrors = %v, want %v", r.HasErrors(), wantErrs)
			}
			if tc.chain != nil && !slices.EqualFunc(r.Chain, tc.chain, (*x509.Certificate).Equal) {
				t.Errorf("chain = %v, want %v", names(r.Chain), names(tc.chain))
			}
			if tc.message != "" && (len(r.Problems) == 0 || !strings.Contains(r.Problems[0].Message, tc.message)) {
				t.Errorf("first message = %v, want it to contain %q", r.Problems, tc.message)
			}
		})
	}
}

func names(cs []*x509.Certificate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Subject.CommonName
	}
	return out
}

func TestCheckTrust(t *testing.T) {
	f := newFixtures(t)
	self := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host}}, nil)
	selfPool := x509.NewCertPool()
	selfPool.AddCert(self.Cert)
	notCA := certgen.Must(t, certgen.Spec{CommonName: "Not A CA"}, f.root)
	notCALeaf := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host}}, notCA)
	noBC := certgen.Must(t, certgen.Spec{CommonName: "No Constraints", NoBasicConstraints: true}, f.root)
	noBCLeaf := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host}}, noBC)

	runCases(t, []checkCase{
		{
			name:      "valid three-level chain",
			presented: certs(f.leaf, f.inter),
			opts:      Options{ServerName: host, Roots: f.rootPool, Now: f.now},
			want:      []string{},
			verified:  true,
			chain:     certs(f.leaf, f.inter, f.root),
		},
		{
			name:      "root given as extra root",
			presented: certs(f.leaf, f.inter),
			opts:      Options{ServerName: host, Roots: x509.NewCertPool(), ExtraRoots: certs(f.root), Now: f.now},
			want:      []string{},
			verified:  true,
			chain:     certs(f.leaf, f.inter, f.root),
		},
		{
			name:      "unknown authority above intermediate",
			presented: certs(f.leaf, f.inter),
			opts:      Options{ServerName: host, Roots: x509.NewCertPool(), Now: f.now},
			want:      []string{key(1, FieldIssuer, CodeUnknownAuthority, SeverityError)},
			chain:     certs(f.leaf, f.inter),
			message:   `"Lockbox Test Root"`,
		},
		{
			name:      "untrusted root sent by server",
			presented: certs(f.leaf, f.inter, f.root),
			opts:      Options{ServerName: host, Roots: x509.NewCertPool(), Now: f.now},
			want:      []string{key(2, FieldIssuer, CodeUnknownAuthority, SeverityError)},
			chain:     certs(f.leaf, f.inter, f.root),
		},
		{
			name:      "self-signed leaf",
			presented: certs(self),
			opts:      Options{ServerName: host, Roots: f.rootPool, Now: f.now},
			want:      []string{key(0, FieldIssuer, CodeSelfSigned, SeverityError)},
			message:   "fingerprint",
		},
		{
			name:      "self-signed leaf the user trusts",
			presented: certs(self),
			opts:      Options{ServerName: host, Roots: x509.NewCertPool(), ExtraRoots: certs(self), Now: f.now},
			want:      []string{},
			verified:  true,
		},
		{
			name:      "self-signed leaf in roots",
			presented: certs(self),
			opts:      Options{ServerName: host, Roots: selfPool, Now: f.now},
			want:      []string{},
			verified:  true,
		},
		{
			name:      "missing intermediate with trusted root",
			presented: certs(f.leaf),
			opts:      Options{ServerName: host, Roots: f.rootPool, Now: f.now},
			want:      []string{key(0, FieldChain, CodeIncompleteChain, SeverityError)},
			chain:     certs(f.leaf),
			message:   `"Lockbox Test Intermediate"`,
		},
		{
			name:      "issuer marked CA:FALSE",
			presented: certs(notCALeaf, notCA),
			opts:      Options{ServerName: host, Roots: f.rootPool, Now: f.now},
			want:      []string{key(1, FieldChain, CodeNotACA, SeverityError)},
			chain:     certs(notCALeaf, notCA, f.root),
			message:   "CA:FALSE",
		},
		{
			name:      "issuer without basic constraints",
			presented: certs(noBCLeaf, noBC),
			opts:      Options{ServerName: host, Roots: f.rootPool, Now: f.now},
			want:      []string{key(1, FieldChain, CodeNotACA, SeverityError)},
			chain:     certs(noBCLeaf, noBC, f.root),
			message:   "no basic constraints",
		},
		{
			name:      "leftover presented certificate kept for display",
			presented: certs(f.leaf, self, f.inter),
			opts:      Options{ServerName: host, Roots: f.rootPool, Now: f.now},
			want:      []string{},
			verified:  true,
			chain:     certs(f.leaf, f.inter, f.root, self),
		},
		{
			name:     "nothing presented",
			opts:     Options{Roots: f.rootPool, Now: f.now},
			want:     []string{key(0, FieldChain, CodeIncompleteChain, SeverityError)},
			verified: false,
		},
	})
}

func TestCheckOwner(t *testing.T) {
	f := newFixtures(t)
	ipLeaf := certgen.Must(t, certgen.Spec{CommonName: "ip server", IPs: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}}, f.inter)
	cnOnly := certgen.Must(t, certgen.Spec{CommonName: "cn.example.com", DNSNames: []string{"other.example.com"}}, f.inter)
	mismatch := []string{key(0, FieldOwner, CodeHostnameMismatch, SeverityError)}

	runCases(t, []checkCase{
		{
			name:      "name not in SANs",
			presented: certs(f.leaf, f.inter),
			opts:      Options{ServerName: "mail.example.com", Roots: f.rootPool, Now: f.now},
			want:      mismatch,
			message:   "issued to ftp.example.com and www.example.com, not to mail.example.com",
		},
		{
			name:      "IP literal against DNS-only certificate",
			presented: certs(f.leaf, f.inter),
			opts:      Options{ServerName: "127.0.0.1", Roots: f.rootPool, Now: f.now},
			want:      mismatch,
			message:   "If you connected by IP address, connect by a name the certificate lists.",
		},
		{
			name:      "IPv4 literal in IP SANs",
			presented: certs(ipLeaf, f.inter),
			opts:      Options{ServerName: "127.0.0.1", Roots: f.rootPool, Now: f.now},
			want:      []string{},
			verified:  true,
		},
		{
			name:      "bracketed IPv6 literal in IP SANs",
			presented: certs(ipLeaf, f.inter),
			opts:      Options{ServerName: "[::1]", Roots: f.rootPool, Now: f.now},
			want:      []string{},
			verified:  true,
		},
		{
			name:      "IP literal not in IP SANs",
			presented: certs(ipLeaf, f.inter),
			opts:      Options{ServerName: "10.0.0.1", Roots: f.rootPool, Now: f.now},
			want:      mismatch,
			message:   "issued to 127.0.0.1 and ::1, not to 10.0.0.1",
		},
		{
			name:      "only the common name matches",
			presented: certs(cnOnly, f.inter),
			opts:      Options{ServerName: "cn.example.com", Roots: f.rootPool, Now: f.now},
			want:      mismatch,
			message:   "Only its common name (cn.example.com) matches",
		},
		{
			name:      "empty server name skips the check",
			presented: certs(f.leaf, f.inter),
			opts:      Options{Roots: f.rootPool, Now: f.now},
			want:      []string{},
			verified:  true,
		},
	})
}

func TestCheckValidity(t *testing.T) {
	f := newFixtures(t)
	day := 24 * time.Hour
	expiredAt := f.now.Add(-3 * day).Truncate(time.Minute)
	expired := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host},
		NotBefore: f.now.Add(-400 * day), NotAfter: expiredAt}, f.inter)
	future := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host},
		NotBefore: f.now.Add(5 * day), NotAfter: f.now.Add(400 * day)}, f.inter)
	soon := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host},
		NotAfter: f.now.Add(10 * day)}, f.inter)
	oldInter := certgen.Must(t, certgen.Spec{CommonName: "Old Intermediate", IsCA: true,
		NotBefore: f.now.Add(-400 * day), NotAfter: f.now.Add(-day)}, f.root)
	underOld := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host}}, oldInter)

	runCases(t, []checkCase{
		{
			name:      "expired leaf",
			presented: certs(expired, f.inter),
			opts:      Options{ServerName: host, Roots: f.rootPool, Now: f.now},
			want:      []string{key(0, FieldValidity, CodeExpired, SeverityError)},
			message:   "expired on " + expiredAt.UTC().Format("2006-01-02 15:04") + " UTC, 3 days ago",
		},
		{
			name:      "not yet valid leaf",
			presented: certs(future, f.inter),
			opts:      Options{ServerName: host, Roots: f.rootPool, Now: f.now},
			want:      []string{key(0, FieldValidity, CodeNotYetValid, SeverityError)},
			message:   "from now",
		},
		{
			name:      "leaf expires soon",
			presented: certs(soon, f.inter),
			opts:      Options{ServerName: host, Roots: f.rootPool, Now: f.now},
			want:      []string{key(0, FieldValidity, CodeExpiresSoon, SeverityWarning)},
			verified:  true,
		},
		{
			name:      "soon window shorter than remaining time",
			presented: certs(soon, f.inter),
			opts:      Options{ServerName: host, Roots: f.rootPool, Now: f.now, SoonWindow: 5 * day},
			want:      []string{},
			verified:  true,
		},
		{
			name:      "expired intermediate",
			presented: certs(underOld, oldInter),
			opts:      Options{ServerName: host, Roots: f.rootPool, Now: f.now},
			want:      []string{key(1, FieldValidity, CodeExpired, SeverityError)},
			chain:     certs(underOld, oldInter, f.root),
			message:   `The intermediate certificate "Old Intermediate" expired`,
		},
	})
}

func TestCheckUsageAndCrypto(t *testing.T) {
	f := newFixtures(t)
	clientOnly := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageCodeSigning}}, f.inter)
	anyUsage := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}, f.inter)
	rsa1024 := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host}, Key: certgen.RSA1024}, f.inter)
	p224 := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host}, Key: certgen.ECDSAP224}, f.inter)

	rsaRoot := certgen.Must(t, certgen.Spec{CommonName: "RSA Root", IsCA: true, Key: certgen.RSA2048}, nil)
	sha1Inter := certgen.Must(t, certgen.Spec{CommonName: "SHA-1 Intermediate", IsCA: true, Key: certgen.RSA2048,
		SignatureAlgorithm: x509.SHA1WithRSA}, rsaRoot)
	sha1Leaf := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host}}, sha1Inter)
	rsaPool := x509.NewCertPool()
	rsaPool.AddCert(rsaRoot.Cert)
	sha1Direct := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host},
		SignatureAlgorithm: x509.SHA1WithRSA}, rsaRoot)

	sha1Root := certgen.Must(t, certgen.Spec{CommonName: "SHA-1 Root", IsCA: true, Key: certgen.RSA2048,
		SignatureAlgorithm: x509.SHA1WithRSA}, nil)
	underSHA1Root := certgen.Must(t, certgen.Spec{CommonName: "Modern Intermediate", IsCA: true}, sha1Root)
	underSHA1Leaf := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host}}, underSHA1Root)
	sha1RootPool := x509.NewCertPool()
	sha1RootPool.AddCert(sha1Root.Cert)

	clientCA := certgen.Must(t, certgen.Spec{CommonName: "Client CA", IsCA: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, f.root)
	underClientCA := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host}}, clientCA)

	runCases(t, []checkCase{
		{
			name:      "client-only usage",
			presented: certs(clientOnly, f.inter),
			opts:      Options{ServerName: host, Roots: f.rootPool, Now: f.now},
			want:      []string{key(0, FieldUsage, CodeWrongUsage, SeverityError)},
			message:   "client authentication and code signing",
		},
		{
			name:      "any usage is fine",
			presented: certs(anyUsage, f.inter),
			opts:      Options{ServerName: host, Roots: f.rootPool, Now: f.now},
			want:      []string{},
			verified:  true,
		},
		{
			name:      "RSA 1024 key",
			presented: certs(rsa1024, f.inter),
			opts:      Options{ServerName: host, Roots: f.rootPool, Now: f.now},
			want:      []string{key(0, FieldKey, CodeWeakKey, SeverityError)},
			message:   "1024-bit RSA",
		},
		{
			name:      "P-224 key",
			presented: certs(p224, f.inter),
			opts:      Options{ServerName: host, Roots: f.rootPool, Now: f.now},
			want:      []string{key(0, FieldKey, CodeWeakKey, SeverityError)},
			message:   "P-224",
		},
		{
			name:      "SHA-1 intermediate, root from extra roots",
			presented: certs(sha1Leaf, sha1Inter),
			opts:      Options{ServerName: host, Roots: x509.NewCertPool(), ExtraRoots: certs(rsaRoot), Now: f.now},
			want:      []string{key(1, FieldSignature, CodeWeakSignature, SeverityError)},
			chain:     certs(sha1Leaf, sha1Inter, rsaRoot),
			message:   "SHA-1",
		},
		{
			name:      "SHA-1 intermediate, root only in the pool",
			presented: certs(sha1Leaf, sha1Inter),
			opts:      Options{ServerName: host, Roots: rsaPool, Now: f.now},
			want:      []string{key(1, FieldSignature, CodeWeakSignature, SeverityError)},
			chain:     certs(sha1Leaf, sha1Inter),
		},
		{
			name:      "SHA-1 self-signature of a trusted root does not matter",
			presented: certs(underSHA1Leaf, underSHA1Root),
			opts:      Options{ServerName: host, Roots: sha1RootPool, Now: f.now},
			want:      []string{},
			verified:  true,
			chain:     certs(underSHA1Leaf, underSHA1Root, sha1Root),
		},
		{
			name:      "SHA-1 leaf signed directly by a pool root",
			presented: certs(sha1Direct),
			opts:      Options{ServerName: host, Roots: rsaPool, Now: f.now},
			want:      []string{key(0, FieldSignature, CodeWeakSignature, SeverityError)},
			message:   `Its issuer, "RSA Root", must reissue it`,
		},
		{
			name:      "intermediate limited to client auth",
			presented: certs(underClientCA, clientCA),
			opts:      Options{ServerName: host, Roots: f.rootPool, Now: f.now},
			want:      []string{key(1, FieldUsage, CodeWrongUsage, SeverityError)},
			chain:     certs(underClientCA, clientCA, f.root),
			message:   "client authentication",
		},
	})
}

func TestCheckThreeAtOnce(t *testing.T) {
	now := time.Now()
	self := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host},
		NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-time.Hour)}, nil)
	r := Check(certs(self), Options{ServerName: "other.example.com", Roots: x509.NewCertPool(), Now: now})
	want := []string{
		key(0, FieldIssuer, CodeSelfSigned, SeverityError),
		key(0, FieldOwner, CodeHostnameMismatch, SeverityError),
		key(0, FieldValidity, CodeExpired, SeverityError),
	}
	if got := keys(r.Problems); !slices.Equal(got, want) {
		t.Fatalf("problems = %q, want %q", got, want)
	}
	if r.Verified || !r.HasErrors() {
		t.Errorf("Verified = %v, HasErrors = %v; want false, true", r.Verified, r.HasErrors())
	}
}

func TestCheckSortsAcrossLevels(t *testing.T) {
	f := newFixtures(t)
	old := certgen.Must(t, certgen.Spec{CommonName: "Old Intermediate", IsCA: true,
		NotBefore: f.now.AddDate(-2, 0, 0), NotAfter: f.now.Add(-time.Hour)}, f.root)
	leaf := certgen.Must(t, certgen.Spec{CommonName: host, DNSNames: []string{host}, Key: certgen.RSA1024,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, old)
	r := Check(certs(leaf, old), Options{ServerName: host, Roots: f.rootPool, Now: f.now})
	want := []string{
		key(0, FieldKey, CodeWeakKey, SeverityError),
		key(0, FieldUsage, CodeWrongUsage, SeverityError),
		key(1, FieldValidity, CodeExpired, SeverityError),
	}
	if got := keys(r.Problems); !slices.Equal(got, want) {
		t.Fatalf("problems = %q, want %q", got, want)
	}
}

func TestCheckLeavesCallerPoolAlone(t *testing.T) {
	f := newFixtures(t)
	pool := x509.NewCertPool()
	tests := []struct {
		name  string
		opts  Options
		wantV bool
	}{
		{"extra root trusted", Options{ServerName: host, Roots: pool, ExtraRoots: certs(f.root), Now: f.now}, true},
		{"caller pool still empty", Options{ServerName: host, Roots: pool, Now: f.now}, false},
		{"system roots plus extra root", Options{ServerName: host, ExtraRoots: certs(f.root), Now: f.now}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := Check(certs(f.leaf, f.inter), tc.opts); r.Verified != tc.wantV {
				t.Errorf("Verified = %v, want %v (problems %v)", r.Verified, tc.wantV, r.Problems)
			}
		})
	}
}

func TestProblemError(t *testing.T) {
	p := Problem{Level: 1, Field: FieldValidity, Code: CodeExpired, Severity: SeverityError, Message: "gone"}
	if got, want := p.Error(), "certificate level 1, validity (expired): gone"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func BenchmarkCheck(b *testing.B) {
	root := certgen.Must(b, certgen.Spec{CommonName: "Bench Root", IsCA: true}, nil)
	inter := certgen.Must(b, certgen.Spec{CommonName: "Bench Intermediate", IsCA: true}, root)
	leaf := certgen.Must(b, certgen.Spec{CommonName: host, DNSNames: []string{host}}, inter)
	pool := x509.NewCertPool()
	pool.AddCert(root.Cert)
	presented := certs(leaf, inter)
	opts := Options{ServerName: host, Roots: pool}
	for b.Loop() {
		if r := Check(presented, opts); !r.Verified {
			b.Fatalf("not verified: %v", r.Problems)
		}
	}
}
