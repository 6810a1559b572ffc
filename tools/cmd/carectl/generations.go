package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/projections"
)

// generationsCmd lists the read models' generations.
func generationsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("carectl generations", flag.ContinueOnError)
	fs.SetOutput(stderr)
	b := config.NewBinder(fs, getenv)
	var srv servers
	srv.bind(b)
	var control string
	b.String(&control, "schema", "PROJECTIONS_SCHEMA", projections.Schema, "the read models' control schema")
	if err := b.Parse(args); err != nil {
		return err
	}
	if err := srv.resolve(true); err != nil {
		return err
	}
	pool, err := srv.openPostgres(ctx, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	gens, err := projections.Generations(ctx, pool, control)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "GENERATION\tSTATE\tCREATED\tLIVE FROM\tRETIRED\tREPLAYED")
	at := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.Local().Format(time.DateTime)
	}
	for _, g := range gens {
		replayed := "-"
		if g.Replayed != nil {
			replayed = fmt.Sprint(*g.Replayed)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", g.Generation, g.State, at(&g.CreatedAt), at(g.LiveAt), at(g.RetiredAt), replayed)
	}
	return tw.Flush()
}
