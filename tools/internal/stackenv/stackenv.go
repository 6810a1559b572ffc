// Package stackenv reads the stack env file careweave-dev writes while the
// dev stack runs (var/stack.env: DATABASE_URL, NATS_URL, AUTH_ISSUER,
// NATS_SEEDS_DIR, NATS_CA_FILE), so the tools that talk to a running stack
// find it the same way.
package stackenv

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// Read returns the KEY=value settings of the file at path, skipping
// comments; an error wraps os.ErrNotExist when the stack is not running.
// The map is never nil.
func Read(path string) (map[string]string, error) {
	env := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return env, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && !strings.HasPrefix(k, "#") {
			env[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		return env, fmt.Errorf("read %s: %w", path, err)
	}
	return env, nil
}
