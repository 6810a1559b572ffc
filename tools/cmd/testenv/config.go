package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// defaultKillAfter is how long the command gets to exit after a forwarded
// signal before it is killed.
const defaultKillAfter = 30 * time.Second

// Config is what testenv runs with.
type Config struct {
	// Command is the program and its arguments. Required.
	Command []string
	// Durable keeps PostgreSQL's full durability; off by default since a
	// test cluster is thrown away.
	Durable bool
	// Dir is the cluster's data directory, kept after the run. Empty means a
	// fresh temporary directory, removed after the run.
	Dir string
	// DatabaseURL, when set, names the database to use; no cluster is started.
	DatabaseURL string
	// KillAfter is how long the command gets to exit after a forwarded signal
	// before it is killed.
	KillAfter time.Duration

	// Stdin, Stdout and Stderr are the command's standard streams. Default:
	// this process's.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Signals delivers the signals to forward to the command; nil forwards
	// none.
	Signals <-chan os.Signal
}

func (c *Config) setDefaults() {
	if c.KillAfter == 0 {
		c.KillAfter = defaultKillAfter
	}
	if c.Stdin == nil {
		c.Stdin = os.Stdin
	}
	if c.Stdout == nil {
		c.Stdout = os.Stdout
	}
	if c.Stderr == nil {
		c.Stderr = os.Stderr
	}
}

// Validate reports whether testenv can run with c.
func (c Config) Validate() error {
	var errs []error
	if len(c.Command) == 0 || c.Command[0] == "" {
		errs = append(errs, errors.New("no command given: usage: testenv [flags] -- command [args...]"))
	}
	if c.KillAfter < 0 {
		errs = append(errs, fmt.Errorf("kill-after %s is negative", c.KillAfter))
	}
	return errors.Join(errs...)
}

// parseConfig builds a Config from the command line and the environment.
func parseConfig(args []string, getenv func(string) string, errOut io.Writer) (Config, error) {
	fs := flag.NewFlagSet("testenv", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprintf(errOut, "Usage: testenv [flags] -- command [args...]\n\n"+
			"Runs the command with DATABASE_URL naming a private throwaway PostgreSQL cluster,\n"+
			"or with the DATABASE_URL already set in the environment.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	var cfg Config
	fs.BoolVar(&cfg.Durable, "durable", false, "keep PostgreSQL's full durability (fsync on); slower")
	fs.StringVar(&cfg.Dir, "dir", "", "cluster data directory, kept afterwards (default: a fresh temporary directory, removed afterwards)")
	fs.DurationVar(&cfg.KillAfter, "kill-after", defaultKillAfter, "how long the command gets to exit after Ctrl-C before it is killed")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	cfg.Command = fs.Args()
	cfg.DatabaseURL = getenv("DATABASE_URL")
	if cfg.Dir != "" {
		dir, err := filepath.Abs(cfg.Dir)
		if err != nil {
			return Config{}, fmt.Errorf("resolve -dir: %w", err)
		}
		cfg.Dir = dir
	}
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}
