// Command discharge runs the hospital discharge service.
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

	// Europe/London must load in a container without /usr/share/zoneinfo.
	_ "time/tzdata"

	dischargeevents "github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/discharge"
	"github.com/careweave/careweave/services/discharge/internal/domain"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "discharge:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	cfg := service.Config{Name: "discharge"}
	fs := flag.NewFlagSet("discharge", flag.ContinueOnError)
	b := config.NewBinder(fs, getenv)
	cfg.Bind(b)
	var patientsURL, directoryFile, rulesFile string
	b.String(&patientsURL, "patients-url", "PATIENTS_URL", "", "patient registry base URL (required)")
	b.String(&directoryFile, "directory", "DIRECTORY_FILE", "", "directory JSON file (default: the embedded demo PCN)")
	b.String(&rulesFile, "rules", "RULES_FILE", "", "JSON file overriding the discharge rules (default: the national rules and local defaults)")
	if err := b.Parse(args); err != nil {
		return err
	}
	logger, err := cfg.Logging.NewLogger(os.Stderr)
	if err != nil {
		return err
	}
	if patientsURL == "" {
		return errors.New("patients url is required (PATIENTS_URL or -patients-url)")
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
	return service.Run(ctx, cfg, discharge.Options(dir, registry, rules), logger)
}

// rulesFile is the JSON form of domain.Rules: every field is optional and
// overrides the default; durations are Go durations ("36h"), the zone an
// IANA name.
type rulesFile struct {
	SummaryDueWithin          *string           `json:"summaryDueWithin"`
	MedicinesFirstCheckWithin *string           `json:"medicinesFirstCheckWithin"`
	FollowUpWithin            map[string]string `json:"followUpWithin"`
	FollowUpForNeedsWithin    *string           `json:"followUpForNeedsWithin"`
	ReadmissionWindowDays     *int              `json:"readmissionWindowDays"`
	TimeZone                  *string           `json:"timeZone"`
}

// loadRules returns domain.DefaultRules with path's overrides, validated.
func loadRules(path string) (domain.Rules, error) {
	rules := domain.DefaultRules()
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return rules, fmt.Errorf("read rules: %w", err)
		}
		if rules, err = parseRules(raw, rules); err != nil {
			return rules, fmt.Errorf("rules %s: %w", path, err)
		}
	}
	return rules, rules.Validate()
}

func parseRules(raw []byte, rules domain.Rules) (domain.Rules, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var f rulesFile
	if err := dec.Decode(&f); err != nil {
		return rules, fmt.Errorf("decode: %w", err)
	}
	var errs []error
	duration := func(name string, s *string, dst *time.Duration) {
		if s == nil {
			return
		}
		d, err := time.ParseDuration(*s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			return
		}
		*dst = d
	}
	duration("summaryDueWithin", f.SummaryDueWithin, &rules.SummaryDueWithin)
	duration("medicinesFirstCheckWithin", f.MedicinesFirstCheckWithin, &rules.MedicinesFirstCheckWithin)
	duration("followUpForNeedsWithin", f.FollowUpForNeedsWithin, &rules.FollowUpForNeedsWithin)
	if f.FollowUpWithin != nil {
		within := make(map[dischargeevents.Pathway]time.Duration, len(rules.FollowUpWithin))
		for p, d := range rules.FollowUpWithin {
			within[p] = d
		}
		for name, s := range f.FollowUpWithin {
			p, err := dischargeevents.ParsePathway(name)
			if err != nil {
				errs = append(errs, fmt.Errorf("followUpWithin: %w", err))
				continue
			}
			d := within[p]
			duration("followUpWithin."+name, &s, &d)
			within[p] = d
		}
		rules.FollowUpWithin = within
	}
	if f.ReadmissionWindowDays != nil {
		rules.ReadmissionWindowDays = *f.ReadmissionWindowDays
	}
	if f.TimeZone != nil {
		loc, err := time.LoadLocation(*f.TimeZone)
		if err != nil {
			errs = append(errs, fmt.Errorf("timeZone: %w", err))
		} else {
			rules.Location = loc
		}
	}
	return rules, errors.Join(errs...)
}
