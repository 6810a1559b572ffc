package testkit

import (
	"os"
	"testing"
)

// Main runs a test binary's tests. Today it requires DATABASE_URL (make test
// provides one); it is the single place a private cluster would be started.
func Main(m *testing.M) {
	os.Exit(m.Run())
}
