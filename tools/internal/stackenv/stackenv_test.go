package stackenv_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/careweave/careweave/tools/internal/stackenv"
)

func TestReadSkipsCommentsAndSaysWhenTheStackIsNotRunning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stack.env")
	if err := os.WriteFile(path, []byte("# written by careweave-dev\nAUTH_ISSUER=http://127.0.0.1:8079\nDATABASE_URL=postgres://x/y?a=b\nnot a setting\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env, err := stackenv.Read(path)
	if err != nil || len(env) != 2 || env["AUTH_ISSUER"] != "http://127.0.0.1:8079" || env["DATABASE_URL"] != "postgres://x/y?a=b" {
		t.Fatalf("Read = %v, %v", env, err)
	}
	env, err = stackenv.Read(filepath.Join(t.TempDir(), "missing"))
	if !errors.Is(err, os.ErrNotExist) || env == nil {
		t.Fatalf("Read of a missing file = %v, %v", env, err)
	}
}
