package client

import (
	"context"
	"strings"
	"testing"

	"lockbox/client/internal/enginetest"
)

// The shared helpers (see enginetest), under the names these tests use.
var (
	newPKI     = enginetest.NewPKI
	selfSigned = enginetest.SelfSigned
	startDemo  = enginetest.StartDemo
	serverTLS  = enginetest.ServerTLS
	serveHTTPS = enginetest.ServeHTTPS
	pinStore   = enginetest.PinStore
	rootsOf    = enginetest.RootsOf
	names      = enginetest.Names
)

// stepLog collects steps from an observer for assertions.
type stepLog = enginetest.StepLog

// pki is the test certificate authority (see enginetest.PKI).
type pki = enginetest.PKI

func mustTarget(t *testing.T, raw string) Target {
	t.Helper()
	tg, err := ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func containsInOrder(have []string, want ...string) bool {
	i := 0
	for _, h := range have {
		if i < len(want) && h == want[i] {
			i++
		}
	}
	return i == len(want)
}

func assertNoSecret(t *testing.T, where string, secret string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, secret) {
			t.Errorf("%s contains the password: %q", where, s)
		}
	}
}

var bg = context.Background()

func mustTargetTB(tb testing.TB, raw string) Target {
	tb.Helper()
	tg, err := ParseURL(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return tg
}
