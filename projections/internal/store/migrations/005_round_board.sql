-- The care-home round board: each home's rounds, who was nominated and
-- what became of them, and the actions raised.
CREATE TABLE {{.schema}}.care_home_rounds (
    round          text        PRIMARY KEY,
    care_home      text        NOT NULL,
    area           text        NOT NULL,
    week           text        NOT NULL,
    planned_start  timestamptz NOT NULL,
    clinical_lead  text        NOT NULL,
    status         text        NOT NULL, -- scheduled, held, closed, cancelled
    status_reason  text        NOT NULL DEFAULT '',
    started_at     timestamptz,
    ended_at       timestamptz,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX care_home_rounds_home_idx ON {{.schema}}.care_home_rounds (care_home, planned_start);

CREATE TABLE {{.schema}}.round_residents (
    round        text NOT NULL,
    patient      text NOT NULL,
    nominated_by text NOT NULL,
    reason       text NOT NULL,
    priority     text NOT NULL,
    status       text NOT NULL, -- nominated, withdrawn, reviewed, not-reviewed
    outcome      text NOT NULL DEFAULT '',
    PRIMARY KEY (round, patient)
);

CREATE TABLE {{.schema}}.round_actions (
    round        text NOT NULL,
    action_id    text NOT NULL,
    patient      text NOT NULL,
    description  text NOT NULL,
    owner        text NOT NULL,
    due_on       date NOT NULL,
    status       text NOT NULL, -- open, completed
    completed_at timestamptz,
    PRIMARY KEY (round, action_id)
);
