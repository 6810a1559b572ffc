package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(mainExitCode())
}

// mainExitCode wires the process to run and turns the outcome into an exit
// code: 0 after a clean stop, 1 when the stack failed, 2 for bad usage.
func mainExitCode() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(os.Stderr, "careweave-dev: find the working directory: %v\n", err)
		return 1
	}
	cfg, err := parseConfig(os.Args[1:], os.Getenv, wd, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "careweave-dev: %v\n", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if err := run(ctx, cfg, logger); err != nil {
		logger.Error("careweave-dev failed", slog.Any("error", err))
		return 1
	}
	return 0
}
