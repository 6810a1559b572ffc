-- Break-glass grants: someone without a legitimate relationship with a
-- patient stated why they must see the record anyway. A grant lets them
-- read it until it expires; making one is recorded on the audit trail and
-- published as an alert. Grants are only ever added.
CREATE TABLE {{.schema}}.break_glass_grants (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject    text        NOT NULL,
    role       text        NOT NULL,
    patient    text        NOT NULL,
    reason     text        NOT NULL,
    granted_at timestamptz NOT NULL DEFAULT now(),
    until      timestamptz NOT NULL
);
CREATE INDEX break_glass_grants_idx ON {{.schema}}.break_glass_grants (patient, subject, until);
