package query

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careweave/careweave/projections/internal/store"
)

// feedWatch wakes the live feeds whose patient's timeline has changed. It
// looks at the read models once every streamPoll for all open feeds — which
// patients have changes numbered after the last it saw — where each feed
// used to poll for itself: two queries every 250 ms per feed, which with a
// hundred feeds open was more of PostgreSQL's work than the commands behind
// them. It runs only while a feed is open.
//
// Change numbers are taken when a row is written but seen when its
// transaction commits, so a change that commits late, after a higher number
// was seen, is not noticed here; each feed also looks for itself every
// recheck interval, so such a change is late, never lost.
type feedWatch struct {
	pool   *pgxpool.Pool
	gens   *store.Generations
	logger *slog.Logger

	mu      sync.Mutex
	feeds   map[string]map[chan struct{}]bool // patient → wake channels
	running bool
}

// subscribe returns a channel that receives when patient's timeline may
// have changed (or the live generation switched), and a func to stop.
func (w *feedWatch) subscribe(patient string) (<-chan struct{}, func()) {
	wake := make(chan struct{}, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.feeds == nil {
		w.feeds = map[string]map[chan struct{}]bool{}
	}
	if w.feeds[patient] == nil {
		w.feeds[patient] = map[chan struct{}]bool{}
	}
	w.feeds[patient][wake] = true
	if !w.running {
		w.running = true
		go w.run()
	}
	return wake, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.feeds[patient], wake)
		if len(w.feeds[patient]) == 0 {
			delete(w.feeds, patient)
		}
	}
}

// run looks for changes every streamPoll until no feed is open.
func (w *feedWatch) run() {
	tick := time.NewTicker(streamPoll)
	defer tick.Stop()
	gen, last := 0, int64(-1) // -1: the high-water mark is not known yet
	for range tick.C {
		w.mu.Lock()
		if len(w.feeds) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		var changed []string
		var err error
		gen, last, changed, err = w.look(gen, last)
		if err != nil {
			w.logger.Warn("live feed watcher could not look for changes; feeds fall back to their own checks", "err", err)
			continue
		}
		w.wake(changed)
	}
}

// look reads the live generation and the patients with changes after last
// in it. A switch of generation wakes every feed (changed == nil, all true
// below), as does the first look, which only learns the high-water mark.
func (w *feedWatch) look(gen int, last int64) (int, int64, []string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	live, err := w.gens.Live(ctx, w.pool)
	if err != nil {
		return gen, last, nil, err
	}
	schema := w.gens.Schema(live)
	if live != gen || last < 0 {
		err := w.pool.QueryRow(ctx, `SELECT coalesce(max(change_seq), 0) FROM `+schema+`.timeline`).Scan(&last)
		if err != nil {
			return gen, -1, nil, err
		}
		return live, last, nil, nil
	}
	rows, err := w.pool.Query(ctx, `SELECT patient, max(change_seq) FROM `+schema+`.timeline WHERE change_seq > $1 GROUP BY patient`, last)
	if err != nil {
		return gen, last, nil, err
	}
	defer rows.Close()
	changed := []string{}
	for rows.Next() {
		var patient string
		var seq int64
		if err := rows.Scan(&patient, &seq); err != nil {
			return gen, last, nil, err
		}
		changed = append(changed, patient)
		last = max(last, seq)
	}
	return gen, last, changed, rows.Err()
}

// wake signals the feeds of the changed patients; nil wakes all of them.
func (w *feedWatch) wake(changed []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	signal := func(feeds map[chan struct{}]bool) {
		for ch := range feeds {
			select {
			case ch <- struct{}{}:
			default: // already due to look
			}
		}
	}
	if changed == nil {
		for _, feeds := range w.feeds {
			signal(feeds)
		}
		return
	}
	for _, p := range changed {
		signal(w.feeds[p])
	}
}
