-- Where each patient is registered: the PCN the query API's access policy
-- checks a caller's against ("a patient registered at a practice in the
-- user's PCN"). A merged record keeps its last registration and names the
-- record it was merged into.
CREATE TABLE {{.schema}}.registrations (
    patient        text        PRIMARY KEY,
    practice       text        NOT NULL,
    pcn            text        NOT NULL,
    merged_into    text        NOT NULL DEFAULT '',
    stream_version bigint      NOT NULL,
    updated_at     timestamptz NOT NULL
);
