package identity

import (
	"bytes"
	"encoding/pem"
	"fmt"
	"sort"
	"strings"
)

// pemContents is a PEM file sorted into what Lockbox cares about.
type pemContents struct {
	certs  []*pem.Block
	keys   []*pem.Block
	others []string
}

// splitPEM decodes every block in data. pem.Decode skips a damaged block
// silently, so the BEGIN lines are counted to notice truncation.
func splitPEM(data []byte) (pemContents, error) {
	var pc pemContents
	decoded := 0
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		decoded++
		switch {
		case b.Type == "CERTIFICATE":
			pc.certs = append(pc.certs, b)
		case strings.HasSuffix(b.Type, "PRIVATE KEY"):
			pc.keys = append(pc.keys, b)
		default:
			pc.others = append(pc.others, b.Type)
		}
	}
	if begins := bytes.Count(data, []byte("-----BEGIN ")); begins > decoded {
		return pc, fmt.Errorf("truncated or malformed PEM: %d blocks begin but only %d are complete", begins, decoded)
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
