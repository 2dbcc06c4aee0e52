package identity

import (
	"encoding/pem"
	"lockbox/client/certfile"
	"sort"
	"strings"
)

// pemContents is a PEM file sorted into what Lockbox cares about.
type pemContents struct {
	certs  []*pem.Block
	keys   []*pem.Block
	others []string
}

// splitPEM decodes every block in data (certfile.DecodePEM: a truncated
// file is an error).
func splitPEM(data []byte) (pemContents, error) {
	var pc pemContents
	blocks, err := certfile.DecodePEM(data)
	if err != nil {
		return pc, err
	}
	for _, b := range blocks {
		switch {
		case b.Type == "CERTIFICATE":
			pc.certs = append(pc.certs, b)
		case strings.HasSuffix(b.Type, "PRIVATE KEY"):
			pc.keys = append(pc.keys, b)
		default:
			pc.others = append(pc.others, b.Type)
		}
	}
	return pc, nil
}

// found lists the block types present, for "no X block found (found: Y)".
func (pc pemContents) found() string {
	seen := map[string]bool{}
	for _, t := range pc.others {
		seen[t] = true
	}
	if len(pc.certs) > 0 {
		seen["CERTIFICATE"] = true
	}
	for _, k := range pc.keys {
		seen[k.Type] = true
	}
	if len(seen) == 0 {
		return ""
	}
	names := make([]string, 0, len(seen))
	for t := range seen {
		names = append(names, t)
	}
	sort.Strings(names)
	return " (found: " + strings.Join(names, ", ") + ")"
}
