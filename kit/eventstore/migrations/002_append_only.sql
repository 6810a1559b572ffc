-- The log is append-only: history is corrected by new events (a cancelled
-- discharge, a correction), never by editing or deleting old ones.
CREATE FUNCTION {{.schema}}.refuse_event_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON {{.schema}}.events
    FOR EACH ROW EXECUTE FUNCTION {{.schema}}.refuse_event_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON {{.schema}}.events
    FOR EACH STATEMENT EXECUTE FUNCTION {{.schema}}.refuse_event_change();
