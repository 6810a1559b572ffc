package natsauth

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nats-io/nkeys"
)

// User is one NATS user: who it is, the public nkey it signs in with, the
// inbox prefix it must use and what it may do.
type User struct {
	Principal   Principal
	NKey        string // public user key, "U..."
	InboxPrefix string
	Permissions Permissions
}

// Name is the user's name (its principal's id).
func (u User) Name() string { return u.Principal.User() }

// NewUsers pairs each principal with its public key (keys: user name →
// public nkey) and computes its permissions.
func NewUsers(principals []Principal, keys map[string]string) ([]User, error) {
	if err := Validate(principals); err != nil {
		return nil, err
	}
	users := make([]User, 0, len(principals))
	seenKey := map[string]string{}
	for _, p := range principals {
		key, ok := keys[p.User()]
		if !ok {
			return nil, fmt.Errorf("%s: no public key", p)
		}
		if !nkeys.IsValidPublicUserKey(key) {
			return nil, fmt.Errorf("%s: %q is not a public user nkey", p, key)
		}
		if other, dup := seenKey[key]; dup {
			return nil, fmt.Errorf("%s and %s have the same key", other, p)
		}
		seenKey[key] = p.User()
		users = append(users, User{Principal: p, NKey: key, InboxPrefix: InboxPrefix(p.User()), Permissions: PermissionsFor(p, principals)})
	}
	return users, nil
}

// SeedFile is where EnsureSeeds keeps user's seed in dir.
func SeedFile(dir, user string) string { return filepath.Join(dir, user+".nk") }

// EnsureSeeds makes sure dir holds a seed file for every principal
// (SeedFile; mode 0600, in a directory of mode 0700), creating the missing
// ones and keeping the rest, and returns every principal's public key. A
// seed is its owner's secret: give each file only to the component, team
// or gateway it names (natskit.ConnectConfig.NKeySeedFile).
func EnsureSeeds(dir string, principals []Principal) (map[string]string, error) {
	if err := Validate(principals); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("nkey seeds: %w", err)
	}
	keys := make(map[string]string, len(principals))
	for _, p := range principals {
		path := SeedFile(dir, p.User())
		kp, err := readSeed(path)
		if errors.Is(err, os.ErrNotExist) {
			kp, err = writeSeed(path)
		}
		if err != nil {
			return nil, fmt.Errorf("nkey seed of %s: %w", p, err)
		}
		pub, err := kp.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("nkey seed of %s: %w", p, err)
		}
		keys[p.User()] = pub
	}
	return keys, nil
}

func readSeed(path string) (nkeys.KeyPair, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	kp, err := nkeys.FromSeed([]byte(strings.TrimSpace(string(b))))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if pub, err := kp.PublicKey(); err != nil || !nkeys.IsValidPublicUserKey(pub) {
		return nil, fmt.Errorf("%s: not a user seed", path)
	}
	return kp, nil
}

func writeSeed(path string) (nkeys.KeyPair, error) {
	kp, err := nkeys.CreateUser()
	if err != nil {
		return nil, err
	}
	seed, err := kp.Seed()
	if err != nil {
		return nil, err
	}
	// O_EXCL: two processes making the same seed at once must not end up
	// with different keys on disk and in a config.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return readSeed(path)
		}
		return nil, err
	}
	_, err = f.Write(append(seed, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return nil, err
	}
	return kp, nil
}
