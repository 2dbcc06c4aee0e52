package sites

import (
	"errors"
	"fmt"

	"lockbox/client"
	"lockbox/client/secrets"
)

// GlobalProxyKey is the key the settings' proxy password is stored under in
// a secrets.Store. Site keys start with "site:" or "site-proxy:", so no
// site name can reach it.
const GlobalProxyKey = "proxy:settings"

// ProxyPasswordKey is the key the password of a site's own proxy is stored
// under in a secrets.Store.
func ProxyPasswordKey(site string) string { return "site-proxy:" + site }

// SaveProxyPassword stores the password of the proxy under key
// (GlobalProxyKey or ProxyPasswordKey) in sec; "" removes it.
func SaveProxyPassword(sec secrets.Store, key, password string) error {
	var err error
	if password == "" {
		err = sec.Delete(key)
	} else {
		err = sec.Set(key, password)
	}
	if err != nil {
		return fmt.Errorf("save the proxy password: %w", err)
	}
	return nil
}

// ProxyPassword returns the proxy password saved under key, "" when none is.
func ProxyPassword(sec secrets.Store, key string) (string, error) {
	if sec == nil {
		return "", nil
	}
	pw, err := sec.Get(key)
	if errors.Is(err, secrets.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("proxy password: %w", err)
	}
	return pw, nil
}

// GlobalProxy is the proxy of the settings: its URL (no password), the
// hosts that go direct (as NO_PROXY) and the password from the keyring.
type GlobalProxy struct {
	URL, NoProxy, Password string
}

// ResolveProxy is the proxy a connection to the site's host goes through:
// the site's own (password from sec under ProxyPasswordKey), none for
// ProxyNone, else the settings' unless NoProxy names the host. nil means
// a direct connection.
func (s Site) ResolveProxy(global GlobalProxy, sec secrets.Store) (*client.Proxy, error) {
	if err := ValidateProxyURL(s.Proxy); err != nil {
		return nil, &FieldError{Site: s.Name, Field: "proxy", Problem: err.Error()}
	}
	switch s.Proxy {
	case ProxyNone:
		return nil, nil
	case ProxyDefault:
		t, err := client.ParseURL(s.URL)
		if err != nil || global.URL == "" || client.ProxyBypassed(global.NoProxy, t.Host) {
			return nil, nil
		}
		px, err := client.ParseProxy(global.URL)
		if err != nil {
			return nil, fmt.Errorf("the settings' proxy: %w", err)
		}
		if global.Password != "" {
			px.Password = global.Password
		}
		return px, nil
	}
	px, err := client.ParseProxy(s.Proxy)
	if err != nil {
		return nil, err
	}
	if px.Password, err = ProxyPassword(sec, ProxyPasswordKey(s.Name)); err != nil {
		return nil, fmt.Errorf("site %q: %w", s.Name, err)
	}
	return px, nil
}
