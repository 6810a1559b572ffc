-- When each assigned visit must be accepted by. A row is written or removed
-- in the same transaction as the events that start or end the wait, so the
-- timer outlives any restart of the service.
CREATE TABLE {{.schema}}.assignment_timers (
    visit     text        PRIMARY KEY,
    accept_by timestamptz NOT NULL
);
CREATE INDEX assignment_timers_due_idx ON {{.schema}}.assignment_timers (accept_by);
