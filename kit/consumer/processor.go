package consumer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/natskit"
)

// Handler applies one event. It returns nil only once its effect is
// committed; a Permanent error parks the message, any other error is retried.
type Handler func(ctx context.Context, env events.Envelope) error

// Config describes one processor: a durable consumer and its handler.
type Config struct {
	// Name names the durable consumer, the handler and its poison subject.
	Name string
	// FilterSubjects select the events (events.Filter* helpers).
	FilterSubjects []string
	// MaxAckPending: 1 (default) keeps strict order across redeliveries.
	MaxAckPending int
	// MaxRetries is how many in-process retries a transient failure gets
	// before the message is nacked and redelivered after NakDelay.
	MaxRetries int
	// RetryInitial and RetryMax shape the exponential backoff.
	RetryInitial, RetryMax time.Duration
	// NakDelay is how long JetStream waits before redelivering a nacked
	// message.
	NakDelay time.Duration
	// Existing says an administrator has made the durable consumer (with
	// natskit.EnsureConsumer and Spec) and this process may only use it:
	// New reads it and refuses one whose settings are not Spec's, but never
	// creates or changes it. A NATS user allowed to create its consumer
	// could give it any filter (with several filter subjects the request
	// names none, so permissions cannot hold it), so a deployment with
	// per-user permissions (kit/natsauth) allows none to, and sets this.
	Existing bool
}

func (c *Config) setDefaults() {
	if c.MaxAckPending == 0 {
		c.MaxAckPending = 1
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 5
	}
	if c.RetryInitial == 0 {
		c.RetryInitial = 50 * time.Millisecond
	}
	if c.RetryMax == 0 {
		c.RetryMax = 5 * time.Second
	}
	if c.NakDelay == 0 {
		c.NakDelay = 5 * time.Second
	}
}

// Validate checks the config after defaults.
func (c *Config) Validate() error {
	if !validName(c.Name) {
		return fmt.Errorf("consumer name %q: want 1-64 letters, digits, '-' or '_'", c.Name)
	}
	if len(c.FilterSubjects) == 0 {
		return fmt.Errorf("consumer %s: no filter subjects", c.Name)
	}
	if c.MaxRetries < 0 || c.RetryInitial <= 0 || c.RetryMax < c.RetryInitial || c.NakDelay <= 0 {
		return fmt.Errorf("consumer %s: retry settings must be positive with max >= initial", c.Name)
	}
	return nil
}

// Spec is the durable consumer the processor consumes from: New creates
// it so, or with Existing checks that it is so.
func (c Config) Spec() natskit.ConsumerSpec {
	c.setDefaults()
	return natskit.ConsumerSpec{Durable: c.Name, FilterSubjects: c.FilterSubjects, MaxAckPending: c.MaxAckPending}
}

// PoisonSubject is where a consumer's unprocessable messages are parked.
func PoisonSubject(consumer string) string { return natskit.PoisonSubjectPrefix + consumer }

// Processor runs one handler over one durable consumer.
type Processor struct {
	router *message.Router
	sub    *Subscriber
}

// New declares the durable consumer (idempotently), or with Existing checks
// the one an administrator made, and builds the router.
func New(ctx context.Context, js jetstream.JetStream, cfg Config, handle Handler, logger *slog.Logger) (*Processor, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Existing {
		if err := natskit.CheckConsumer(ctx, js, cfg.Spec()); err != nil {
			return nil, err
		}
	} else if _, err := natskit.EnsureConsumer(ctx, js, cfg.Spec()); err != nil {
		return nil, err
	}
	logger = logger.With("consumer", cfg.Name)
	wmLogger := watermill.NewSlogLogger(logger)
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 15 * time.Second}, wmLogger)
	if err != nil {
		return nil, fmt.Errorf("consumer %s: %w", cfg.Name, err)
	}
	sub := NewSubscriber(js, natskit.EventStream, cfg.NakDelay, wmLogger)
	h := router.AddConsumerHandler(cfg.Name, cfg.Name, sub, envelopeHandler(handle, logger))

	poison, err := middleware.PoisonQueueWithFilter(NewPublisher(js), PoisonSubject(cfg.Name), IsPermanent)
	if err != nil {
		return nil, fmt.Errorf("consumer %s: %w", cfg.Name, err)
	}
	// Outermost first: park what can never succeed; retry the rest with
	// backoff; turn a panic into a permanent error.
	h.AddMiddleware(
		poison,
		middleware.Retry{
			MaxRetries:          cfg.MaxRetries,
			InitialInterval:     cfg.RetryInitial,
			MaxInterval:         cfg.RetryMax,
			Multiplier:          2,
			RandomizationFactor: 0.3,
			ShouldRetry:         func(p middleware.RetryParams) bool { return !IsPermanent(p.Err) },
			Logger:              wmLogger,
		}.Middleware,
		recoverer(logger),
	)
	return &Processor{router: router, sub: sub}, nil
}

// Run processes messages until ctx ends, then closes the router, letting the
// message in hand finish.
func (p *Processor) Run(ctx context.Context) error {
	defer p.sub.Close()
	if err := p.router.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// Running is closed once the processor is consuming.
func (p *Processor) Running() chan struct{} { return p.router.Running() }

// envelopeHandler decodes the envelope and calls handle with a context whose
// logger names the event (never the patient).
func envelopeHandler(handle Handler, logger *slog.Logger) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		env, err := events.Decode(msg.Payload)
		if err != nil {
			logger.Warn("undecodable message", "subject", msg.Metadata.Get(MetaSubject), "stream_seq", msg.Metadata.Get(MetaStreamSeq), "err", err)
			return err
		}
		if middleware.MessageCorrelationID(msg) == "" {
			middleware.SetCorrelationID(env.CorrelationID, msg)
		}
		l := logger.With("event_id", env.ID.String(), "type", env.Type, "correlation_id", env.CorrelationID)
		ctx := WithLogger(msg.Context(), l)
		if seq, err := strconv.ParseUint(msg.Metadata.Get(MetaStreamSeq), 10, 64); err == nil {
			ctx = context.WithValue(ctx, streamSeqKey{}, seq)
		}
		if err := handle(ctx, env); err != nil {
			l.Warn("handler failed", "err", err, "permanent", IsPermanent(err), "deliveries", msg.Metadata.Get(MetaDeliveries))
			return err
		}
		return nil
	}
}

// recoverer turns a handler panic into a permanent error (the same message
// would panic again), logging the stack rather than putting it in the
// poison reason.
func recoverer(logger *slog.Logger) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) (out []*message.Message, err error) {
			defer func() {
				if r := recover(); r != nil {
					logger.Error("handler panicked", "stream_seq", msg.Metadata.Get(MetaStreamSeq), "stack", string(debug.Stack()))
					err = Permanent(errors.New("handler panicked"))
				}
			}()
			return h(msg)
		}
	}
}

type loggerKey struct{}

type streamSeqKey struct{}

// StreamSeq returns the JetStream stream sequence of the message a handler
// is applying (0 if unknown): a projection's position, saved with its
// effect, says how fresh it is.
func StreamSeq(ctx context.Context) uint64 {
	seq, _ := ctx.Value(streamSeqKey{}).(uint64)
	return seq
}

// WithLogger returns ctx carrying logger.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// Logger returns the logger a handler's context carries, with the event's
// id, type and correlation id attached.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

func validName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
