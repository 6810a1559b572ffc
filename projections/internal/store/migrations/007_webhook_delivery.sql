-- Whether each community team has been told of its discharges by webhook:
-- per discharge, what became of the latest notice about it; per team, the
-- latest attempt of all. delivery_version and version are the team's
-- webhook stream versions, so a late or repeated record changes nothing.
ALTER TABLE {{.schema}}.discharge_worklist
    ADD COLUMN delivery          text        NOT NULL DEFAULT '', -- '' (none recorded), delivered, failing, dead
    ADD COLUMN delivery_attempts int         NOT NULL DEFAULT 0,
    ADD COLUMN delivery_at       timestamptz,
    ADD COLUMN delivery_version  bigint      NOT NULL DEFAULT 0;

CREATE TABLE {{.schema}}.team_webhooks (
    team            text        PRIMARY KEY,
    state           text        NOT NULL, -- delivered, failing, dead
    sequence        bigint      NOT NULL,
    attempts        int         NOT NULL,
    last_error      text        NOT NULL,
    next_attempt_at timestamptz,
    recorded_at     timestamptz NOT NULL,
    version         bigint      NOT NULL
);
