package ftpwire

import "testing"

func TestHexSum(t *testing.T) {
	sha256 := "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"
	tests := []struct {
		name       string
		msg        string
		hexLen     int
		dropsZeros bool
		want       string
		ok         bool
	}{
		{"HASH reply", "SHA-256 0-4 " + sha256 + " test.txt", 64, false, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", true},
		{"X-command reply", sha256, 64, false, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", true},
		{"a name of the right length is not hex", "SHA-256 0-4 " + "z" + sha256[1:], 64, false, "", false},
		{"CRC32 without its leading zeros", "CRC32 0-4 d87f7e0c file", 8, true, "d87f7e0c", true},
		{"CRC32 short", "CRC32 0-4 87f7e0c file", 8, true, "087f7e0c", true},
		{"short token without dropsZeros", "87f7e0c", 8, false, "", false},
		{"nothing", "213 done", 40, false, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := HexSum(tc.msg, tc.hexLen, tc.dropsZeros)
			if got != tc.want || ok != tc.ok {
				t.Errorf("HexSum(%q) = %q, %v; want %q, %v", tc.msg, got, ok, tc.want, tc.ok)
			}
		})
	}
}
