// Command testenv runs a command, typically the test suite, against a
// private throwaway PostgreSQL cluster. It is what `make test` calls:
//
//	go run ./tools/cmd/testenv -- go test -race ./...
//
// Unless DATABASE_URL is already set, testenv starts a cluster from the
// installed PostgreSQL server binaries (see kit/pgcluster) in a fresh
// temporary directory, runs the command with DATABASE_URL naming the
// cluster's "postgres" database and with its standard input and output passed
// through, stops the cluster, removes the directory, and exits with the
// command's exit code. With DATABASE_URL set, it just runs the command against
// that database.
//
// The cluster is not durable (fsync off) unless -durable is given; -dir DIR
// keeps the cluster in DIR, which is not removed, so a later run reuses it.
//
// SIGINT and SIGTERM are passed on to the command; testenv waits for it to
// exit (killing it if it has not 30 s later), then stops the cluster. A
// Ctrl-C in a terminal reaches the command directly too, so it sees the
// signal twice; go test ignores the second.
package main
