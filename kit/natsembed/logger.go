package natsembed

import (
	"context"
	"fmt"
	"log/slog"
)

// levelTrace is the slog level at which the server's protocol tracing is
// turned on. Trace lines are very many, so a logger enabled only at Debug
// gets the server's debug lines but no tracing.
const levelTrace = slog.LevelDebug - 4

// slogAdapter implements the nats-server server.Logger interface on slog.
type slogAdapter struct {
	logger *slog.Logger
	// fatal receives the first fatal error the server reports; the server
	// expects its logger to exit the process on Fatalf, which a library must
	// not do, so Start watches this instead.
	fatal chan string
}

func newSlogAdapter(logger *slog.Logger) *slogAdapter {
	return &slogAdapter{logger: logger, fatal: make(chan string, 1)}
}

func (a *slogAdapter) log(level slog.Level, format string, v []any) {
	ctx := context.Background()
	if !a.logger.Enabled(ctx, level) {
		return
	}
	a.logger.Log(ctx, level, "nats server", slog.String("detail", fmt.Sprintf(format, v...)))
}

// Noticef logs a notice at Info.
func (a *slogAdapter) Noticef(format string, v ...any) { a.log(slog.LevelInfo, format, v) }

// Warnf logs a warning at Warn.
func (a *slogAdapter) Warnf(format string, v ...any) { a.log(slog.LevelWarn, format, v) }

// Errorf logs an error at Error.
func (a *slogAdapter) Errorf(format string, v ...any) { a.log(slog.LevelError, format, v) }

// Fatalf logs a fatal error at Error and hands it to Start, without exiting.
func (a *slogAdapter) Fatalf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	a.logger.Error("nats server fatal error", slog.String("detail", msg))
	select {
	case a.fatal <- msg:
	default:
	}
}

// Debugf logs a debug line at Debug.
func (a *slogAdapter) Debugf(format string, v ...any) { a.log(slog.LevelDebug, format, v) }

// Tracef logs a protocol trace line at Debug.
func (a *slogAdapter) Tracef(format string, v ...any) { a.log(slog.LevelDebug, format, v) }
