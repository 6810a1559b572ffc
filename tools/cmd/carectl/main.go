// Command carectl is the operator's tool for a Careweave deployment.
//
//	carectl provision                        the streams and every consumer the components only use (as admin)
//	carectl rebuild                          rebuild the read models from the event stream, without downtime
//	carectl generations                      list the read models' generations
//	carectl subscriptions create -team <id>  a team's durable subscription to its discharge notices (-clinician <id>: a gateway's)
//	carectl subscriptions list               the teams' subscriptions and what waits in them
//	carectl watch discharges -team <id>      print a team's discharge notices, resuming after a restart
//	carectl token -role <role> -sub <id>     print a bearer token from the development issuer
//
// It finds PostgreSQL and NATS from -database-url and -nats-url, else from
// DATABASE_URL and NATS_URL, and the token issuer from -issuer, else from
// AUTH_ISSUER, else from var/stack.env, which `make run` writes while the
// dev stack runs. It signs in to NATS as the user it acts for — admin to
// provision, manage subscriptions and rebuild, the team to watch its
// notices — with that user's seed from -nats-seeds (NATS_SEEDS_DIR, or the
// dev stack's), its inbox prefix, and the CA of -nats-ca-file
// (NATS_CA_FILE); or with the seed of -nats-nkey-seed-file as given.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"provision", "make the streams, the projector's and notify's consumers and the teams' subscriptions, as the NATS administrator", provisionCmd},
	{"rebuild", "rebuild the read models from the event stream and switch to them, without downtime", rebuildCmd},
	{"generations", "list the read models' generations", generationsCmd},
	{"subscriptions", "create a community team's durable subscription to its discharge notices (create -team <id>) or a device gateway's (create -clinician <id>), or list them", subscriptionsCmd},
	{"watch", "print a team's discharge notices as they arrive, resuming where it left off (watch discharges -team <id>)", watchCmd},
	{"token", "print a bearer token from the development issuer for calling the APIs (token -role <role> -sub <id>, or -clinician <id>)", tokenCmd},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run returns the exit code: 0 done, 1 failed, 2 bad usage.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], getenv, stdout, stderr)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, new(usageError)):
			fmt.Fprintf(stderr, "carectl %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "carectl %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "carectl: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: carectl <command> [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun carectl <command> -h for its flags.")
}

// usageError is a mistake in the command line.
type usageError struct{ error }
