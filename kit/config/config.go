package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Binder registers flags whose defaults come from the environment.
type Binder struct {
	fs     *flag.FlagSet
	getenv func(string) string
	errs   []error
}

// NewBinder binds to fs, reading the environment through getenv (os.Getenv
// in main, a map in tests).
func NewBinder(fs *flag.FlagSet, getenv func(string) string) *Binder {
	return &Binder{fs: fs, getenv: getenv}
}

func (b *Binder) usage(env, usage string) string { return usage + " (env " + env + ")" }

// String binds a string setting.
func (b *Binder) String(p *string, name, env, def, usage string) {
	if v := b.getenv(env); v != "" {
		def = v
	}
	b.fs.StringVar(p, name, def, b.usage(env, usage))
}

// Int binds an integer setting.
func (b *Binder) Int(p *int, name, env string, def int, usage string) {
	if v := b.getenv(env); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.errs = append(b.errs, fmt.Errorf("%s=%q: want an integer", env, v))
		} else {
			def = n
		}
	}
	b.fs.IntVar(p, name, def, b.usage(env, usage))
}

// Bool binds a true/false setting.
func (b *Binder) Bool(p *bool, name, env string, def bool, usage string) {
	if v := b.getenv(env); v != "" {
		t, err := strconv.ParseBool(v)
		if err != nil {
			b.errs = append(b.errs, fmt.Errorf("%s=%q: want true or false", env, v))
		} else {
			def = t
		}
	}
	b.fs.BoolVar(p, name, def, b.usage(env, usage))
}

// Duration binds a duration setting ("250ms", "10s").
func (b *Binder) Duration(p *time.Duration, name, env string, def time.Duration, usage string) {
	if v := b.getenv(env); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.errs = append(b.errs, fmt.Errorf("%s=%q: want a duration such as 10s", env, v))
		} else {
			def = d
		}
	}
	b.fs.DurationVar(p, name, def, b.usage(env, usage))
}

// Parse parses args and reports bad environment values too.
func (b *Binder) Parse(args []string) error {
	if err := b.fs.Parse(args); err != nil {
		return err
	}
	return errors.Join(b.errs...)
}

// Logging is the logger's settings.
type Logging struct {
	Level  string // debug, info, warn, error
	Format string // json or text
}

// Bind binds the logging settings to LOG_LEVEL and LOG_FORMAT.
func (l *Logging) Bind(b *Binder) {
	b.String(&l.Level, "log-level", "LOG_LEVEL", "info", "log level: debug, info, warn or error")
	b.String(&l.Format, "log-format", "LOG_FORMAT", "json", "log format: json or text")
}

// NewLogger builds the structured logger.
func (l Logging) NewLogger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.Level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", l.Level)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(l.Format) {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("log format %q: want json or text", l.Format)
	}
}
