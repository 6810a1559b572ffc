package consumer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Metadata keys set on every received message.
const (
	MetaSubject     = "subject"
	MetaStreamSeq   = "stream_seq"
	MetaDeliveries  = "deliveries"
	headerCorrelate = "Ce-Correlationid"
)

// Subscriber is a watermill Subscriber whose topics are durable consumers on
// one JetStream stream. Consumers must exist (natskit.EnsureConsumer): the
// topology is declared in code at start-up, not implied by subscribing.
type Subscriber struct {
	js       jetstream.JetStream
	stream   string
	nakDelay time.Duration
	logger   watermill.LoggerAdapter

	mu     sync.Mutex
	closed bool
	stops  []func()
	wg     sync.WaitGroup
}

// NewSubscriber returns a subscriber on stream. A message the handler
// nacks is redelivered after nakDelay.
func NewSubscriber(js jetstream.JetStream, stream string, nakDelay time.Duration, logger watermill.LoggerAdapter) *Subscriber {
	return &Subscriber{js: js, stream: stream, nakDelay: nakDelay, logger: logger}
}

// Subscribe streams the durable consumer named topic. Each message is
// handed over one at a time and acked or nacked on JetStream when the
// router acks or nacks it.
func (s *Subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("subscriber closed")
	}
	cons, err := s.js.Consumer(ctx, s.stream, topic)
	if err != nil {
		return nil, fmt.Errorf("subscribe to consumer %s on %s: %w", topic, s.stream, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(64))
	if err != nil {
		return nil, fmt.Errorf("subscribe to consumer %s: %w", topic, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	s.stops = append(s.stops, func() { cancel(); it.Stop() })
	out := make(chan *message.Message)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(out)
		defer it.Stop()
		for {
			jm, err := it.Next(jetstream.NextContext(ctx))
			if err != nil {
				if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
					return
				}
				s.logger.Error("fetch from consumer", err, watermill.LogFields{"consumer": topic})
				continue
			}
			s.deliver(ctx, topic, jm, out)
		}
	}()
	return out, nil
}

// deliver hands one message to the router and settles it on JetStream.
func (s *Subscriber) deliver(ctx context.Context, topic string, jm jetstream.Msg, out chan<- *message.Message) {
	h := jm.Headers()
	uuid := h.Get(jetstream.MsgIDHeader)
	if uuid == "" {
		uuid = watermill.NewUUID()
	}
	msg := message.NewMessage(uuid, jm.Data())
	for k, vs := range h {
		if len(vs) > 0 {
			msg.Metadata.Set(k, vs[0])
		}
	}
	msg.Metadata.Set(MetaSubject, jm.Subject())
	if md, err := jm.Metadata(); err == nil {
		msg.Metadata.Set(MetaStreamSeq, fmt.Sprint(md.Sequence.Stream))
		msg.Metadata.Set(MetaDeliveries, fmt.Sprint(md.NumDelivered))
	}
	if c := h.Get(headerCorrelate); c != "" {
		middleware.SetCorrelationID(c, msg)
	}
	msg.SetContext(ctx)

	select {
	case out <- msg:
	case <-ctx.Done():
		_ = jm.Nak() // never handed over: give it back now, not after AckWait
		return
	}
	select {
	case <-msg.Acked():
		s.ack(ctx, topic, jm)
	case <-msg.Nacked():
		s.nak(topic, jm)
	case <-ctx.Done():
		// Shutting down with the message in the handler: wait for its
		// verdict (the router lets handlers finish), then settle it, so a
		// restarted or second worker gets it at once rather than after
		// AckWait. A repeat of a committed effect is dropped by ApplyOnce.
		select {
		case <-msg.Acked():
			s.ack(ctx, topic, jm)
		case <-msg.Nacked():
			s.nak(topic, jm)
		case <-time.After(10 * time.Second):
			_ = jm.Nak()
		}
	}
}

func (s *Subscriber) ack(ctx context.Context, topic string, jm jetstream.Msg) {
	// DoubleAck waits for the server to confirm, so an ack lost on the wire
	// is not mistaken for progress.
	if err := jm.DoubleAck(context.WithoutCancel(ctx)); err != nil {
		s.logger.Error("ack message", err, watermill.LogFields{"consumer": topic})
	}
}

func (s *Subscriber) nak(topic string, jm jetstream.Msg) {
	if err := jm.NakWithDelay(s.nakDelay); err != nil {
		s.logger.Error("nak message", err, watermill.LogFields{"consumer": topic})
	}
}

// Close stops every subscription and waits for them to end.
func (s *Subscriber) Close() error {
	s.mu.Lock()
	s.closed = true
	for _, stop := range s.stops {
		stop()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// Publisher is a watermill Publisher to JetStream: each message becomes a
// NATS message on the topic subject, its metadata becoming headers and
// topic and UUID together its Nats-Msg-Id (MessageID). It waits for each
// ack.
type Publisher struct {
	js jetstream.JetStream
}

// NewPublisher returns a publisher.
func NewPublisher(js jetstream.JetStream) *Publisher { return &Publisher{js: js} }

// Publish publishes msgs to topic and waits for JetStream to store them.
func (p *Publisher) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		nm := &nats.Msg{Subject: topic, Data: m.Payload, Header: nats.Header{}}
		for k, v := range m.Metadata {
			if !strings.HasPrefix(k, "Nats-") { // never forward JetStream control headers
				nm.Header.Set(k, v)
			}
		}
		nm.Header.Set(jetstream.MsgIDHeader, MessageID(topic, m.UUID))
		// A poison message must be parked even while the router shuts down.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(m.Context()), 10*time.Second)
		_, err := p.js.PublishMsg(ctx, nm)
		cancel()
		if err != nil {
			return fmt.Errorf("publish to %s: %w", topic, err)
		}
	}
	return nil
}

// Close does nothing: the connection belongs to the caller.
func (p *Publisher) Close() error { return nil }

// MessageID is the Nats-Msg-Id the Publisher gives message uuid on topic.
// A poison message's UUID is the event's id, and several consumers take the
// same event (the projector's timeline-pNN and notify's notify-pNN): with
// the event id alone, a second consumer parking it within the poison
// stream's duplicate window would be dropped as a repeat and the message
// acked without a record. With the topic (poison.<consumer>) in it, each
// consumer's record is kept and only a consumer's own repeat is dropped.
func MessageID(topic, uuid string) string { return topic + ":" + uuid }
