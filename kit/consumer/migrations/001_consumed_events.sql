-- Event ids each consumer has applied, written in the same transaction as
-- the effect, so a redelivered event is recognised and changes nothing.
CREATE TABLE {{.schema}}.consumed_events (
    consumer    text        NOT NULL,
    event_id    uuid        NOT NULL,
    consumed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
