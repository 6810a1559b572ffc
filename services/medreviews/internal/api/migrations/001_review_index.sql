-- One row per review: its patient and status, written in the same
-- transaction as the review's events. It lets the API refuse a second open
-- SMR episode for a patient (the partial unique index decides races) and
-- answer which review a patient has, without replaying every stream.
CREATE TABLE {{.schema}}.review_index (
    review      text        PRIMARY KEY,
    patient     text        NOT NULL,
    status      text        NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX review_index_one_open_per_patient
    ON {{.schema}}.review_index (patient)
    WHERE status IN ('identified', 'invited', 'booked', 'did-not-attend');
