package main

import (
	"os"
	"runtime"

	"github.com/jackc/pgx/v5"
)

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "this machine"
	}
	return h
}

func numCPU() int { return runtime.NumCPU() }

func pgxCollectStrings(rows pgx.Rows) ([]string, error) {
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
