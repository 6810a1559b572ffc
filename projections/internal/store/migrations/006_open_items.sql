-- The patient summary: what is open for a patient across every service
-- right now — a visit not yet done, a review or a prescriber's decision
-- pending, a care-home assessment or round nomination or action, a stay
-- or its follow-up. Closed items stay, with open = false, so the summary
-- can say what closed them.
CREATE TABLE {{.schema}}.open_items (
    patient    text        NOT NULL,
    item       text        NOT NULL, -- the stream, or stream:part for a nomination or an action
    service    text        NOT NULL,
    kind       text        NOT NULL,
    state      text        NOT NULL,
    open       boolean     NOT NULL,
    pending    int         NOT NULL DEFAULT 0, -- recommendations awaiting a prescriber's decision
    due_at     timestamptz,
    since      timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    path       text        NOT NULL,
    PRIMARY KEY (patient, item)
);
CREATE INDEX open_items_open_idx ON {{.schema}}.open_items (patient) WHERE open;
