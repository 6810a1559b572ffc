package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"

	"github.com/careweave/careweave/kit/natsauth"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/pgcluster"
	"github.com/careweave/careweave/kit/testkit"
)

// dataDir returns a data directory the postgres OS user can reach, removed
// after the test.
func dataDir(t *testing.T) string {
	t.Helper()
	parent, err := pgcluster.MkdirTemp("careweave-dev-test-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(parent); err != nil {
			t.Errorf("remove data dir: %v", err)
		}
	})
	return filepath.Join(parent, "var")
}

// runningStack is run() going in the background.
type runningStack struct {
	ready  Ready
	out    *syncBuffer
	cancel context.CancelFunc
	result chan error
	once   sync.Once
	err    error
}

// startStack runs run(cfg) until it reports ready, and stops it after the
// test if the test did not.
func startStack(t *testing.T, cfg Config) *runningStack {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &runningStack{out: &syncBuffer{}, cancel: cancel, result: make(chan error, 1)}
	readyCh := make(chan Ready, 1)
	cfg.OnReady = func(r Ready) { readyCh <- r }
	cfg.Output = s.out
	if cfg.BasePort == 0 {
		cfg.BasePort = defaultBasePort
	}
	go func() { s.result <- run(ctx, cfg, testLogger(t)) }()
	t.Cleanup(func() { _ = s.stop(t) })

	select {
	case s.ready = <-readyCh:
	case err := <-s.result:
		s.once.Do(func() { s.err = err })
		skipWithoutPostgres(t, err)
		t.Fatalf("run returned before it was ready: %v\noutput:\n%s", err, s.out.String())
	case <-time.After(5 * time.Minute): // building every service on a cold cache takes a while
		t.Fatalf("run not ready after 5 minutes; output:\n%s", s.out.String())
	}
	return s
}

// stop cancels run's context, as Ctrl-C does, and returns its result.
func (s *runningStack) stop(t *testing.T) error {
	t.Helper()
	s.once.Do(func() {
		s.cancel()
		select {
		case s.err = <-s.result:
		case <-time.After(2 * time.Minute):
			s.err = errors.New("run did not return within 2 minutes of cancellation")
		}
	})
	return s.err
}

// skipWithoutPostgres skips the test when run failed for want of an
// installed PostgreSQL server.
func skipWithoutPostgres(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, pgcluster.ErrBinariesNotFound) {
		t.Skipf("no PostgreSQL server installed: %v", err)
	}
}

func TestRunStartsInfrastructureAndKeepsDataAcrossRuns(t *testing.T) {
	cfg := Config{RepoRoot: t.TempDir(), DataDir: dataDir(t)}

	first := startStack(t, cfg)
	if !strings.Contains(first.out.String(), "No services found") {
		t.Errorf("summary does not say no services were found:\n%s", first.out.String())
	}
	db, err := pgx.Connect(t.Context(), first.ready.DatabaseURL)
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	if _, err := db.Exec(t.Context(), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('pg survives')"); err != nil {
		t.Fatalf("write to PostgreSQL: %v", err)
	}
	db.Close(t.Context())
	// The administrator finds the streams and the teams' subscriptions
	// provisioned, and makes a consumer of its own.
	admin := natsAs(t, first.ready, natsauth.AdminName)
	if _, err := admin.js.Consumer(t.Context(), natskit.EventStream, natskit.RecipientDurable("team-severn-ict")); err != nil {
		t.Fatalf("the team's subscription was not provisioned: %v", err)
	}
	if _, err := natskit.EnsureConsumer(t.Context(), admin.js, natskit.ConsumerSpec{Durable: "kept", FilterSubjects: []string{"care.>"}}); err != nil {
		t.Fatalf("create a consumer: %v", err)
	}
	admin.nc.Close()
	adminSeed, err := os.ReadFile(natsauth.SeedFile(first.ready.NATSSeedsDir, natsauth.AdminName))
	if err != nil {
		t.Fatal(err)
	}
	firstKeys := jwks(t, first.ready.IssuerURL)

	if err := first.stop(t); err != nil {
		t.Fatalf("first run stopped with %v, want a clean stop", err)
	}
	if resp, err := http.Get(first.ready.IssuerURL + "/.well-known/jwks.json"); err == nil {
		resp.Body.Close()
		t.Error("the token issuer still answers after the stack stopped")
	}
	if conn, err := pgx.Connect(t.Context(), first.ready.DatabaseURL); err == nil {
		conn.Close(t.Context())
		t.Error("PostgreSQL still accepts connections after the stack stopped")
	}
	if nc, err := nats.Connect(first.ready.NATSURL, nats.NoReconnect(), nats.RootCAs(first.ready.NATSCAFile), nats.Timeout(time.Second)); err == nil {
		nc.Close()
		t.Error("NATS still accepts connections after the stack stopped")
	}

	second := startStack(t, cfg)
	db, err = pgx.Connect(t.Context(), second.ready.DatabaseURL)
	if err != nil {
		t.Fatalf("connect to PostgreSQL again: %v", err)
	}
	var v string
	if err := db.QueryRow(t.Context(), "SELECT v FROM kept").Scan(&v); err != nil || v != "pg survives" {
		t.Errorf("PostgreSQL row after restart = %q, %v; want %q", v, err, "pg survives")
	}
	db.Close(t.Context())
	// The same seed and CA still sign in, and what JetStream held is there.
	if second.ready.NATSCAFile != first.ready.NATSCAFile {
		t.Errorf("CA file moved: %s, then %s", first.ready.NATSCAFile, second.ready.NATSCAFile)
	}
	if again, err := os.ReadFile(natsauth.SeedFile(second.ready.NATSSeedsDir, natsauth.AdminName)); err != nil || string(again) != string(adminSeed) {
		t.Errorf("the administrator's seed changed across a restart: %v", err)
	}
	admin = natsAs(t, second.ready, natsauth.AdminName)
	if _, err := admin.js.Consumer(t.Context(), natskit.EventStream, "kept"); err != nil {
		t.Errorf("consumer after restart: %v", err)
	}
	if keys := jwks(t, second.ready.IssuerURL); keys != firstKeys {
		t.Errorf("the issuer's keys changed across a restart:\n%s\n%s", firstKeys, keys)
	}
	if err := second.stop(t); err != nil {
		t.Fatalf("second run stopped with %v, want a clean stop", err)
	}
}

