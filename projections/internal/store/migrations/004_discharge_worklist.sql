-- The community team discharge worklist: each discharge routed to a team
-- for follow-up, its deadline and what became of it. A cancelled discharge
-- stays on the list marked retracted, so nobody visits on a discharge that
-- did not happen without seeing why.
CREATE TABLE {{.schema}}.discharge_worklist (
    stay           text        PRIMARY KEY,
    patient        text        NOT NULL,
    area           text        NOT NULL,
    team           text        NOT NULL,
    pathway        text        NOT NULL,
    needs          text[]      NOT NULL,
    destination    text        NOT NULL,
    discharged_at  timestamptz NOT NULL,
    due_by         timestamptz NOT NULL,
    status         text        NOT NULL, -- assigned, completed, missed, retracted
    outcome        text        NOT NULL DEFAULT '',
    stream_version bigint      NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX discharge_worklist_team_idx ON {{.schema}}.discharge_worklist (team, due_by);
