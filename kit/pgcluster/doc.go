// Package pgcluster starts a private PostgreSQL cluster from the server
// binaries installed on the machine, for tests, benchmarks and the local dev
// stack.
//
// A cluster lives in one data directory. [Start] runs initdb only when the
// directory holds no cluster yet, so a second start keeps the data, then
// starts the server with pg_ctl on 127.0.0.1 and waits until it accepts
// connections. Nothing here depends on a system PostgreSQL being installed as
// a service or running.
//
// # Running as root
//
// initdb and postgres refuse to run as root. When the process runs as root,
// pgcluster runs every server binary as the "postgres" OS user through
// runuser(1), chowns the data directory to that user, and checks before
// anything else that the user can reach the directory: every parent directory
// must be searchable by it (a data directory under /root or under a 0700
// directory such as the one t.TempDir returns is not). [MkdirTemp] makes a
// temporary directory that meets that rule.
//
// # A server left running
//
// pg_ctl starts the server as a daemon, so a process that dies without calling
// [Cluster.Stop] leaves it running. [Start] refuses to start a second server on
// a data directory whose postmaster is still alive and returns an error
// wrapping [ErrAlreadyRunning] that names the command to stop it. A
// postmaster.pid left behind by a dead server is recovered from: PostgreSQL
// removes it itself, and pgcluster removes one whose PID now belongs to an
// unrelated process.
//
// The package supports Linux and other Unix systems.
package pgcluster
