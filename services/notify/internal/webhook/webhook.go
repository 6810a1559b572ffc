// Package webhook delivers each community team's discharge notices to the
// HTTPS endpoint it registered: POSTed as CloudEvents (structured JSON),
// signed with the team's secret (notify.Sign), in the order of the team's
// feed, each at least once. A failed attempt is retried after an
// exponentially growing, jittered delay (cenkalti/backoff/v4); after
// MaxAttempts failures at one notice the webhook is dead until someone asks
// for redelivery. Where delivery has got lives in PostgreSQL beside the
// feed, so a restart resumes with the first notice not acknowledged.
//
// One attempt runs with the team's row locked (FOR UPDATE SKIP LOCKED), so
// any number of workers and replicas deliver to different teams at once and
// never to the same team twice at once.
package webhook

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/cenkalti/backoff/v4"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/pgkit"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations create the webhooks table.
func Migrations() pgkit.Migrations {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return pgkit.Migrations{Name: "webhooks", FS: sub}
}

// States of a webhook.
const (
	Delivering = "delivering" // up to date, or delivering
	Failing    = "failing"    // the last attempt failed; retrying
	Dead       = "dead"       // gave up; waiting for a redelivery request
)

// Config tunes delivery. Zero fields take their defaults.
type Config struct {
	// Timeout bounds one attempt (default 10 s).
	Timeout time.Duration
	// MaxAttempts is how many failed attempts at one notice make the
	// webhook dead (default 12: about 40 minutes with the default backoff).
	MaxAttempts int
	// InitialBackoff and MaxBackoff bound the delay between attempts
	// (defaults 1 s and 10 min); each delay is ±50 % jittered.
	InitialBackoff, MaxBackoff time.Duration
	// Workers deliver to different teams at once (default 4).
	Workers int
	// Poll is how often workers look for due deliveries when idle (default 250 ms).
	Poll time.Duration
	// AllowHTTP accepts http:// endpoints (the dev stack, tests). Off,
	// only https:// is registered.
	AllowHTTP bool
	// AllowPrivateNetworks lets the default client reach loopback, private
	// and link-local addresses: the dev stack, or a deployment whose teams'
	// endpoints are inside its own network. Off, a registered URL cannot
	// make Careweave call its own infrastructure (a cloud metadata service,
	// the database) however its host name resolves.
	AllowPrivateNetworks bool
	// Client sends the requests (default: a client that follows no
	// redirects and dials only what AllowPrivateNetworks permits).
	Client *http.Client
}

func (c *Config) defaults() {
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 12
	}
	if c.InitialBackoff <= 0 {
		c.InitialBackoff = time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 10 * time.Minute
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.Poll <= 0 {
		c.Poll = 250 * time.Millisecond
	}
	if c.Client == nil {
		c.Client = guardedClient(c.AllowPrivateNetworks)
	}
}

// ErrForbiddenAddress is why an endpoint that resolves to an address
// Careweave does not call is refused.
var ErrForbiddenAddress = errors.New("endpoint address is not a public one")

