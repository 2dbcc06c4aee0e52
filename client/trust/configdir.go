package trust

import (
	"fmt"
	"os"
	"path/filepath"
)

// ConfigDirEnv names the environment variable that overrides the
// configuration directory, so tests and portable installs need not touch the
// user's real settings.
const ConfigDirEnv = "LOCKBOX_CONFIG_DIR"

// ConfigDir returns the Lockbox configuration directory: $LOCKBOX_CONFIG_DIR
// when set, else the "lockbox" directory under os.UserConfigDir. It is
// created with mode 0700 when missing, since it holds trust decisions that
// other local users must not be able to rewrite.
func ConfigDir() (string, error) {
	dir := os.Getenv(ConfigDirEnv)
	if dir == "" {
		base, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("find the configuration directory (set %s to choose one): %w", ConfigDirEnv, err)
		}
		dir = filepath.Join(base, "lockbox")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create configuration directory %s: %w", dir, err)
	}
	return dir, nil
}
