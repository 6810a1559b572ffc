package service

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/patientref"
)

// Process describes a service's command: its name and how it builds its
// options from what every care service loads. A cmd's main is then one
// line, and the settings mean the same in every service.
type Process struct {
	Name string
	// Schema is the default PostgreSQL schema (default: Name); processes
	// that share read models (a projection worker and its query API) name
	// the same one.
	Schema string
	// NeedsRegistry makes PATIENTS_URL required.
	NeedsRegistry bool
	// Bind, if set, binds the service's own extra settings.
	Bind func(b *config.Binder)
	// Options builds the service's options once the settings are loaded.
	Options func(l Loaded) (Options, error)
}

// Loaded is what the shared settings produced.
type Loaded struct {
	Directory *directory.Directory
	Registry  *patientref.Client // nil unless NeedsRegistry
	// RulesFile is the RULES_FILE path ("" for the service's defaults); the
	// service parses and validates its own rules.
	RulesFile string
}

// Main runs p as the process: signals end it gracefully, and an error exits
// with status 1.
func Main(p Process) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := RunProcess(ctx, p, os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, p.Name+":", err)
		stop()
		os.Exit(1)
	}
}

// RunProcess parses the settings from args and getenv, loads the directory,
// the registry client and the rules path, and runs the service until ctx
// ends.
func RunProcess(ctx context.Context, p Process, args []string, getenv func(string) string) error {
	cfg := Config{Name: p.Name}
	fs := flag.NewFlagSet(p.Name, flag.ContinueOnError)
	b := config.NewBinder(fs, getenv)
	cfg.Bind(b)
	if p.Schema != "" && cfg.Schema == "" {
		cfg.Schema = p.Schema
	}
	var patientsURL, directoryFile, rulesFile string
	if p.NeedsRegistry {
		b.String(&patientsURL, "patients-url", "PATIENTS_URL", "", "the patient registry's base URL (required)")
	}
	b.String(&directoryFile, "directory", "DIRECTORY_FILE", "", "directory JSON file (default: the embedded demo PCN)")
	b.String(&rulesFile, "rules", "RULES_FILE", "", "JSON file overriding the service's local rules (default: its built-in rules)")
	if p.Bind != nil {
		p.Bind(b)
	}
	if err := b.Parse(args); err != nil {
		return err
	}
	logger, err := cfg.Logging.NewLogger(os.Stderr)
	if err != nil {
		return err
	}
	l := Loaded{RulesFile: rulesFile}
	if p.NeedsRegistry {
		if patientsURL == "" {
			return errors.New("patient registry url is required (PATIENTS_URL or -patients-url)")
		}
		cfg.fillAuthDefaults()
		if l.Registry, err = patientref.New(patientsURL, cfg.Client.HTTPClient(ctx, patientref.Timeout)); err != nil {
			return err
		}
	}
	if l.Directory, err = directory.Load(directoryFile); err != nil {
		return err
	}
	opts, err := p.Options(l)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	return Run(ctx, cfg, opts, logger)
}
