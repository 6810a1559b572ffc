-- The event log of one service. Rows are only ever inserted.
CREATE TABLE {{.schema}}.events (
    -- Commit-order cursor: (transaction_id, position). position alone is
    -- assigned at INSERT but becomes visible at COMMIT, so a reader ordering
    -- by it could skip a late-committing event; see ReadAll.
    position       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id xid8        NOT NULL DEFAULT pg_current_xact_id(),
    stream_id      text        NOT NULL,
    version        bigint      NOT NULL CHECK (version > 0),
    event_id       uuid        NOT NULL,
    event_type     text        NOT NULL,
    subject        text        NOT NULL DEFAULT '',
    area           text        NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    envelope       json        NOT NULL, -- json, not jsonb: keeps the exact bytes we publish
    -- Optimistic concurrency: two writers at the same expected version
    -- collide here and one gets SQLSTATE 23505.
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, version),
    CONSTRAINT events_event_id_key UNIQUE (event_id)
);

CREATE INDEX events_commit_order_idx ON {{.schema}}.events (transaction_id, position);

-- Durable read positions of ReadAll consumers (the relay's among them).
CREATE TABLE {{.schema}}.cursors (
    name           text        PRIMARY KEY,
    transaction_id xid8        NOT NULL,
    position       bigint      NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
