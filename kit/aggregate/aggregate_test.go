package aggregate_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

type counted struct{}

func (counted) EventType() string { return "careweave.test.counted.v1" }

func counter() aggregate.Type[int] {
	reg := events.NewRegistry()
	reg.Register(counted{})
	return aggregate.Type[int]{Name: "counter", Registry: reg,
		Evolve: func(n int, _ events.Data) int { return n + 1 },
		Route:  func(int) (string, string) { return "", "U12345" }}
}

// Every command runs in a transaction that holds a connection. If Execute
// read the aggregate on another connection from the pool, a pool whose
// connections are all held by such transactions would deadlock: here two
// commands open their transactions on a pool of two before either loads.
func TestExecuteInATransactionNeedsNoSecondConnection(t *testing.T) {
	_, schema := testkit.Postgres(t)
	pool, err := pgkit.Open(t.Context(), pgkit.PoolConfig{URL: testkit.DatabaseURL(t), MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	store, err := eventstore.New(pool, schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	repo := aggregate.NewRepository(counter(), store)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	const commands = 2
	var open sync.WaitGroup
	open.Add(commands)
	errs := make(chan error, commands)
	for i := range commands {
		go func() {
			errs <- pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				open.Done()
				open.Wait() // every connection is now held by a transaction
				_, _, err := repo.Execute(ctx, tx, fmt.Sprint("c", i), 0, aggregate.Meta{Now: time.Now(), Actor: events.Actor{ID: "t", Role: "tester"}, CorrelationID: "c"},
					func(int, int64) ([]events.Data, error) { return []events.Data{counted{}}, nil })
				return err
			})
		}()
	}
	for range commands {
		if err := <-errs; err != nil {
			t.Fatalf("a command in a transaction on a full pool: %v", err)
		}
	}
}
