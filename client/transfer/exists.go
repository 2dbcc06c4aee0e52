package transfer

import "fmt"

// PartSuffix is added to a download's name until it is complete and its
// size matches the server's.
const PartSuffix = ".lockbox-part"

// ExistsPolicy says what a transfer does when its target already exists.
type ExistsPolicy string

// The existing-files policies.
const (
	// ExistsResume (the default) continues a download from its
	// .lockbox-part file (REST) and an upload from the server's shorter
	// file (REST+STOR, or APPE); a target that already has the source's
	// size is left alone (skipped); a target of another size is replaced,
	// for downloads only once the new copy is complete.
	ExistsResume ExistsPolicy = "resume"
	// ExistsOverwrite transfers the whole file again and replaces the target.
	ExistsOverwrite ExistsPolicy = "overwrite"
	// ExistsSkip leaves any existing target alone.
	ExistsSkip ExistsPolicy = "skip"
	// ExistsRename keeps the existing target and writes "name (1).ext".
	ExistsRename ExistsPolicy = "rename"
)

// ParseExistsPolicy parses "resume", "overwrite", "skip" or "rename".
func ParseExistsPolicy(s string) (ExistsPolicy, error) {
	switch p := ExistsPolicy(s); p {
	case ExistsResume, ExistsOverwrite, ExistsSkip, ExistsRename:
		return p, nil
	case "":
		return ExistsResume, nil
	}
	return "", fmt.Errorf("existing-files policy %q: use overwrite, skip, resume or rename", s)
}

// The existing-files policy is decided here for both directions: a
// download asks about the local target, an upload about the server's.

// onExisting applies the policy to a target that exists (found) or not:
// ExistsSkip leaves an existing one alone (skip), ExistsRename numbers the
// name ("name (1).ext", …) until taken says the name is free; the others
// keep the name.
func (p ExistsPolicy) onExisting(name string, found bool, taken func(string) (bool, error)) (target string, skip bool, err error) {
	switch p {
	case ExistsSkip:
		return name, found, nil
	case ExistsRename:
		target = name
		for n := 1; found; n++ {
			target = numbered(name, n)
			if found, err = taken(target); err != nil {
				return "", false, err
			}
		}
		return target, false, nil
	}
	return name, false, nil
}

// keepsSameSize reports whether the policy leaves an existing target that
// already has the source's size alone: ExistsResume takes it as complete.
func (p ExistsPolicy) keepsSameSize(found bool, have, want int64) bool {
	return p == ExistsResume && found && have == want
}

// resumesPart reports whether a download continues its .lockbox-part file:
// under every policy but ExistsOverwrite.
func (p ExistsPolicy) resumesPart() bool { return p != ExistsOverwrite }

// uploadOffset is where an upload continues the server's file of have
// bytes, of a local file of want: only ExistsResume continues a shorter one.
func (p ExistsPolicy) uploadOffset(found bool, have, want int64) int64 {
	if p == ExistsResume && found && have > 0 && have < want {
		return have
	}
	return 0
}
