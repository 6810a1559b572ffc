// Command patients runs the patient registry.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/patients"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "patients:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	cfg := service.Config{Name: "patients"}
	fs := flag.NewFlagSet("patients", flag.ContinueOnError)
	b := config.NewBinder(fs, getenv)
	cfg.Bind(b)
	var directoryFile string
	var allowReal string
	b.String(&directoryFile, "directory", "DIRECTORY_FILE", "", "directory JSON file (default: the embedded demo PCN)")
	b.String(&allowReal, "allow-real-nhs-numbers", "ALLOW_REAL_NHS_NUMBERS", "false", "admit NHS numbers outside the synthetic 999 range (live deployments only)")
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
	if allowReal != "true" && allowReal != "false" {
		return fmt.Errorf("allow-real-nhs-numbers %q: want true or false", allowReal)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	return service.Run(ctx, cfg, patients.Options(dir, allowReal == "true"), logger)
}
