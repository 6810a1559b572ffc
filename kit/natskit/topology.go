package natskit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
)

// Stream names.
const (
	// EventStream holds every care event, on subjects care.> (see
	// events.SubjectOf for the scheme).
	EventStream = "CARE"
	// PoisonStream holds messages a consumer could not handle, with the
	// reason, on poison.<consumer>.
	PoisonStream = "CARE_POISON"
	// PoisonSubjectPrefix starts every poison subject.
	PoisonSubjectPrefix = "poison."
)

// TopologyConfig sizes the streams for a deployment.
type TopologyConfig struct {
	// Replicas is 1 on a single server and 3 on a production cluster.
	Replicas int
	// DuplicateWindow is how long JetStream remembers Nats-Msg-Id values to
	// drop repeats. It must cover the longest relay outage after which a
	// republish could happen; consumers are idempotent beyond it.
	DuplicateWindow time.Duration
}

// Defaults fills unset fields.
func (c *TopologyConfig) Defaults() {
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	if c.DuplicateWindow == 0 {
		c.DuplicateWindow = 10 * time.Minute
	}
}

// Validate checks the config.
func (c TopologyConfig) Validate() error {
	if c.Replicas != 1 && c.Replicas != 3 && c.Replicas != 5 {
		return fmt.Errorf("stream replicas %d: want 1, 3 or 5", c.Replicas)
	}
	if c.DuplicateWindow < time.Second || c.DuplicateWindow > 24*time.Hour {
		return fmt.Errorf("duplicate window %v: want between 1s and 24h", c.DuplicateWindow)
	}
	return nil
}

// EventStreamConfig is the CARE stream: file storage, kept until a retention
// policy is decided per deployment (PostgreSQL stays the source of truth).
func EventStreamConfig(c TopologyConfig) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        EventStream,
		Description: "Careweave care events, published from the services' PostgreSQL event logs",
		Subjects:    []string{events.FilterAll},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		Replicas:    c.Replicas,
		Duplicates:  c.DuplicateWindow,
		MaxMsgSize:  events.MaxEncodedSize,
		AllowDirect: true,
	}
}

// PoisonStreamConfig is the poison stream.
func PoisonStreamConfig(c TopologyConfig) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        PoisonStream,
		Description: "Messages Careweave consumers could not handle, with the reason",
		Subjects:    []string{PoisonSubjectPrefix + ">"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Replicas:    c.Replicas,
		MaxAge:      30 * 24 * time.Hour,
	}
}

// Provision creates or updates the streams. Every component calls it at
// start-up; it is idempotent, and leaves a stream that already has the
// settings alone: updating a stream while another process creates its
// consumers on it races inside nats-server, and gains nothing.
func Provision(ctx context.Context, js jetstream.JetStream, c TopologyConfig) error {
	c.Defaults()
	if err := c.Validate(); err != nil {
		return err
	}
	for _, sc := range []jetstream.StreamConfig{EventStreamConfig(c), PoisonStreamConfig(c)} {
		if st, err := js.Stream(ctx, sc.Name); err == nil && sameSettings(st.CachedInfo().Config, sc) {
			continue
		}
		if _, err := js.CreateOrUpdateStream(ctx, sc); err != nil {
			return fmt.Errorf("provision stream %s: %w", sc.Name, err)
		}
	}
	return nil
}

// sameSettings reports whether a stream has every setting Provision gives
// it (the server fills in the rest).
func sameSettings(have, want jetstream.StreamConfig) bool {
	return have.Description == want.Description && slices.Equal(have.Subjects, want.Subjects) && have.Storage == want.Storage &&
		have.Retention == want.Retention && have.Discard == want.Discard && have.Replicas == want.Replicas &&
		(want.Duplicates == 0 || have.Duplicates == want.Duplicates) && (want.MaxMsgSize == 0 || have.MaxMsgSize == want.MaxMsgSize) &&
		have.AllowDirect == want.AllowDirect && have.MaxAge == want.MaxAge
}

// ConsumerSpec declares one durable pull consumer on the event stream.
type ConsumerSpec struct {
	// Durable names the consumer; it survives restarts and idleness.
	Durable string
	// FilterSubjects select the events (see the events.Filter* helpers).
	FilterSubjects []string
	// MaxAckPending bounds unacknowledged messages. 1 (the default) keeps
	// strict order even when a message is redelivered.
	MaxAckPending int
	// AckWait is how long the server waits for an ack before redelivering.
	AckWait time.Duration
	// DeliverNew starts a new consumer at new messages instead of the start.
	DeliverNew bool
}

// EnsureConsumer creates or updates a durable consumer on the event stream.
func EnsureConsumer(ctx context.Context, js jetstream.JetStream, spec ConsumerSpec) (jetstream.Consumer, error) {
	return EnsureConsumerOn(ctx, js, EventStream, spec)
}

