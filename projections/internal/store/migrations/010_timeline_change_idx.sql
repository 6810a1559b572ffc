-- The query API's live-feed watcher asks, a few times a second, which
-- patients' timelines changed since the last change it saw: one look for
-- every open feed, instead of each feed polling for itself.
CREATE INDEX timeline_change_idx ON {{.schema}}.timeline (change_seq);
