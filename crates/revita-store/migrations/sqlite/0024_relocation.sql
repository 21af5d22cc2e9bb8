-- Poverty-alleviation relocation and its follow-up support, and
-- work-relief (issue 17; methods.md §2, §3).
-- resettlement_sites: a site kept by its county's office, with its type
-- (setting urban|rural, category concentrated|dispersed and subtype), room,
-- services, governance and property certificates issued.
-- relocations: one row per relocated registry household (keyed by the
-- household; households.relocation_site of migration 10 stays the
-- registry's own note), with the §2.2 facts and an override reason where
-- a registered-poor household exceeds 25 m² per person.
-- relocation_incomes: net income per person by year.
-- relief_rules: the labour-remuneration share by year range and batch
-- pattern, in versions (a planner adds one; the highest version of a key
-- applies), seeded with §3.2's rules.
-- relief_projects, relief_workers (the roster, linked to a registry member
-- when known), relief_payments (account references masked to the last four
-- characters before they are stored).
CREATE TABLE resettlement_sites (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    code                 TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    county_code          TEXT NOT NULL REFERENCES regions (code),
    township             TEXT,
    lon                  DOUBLE PRECISION NOT NULL,
    lat                  DOUBLE PRECISION NOT NULL,
    setting              TEXT NOT NULL,
    category             TEXT NOT NULL,
    subtype              TEXT NOT NULL,
    capacity_people      BIGINT NOT NULL,
    capacity_units       BIGINT NOT NULL,
    floor_area           DOUBLE PRECISION NOT NULL,
    school               BIGINT NOT NULL,
    clinic               BIGINT NOT NULL,
    elder_care           BIGINT NOT NULL,
    community_centre     BIGINT NOT NULL,
    workshops            BIGINT NOT NULL,
    party_branch         BIGINT NOT NULL,
    committee            BIGINT NOT NULL,
    certificates         BIGINT NOT NULL,
    version              BIGINT NOT NULL,
    updated_by           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX resettlement_sites_county ON resettlement_sites (county_code);

CREATE TABLE relocations (
    household_id      TEXT PRIMARY KEY REFERENCES households (id),
    site_code         TEXT NOT NULL REFERENCES resettlement_sites (code),
    registered_poor   BIGINT NOT NULL,
    same_time_mover   BIGINT NOT NULL,
    moved_on          TEXT,
    persons           BIGINT NOT NULL,
    labour            BIGINT NOT NULL,
    employed          BIGINT NOT NULL,
    employment_place  TEXT,
    housing_area_pc   DOUBLE PRECISION NOT NULL,
    self_contribution DOUBLE PRECISION NOT NULL,
    demolished        BIGINT NOT NULL,
    reclaimed         BIGINT NOT NULL,
    override_reason   TEXT,
    updated_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX relocations_site ON relocations (site_code);

CREATE TABLE relocation_incomes (
    household_id TEXT NOT NULL REFERENCES households (id),
    year         BIGINT NOT NULL,
    income       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (household_id, year)
);

CREATE TABLE relief_rules (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    from_year     BIGINT NOT NULL,
    to_year       BIGINT,
    batch_pattern TEXT NOT NULL,
    min_share     DOUBLE PRECISION NOT NULL,
    version       BIGINT NOT NULL,
    note          TEXT,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE relief_projects (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    code                 TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    county_code          TEXT NOT NULL REFERENCES regions (code),
    village_code         TEXT,
    fund_source          TEXT NOT NULL,
    batch                TEXT NOT NULL,
    year                 BIGINT NOT NULL,
    works_type           TEXT NOT NULL,
    total_investment     DOUBLE PRECISION NOT NULL,
    central_investment   DOUBLE PRECISION NOT NULL,
    remuneration_planned DOUBLE PRECISION NOT NULL,
    remuneration_paid    DOUBLE PRECISION NOT NULL,
    start_on             TEXT,
    end_on               TEXT,
    accepted_on          TEXT,
    status               TEXT NOT NULL,
    training_sessions    BIGINT NOT NULL,
    maintenance_posts    BIGINT NOT NULL,
    version              BIGINT NOT NULL,
    updated_by           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX relief_projects_county ON relief_projects (county_code);

CREATE TABLE relief_workers (
    project_id   BIGINT NOT NULL REFERENCES relief_projects (id),
    worker_id    TEXT NOT NULL,
    name         TEXT,
    category     TEXT NOT NULL,
    household_id TEXT REFERENCES households (id),
    member_seq   BIGINT,
    PRIMARY KEY (project_id, worker_id)
);

CREATE TABLE relief_payments (
    project_id  BIGINT NOT NULL REFERENCES relief_projects (id),
    worker_id   TEXT NOT NULL,
    paid_on     TEXT NOT NULL,
    amount      DOUBLE PRECISION NOT NULL,
    account_ref TEXT NOT NULL,
    PRIMARY KEY (project_id, worker_id, paid_on)
);

INSERT INTO relief_rules (from_year, to_year, batch_pattern, min_share, version, note, created_by, created_at) VALUES
    (1984, 2021, '*', 0.15, 1, 'methods.md §3.2: before 2022, at least 15% of central funds', 'migration', '2026-01-01'),
    (2022, NULL, '*', 0.30, 1, 'methods.md §3.2: from 2022, at least 30% of central funds', 'migration', '2026-01-01'),
    (2025, 2025, '加力扩围|extra', 0.40, 1, 'methods.md §3.2: the 2025 extra batch, at least 40%', 'migration', '2026-01-01');

INSERT INTO data_versions (topic, version) VALUES ('relocation', 0);
