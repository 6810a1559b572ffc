// Command discharge runs the hospital discharge service.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	// Europe/London must load in a container without /usr/share/zoneinfo.
	_ "time/tzdata"

	dischargeevents "github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/discharge"
	"github.com/careweave/careweave/services/discharge/internal/domain"
)

func main() { service.Main(process()) }

// run is the process with explicit arguments and environment, for tests.
func run(ctx context.Context, args []string, getenv func(string) string) error {
	return service.RunProcess(ctx, process(), args, getenv)
}

func process() service.Process {
	return service.Process{Name: "discharge", NeedsRegistry: true, Options: func(l service.Loaded) (service.Options, error) {
		rules, err := loadRules(l.RulesFile)
		if err != nil {
			return service.Options{}, err
		}
		return discharge.Options(l.Directory, l.Registry, rules), nil
	}}
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
