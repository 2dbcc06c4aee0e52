package main

import (
	"fmt"

	"lockbox/client"
)

// proxyEnv names the environment variables that choose a proxy for a
// scheme, in the order curl reads them: the scheme's own (lower case
// first), then ALL_PROXY. Like curl, an ftp:// URL reads ftp_proxy and an
// ftps:// URL ftps_proxy; ftpes:// is FTP on port 21, so it reads
// ftp_proxy too.
func proxyEnv(s client.Scheme) []string {
	var names []string
	switch s {
	case client.HTTPS:
		names = []string{"https_proxy", "HTTPS_PROXY"}
	case client.FTPS:
		names = []string{"ftps_proxy", "FTPS_PROXY"}
	default:
		names = []string{"ftp_proxy", "FTP_PROXY"}
	}
	return append(names, "all_proxy", "ALL_PROXY")
}

// proxyFor is the proxy for t, as curl chooses it: --proxy, else the
// first of proxyEnv that is set; none when the host is in --noproxy, else
// in NO_PROXY (no_proxy first). --proxy "" means none.
func (f *cliFlags) proxyFor(t client.Target, getenv func(string) string) (*client.Proxy, error) {
	raw, from := f.proxy, "--proxy"
	if !f.proxySet {
		raw = ""
		for _, name := range proxyEnv(t.Scheme) {
			if v := getenv(name); v != "" {
				raw, from = v, name
				break
			}
		}
	}
	if raw == "" {
		return nil, nil
	}
	noProxy := f.noProxy
	if !f.noProxySet {
		noProxy = getenv("no_proxy")
		if noProxy == "" {
			noProxy = getenv("NO_PROXY")
		}
	}
	if client.ProxyBypassed(noProxy, t.Host) {
		return nil, nil
	}
	px, err := client.ParseProxy(raw)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", from, err)}
	}
	return px, nil
}
