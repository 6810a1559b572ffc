package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/careweave/careweave/events"
)

// The three measurements, in the order they run.
const (
	sectionAppend  = "append"
	sectionPublish = "publish"
	sectionLag     = "lag"
)

var allSections = []string{sectionAppend, sectionPublish, sectionLag}

// Defaults of a full run, and of a -quick smoke test where they differ.
const (
	defaultAppendDuration = 5 * time.Second
	quickAppendDuration   = time.Second
	defaultPublishEvents  = 100_000
	quickPublishEvents    = 10_000
	defaultLagDuration    = 20 * time.Second
	quickLagDuration      = 3 * time.Second
	defaultLagRate        = 2000
	defaultLagWriters     = 8
	defaultPublishWindow  = 1000
	defaultStreams        = 50
	defaultDataSize       = 600
)

var (
	defaultWriters = []int{1, 8, 16}
	defaultPerTx   = []int{1, 100}
)

// Config is what writebench runs with.
type Config struct {
	// DatabaseURL names the PostgreSQL database to load (env DATABASE_URL).
	// It should be a durable cluster: the figures mean nothing with fsync off.
	DatabaseURL string
	// NATSURL names an external NATS server (env NATS_URL). Empty starts an
	// embedded one with JetStream in a temporary directory.
	NATSURL string
	// Sections are the measurements to run, a subset of append, publish, lag.
	Sections []string

	// Writers are the writer counts of the append cases.
	Writers []int
	// PerTx are the events per transaction of the append cases.
	PerTx []int
	// StreamsPerWriter is how many streams each writer appends to in turn.
	StreamsPerWriter int
	// AppendDuration is how long each append case runs, ours and baseline each.
	AppendDuration time.Duration
	// Repeat is how many times each append case is measured both ways; the
	// report gives the medians, which a burst of other work on the machine
	// moves less than a single run.
	Repeat int

	// PublishEvents is how many events the publication case preloads.
	PublishEvents int
	// PublishWindow bounds the baseline's pending async publishes.
	PublishWindow int
	// RelayBatch and RelayPoll override the relay's batch size and idle poll
	// interval (0: the relay's defaults), for experiments.
	RelayBatch int
	RelayPoll  time.Duration

	// LagRate is the total append rate of the lag case, events per second,
	// spread over LagWriters writers, for LagDuration.
	LagRate     int
	LagWriters  int
	LagDuration time.Duration

	// DataSize is the approximate size in bytes of each event's data.
	DataSize int
	// Quick selects the short smoke-test defaults.
	Quick bool
	// CPUProfile, when set, is where a Go CPU profile of the run is written.
	CPUProfile string
	// Command is the command line, as the report shows it.
	Command string
	// Progress receives a progress line a second. Default os.Stderr.
	Progress io.Writer
}

func (c *Config) setDefaults() {
	if len(c.Sections) == 0 {
		c.Sections = slices.Clone(allSections)
	}
	if len(c.Writers) == 0 {
		c.Writers = slices.Clone(defaultWriters)
	}
	if len(c.PerTx) == 0 {
		c.PerTx = slices.Clone(defaultPerTx)
	}
	if c.StreamsPerWriter == 0 {
		c.StreamsPerWriter = defaultStreams
	}
	if c.AppendDuration == 0 {
		c.AppendDuration = pick(c.Quick, quickAppendDuration, defaultAppendDuration)
	}
	if c.Repeat == 0 {
		c.Repeat = 1
	}
	if c.PublishEvents == 0 {
		c.PublishEvents = pick(c.Quick, quickPublishEvents, defaultPublishEvents)
	}
	if c.PublishWindow == 0 {
		c.PublishWindow = defaultPublishWindow
	}
	if c.LagRate == 0 {
		c.LagRate = defaultLagRate
	}
	if c.LagWriters == 0 {
		c.LagWriters = defaultLagWriters
	}
	if c.LagDuration == 0 {
		c.LagDuration = pick(c.Quick, quickLagDuration, defaultLagDuration)
	}
	if c.DataSize == 0 {
		c.DataSize = defaultDataSize
	}
	if c.Command == "" {
		c.Command = "writebench"
	}
	if c.Progress == nil {
		c.Progress = os.Stderr
	}
}

func pick[T any](quick bool, q, full T) T {
	if quick {
		return q
	}
	return full
}

