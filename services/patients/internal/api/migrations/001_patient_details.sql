-- Personal details live here, and only here: one row per patient reference,
-- updated in the same transaction as the event that says they changed, and
-- erasable without touching the event log.
CREATE TABLE {{.schema}}.patient_details (
    patient      text        PRIMARY KEY,
    nhs_number   char(10)    NOT NULL,
    given_name   text        NOT NULL,
    family_name  text        NOT NULL,
    birth_date   date        NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT patient_details_nhs_number_key UNIQUE (nhs_number)
);
