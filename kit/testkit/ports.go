package testkit

import (
	"testing"

	"github.com/careweave/careweave/kit/freeport"
)

// FreePorts returns the first of n consecutive ports on 127.0.0.1 that no
// other process will be given while this test binary runs (for stacks whose
// processes take their ports from a base; a server that can listen on port
// 0 should do that instead).
func FreePorts(t testing.TB, n int) int {
	t.Helper()
	base, err := freeport.Run(n)
	if err != nil {
		t.Fatal(err)
	}
	return base
}
