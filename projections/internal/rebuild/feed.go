package rebuild

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// feed reads the replay's ordered consumer in the background and hands out
// batches, so reading from NATS overlaps writing to PostgreSQL.
type feed struct {
	cons  jetstream.Consumer
	it    jetstream.MessagesContext
	msgs  chan jetstream.Msg
	errs  chan error
	done  chan struct{}
	batch int
}

func newFeed(cons jetstream.Consumer, batch int) (*feed, error) {
	it, err := cons.Messages(jetstream.PullMaxMessages(2 * batch))
	if err != nil {
		return nil, fmt.Errorf("replay consumer: %w", err)
	}
	f := &feed{cons: cons, it: it, msgs: make(chan jetstream.Msg, 2*batch), errs: make(chan error, 1), done: make(chan struct{}), batch: batch}
	go func() {
		for {
			m, err := it.Next()
			if err != nil {
				if !errors.Is(err, jetstream.ErrMsgIteratorClosed) {
					f.errs <- fmt.Errorf("replay consumer: %w", err)
				}
				close(f.msgs)
				return
			}
			select {
			case f.msgs <- m:
			case <-f.done:
				return
			}
		}
	}()
	return f, nil
}

// next returns up to a batch of messages: it waits up to wait for the
// first, then takes what has arrived. caughtUp reports that the last one
// was the stream's last when it was delivered.
func (f *feed) next(ctx context.Context, wait time.Duration) (msgs []jetstream.Msg, caughtUp bool, err error) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return nil, false, ctx.Err()
	case err := <-f.errs:
		return nil, false, err
	case <-timer.C:
		return nil, false, nil
	case m, ok := <-f.msgs:
		if !ok {
			return nil, false, f.closedErr()
		}
		msgs = append(msgs, m)
	}
	for len(msgs) < f.batch {
		select {
		case m, ok := <-f.msgs:
			if !ok {
				return msgs, false, nil
			}
			msgs = append(msgs, m)
			continue
		default:
		}
		break
	}
	meta, err := msgs[len(msgs)-1].Metadata()
	if err != nil {
		return nil, false, fmt.Errorf("read message metadata: %w", err)
	}
	return msgs, meta.NumPending == 0 && len(f.msgs) == 0, nil
}

func (f *feed) closedErr() error {
	select {
	case err := <-f.errs:
		return err
	default:
		return errors.New("replay consumer closed")
	}
}

// buffered is how many messages have been read but not handed out.
func (f *feed) buffered() int { return len(f.msgs) }

// pending asks the consumer how many messages it has yet to deliver.
func (f *feed) pending(ctx context.Context) (uint64, error) {
	info, err := f.cons.Info(ctx)
	if err != nil {
		return 0, err
	}
	return info.NumPending, nil
}

func (f *feed) stop() {
	close(f.done)
	f.it.Stop()
}
