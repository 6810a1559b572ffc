// Command homevisits runs the home-visits service.
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
	_ "time/tzdata" // visit windows are shown in Europe/London wherever the binary runs

	hvevents "github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/homevisits"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "homevisits:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	cfg := service.Config{Name: "homevisits"}
	fs := flag.NewFlagSet("homevisits", flag.ContinueOnError)
	b := config.NewBinder(fs, getenv)
	cfg.Bind(b)
	var patientsURL, directoryFile, rulesFile string
	b.String(&patientsURL, "patients-url", "PATIENTS_URL", "", "patient registry base URL (required)")
	b.String(&directoryFile, "directory", "DIRECTORY_FILE", "", "directory JSON file (default: the embedded demo PCN)")
	b.String(&rulesFile, "rules", "RULES_FILE", "", "home-visit rules JSON file (default: the built-in rules)")
	if err := b.Parse(args); err != nil {
		return err
	}
	logger, err := cfg.Logging.NewLogger(os.Stderr)
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
	return service.Run(ctx, cfg, homevisits.Options(dir, registry, rules), logger)
}

// rulesJSON is the rules file: what it names replaces the default; what it
// leaves out keeps it.
//
//	{"bands": [{"name": "urgent", "maxWait": "90m"}, {"name": "routine", "maxWait": "72h"}],
//	 "triageRoles": ["gp", "advanced-clinical-practitioner"],
//	 "visitRoles": ["paramedic", "advanced-clinical-practitioner", "gp"]}
type rulesJSON struct {
	Bands []struct {
		Name    string `json:"name"`
		MaxWait string `json:"maxWait"`
	} `json:"bands"`
	TriageRoles []hvevents.Role `json:"triageRoles"`
	VisitRoles  []hvevents.Role `json:"visitRoles"`
}

// loadRules returns the default rules with the file's changes, validated.
func loadRules(path string) (domain.Rules, error) {
	rules := domain.DefaultRules()
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return rules, fmt.Errorf("read rules: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		var f rulesJSON
		if err := dec.Decode(&f); err != nil {
			return rules, fmt.Errorf("rules %s: %w", path, err)
		}
		if f.Bands != nil {
			rules.Bands = nil
			for _, b := range f.Bands {
				d, err := time.ParseDuration(b.MaxWait)
				if err != nil {
					return rules, fmt.Errorf("rules %s: band %q: maxWait %q: want a duration such as 2h or 72h", path, b.Name, b.MaxWait)
				}
				rules.Bands = append(rules.Bands, domain.Band{Name: b.Name, MaxWait: d})
			}
		}
		if f.TriageRoles != nil {
			rules.TriageRoles = f.TriageRoles
		}
		if f.VisitRoles != nil {
			rules.VisitRoles = f.VisitRoles
		}
	}
	if err := rules.Validate(); err != nil {
		return rules, fmt.Errorf("rules %s: %w", path, err)
	}
	return rules, nil
}
