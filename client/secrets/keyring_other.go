//go:build !(linux || netbsd || openbsd || freebsd || dragonfly)

package secrets

// sessionBusCheck has nothing to check where the keyring is not reached
// over D-Bus.
func sessionBusCheck() error { return nil }

// explainPlatform has no more to say than the library's error on macOS
// (Keychain) and Windows (Credential Manager).
func explainPlatform(error) string { return "" }
