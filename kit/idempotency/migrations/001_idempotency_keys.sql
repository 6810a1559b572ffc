-- The first response to each Idempotency-Key, written in the same
-- transaction as the events the request recorded.
CREATE TABLE {{.schema}}.idempotency_keys (
    scope        text        NOT NULL, -- the route and the caller
    key          text        NOT NULL,
    request_hash bytea       NOT NULL,
    status       int         NOT NULL,
    headers      jsonb       NOT NULL,
    body         bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
