// Package consumer is the kit for reading care events from JetStream, built
// on watermill's Router:
//
//   - a watermill Subscriber over a durable JetStream pull consumer that acks
//     a message only when the handler has returned nil, which a handler does
//     only after its effect is committed;
//   - retry with exponential backoff for transient failures, and a poison
//     queue (the CARE_POISON stream, with the reason) for messages that can
//     never succeed, so one bad message does not stop the others; each
//     consumer's record of an event is kept, however many consumers park it
//     (MessageID);
//   - the durable consumer declared at start-up, or, where the process's
//     NATS user may not declare it (Config.Existing), only checked and
//     bound to;
//   - correlation ids from the envelope in the message metadata and logs;
//   - ApplyOnce, which makes a handler idempotent by recording the event id in
//     the same PostgreSQL transaction as the effect.
//
// With the default MaxAckPending of 1, a message that keeps failing
// transiently is redelivered before anything behind it: order is kept and the
// partition waits, rather than skipping ahead.
package consumer
