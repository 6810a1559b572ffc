-- Each patient's access log: who read or changed the patient's data, in
-- which role and organisation, on what basis (a relationship, break-glass,
-- or none for a denial), with what outcome; and the break-glass grants.
-- One row per audit event (events/access), keyed by its id, so a repeat
-- changes nothing; rows are only ever added. Who looked is not care: none
-- of it is on the timeline.
CREATE TABLE {{.schema}}.access_log (
    event_id   uuid        PRIMARY KEY,
    patient    text        NOT NULL,
    at         timestamptz NOT NULL, -- when the recording service recorded it
    kind       text        NOT NULL, -- access, break-glass-granted
    actor_id   text        NOT NULL,
    actor_role text        NOT NULL,
    actor_org  text        NOT NULL DEFAULT '',
    actor_pcn  text        NOT NULL DEFAULT '',
    actor_team text        NOT NULL DEFAULT '',
    action     text        NOT NULL DEFAULT '', -- read-timeline, change:<event type>, ...; '' for a grant
    resource   text        NOT NULL DEFAULT '', -- the path acted on; '' for a grant
    basis      text        NOT NULL,            -- relationship:<kind>, break-glass, none
    reason     text        NOT NULL DEFAULT '', -- the break-glass reason, when given
    outcome    text        NOT NULL,            -- allowed, denied
    status     int,                             -- the HTTP status; NULL for a grant
    request_id text        NOT NULL DEFAULT '',
    token_id   text        NOT NULL DEFAULT '',
    service    text        NOT NULL,            -- the recording service (the envelope's area)
    until      timestamptz                      -- when a break-glass grant lapses
);
CREATE INDEX access_log_patient_at_idx ON {{.schema}}.access_log (patient, at, event_id);
