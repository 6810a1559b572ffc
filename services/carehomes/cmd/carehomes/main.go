// Command carehomes runs the care-home rounds service.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"
	_ "time/tzdata" // Europe/London resolves on any machine

	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/service"
	carehomesvc "github.com/careweave/careweave/services/carehomes"
)

func main() { service.Main(process()) }

// run is the process with explicit arguments and environment, for tests.
func run(ctx context.Context, args []string, getenv func(string) string) error {
	return service.RunProcess(ctx, process(), args, getenv)
}

func process() service.Process {
	return service.Process{Name: "carehomes", NeedsRegistry: true, Options: func(l service.Loaded) (service.Options, error) {
		rules, err := loadRules(l.RulesFile)
		if err != nil {
			return service.Options{}, err
		}
		return carehomesvc.Options(l.Directory, l.Registry, rules), nil
	}}
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
