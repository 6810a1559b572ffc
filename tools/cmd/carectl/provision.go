package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/natsauth"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/tools/internal/provision"
)

// provisionCmd makes, as the administrator, what the components may only
// use: the streams, the projector's and notify's consumers, and every
// community team's subscription that is missing. Run it before the
// components start, and again after a release that changes a component's
// consumers or when the directory gains a team.
func provisionCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("carectl provision", flag.ContinueOnError)
	fs.SetOutput(stderr)
	b := config.NewBinder(fs, getenv)
	var n natsFlags
	n.bind(b)
	var topology natskit.TopologyConfig
	b.Int(&topology.Replicas, "replicas", "NATS_STREAM_REPLICAS", 1, "JetStream stream replicas: 1 on one server, 3 on a cluster")
	b.Duration(&topology.DuplicateWindow, "duplicate-window", "NATS_DUPLICATE_WINDOW", 10*time.Minute, "JetStream duplicate window")
	if err := b.Parse(args); err != nil {
		return err
	}
	if err := topology.Validate(); err != nil {
		return usageError{err}
	}
	dir, err := n.dir()
	if err != nil {
		return err
	}
	js, closeNATS, _, err := n.connect(ctx, stderr, natsauth.AdminName)
	if err != nil {
		return err
	}
	defer closeNATS()
	res, err := provision.Run(ctx, js, dir, topology)
	if err != nil {
		return err
	}
	made := "none"
	if len(res.Subscriptions) > 0 {
		made = strings.Join(res.Subscriptions, ", ")
	}
	fmt.Fprintf(stdout, "streams %s and %s provisioned (replicas %d); %d consumers of the projector and notify up to date; new team subscriptions: %s\n",
		natskit.EventStream, natskit.PoisonStream, topology.Replicas, res.Components, made)
	return nil
}
