-- Each patient's joined-up care timeline: one row per clinically
-- meaningful event, from any service. Rows are never deleted: a cancelled
-- or corrected fact changes status (retracted, superseded, rejected,
-- accepted) and says which event changed it.
CREATE TABLE {{.schema}}.timeline (
    row_id           bigint      GENERATED ALWAYS AS IDENTITY, -- the order rows were applied in
    patient          text        NOT NULL,
    event_id         uuid        NOT NULL,
    occurred_at      timestamptz NOT NULL, -- when it happened, as the event states it
    recorded_at      timestamptz NOT NULL, -- when the service recorded it
    stream_seq       bigint      NOT NULL, -- JetStream sequence: arrival order, a tiebreak
    service          text        NOT NULL,
    event_type       text        NOT NULL,
    category         text        NOT NULL,
    summary          text        NOT NULL,
    actor_id         text        NOT NULL,
    actor_role       text        NOT NULL,
    actor_org        text        NOT NULL,
    source_service   text        NOT NULL,
    source_aggregate text        NOT NULL,
    source_id        text        NOT NULL,
    source_path      text        NOT NULL,
    stream_id        text        NOT NULL,
    stream_version   bigint      NOT NULL,
    entry_key        text        NOT NULL DEFAULT '', -- a recommendation or action id, for marks
    status           text        NOT NULL DEFAULT 'recorded',
    status_reason    text        NOT NULL DEFAULT '',
    status_by_event  uuid,
    status_at        timestamptz,
    PRIMARY KEY (patient, event_id)
);

CREATE INDEX timeline_patient_order_idx ON {{.schema}}.timeline (patient, occurred_at, stream_seq, event_id);
CREATE INDEX timeline_stream_idx ON {{.schema}}.timeline (stream_id, event_type);

-- How far each consumer has applied the stream: the freshness every read
-- model reports.
CREATE TABLE {{.schema}}.positions (
    consumer    text        PRIMARY KEY,
    stream_seq  bigint      NOT NULL,
    event_time  timestamptz NOT NULL,
    applied_at  timestamptz NOT NULL
);
