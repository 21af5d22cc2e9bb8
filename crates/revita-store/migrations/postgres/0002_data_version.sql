-- A counter bumped by every write, in the write's own transaction. Caches of
-- derived output (rendered maps) key on it, so that every app server sees a
-- change made through any other.
CREATE TABLE data_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);