// EnsureConsumerOn is EnsureConsumer on any stream.
func EnsureConsumerOn(ctx context.Context, js jetstream.JetStream, stream string, spec ConsumerSpec) (jetstream.Consumer, error) {
	if spec.Durable == "" {
		return nil, errors.New("ensure consumer: no durable name")
	}
	if spec.MaxAckPending == 0 {
		spec.MaxAckPending = 1
	}
	if spec.AckWait == 0 {
		spec.AckWait = 30 * time.Second
	}
	cc := jetstream.ConsumerConfig{
		Durable:        spec.Durable,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        spec.AckWait,
		MaxAckPending:  spec.MaxAckPending,
		FilterSubjects: spec.FilterSubjects,
		DeliverPolicy:  jetstream.DeliverAllPolicy,
		MaxDeliver:     -1, // never give up: the consumer kit parks what cannot be handled
	}
	if spec.DeliverNew {
		cc.DeliverPolicy = jetstream.DeliverNewPolicy
	}
	c, err := js.CreateOrUpdateConsumer(ctx, stream, cc)
	if err != nil {
		return nil, fmt.Errorf("ensure consumer %s on %s: %w", spec.Durable, stream, err)
	}
	return c, nil
}

// ErrNotProvisioned says a stream or consumer is missing or has other
// settings than Provision or EnsureConsumer would give it.
var ErrNotProvisioned = errors.New("not provisioned")

// CheckConsumer reports whether the durable consumer of spec exists on the
// event stream with spec's filter subjects and MaxAckPending, only reading
// it. A component whose NATS user may not create consumers (kit/natsauth)
// calls it instead of EnsureConsumer, once an administrator has made the
// consumer with EnsureConsumer.
func CheckConsumer(ctx context.Context, js jetstream.JetStream, spec ConsumerSpec) error {
	if spec.MaxAckPending == 0 {
		spec.MaxAckPending = 1
	}
	c, err := js.Consumer(ctx, EventStream, spec.Durable)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		return fmt.Errorf("consumer %s on %s: %w: it does not exist (the administrator creates it)", spec.Durable, EventStream, ErrNotProvisioned)
	}
	if err != nil {
		return fmt.Errorf("check consumer %s on %s: %w", spec.Durable, EventStream, err)
	}
	have := c.CachedInfo().Config
	filters := have.FilterSubjects
	if len(filters) == 0 && have.FilterSubject != "" {
		filters = []string{have.FilterSubject}
	}
	if !sameSet(filters, spec.FilterSubjects) || have.MaxAckPending != spec.MaxAckPending || have.AckPolicy != jetstream.AckExplicitPolicy {
		return fmt.Errorf("consumer %s on %s: %w: it has filter %v and max ack pending %d, want %v and %d",
			spec.Durable, EventStream, ErrNotProvisioned, filters, have.MaxAckPending, spec.FilterSubjects, spec.MaxAckPending)
	}
	return nil
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// Check reports whether the streams exist with the settings Provision gives
// them, only reading them. A component whose NATS user may not create or
// change streams (kit/natsauth) calls it instead of Provision, once an
// administrator has provisioned; Provision would wait out its timeout on
// the refused update instead of saying what is wrong.
func Check(ctx context.Context, js jetstream.JetStream, c TopologyConfig) error {
	c.Defaults()
	if err := c.Validate(); err != nil {
		return err
	}
	for _, sc := range []jetstream.StreamConfig{EventStreamConfig(c), PoisonStreamConfig(c)} {
		st, err := js.Stream(ctx, sc.Name)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("stream %s: %w: it does not exist", sc.Name, ErrNotProvisioned)
		}
		if err != nil {
			return fmt.Errorf("check stream %s: %w", sc.Name, err)
		}
		if !sameSettings(st.CachedInfo().Config, sc) {
			return fmt.Errorf("stream %s: %w: its settings differ (replicas %d, want %d)", sc.Name, ErrNotProvisioned, st.CachedInfo().Config.Replicas, sc.Replicas)
		}
	}
	return nil
}

// Durable consumer names, each defined here once: the component consuming
// through it, the administrator creating it and the NATS permissions naming
// it (kit/natsauth) must agree.

// ProjectorDurable is the projector's durable consumer of partition p.
func ProjectorDurable(p int) string { return fmt.Sprintf("timeline-p%02d", p) }

// NotifyDurable is the notify service's durable consumer of partition p.
func NotifyDurable(p int) string { return fmt.Sprintf("notify-p%02d", p) }

// RecipientDurable is the durable consumer a community team or a device
// gateway pulls its notices from, id being the team's or clinician's
// directory id.
func RecipientDurable(id string) string { return "sub-" + id }
