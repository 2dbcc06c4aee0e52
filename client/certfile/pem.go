package certfile

import (
	"bytes"
	"encoding/pem"
	"fmt"
)

// DecodePEM returns every PEM block in data, in order. pem.Decode skips a
// damaged block silently, so the BEGIN lines are counted too: more of them
// than complete blocks (a file cut short or edited) is an error, never a
// shorter list.
func DecodePEM(data []byte) ([]*pem.Block, error) {
	var blocks []*pem.Block
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		blocks = append(blocks, b)
	}
	if begins := bytes.Count(data, []byte("-----BEGIN ")); begins > len(blocks) {
		return nil, fmt.Errorf("truncated or malformed PEM: %d blocks begin but only %d are complete; the file was cut short or edited", begins, len(blocks))
	}
	return blocks, nil
}
