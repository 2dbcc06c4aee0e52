package certfile

import (
	"encoding/pem"
	"strings"
	"testing"
)

func TestDecodePEM(t *testing.T) {
	one := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("first")}))
	two := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("second")}))
	for _, tc := range []struct {
		name    string
		data    string
		types   []string
		wantErr string
	}{
		{"two blocks with text around", "comment\n" + one + "between\n" + two, []string{"CERTIFICATE", "PRIVATE KEY"}, ""},
		{"none", "just text", nil, ""},
		{"second cut short", one + two[:len(two)-30], nil, "2 blocks begin but only 1 are complete"},
		{"END line edited", strings.Replace(one, "-----END CERTIFICATE", "-----END CERT", 1), nil, "1 blocks begin but only 0 are complete"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			blocks, err := DecodePEM([]byte(tc.data))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				if blocks != nil {
					t.Fatalf("blocks returned with the error: %d", len(blocks))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, b := range blocks {
				types = append(types, b.Type)
			}
			if strings.Join(types, ",") != strings.Join(tc.types, ",") {
				t.Fatalf("types %v, want %v", types, tc.types)
			}
		})
	}
}
