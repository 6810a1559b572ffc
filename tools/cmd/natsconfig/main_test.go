package main

import (
	"bytes"
	"crypto/tls"
	"os"
	"path/filepath"
	"testing"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/natsauth"
	"github.com/careweave/careweave/kit/natsembed"
)

func TestWritesAConfigNATSServerReadsWithEveryUser(t *testing.T) {
	certs, err := natsembed.EnsureDevCertificates(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	seeds := filepath.Join(t.TempDir(), "seeds")
	out := filepath.Join(t.TempDir(), "nats-1.conf")
	cfg := Config{Seeds: seeds, Out: out, ServerName: "careweave-nats-1", Listen: "0.0.0.0:4222", StoreDir: t.TempDir(),
		ClusterName: "careweave", ClusterListen: "0.0.0.0:6222",
		Routes:  "nats-route://careweave-nats-1:6222, nats-route://careweave-nats-2:6222,nats-route://careweave-nats-3:6222",
		TLSCert: certs.CertFile, TLSKey: certs.KeyFile, TLSCA: certs.CAFile, TLSVerify: true}
	if err := run(t.Context(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	opts, err := server.ProcessConfigFile(out)
	if err != nil {
		t.Fatalf("nats-server cannot read it: %v", err)
	}
	dir := directory.Demo()
	if want := len(natsauth.Principals(dir)); len(opts.Nkeys) != want {
		t.Fatalf("%d users, want %d", len(opts.Nkeys), want)
	}
	if len(opts.Routes) != 3 || opts.Cluster.TLSConfig == nil || opts.TLSConfig == nil || opts.TLSConfig.ClientAuth != tls.RequireAndVerifyClientCert || opts.ServerName != "careweave-nats-1" {
		t.Fatalf("routes %v, cluster tls %v, tls %v verify %v", opts.Routes, opts.Cluster.TLSConfig != nil, opts.TLSConfig != nil, opts.TLSConfig.ClientAuth)
	}
	for _, p := range natsauth.Principals(dir) {
		if fi, err := os.Stat(natsauth.SeedFile(seeds, p.User())); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("seed of %s: %v", p, err)
		}
	}
	first, _ := os.ReadFile(out)
	// A second node from the same seeds has the same users.
	cfg.ServerName = "careweave-nats-2"
	var second bytes.Buffer
	cfg.Out = "-"
	if err := run(t.Context(), cfg, &second); err != nil {
		t.Fatal(err)
	}
	if got := bytes.ReplaceAll(second.Bytes(), []byte("careweave-nats-2\""), []byte("careweave-nats-1\"")); !bytes.Equal(bytes.ReplaceAll(got, []byte("node careweave-nats-2"), []byte("node careweave-nats-1")), first) {
		t.Fatal("the second node's file differs beyond its name")
	}
}

func TestSeedsAreRequired(t *testing.T) {
	if err := run(t.Context(), Config{}, nil); err == nil {
		t.Fatal("ran without a seed directory")
	}
}
