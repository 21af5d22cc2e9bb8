-- Regions carry their path from the root ('/000000/520000/520100/'), so that
-- a jurisdiction (a region and everything below it) is a range of paths and
-- reads can stay within it in SQL. Filled in by the store after migrating.
ALTER TABLE regions ADD COLUMN path TEXT;
CREATE INDEX regions_path ON regions (path);

-- The audit log records the region a change concerns (administrators read
-- the entries of their jurisdiction) and is chained: each row keeps the
-- hash of the row before it and its own, computed by the store.
ALTER TABLE audit_log ADD COLUMN region_code TEXT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE INDEX audit_log_region ON audit_log (region_code);

-- Values an import replaced, kept under the change's id (named in its audit
-- entry): nothing a user entered is lost.
CREATE TABLE observation_revisions (
    change_id      TEXT NOT NULL,
    indicator_code TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    period         TEXT NOT NULL,
    value          REAL NOT NULL,
    source         TEXT,
    status         TEXT NOT NULL,
    replaced_at    INTEGER NOT NULL
);
CREATE INDEX observation_revisions_change ON observation_revisions (change_id);
CREATE INDEX observation_revisions_key ON observation_revisions (indicator_code, region_code, period);
