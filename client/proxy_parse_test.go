package client

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseProxy(t *testing.T) {
	tests := []struct {
		raw     string
		want    string // %#v of the result, "" for nil
		wantErr string
	}{
		{"", "", ""},
		{"socks5://127.0.0.1:1080", `&client.Proxy{Kind:"socks5", Host:"127.0.0.1", Port:1080, User:"", Password:""}`, ""},
		{"socks5h://alice:s3cret@proxy.example:9050", `&client.Proxy{Kind:"socks5h", Host:"proxy.example", Port:9050, User:"alice", Password:"****"}`, ""},
		{"proxy.example:3128", `&client.Proxy{Kind:"http", Host:"proxy.example", Port:3128, User:"", Password:""}`, ""},
		{"HTTP://[::1]", `&client.Proxy{Kind:"http", Host:"::1", Port:1080, User:"", Password:""}`, ""},
		{"socks4://p:1080", "", "unsupported scheme"},
		{"https://p:443", "", "unsupported scheme"},
		{"socks5://:1080", "", "no host"},
		{"http://p:0", "", "bad port"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			p, err := ParseProxy(tt.raw)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if p != nil {
				got = fmt.Sprintf("%#v", p)
				if strings.Contains(p.String(), "s3cret") || strings.Contains(fmt.Sprintf("%v %s", p, p), "s3cret") {
					t.Errorf("the password is printed: %s", p)
				}
			}
			if got != tt.want {
				t.Errorf("ParseProxy = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestProxyBypassed follows curl's NO_PROXY.
func TestProxyBypassed(t *testing.T) {
	tests := []struct {
		noProxy, host string
		want          bool
	}{
		{"", "example.com", false},
		{"*", "example.com", true},
		{"example.com", "example.com", true},
		{"example.com", "ftp.example.com", true},
		{".example.com", "ftp.example.com", true},
		{"example.com", "badexample.com", false},
		{"localhost, 127.0.0.1", "127.0.0.1", true},
		{"localhost,127.0.0.1", "127.0.0.2", false},
		{"10.0.0.0/8", "10.1.2.3", true},
		{"10.0.0.0/8", "11.1.2.3", false},
		{"::1", "::1", true},
		{"EXAMPLE.com:21", "Example.COM", true},
		{"*.example.com", "ftp.example.com", false}, // curl: no wildcards but the lone *
	}
	for _, tt := range tests {
		t.Run(tt.noProxy+" "+tt.host, func(t *testing.T) {
			if got := ProxyBypassed(tt.noProxy, tt.host); got != tt.want {
				t.Errorf("ProxyBypassed(%q, %q) = %v, want %v", tt.noProxy, tt.host, got, tt.want)
			}
		})
	}
}
