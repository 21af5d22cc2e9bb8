-- Named designation and allocation specs, saved with every version (issue
-- 16): a spec is shared by its name and number, and a saved version never
-- changes; saving under the same name adds the next version.
CREATE TABLE saved_specs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    version    BIGINT NOT NULL,
    spec       TEXT NOT NULL,
    note       TEXT,
    saved_by   TEXT NOT NULL,
    saved_at   TEXT NOT NULL,
    UNIQUE (kind, name, version)
);
