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

// mainExitCode wires the process to run and returns the command's exit
// code, 1 when testenv itself failed, or 2 for bad usage.
func mainExitCode() int {
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "testenv: %v\n", err)
		return 2
	}
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	cfg.Signals = signals

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	code, err := run(context.Background(), cfg, logger)
	if err != nil {
		logger.Error("testenv failed", slog.Any("error", err))
		if code == 0 {
			code = 1
		}
	}
	return code
}
