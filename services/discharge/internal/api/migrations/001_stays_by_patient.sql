-- The patient's stays, written in the same transaction as each stay's
-- events: admission looks up the patient's previous stay here to detect a
-- readmission, without scanning the event log.
CREATE TABLE {{.schema}}.stays_by_patient (
    stay_id      text        PRIMARY KEY,
    patient      text        NOT NULL,
    admitted_at  timestamptz NOT NULL,
    status       text        NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX stays_by_patient_patient_admitted
    ON {{.schema}}.stays_by_patient (patient, admitted_at DESC);
