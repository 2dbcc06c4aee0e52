// Package secrets keeps passwords out of Lockbox's files: they go to a
// Store, which in the application is the operating system's keyring.
package secrets

import (
	"errors"
	"sync"
)

// ErrNotFound is returned by Get when no secret is stored under the key.
var ErrNotFound = errors.New("no secret stored under this key")

// Store keeps secrets by key. Implementations must be safe for concurrent use.
type Store interface {
	// Get returns the secret stored under key, or ErrNotFound.
	Get(key string) (string, error)
	// Set stores secret under key, replacing any earlier one.
	Set(key, secret string) error
	// Delete removes the secret under key; deleting a missing key is not an error.
	Delete(key string) error
}

// Memory is a Store that keeps secrets in memory only, for tests and for
// the session when no keyring is available.
type Memory struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{m: map[string]string{}} }

// Get implements Store.
func (m *Memory) Get(key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.m[key]
	if !ok {
		return "", ErrNotFound
	}
	return s, nil
}

// Set implements Store.
func (m *Memory) Set(key, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[key] = secret
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, key)
	return nil
}
