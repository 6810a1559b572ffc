-- Who lives in which care home now: one row per resident per home, kept in
-- step with the residency's events (written in the same transaction), so a
-- nomination can check in one indexed read that the patient lives in the
-- round's home.
CREATE TABLE {{.schema}}.residents (
    care_home    text        NOT NULL,
    patient      text        NOT NULL,
    residency    text        NOT NULL UNIQUE,
    status       text        NOT NULL,
    stay         int         NOT NULL,
    admitted_at  timestamptz NOT NULL,
    due_on       date        NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (care_home, patient)
);
