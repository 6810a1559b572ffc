// Command medreviews runs the Structured Medication Review service.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Europe/London without relying on the host's zoneinfo

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/medreviews"
	"github.com/careweave/careweave/services/medreviews/internal/domain"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "medreviews:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	cfg := service.Config{Name: "medreviews"}
	fs := flag.NewFlagSet("medreviews", flag.ContinueOnError)
	b := config.NewBinder(fs, getenv)
	cfg.Bind(b)
	var directoryFile, patientsURL, rulesFile string
	b.String(&directoryFile, "directory", "DIRECTORY_FILE", "", "directory JSON file (default: the embedded demo PCN)")
	b.String(&patientsURL, "patients-url", "PATIENTS_URL", "", "the patient registry's base URL (required)")
	b.String(&rulesFile, "rules", "RULES_FILE", "", "JSON file overriding the default local SMR rules")
	if err := b.Parse(args); err != nil {
		return err
	}
	logger, err := cfg.Logging.NewLogger(os.Stderr)
	if err != nil {
		return err
	}
	dir, err := directory.Load(directoryFile)
	if err != nil {
		return err
	}
	if patientsURL == "" {
		return errors.New("patient registry url is required (PATIENTS_URL or -patients-url)")
	}
	registry, err := patientref.New(patientsURL)
	if err != nil {
		return err
	}
	rules, err := loadRules(rulesFile)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	return service.Run(ctx, cfg, medreviews.Options(dir, registry, rules), logger)
}

// loadRules returns the default rules, with the fields a rules file gives
// overriding them; unknown fields are refused and the result validated.
func loadRules(path string) (domain.Rules, error) {
	rules := domain.DefaultRules()
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return rules, fmt.Errorf("read rules: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rules); err != nil {
			return rules, fmt.Errorf("rules %s: %w", path, err)
		}
	}
	if err := rules.Validate(); err != nil {
		return rules, err
	}
	return rules, nil
}
