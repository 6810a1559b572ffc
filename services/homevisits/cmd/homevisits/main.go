// Command homevisits runs the home-visits service.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"
	_ "time/tzdata" // visit windows are shown in Europe/London wherever the binary runs

	hvevents "github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/homevisits"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
)

func main() { service.Main(process()) }

// run is the process with explicit arguments and environment, for tests.
func run(ctx context.Context, args []string, getenv func(string) string) error {
	return service.RunProcess(ctx, process(), args, getenv)
}

func process() service.Process {
	return service.Process{Name: "homevisits", NeedsRegistry: true, Options: func(l service.Loaded) (service.Options, error) {
		rules, err := loadRules(l.RulesFile)
		if err != nil {
			return service.Options{}, err
		}
		return homevisits.Options(l.Directory, l.Registry, rules), nil
	}}
}

// rulesJSON is the rules file: what it names replaces the default; what it
// leaves out keeps it.
//
//	{"bands": [{"name": "urgent", "maxWait": "90m"}, {"name": "routine", "maxWait": "72h"}],
//	 "triageRoles": ["gp", "advanced-clinical-practitioner"],
//	 "visitRoles": ["paramedic", "advanced-clinical-practitioner", "gp"],
//	 "acceptWithin": "15m"}
type rulesJSON struct {
	Bands []struct {
		Name    string `json:"name"`
		MaxWait string `json:"maxWait"`
	} `json:"bands"`
	TriageRoles []hvevents.Role `json:"triageRoles"`
	VisitRoles  []hvevents.Role `json:"visitRoles"`
	// AcceptWithin is how long an assigned clinician has to accept ("15m").
	AcceptWithin string `json:"acceptWithin"`
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
		if f.AcceptWithin != "" {
			d, err := time.ParseDuration(f.AcceptWithin)
			if err != nil {
				return rules, fmt.Errorf("rules %s: acceptWithin %q: want a duration such as 15m", path, f.AcceptWithin)
			}
			rules.AcceptWithin = d
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