// jwks returns the issuer's key set.
func jwks(t *testing.T, issuer string) string {
	t.Helper()
	resp, err := http.Get(issuer + "/.well-known/jwks.json")
	if err != nil {
		t.Fatalf("GET the issuer's keys: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"kid"`) {
		t.Fatalf("GET the issuer's keys = %d %s, %v", resp.StatusCode, b, err)
	}
	return string(b)
}

// serviceSource is a stand-in service: it serves /healthz on HTTP_ADDR and,
// behind the kit's bearer token middleware trusting AUTH_ISSUER as every
// service does, /v1/whoami; it stops on SIGTERM, except under the name
// "crasher", which fails at once.
const serviceSource = `package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/careweave/careweave/kit/auth"
)

func main() {
	name := filepath.Base(os.Args[0])
	fmt.Printf("%s starting: http=%s nats=%t db=%t log=%s auth=%s\n", name, os.Getenv("HTTP_ADDR"),
		os.Getenv("NATS_URL") != "", os.Getenv("DATABASE_URL") != "", os.Getenv("LOG_FORMAT"), os.Getenv("AUTH_ISSUER"))
	if name == "crasher" {
		fmt.Fprintln(os.Stderr, "crasher: giving up")
		os.Exit(3)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	verifier, err := auth.NewVerifier(ctx, auth.Config{Issuer: os.Getenv("AUTH_ISSUER"), Audience: os.Getenv("AUTH_AUDIENCE"),
		JWKSURL: os.Getenv("AUTH_JWKS_URL")}, slog.Default())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/v1/whoami", func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.From(r.Context())
		fmt.Fprintf(w, "%s %s %s %s", p.Subject, p.Role, p.Org, p.PCN)
	})
	srv := &http.Server{Addr: os.Getenv("HTTP_ADDR"), Handler: verifier.Middleware(mux)}
	go func() {
		<-ctx.Done()
		srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("stopped cleanly")
}
`

// serviceRepo makes a repository holding the stand-in service under each of
// the given command paths, in a workspace with this repository's kit.
func serviceRepo(t *testing.T, cmdDirs ...string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	repo, err := findRepoRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	work, err := os.ReadFile(filepath.Join(repo, "go.work"))
	if err != nil {
		t.Fatal(err)
	}
	var goLine string // "go 1.26.8": the version the kit needs
	for line := range strings.Lines(string(work)) {
		if strings.HasPrefix(line, "go ") {
			goLine = strings.TrimSpace(line)
			break
		}
	}
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "go.mod"), "module example.com/fake\n\ngo 1.26\n")
	writeFile(t, filepath.Join(root, "go.work"), fmt.Sprintf("%s\n\nuse (\n\t.\n\t%q\n\t%q\n)\n",
		goLine, filepath.Join(repo, "kit"), filepath.Join(repo, "events")))
	for _, dir := range cmdDirs {
		writeFile(t, filepath.Join(root, dir, "main.go"), serviceSource)
	}
	return root
}

