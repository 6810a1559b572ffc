package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/kit/auth"
)

// issuerServer is the development issuer served over HTTP, as make run
// serves it, and a verifier of its tokens, as every service has.
func issuerServer(t *testing.T) (string, *auth.Verifier) {
	t.Helper()
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	iss, err := auth.NewIssuer(srv.URL, auth.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	handler = iss.Handler("careweave")
	v, err := auth.NewVerifier(t.Context(), auth.Config{Issuer: srv.URL, Audience: "careweave", JWKSURL: iss.JWKSURL()}, slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	return srv.URL, v
}

// carectlToken runs carectl token and returns its exit code, stdout and
// stderr.
func carectlToken(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"token"}, args...), func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

// expiresIn is how long from now the token's exp is.
func expiresIn(t *testing.T, token string) time.Duration {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWS", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	return time.Until(time.Unix(claims.Exp, 0))
}

func TestTokenPrintsAVerifiableTokenWithTheDirectorysDefaults(t *testing.T) {
	issuer, verifier := issuerServer(t)
	envFile := filepath.Join(t.TempDir(), "stack.env")
	// As make run leaves it.
	if err := os.WriteFile(envFile, []byte("# test\nDATABASE_URL=postgres://x@127.0.0.1/db\nNATS_URL=nats://127.0.0.1:4222\nAUTH_ISSUER="+issuer+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fromStackEnv := map[string]string{"CAREWEAVE_STACK_ENV": envFile}
	fromEnv := map[string]string{"AUTH_ISSUER": issuer, "CAREWEAVE_STACK_ENV": filepath.Join(t.TempDir(), "missing.env")}

	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		want auth.Principal
		ttl  time.Duration
	}{
		{"a paramedic, from AUTH_ISSUER", fromEnv, []string{"-role", "paramedic", "-clinician", "para-jess-patel"},
			auth.Principal{Subject: "para-jess-patel", Role: "paramedic", Org: "U84001", PCN: "U84001"}, time.Hour},
		{"the README's coordinator, from the stack env file", fromStackEnv, []string{"-role", "care-coordinator", "-sub", "cc-nia-brown", "-org", "U84001", "-pcn", "U84001"},
			auth.Principal{Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001"}, time.Hour},
		{"a GP: the role from the directory, the PCN from the practice", fromStackEnv, []string{"-clinician", "gp-amara-okafor", "-ttl", "5m"},
			auth.Principal{Subject: "gp-amara-okafor", Role: "gp", Org: "L84001", PCN: "U84001"}, 5 * time.Minute},
		{"a district nurse: the team and its PCN", fromStackEnv, []string{"-sub", "dn-maria-silva"},
			auth.Principal{Subject: "dn-maria-silva", Role: "district-nurse", Org: "team-severn-ict", PCN: "U84001", Team: "team-severn-ict"}, time.Hour},
		{"a social worker whose team id is too long for an org", fromStackEnv, []string{"-clinician", "sw-david-ross"},
			auth.Principal{Subject: "sw-david-ross", Role: "social-worker", PCN: "U84001", Team: "team-severn-social"}, time.Hour},
		{"someone the directory does not know, flags only", fromStackEnv, []string{"-role", "discharge-coordinator", "-sub", "hannah.lee", "-org", "RTE"},
			auth.Principal{Subject: "hannah.lee", Role: "discharge-coordinator", Org: "RTE"}, time.Hour},
		{"-issuer over AUTH_ISSUER", map[string]string{"AUTH_ISSUER": "http://127.0.0.1:1"}, []string{"-issuer", issuer, "-clinician", "pharm-ravi-shah", "-ttl", "12h"},
			auth.Principal{Subject: "pharm-ravi-shah", Role: "clinical-pharmacist", Org: "U84001", PCN: "U84001"}, 12 * time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := carectlToken(t, tt.env, tt.args...)
			if code != 0 {
				t.Fatalf("carectl token %v exited %d: %s", tt.args, code, errOut)
			}
			token, ok := strings.CutSuffix(out, "\n")
			if !ok || strings.ContainsAny(token, " \n") {
				t.Fatalf("stdout = %q, want the token alone on one line", out)
			}
			got, err := verifier.Verify(t.Context(), token)
			if err != nil {
				t.Fatalf("the printed token does not verify: %v", err)
			}
			got.TokenID = ""
			if got != tt.want {
				t.Errorf("token for %+v, want %+v", got, tt.want)
			}
			if d := expiresIn(t, token); d > tt.ttl || d < tt.ttl-time.Minute {
				t.Errorf("token expires in %s, want %s", d, tt.ttl)
			}
		})
	}

	// A role contradicting the directory is allowed, with a note on stderr.
	code, out, errOut := carectlToken(t, fromStackEnv, "-clinician", "para-jess-patel", "-role", "care-coordinator")
	if code != 0 || !strings.Contains(errOut, "the directory has para-jess-patel as paramedic, not care-coordinator") {
		t.Fatalf("carectl token as someone else's role exited %d, stderr %q", code, errOut)
	}
	if p, err := verifier.Verify(t.Context(), strings.TrimSpace(out)); err != nil || p.Role != "care-coordinator" {
		t.Errorf("token for %+v, %v; want the role asked for", p, err)
	}
}

func TestTokenMistakes(t *testing.T) {
	issuer, _ := issuerServer(t)
	env := map[string]string{"AUTH_ISSUER": issuer}
	noAuthIssuer := filepath.Join(t.TempDir(), "stack.env")
	if err := os.WriteFile(noAuthIssuer, []byte("DATABASE_URL=postgres://x@127.0.0.1/db\nNATS_URL=nats://127.0.0.1:4222\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"unknown role", env, []string{"-role", "wizard", "-sub", "cc-nia-brown"}, 2, `unknown role "wizard": want one of care-coordinator, gp, paramedic`},
		{"no subject", env, []string{"-role", "paramedic"}, 2, "-sub (or -clinician) is required"},
		{"no role for a stranger", env, []string{"-sub", "someone-else"}, 2, "-role is required for someone-else"},
		{"unknown clinician", env, []string{"-clinician", "para-nobody"}, 2, `-clinician "para-nobody" is not a clinician in the directory`},
		{"two people", env, []string{"-clinician", "para-jess-patel", "-sub", "para-owen-jones"}, 2, "name different people"},
		{"unknown team", env, []string{"-role", "community-nurse", "-sub", "cn-x", "-team", "team-nowhere"}, 2, `-team "team-nowhere" is not a community team`},
		{"ttl too long", env, []string{"-clinician", "para-jess-patel", "-ttl", "24h"}, 2, "-ttl 24h0m0s"},
		{"stray argument", env, []string{"-clinician", "para-jess-patel", "now"}, 2, "unexpected arguments"},
		{"no issuer anywhere", map[string]string{"CAREWEAVE_STACK_ENV": filepath.Join(t.TempDir(), "missing.env")}, []string{"-clinician", "para-jess-patel"}, 2, "start the dev stack with make run"},
		{"a stack env file of before tokens", map[string]string{"CAREWEAVE_STACK_ENV": noAuthIssuer}, []string{"-clinician", "para-jess-patel"}, 2, "does not name AUTH_ISSUER"},
		{"not a URL", map[string]string{"AUTH_ISSUER": "issuer.example"}, []string{"-clinician", "para-jess-patel"}, 2, "not an absolute http(s) URL"},
		{"the issuer refuses", env, []string{"-role", "gp", "-sub", "gp-x", "-org", "not an ods code"}, 1, "400 Bad Request"},
		{"no issuer listening", map[string]string{"AUTH_ISSUER": "http://127.0.0.1:1"}, []string{"-clinician", "para-jess-patel"}, 1, "is the dev stack running?"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := carectlToken(t, tt.env, tt.args...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("carectl token %v exited %d: %s; want %d and %q", tt.args, code, errOut, tt.wantCode, tt.wantErr)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}
}

func TestUsageListsToken(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"help"}, func(string) string { return "" }, &out, &errOut); code != 0 {
		t.Fatalf("carectl help exited %d", code)
	}
	if !strings.Contains(errOut.String(), "  token ") {
		t.Errorf("usage does not list token:\n%s", errOut.String())
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"token", "-h"}, func(string) string { return "" }, &out, &errOut); code != 0 || !strings.Contains(errOut.String(), "-clinician") {
		t.Errorf("carectl token -h exited %d:\n%s", code, errOut.String())
	}
}
