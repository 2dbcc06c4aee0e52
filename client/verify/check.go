package verify

import (
	"crypto/x509"
	"sort"
)

// Check examines the certificates a server presented (leaf first) and
// reports every problem found, per certificate and per field.
func Check(presented []*x509.Certificate, opts Options) Result {
	if len(presented) == 0 {
		return Result{Problems: []Problem{newError(0, FieldChain, CodeIncompleteChain,
			"The server sent no certificate at all, so it cannot prove who it is. Check that you connected to the right port and protocol.")}}
	}
	opts = opts.withDefaults()
	v := newVerifier(presented, opts)
	// The usual case, a good chain, needs no second opinion on trust.
	strictChain, strictErr := v.strict(presented[0], opts.ServerName)
	chain, leftover, anchored, explained := strictChain, notIn(presented, strictChain), true, false
	if strictErr != nil {
		chain, leftover, anchored, explained = displayChain(v, presented, opts.ExtraRoots)
	}

	var problems []Problem
	if !anchored && !explained {
		problems = append(problems, trustProblem(chain))
	}
	problems = append(problems, levelProblems(chain, anchored, opts)...)
	if p, ok := hostnameProblem(chain[0], opts.ServerName); ok {
		problems = append(problems, p)
	}
	if strictErr != nil && !HasErrors(problems) {
		problems = append(problems, verifierProblem(strictErr, chain))
	}
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].Level != problems[j].Level {
			return problems[i].Level < problems[j].Level
		}
		return problems[i].Field < problems[j].Field
	})
	return Result{
		Chain:    append(chain, leftover...),
		Verified: strictErr == nil && !HasErrors(problems),
		Problems: problems,
	}
}

// displayChain finds the chain to show and whether it reaches a trusted root
// (anchored). x509.Verify's own chain is preferred; failing that, the chain
// is built by hand and its top is verified on its own, which finds the root
// even when a lower link is one x509.Verify refuses (SHA-1, not a CA).
// explained is true when the top's issuer exists but was refused because of
// the top's own weak signature, which is reported as such.
func displayChain(v verifier, presented, extra []*x509.Certificate) (chain, leftover []*x509.Certificate, anchored, explained bool) {
	built, leftover := buildChain(presented, extra)
	full, err := v.relaxed(presented[0], built)
	if err == nil {
		return full, notIn(presented, full), true, false
	}
	top := built[len(built)-1]
	if len(built) > 1 {
		var ext []*x509.Certificate
		if ext, err = v.relaxed(top, nil); err == nil {
			return append(built, ext[1:]...), leftover, true, false
		}
	}
	_, weak := weakSignatureProblem(len(built)-1, built)
	return built, leftover, false, weak && !selfSigned(top) && rejectedCandidate(err)
}

func notIn(all, chain []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range all {
		if !inChain(chain, c) {
			out = append(out, c)
		}
	}
	return out
}

// levelProblems runs the per-certificate checks. The top of an anchored
// chain is a trust anchor the user chose: its own signature and CA flags do
// not matter, and a self-signed top's signature never proves anything.
func levelProblems(chain []*x509.Certificate, anchored bool, opts Options) []Problem {
	top := len(chain) - 1
	skipSignature := anchored || selfSigned(chain[top])
	var out []Problem
	add := func(p Problem, ok bool) {
		if ok {
			out = append(out, p)
		}
	}
	for level := range chain {
		add(validityProblem(level, chain, opts.Now, opts.SoonWindow))
		add(weakKeyProblem(level, chain))
		add(usageProblem(level, chain))
		if level != top || !skipSignature {
			add(weakSignatureProblem(level, chain))
		}
		if level > 0 && (level != top || !anchored) {
			add(notACAProblem(level, chain))
		}
	}
	return out
}
