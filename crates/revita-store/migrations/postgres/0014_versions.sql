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
