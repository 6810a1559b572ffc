// Command medreviews runs the Structured Medication Review service.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	_ "time/tzdata" // Europe/London without relying on the host's zoneinfo

	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/medreviews"
	"github.com/careweave/careweave/services/medreviews/internal/domain"
)

func main() { service.Main(process()) }

// run is the process with explicit arguments and environment, for tests.
func run(ctx context.Context, args []string, getenv func(string) string) error {
	return service.RunProcess(ctx, process(), args, getenv)
}

func process() service.Process {
	return service.Process{Name: "medreviews", NeedsRegistry: true, Options: func(l service.Loaded) (service.Options, error) {
		rules, err := loadRules(l.RulesFile)
		if err != nil {
			return service.Options{}, err
		}
		return medreviews.Options(l.Directory, l.Registry, rules), nil
	}}
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