// guardedClient refuses redirects (an endpoint answers for itself; a
// redirect could lead to an internal address or lose the POST) and, unless
// allowPrivate, checks each address it is about to dial, after name
// resolution, so DNS cannot smuggle in an internal one.
func guardedClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip, err := netip.ParseAddr(host); err != nil || !public(ip) {
				return ErrForbiddenAddress
			}
			return nil
		}
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = dialer.DialContext
	return &http.Client{Transport: t, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// public reports whether ip is an ordinary unicast address on the internet
// (not loopback, private, link-local, shared (CGNAT), unspecified or
// multicast).
func public(ip netip.Addr) bool {
	ip = ip.Unmap()
	cgnat := netip.MustParsePrefix("100.64.0.0/10")
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !cgnat.Contains(ip)
}

// Webhooks registers, reports on and delivers to teams' webhooks.
type Webhooks struct {
	pool     *pgxpool.Pool
	feeds    *eventstore.Store
	schema   string
	cfg      Config
	actor    events.Actor
	registry *events.Registry
	logger   *slog.Logger
}

// New returns the webhooks of the service whose event log (holding the
// teams' feeds, and the records of deliveries, which actor appends) is
// feeds, in schema.
func New(pool *pgxpool.Pool, feeds *eventstore.Store, schema string, cfg Config, actor events.Actor, logger *slog.Logger) *Webhooks {
	cfg.defaults()
	return &Webhooks{pool: pool, feeds: feeds, schema: schema, cfg: cfg, actor: actor, registry: notify.Registry(), logger: logger}
}

// ErrInvalid wraps what is wrong with a registration.
var ErrInvalid = errors.New("invalid webhook")

// ErrNotFound is returned for a team with no webhook.
var ErrNotFound = errors.New("no webhook registered for this team")

// Register sets team's endpoint and secret; a team already registered keeps
// its place in the feed.
func (w *Webhooks) Register(ctx context.Context, team, endpoint, secret string) error {
	u, err := url.Parse(endpoint)
	switch {
	case err != nil || u.Host == "" || u.User != nil || len(endpoint) > 2048:
		return fmt.Errorf("%w: url must be an absolute https URL without credentials", ErrInvalid)
	case u.Scheme != "https" && !(w.cfg.AllowHTTP && u.Scheme == "http"):
		return fmt.Errorf("%w: url must use https", ErrInvalid)
	case len(secret) < 32 || len(secret) > 256:
		return fmt.Errorf("%w: secret must be 32 to 256 characters", ErrInvalid)
	}
	if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && !w.cfg.AllowPrivateNetworks && !public(ip) {
		return fmt.Errorf("%w: url must not name a loopback, private or link-local address", ErrInvalid)
	}
	_, err = w.pool.Exec(ctx, `INSERT INTO `+w.schema+`.webhooks (team, url, secret) VALUES ($1, $2, $3)
		ON CONFLICT (team) DO UPDATE SET url = excluded.url, secret = excluded.secret, updated_at = now()`, team, endpoint, secret)
	return err
}

// Status is where a team's webhook delivery has got.
type Status struct {
	Team             string     `json:"team"`
	URL              string     `json:"url"`
	State            string     `json:"state"`
	DeliveredVersion int64      `json:"deliveredSequence"`
	FeedVersion      int64      `json:"feedSequence"`
	Attempts         int        `json:"failedAttempts"`
	LastError        string     `json:"lastError,omitempty"`
	LastAttemptAt    *time.Time `json:"lastAttemptAt,omitempty"`
	LastDeliveredAt  *time.Time `json:"lastDeliveredAt,omitempty"`
	NextAttemptAt    *time.Time `json:"nextAttemptAt,omitempty"`
}

// Status returns team's delivery status.
func (w *Webhooks) Status(ctx context.Context, team string) (Status, error) {
	s := Status{Team: team}
	err := w.pool.QueryRow(ctx, `SELECT url, state, delivered_version, attempts, last_error, last_attempt_at, last_delivered_at,
			CASE WHEN state <> 'dead' THEN next_attempt_at END,
			(SELECT coalesce(max(version), 0) FROM `+w.schema+`.events WHERE stream_id = $2)
		FROM `+w.schema+`.webhooks WHERE team = $1`, team, notify.FeedStream(team)).
		Scan(&s.URL, &s.State, &s.DeliveredVersion, &s.Attempts, &s.LastError, &s.LastAttemptAt, &s.LastDeliveredAt, &s.NextAttemptAt, &s.FeedVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, ErrNotFound
	}
	return s, err
}

// Redeliver revives a webhook and resumes delivery with the notice after
// from (from < 0: where it stopped, with the notice that failed).
func (w *Webhooks) Redeliver(ctx context.Context, team string, from int64) error {
	tag, err := w.pool.Exec(ctx, `UPDATE `+w.schema+`.webhooks SET state = 'delivering', attempts = 0, last_error = '', next_attempt_at = now(),
		delivered_version = CASE WHEN $2 >= 0 THEN $2 ELSE delivered_version END, updated_at = now() WHERE team = $1`, team, from)
	if err == nil && tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return err
}

// Remove stops delivery to team.
func (w *Webhooks) Remove(ctx context.Context, team string) error {
	tag, err := w.pool.Exec(ctx, `DELETE FROM `+w.schema+`.webhooks WHERE team = $1`, team)
	if err == nil && tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return err
}

// Run delivers until ctx ends.
func (w *Webhooks) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range w.cfg.Workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				did, err := w.deliverOne(ctx)
				if err != nil && ctx.Err() == nil {
					w.logger.Warn("webhook delivery round failed", "err", err)
				}
				if !did {
					select {
					case <-ctx.Done():
					case <-time.After(w.cfg.Poll):
					}
				}
			}
		})
	}
	wg.Wait()
	return nil
}