// maxWriters keeps the pool well inside the private cluster's
// max_connections (200).
const maxWriters = 128

// Validate reports whether writebench can run with c.
func (c Config) Validate() error {
	var errs []error
	if c.DatabaseURL == "" {
		errs = append(errs, errors.New("DATABASE_URL is not set: run under `go run ./tools/cmd/testenv -durable -- go run ./tools/cmd/writebench` (make bench) or pass -database-url"))
	}
	for _, s := range c.Sections {
		if !slices.Contains(allSections, s) {
			errs = append(errs, fmt.Errorf("unknown section %q: want some of %s", s, strings.Join(allSections, ",")))
		}
	}
	if len(c.Sections) == 0 {
		errs = append(errs, errors.New("no sections to run"))
	}
	if len(c.Writers) == 0 {
		errs = append(errs, errors.New("no writer counts (-writers)"))
	}
	for _, w := range c.Writers {
		if w < 1 || w > maxWriters {
			errs = append(errs, fmt.Errorf("writer count %d: want 1..%d", w, maxWriters))
		}
	}
	if len(c.PerTx) == 0 {
		errs = append(errs, errors.New("no events-per-transaction shapes (-per-tx)"))
	}
	for _, n := range c.PerTx {
		if n < 1 || n > 1000 {
			errs = append(errs, fmt.Errorf("events per transaction %d: want 1..1000", n))
		}
	}
	if c.StreamsPerWriter < 1 || c.StreamsPerWriter > 10_000 {
		errs = append(errs, fmt.Errorf("streams per writer %d: want 1..10000", c.StreamsPerWriter))
	}
	if c.AppendDuration < 100*time.Millisecond || c.AppendDuration > 10*time.Minute {
		errs = append(errs, fmt.Errorf("append duration %v: want 100ms..10m", c.AppendDuration))
	}
	if c.Repeat < 1 || c.Repeat > 20 {
		errs = append(errs, fmt.Errorf("repeat %d: want 1..20", c.Repeat))
	}
	// The baseline holds every payload in memory, about 1.1 KB each.
	if c.PublishEvents < 100 || c.PublishEvents > 1_000_000 {
		errs = append(errs, fmt.Errorf("publish events %d: want 100..1000000", c.PublishEvents))
	}
	if c.PublishWindow < 1 || c.PublishWindow > 100_000 {
		errs = append(errs, fmt.Errorf("publish window %d: want 1..100000", c.PublishWindow))
	}
	if c.RelayBatch < 0 || c.RelayBatch > 10_000 {
		errs = append(errs, fmt.Errorf("relay batch %d: want 0 (relay default) or 1..10000", c.RelayBatch))
	}
	if c.RelayPoll != 0 && (c.RelayPoll < time.Millisecond || c.RelayPoll > 10*time.Second) {
		errs = append(errs, fmt.Errorf("relay poll interval %v: want 0 (relay default) or 1ms..10s", c.RelayPoll))
	}
	if c.LagRate < 1 || c.LagRate > 1_000_000 {
		errs = append(errs, fmt.Errorf("lag rate %d events/s: want 1..1000000", c.LagRate))
	}
	if c.LagWriters < 1 || c.LagWriters > maxWriters {
		errs = append(errs, fmt.Errorf("lag writers %d: want 1..%d", c.LagWriters, maxWriters))
	}
	if c.LagDuration < 500*time.Millisecond || c.LagDuration > time.Hour {
		errs = append(errs, fmt.Errorf("lag duration %v: want 500ms..1h", c.LagDuration))
	}
	// The rest of the envelope takes about 450 bytes.
	if c.DataSize < 200 || c.DataSize > events.MaxEncodedSize-1024 {
		errs = append(errs, fmt.Errorf("data size %d bytes: want 200..%d", c.DataSize, events.MaxEncodedSize-1024))
	}
	return errors.Join(errs...)
}

func (c Config) runs(section string) bool { return slices.Contains(c.Sections, section) }

