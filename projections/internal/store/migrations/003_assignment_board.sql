-- The clinician assignment board: every home visit that has been assigned,
-- with its clinician, window and state. Open visits are those not closed.
CREATE TABLE {{.schema}}.assignment_board (
    visit          text        PRIMARY KEY,
    patient        text        NOT NULL,
    area           text        NOT NULL,
    clinician      text        NOT NULL,
    role           text        NOT NULL,
    urgency        text        NOT NULL,
    not_before     timestamptz NOT NULL,
    visit_by       timestamptz NOT NULL,
    status         text        NOT NULL,
    stream_version bigint      NOT NULL, -- the visit event last applied: older ones change nothing
    updated_at     timestamptz NOT NULL,
    closed_at      timestamptz
);
CREATE INDEX assignment_board_clinician_idx ON {{.schema}}.assignment_board (clinician) WHERE closed_at IS NULL;
