-- Every insert and every status change takes the next change number, so a
-- live feed can send what changed since a client's Last-Event-ID,
-- corrections included.
CREATE SEQUENCE {{.schema}}.timeline_change_seq;
ALTER TABLE {{.schema}}.timeline
    ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('{{.schema}}.timeline_change_seq');
CREATE INDEX timeline_patient_change_idx ON {{.schema}}.timeline (patient, change_seq);
