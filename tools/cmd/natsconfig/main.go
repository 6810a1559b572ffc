// Command natsconfig writes one node's nats-server configuration for a
// Careweave JetStream cluster: listeners, JetStream, the cluster routes,
// TLS, and one user per service, the projector, the query API, the
// administrator, each community team and each clinician's device gateway in
// the directory, each with only the permissions it needs (kit/natsauth).
//
//	go run ./tools/cmd/natsconfig -seeds /secure/careweave-nkeys -server-name careweave-nats-1 -out nats-1.conf
//
// Users sign in with nkeys. -seeds is a directory of seed files, one per
// user (<user>.nk, mode 0600): the missing ones are created, the rest kept,
// and only their public keys go into the file. Give each seed to its owner
// alone (NATS_NKEY_SEED_FILE), never commit the directory, and run the
// command again with the same directory for each node, and whenever the
// directory gains a team or a clinician. deploy/nats/README.md explains the
// users and their permissions.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/natsauth"
)

// Config is what the command is told.
type Config struct {
	Directory     string // directory file; empty: the embedded demo
	Seeds         string // the nkey seed directory (required)
	Out           string // the file to write; empty or "-": standard output
	ServerName    string
	Listen        string
	Monitor       string
	StoreDir      string
	MaxFileStore  string
	ClusterName   string
	ClusterListen string
	Routes        string // comma-separated route URLs; empty: no cluster
	TLSCert       string
	TLSKey        string
	TLSCA         string
	TLSVerify     bool
	NoTLS         bool
}

func (c *Config) bind(b *config.Binder) {
	b.String(&c.Directory, "directory", "DIRECTORY_FILE", "", "the directory of teams and clinicians (default: the embedded demo)")
	b.String(&c.Seeds, "seeds", "NATS_SEEDS_DIR", "", "directory of the users' nkey seeds, made where missing (required; keep it secret)")
	b.String(&c.Out, "out", "NATS_CONFIG_OUT", "-", "file to write (- for standard output)")
	b.String(&c.ServerName, "server-name", "NATS_SERVER_NAME", "careweave-nats-1", "this node's name, unique in the cluster")
	b.String(&c.Listen, "listen", "NATS_LISTEN", "0.0.0.0:4222", "client address")
	b.String(&c.Monitor, "monitor", "NATS_MONITOR", "127.0.0.1:8222", "monitoring address (empty: off)")
	b.String(&c.StoreDir, "store-dir", "NATS_STORE_DIR", "/var/lib/nats/jetstream", "JetStream store directory")
	b.String(&c.MaxFileStore, "max-file-store", "NATS_MAX_FILE_STORE", "200GB", "JetStream disk limit")
	b.String(&c.ClusterName, "cluster-name", "NATS_CLUSTER_NAME", "careweave", "cluster name, the same on every node")
	b.String(&c.ClusterListen, "cluster-listen", "NATS_CLUSTER_LISTEN", "0.0.0.0:6222", "route address")
	b.String(&c.Routes, "routes", "NATS_ROUTES",
		"nats-route://careweave-nats-1:6222,nats-route://careweave-nats-2:6222,nats-route://careweave-nats-3:6222",
		"every node's route URL, comma-separated (empty: a single node)")
	b.String(&c.TLSCert, "tls-cert", "NATS_TLS_CERT", "/etc/nats/tls/server.pem", "the node's certificate (PEM)")
	b.String(&c.TLSKey, "tls-key", "NATS_TLS_KEY", "/etc/nats/tls/server-key.pem", "the node's key (PEM)")
	b.String(&c.TLSCA, "tls-ca", "NATS_TLS_CA", "/etc/nats/tls/ca.pem", "the CA of client and route certificates (PEM)")
	b.Bool(&c.TLSVerify, "tls-verify", "NATS_TLS_VERIFY", true, "clients must present a certificate from the CA, besides their nkey")
	b.Bool(&c.NoTLS, "no-tls", "NATS_NO_TLS", false, "leave TLS out (never in production)")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fs := flag.NewFlagSet("natsconfig", flag.ContinueOnError)
	var cfg Config
	b := config.NewBinder(fs, os.Getenv)
	cfg.bind(b)
	if err := b.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "natsconfig:", err)
		os.Exit(2)
	}
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "natsconfig:", err)
		os.Exit(1)
	}
}

// run writes the configuration.
func run(_ context.Context, cfg Config, stdout io.Writer) error {
	if cfg.Seeds == "" {
		return errors.New("-seeds is required: the directory holding (or to hold) every user's nkey seed")
	}
	dir, err := directory.Load(cfg.Directory)
	if err != nil {
		return err
	}
	principals := natsauth.Principals(dir)
	keys, err := natsauth.EnsureSeeds(cfg.Seeds, principals)
	if err != nil {
		return err
	}
	users, err := natsauth.NewUsers(principals, keys)
	if err != nil {
		return err
	}
	sc := natsauth.ServerConfig{
		Header:       header(cfg, dir),
		ServerName:   cfg.ServerName,
		Listen:       cfg.Listen,
		Monitor:      cfg.Monitor,
		StoreDir:     cfg.StoreDir,
		MaxFileStore: cfg.MaxFileStore,
		MaxPayload:   "1MB", // events are capped at 256 KiB (events.MaxEncodedSize)
		Users:        users,
	}
	if routes := splitList(cfg.Routes); len(routes) > 0 {
		sc.Cluster = &natsauth.ClusterConfig{Name: cfg.ClusterName, Listen: cfg.ClusterListen, Routes: routes}
	}
	if !cfg.NoTLS {
		sc.TLS = &natsauth.TLSFiles{CertFile: cfg.TLSCert, KeyFile: cfg.TLSKey, CAFile: cfg.TLSCA, Verify: cfg.TLSVerify}
	}
	if cfg.Out == "" || cfg.Out == "-" {
		return natsauth.Render(stdout, sc)
	}
	return writeFile(cfg.Out, sc)
}

// writeFile renders into a temporary file beside out and renames it, so a
// server never reads half a config.
func writeFile(out string, sc natsauth.ServerConfig) error {
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	if err := natsauth.Render(f, sc); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil { // public keys only: no secret in it
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), out)
}

func header(cfg Config, dir *directory.Directory) string {
	var b strings.Builder
	fmt.Fprintf(&b, "nats-server configuration of node %s, written by tools/cmd/natsconfig from directory version %s\n", cfg.ServerName, dir.Version)
	b.WriteString("(do not edit: run it again, with the same -seeds directory, for each node and\n")
	b.WriteString("whenever the directory changes). Start the node with: nats-server -c <this file>\n")
	b.WriteString("\n")
	b.WriteString("Streams and every durable consumer are made by the administrator user (carectl\n")
	b.WriteString("provision -replicas 3) before the components start, so losing one node loses no\n")
	b.WriteString("acknowledged event. Users, permissions and TLS: deploy/nats/README.md.")
	return b.String()
}

func splitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
