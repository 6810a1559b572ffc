-- Who holds each stay's follow-up (a team) and each visit (a clinician),
-- with the last notice they got: later notices repeat its facts.
CREATE TABLE {{.schema}}.holdings (
    item       text        PRIMARY KEY, -- the stay's or visit's stream
    holding    jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