// parseConfig builds a Config from the command line and the environment.
func parseConfig(args []string, getenv func(string) string, errOut io.Writer) (Config, error) {
	fs := flag.NewFlagSet("writebench", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprintf(errOut, "Usage: writebench [flags]\n\n"+
			"Measures event-store appends, relay publication and commit-to-JetStream lag against raw\n"+
			"baselines. DATABASE_URL must name a durable PostgreSQL database (make bench runs\n"+
			"`go run ./tools/cmd/testenv -durable -- go run ./tools/cmd/writebench`); NATS_URL, when set,\n"+
			"names a throwaway NATS server to use instead of an embedded one.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	// Lists start at their defaults; zero values from here on were given
	// explicitly and are rejected by Validate rather than defaulted.
	cfg := Config{Sections: slices.Clone(allSections), Writers: slices.Clone(defaultWriters), PerTx: slices.Clone(defaultPerTx)}
	sections := listFlag[string]{vals: &cfg.Sections, parse: func(s string) (string, error) { return s, nil }}
	writers := listFlag[int]{vals: &cfg.Writers, parse: strconv.Atoi}
	perTx := listFlag[int]{vals: &cfg.PerTx, parse: strconv.Atoi}
	fs.StringVar(&cfg.DatabaseURL, "database-url", getenv("DATABASE_URL"), "PostgreSQL database to load (env DATABASE_URL)")
	fs.StringVar(&cfg.NATSURL, "nats-url", getenv("NATS_URL"), "external NATS server to use instead of an embedded one (env NATS_URL)")
	fs.Var(&sections, "sections", "measurements to run, comma-separated: append,publish,lag (default all)")
	fs.Var(&writers, "writers", "writer counts of the append cases, comma-separated (default 1,8,16)")
	fs.Var(&perTx, "per-tx", "events per transaction of the append cases, comma-separated (default 1,100)")
	fs.IntVar(&cfg.StreamsPerWriter, "streams", defaultStreams, "streams each append writer cycles through")
	fs.DurationVar(&cfg.AppendDuration, "duration", defaultAppendDuration, "duration of each append run, ours and baseline each (quick: 1s)")
	fs.IntVar(&cfg.Repeat, "repeat", 1, "measure each append case this many times both ways and report the medians")
	fs.IntVar(&cfg.PublishEvents, "publish-events", defaultPublishEvents, "events preloaded for the publication case (quick: 10000)")
	fs.IntVar(&cfg.PublishWindow, "publish-window", defaultPublishWindow, "pending async publishes of the publication baseline")
	fs.IntVar(&cfg.RelayBatch, "relay-batch", 0, "relay batch size (0: the relay's default)")
	fs.DurationVar(&cfg.RelayPoll, "relay-poll", 0, "relay idle poll interval (0: the relay's default)")
	fs.IntVar(&cfg.LagRate, "lag-rate", defaultLagRate, "total append rate of the lag case, events/s")
	fs.IntVar(&cfg.LagWriters, "lag-writers", defaultLagWriters, "writers sharing the lag case's rate")
	fs.DurationVar(&cfg.LagDuration, "lag-duration", defaultLagDuration, "duration of the lag case, ours and baseline each (quick: 3s)")
	fs.IntVar(&cfg.DataSize, "data-size", defaultDataSize, "approximate bytes of data per event")
	fs.BoolVar(&cfg.Quick, "quick", false, "smoke test: short durations and fewer events")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a Go CPU profile of the run to this file")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if cfg.Quick {
		// Quick defaults apply to what was not given explicitly.
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["duration"] {
			cfg.AppendDuration = quickAppendDuration
		}
		if !set["publish-events"] {
			cfg.PublishEvents = quickPublishEvents
		}
		if !set["lag-duration"] {
			cfg.LagDuration = quickLagDuration
		}
	}
	quoted := []string{"writebench"}
	for _, a := range args {
		quoted = append(quoted, shellQuote(a))
	}
	cfg.Command = strings.Join(quoted, " ")
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// listFlag is a comma-separated flag value.
type listFlag[T any] struct {
	vals  *[]T
	parse func(string) (T, error)
}

func (l *listFlag[T]) String() string {
	if l.vals == nil {
		return ""
	}
	parts := make([]string, len(*l.vals))
	for i, v := range *l.vals {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ",")
}

func (l *listFlag[T]) Set(s string) error {
	var out []T
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		v, err := l.parse(part)
		if err != nil {
			return fmt.Errorf("%q is not valid here", part)
		}
		out = append(out, v)
	}
	*l.vals = out
	return nil
}

// shellQuote quotes s for a POSIX shell when it needs quoting, so the
// command in the report can be pasted.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./=:,@%+", c))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