func TestRunBuildsAndSupervisesServices(t *testing.T) {
	root := serviceRepo(t, "services/visits/cmd/visitsd")
	base := testkit.FreePorts(t, 1)
	data := dataDir(t)
	s := startStack(t, Config{RepoRoot: root, DataDir: data, BasePort: base})

	want := []Endpoint{{Name: "visitsd", URL: "http://127.0.0.1:" + strconv.Itoa(base)}}
	if len(s.ready.Services) != 1 || s.ready.Services[0] != want[0] {
		t.Fatalf("ready services = %+v, want %+v", s.ready.Services, want)
	}
	resp, err := http.Get(want[0].URL + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz = %d, want 200", resp.StatusCode)
	}
	if !strings.HasPrefix(s.ready.IssuerURL, "http://127.0.0.1:") {
		t.Fatalf("issuer URL = %q, want http://127.0.0.1:<port>", s.ready.IssuerURL)
	}

	// Without a token the service refuses; with one the running issuer
	// mints on POST /token it knows who is calling.
	if status, body := whoami(t, want[0].URL, ""); status != http.StatusUnauthorized || !strings.Contains(body, "bearer token is required") {
		t.Errorf("GET /v1/whoami without a token = %d %s, want 401 asking for a bearer token", status, body)
	}
	if status, body := whoami(t, want[0].URL, "not-a-jwt"); status != http.StatusUnauthorized {
		t.Errorf("GET /v1/whoami with a bad token = %d %s, want 401", status, body)
	}
	token := mintToken(t, s.ready.IssuerURL, `{"sub":"para-jess-patel","role":"paramedic","org":"U84001","pcn":"U84001","ttl":"5m"}`)
	if status, body := whoami(t, want[0].URL, token); status != http.StatusOK || body != "para-jess-patel paramedic U84001 U84001" {
		t.Errorf("GET /v1/whoami with a minted token = %d %q, want 200 naming the paramedic", status, body)
	}

	// carectl finds the issuer, beside the servers, in the stack env file.
	env, err := os.ReadFile(filepath.Join(data, StackEnvFile))
	if err != nil {
		t.Fatalf("read the stack env file: %v", err)
	}
	if !strings.Contains(string(env), "\nAUTH_ISSUER="+s.ready.IssuerURL+"\n") || !strings.Contains(string(env), "\nNATS_URL=") {
		t.Errorf("stack env file lacks AUTH_ISSUER=%s:\n%s", s.ready.IssuerURL, env)
	}
	out := s.out.String()
	for _, line := range []string{
		"visitsd | visitsd starting: http=127.0.0.1:" + strconv.Itoa(base) + " nats=true db=true log=text auth=" + s.ready.IssuerURL + "\n",
		want[0].URL + "/healthz\n",
		"issuer      " + s.ready.IssuerURL + "  (development tokens, key in " + filepath.Join(data, IssuerKeyFile) + ")\n",
		"go run ./tools/cmd/carectl token -stack-env " + filepath.Join(data, StackEnvFile) + " -role care-coordinator -sub cc-nia-brown\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}

	if err := s.stop(t); err != nil {
		t.Fatalf("stack stopped with %v, want a clean stop", err)
	}
	s.out.waitFor(t, "visitsd | stopped cleanly\n", time.Second)
}

// whoami asks the stand-in service who the caller is, with token unless it
// is empty.
func whoami(t *testing.T, base, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/v1/whoami", nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /v1/whoami: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer ") {
			t.Errorf("401 with Content-Type %q and WWW-Authenticate %q, want a problem and a Bearer challenge", ct, resp.Header.Get("WWW-Authenticate"))
		}
	}
	return resp.StatusCode, string(body)
}

// mintToken asks the issuer's POST /token for a token, as carectl does.
func mintToken(t *testing.T, issuer, request string) string {
	t.Helper()
	resp, err := http.Post(issuer+"/token", "application/json", strings.NewReader(request))
	if err != nil {
		t.Fatalf("POST /token: %v", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" || tok.TokenType != "Bearer" {
		t.Fatalf("POST /token = %d, %+v, %v; want 200 with a bearer token", resp.StatusCode, tok, err)
	}
	return tok.AccessToken
}

func TestRunStopsStackWhenServiceExits(t *testing.T) {
	root := serviceRepo(t, "services/visits/cmd/visitsd", "projections/board/cmd/crasher")
	base := testkit.FreePorts(t, 2)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out := &syncBuffer{}
	err := run(ctx, Config{RepoRoot: root, DataDir: dataDir(t), BasePort: base, Output: out}, testLogger(t))
	skipWithoutPostgres(t, err)
	if err == nil || !strings.Contains(err.Error(), "crasher") || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("run = %v, want an error naming crasher and its exit status 3\noutput:\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "crasher | crasher: giving up\n") {
		t.Errorf("output lacks the crasher's last words:\n%s", out.String())
	}
}