// deliverOne makes one attempt at the next notice of one due webhook, and
// reports whether there was one.
func (w *Webhooks) deliverOne(ctx context.Context) (bool, error) {
	tx, err := w.pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }() // after Commit, a no-op
	var team, endpoint, secret string
	var delivered int64
	var attempts int
	err = tx.QueryRow(ctx, `SELECT w.team, w.url, w.secret, w.delivered_version, w.attempts FROM `+w.schema+`.webhooks w
		WHERE w.state <> 'dead' AND w.next_attempt_at <= now()
		  AND EXISTS (SELECT 1 FROM `+w.schema+`.events e WHERE e.stream_id = 'feed-' || w.team AND e.version > w.delivered_version)
		ORDER BY w.next_attempt_at LIMIT 1 FOR UPDATE OF w SKIP LOCKED`).Scan(&team, &endpoint, &secret, &delivered, &attempts)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	next, err := w.feeds.LoadTx(ctx, tx, notify.FeedStream(team), delivered, 1)
	if err != nil || len(next) == 0 {
		return false, err
	}
	notice := next[0]
	data, err := w.registry.Decode(notice)
	if err != nil {
		return false, fmt.Errorf("notice %d of %s: %w", notice.StreamVersion, team, err)
	}
	body, err := notice.Encode()
	if err != nil {
		return false, err
	}
	attemptErr := w.post(ctx, endpoint, secret, notice.StreamVersion, body)
	if ctx.Err() != nil {
		return false, ctx.Err() // shutting down: the attempt does not count
	}
	record := notify.WebhookDelivery{Team: team, State: notify.Delivered, Sequence: notice.StreamVersion, Notice: notice.ID.String(), Patient: notice.Subject}
	if n, ok := data.(notify.DischargeNotice); ok {
		record.Kind, record.Stay = n.Kind, n.Stay
	}
	if attemptErr == nil {
		_, err = tx.Exec(ctx, `UPDATE `+w.schema+`.webhooks SET delivered_version = $2, attempts = 0, state = 'delivering', last_error = '',
			last_attempt_at = now(), last_delivered_at = now(), next_attempt_at = now(), updated_at = now() WHERE team = $1`, team, notice.StreamVersion)
	} else {
		attempts++
		state, wait := Failing, w.backoff(attempts)
		if attempts >= w.cfg.MaxAttempts {
			state = Dead
		}
		w.logger.Warn("webhook delivery failed", "team", team, "sequence", notice.StreamVersion, "attempt", attempts, "state", state, "err", attemptErr)
		_, err = tx.Exec(ctx, `UPDATE `+w.schema+`.webhooks SET attempts = $2, state = $3, last_error = $4, last_attempt_at = now(),
			next_attempt_at = now() + $5::interval, updated_at = now() WHERE team = $1`, team, attempts, state, attemptErr.Error(), wait)
		record.State, record.Attempts, record.Error = notify.DeliveryState(state), attempts, truncate(attemptErr.Error(), notify.MaxDeliveryErrorLen)
		if state == Failing {
			record.NextAttemptAt = time.Now().Add(wait).UTC()
		}
	}
	if err != nil {
		return true, err
	}
	// The attempt's record commits with the webhook's progress: the
	// worklist learns of every outcome, and of none that did not happen.
	if err := w.record(ctx, tx, notice, record); err != nil {
		return true, err
	}
	return true, tx.Commit(ctx)
}

// record appends what became of an attempt at notice to the team's webhook
// stream, for the relay to publish.
func (w *Webhooks) record(ctx context.Context, tx pgx.Tx, notice events.Envelope, r notify.WebhookDelivery) error {
	now := time.Now().UTC()
	en, err := events.New(r, events.Metadata{ID: events.NewID(now), Time: now, Subject: notice.Subject, Area: r.Team,
		CorrelationID: notice.CorrelationID, CausationID: notice.ID.String(), Actor: w.actor})
	if err != nil {
		return fmt.Errorf("record delivery: %w", err)
	}
	_, err = w.feeds.AppendAtEndTx(ctx, tx, notify.WebhookStream(r.Team), []events.Envelope{en})
	return err
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// post makes one attempt; any status outside 2xx, a timeout or a transport
// error is a failure.
func (w *Webhooks) post(ctx context.Context, endpoint, secret string, seq int64, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/cloudevents+json")
	req.Header.Set(notify.SignatureHeader, notify.Sign([]byte(secret), time.Now(), body))
	req.Header.Set(notify.SequenceHeader, fmt.Sprint(seq))
	resp, err := w.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("post: %w", scrubURL(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("endpoint answered %s", resp.Status)
	}
	return nil
}

// backoff is the delay after the n-th failed attempt: exponential from
// InitialBackoff, capped at MaxBackoff, ±50 % jitter.
func (w *Webhooks) backoff(n int) time.Duration {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval, b.RandomizationFactor, b.Multiplier = w.cfg.InitialBackoff, w.cfg.MaxBackoff, 0.5, 2
	b.MaxElapsedTime = 0
	b.Reset()
	d := b.NextBackOff()
	for i := 1; i < n; i++ {
		d = b.NextBackOff()
	}
	return d
}

// scrubURL drops the URL from a transport error: a team's endpoint may
// carry a token in its path, which does not belong in logs.
func scrubURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
