// Command carehomes runs the care-home rounds service.
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
	"time"
	_ "time/tzdata" // Europe/London resolves on any machine

	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/service"
	carehomesvc "github.com/careweave/careweave/services/carehomes"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "carehomes:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	cfg := service.Config{Name: "carehomes"}
	fs := flag.NewFlagSet("carehomes", flag.ContinueOnError)
	b := config.NewBinder(fs, getenv)
	cfg.Bind(b)
	var patientsURL, directoryFile, rulesFile string
	b.String(&patientsURL, "patients-url", "PATIENTS_URL", "", "the patient registry's base URL (required)")
	b.String(&directoryFile, "directory", "DIRECTORY_FILE", "", "directory JSON file (default: the embedded demo PCN)")
	b.String(&rulesFile, "rules", "RULES_FILE", "", "JSON file overriding the national rules (workingDays, bankHolidays, timeZone)")
	if err := b.Parse(args); err != nil {
		return err
	}
	logger, err := cfg.Logging.NewLogger(os.Stderr)
	if err != nil {
		return err
	}
	if patientsURL == "" {
		return errors.New("patients-url (PATIENTS_URL) is required")
	}
	registry, err := patientref.New(patientsURL)
	if err != nil {
		return err
	}
	dir, err := directory.Load(directoryFile)
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
	return service.Run(ctx, cfg, carehomesvc.Options(dir, registry, rules), logger)
}

// rulesFile is what a RULES_FILE may override; absent fields keep the
// national defaults.
type rulesFile struct {
	WorkingDays  *int              `json:"workingDays"`
	BankHolidays *[]carehomes.Date `json:"bankHolidays"`
	TimeZone     *string           `json:"timeZone"`
}

// loadRules returns the default rules with path's overrides, validated.
func loadRules(path string) (carehomesvc.Rules, error) {
	rules := carehomesvc.DefaultRules()
	if path == "" {
		return rules, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return rules, fmt.Errorf("read rules: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var f rulesFile
	if err := dec.Decode(&f); err != nil {
		return rules, fmt.Errorf("rules %s: %w", path, err)
	}
	if f.WorkingDays != nil {
		rules.WorkingDays = *f.WorkingDays
	}
	if f.BankHolidays != nil {
		rules.BankHolidays = *f.BankHolidays
	}
	if f.TimeZone != nil {
		if rules.Location, err = time.LoadLocation(*f.TimeZone); err != nil || *f.TimeZone == "" {
			return rules, fmt.Errorf("rules %s: time zone %q: want an IANA name such as Europe/London", path, *f.TimeZone)
		}
	}
	if err := rules.Validate(); err != nil {
		return rules, fmt.Errorf("rules %s: %w", path, err)
	}
	return rules, nil
}
