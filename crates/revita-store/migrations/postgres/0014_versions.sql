-- A version per topic of stored data (regions, observations, the registry,
-- …), bumped by every transaction that changes the topic, so that caches of
-- derived output are dropped only when what they are made from changed
-- (a household edit no longer empties the cache of region pages).
CREATE TABLE data_versions (
    topic   TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO data_versions (topic, version) VALUES ('regions', (SELECT version FROM data_version WHERE id = 1));
INSERT INTO data_versions (topic, version) VALUES ('indicators', (SELECT version FROM data_version WHERE id = 1));
INSERT INTO data_versions (topic, version) VALUES ('observations', (SELECT version FROM data_version WHERE id = 1));
INSERT INTO data_versions (topic, version) VALUES ('designations', (SELECT version FROM data_version WHERE id = 1));
INSERT INTO data_versions (topic, version) VALUES ('registry', (SELECT version FROM data_version WHERE id = 1));
INSERT INTO data_versions (topic, version) VALUES ('cases', (SELECT version FROM data_version WHERE id = 1));
INSERT INTO data_versions (topic, version) VALUES ('plans', (SELECT version FROM data_version WHERE id = 1));
INSERT INTO data_versions (topic, version) VALUES ('access', (SELECT version FROM data_version WHERE id = 1));

-- Imports being merged into `observations` a chunk at a time from their
-- staging file (SQLite only): if a crash cuts one short, the store finishes
-- it from the staging file when next opened. Empty but for an import under
-- way.
CREATE TABLE pending_imports (
    staging_path TEXT PRIMARY KEY,
    mode         TEXT NOT NULL,
    change_id    TEXT,
    revision_at  BIGINT NOT NULL,
    merged       BIGINT NOT NULL,
    total        BIGINT NOT NULL
);
