package httpkit

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// unavailable reports whether err says something the request needs cannot
// be reached now — PostgreSQL restarting or refusing connections, a
// connection lost, a timeout — so the same request may simply be sent
// again: a 503 with Retry-After, not a 500.
func unavailable(err error) bool {
	if err == nil {
		return false
	}
	var (
		connect *pgconn.ConnectError
		pg      *pgconn.PgError
		netErr  net.Error
	)
	switch {
	case errors.As(err, &pg):
		// 08: connection exception; 57: operator intervention (shutdown,
		// crash recovery, cancelled); 53300: too many connections.
		return strings.HasPrefix(pg.Code, "08") || strings.HasPrefix(pg.Code, "57") || pg.Code == "53300"
	case errors.As(err, &connect), errors.As(err, &netErr):
		return true
	case pgconn.Timeout(err), pgconn.SafeToRetry(err):
		return true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return true
	}
	// pgx reports a connection that died under a query as "conn closed".
	return strings.Contains(err.Error(), "conn closed")
}
