-- Post-disaster recovery and reconstruction (issue 21): an event kept by
-- the office of a region, the counties it hit with their severity and
-- people affected, the assessment's lines (damage of asset classes, losses
-- of flows) by county, sector and ownership, the event's unit costs in
-- versions, and the reconstruction plan it is linked to.
CREATE TABLE disaster_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    magnitude   TEXT,
    region_code TEXT NOT NULL REFERENCES regions (code),
    plan_id     BIGINT,
    uplift      TEXT NOT NULL,
    version     BIGINT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX disaster_events_region ON disaster_events (region_code);

CREATE TABLE disaster_counties (
    event_id    BIGINT NOT NULL REFERENCES disaster_events (id),
    county_code TEXT NOT NULL REFERENCES regions (code),
    severity    TEXT NOT NULL,
    affected    DOUBLE PRECISION NOT NULL,
    displaced   DOUBLE PRECISION NOT NULL,
    shelters    DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (event_id, county_code)
);

-- Unit costs: every import adds a version; lines without their own costs
-- take the latest version's.
CREATE TABLE disaster_unit_costs (
    event_id         BIGINT NOT NULL REFERENCES disaster_events (id),
    version          BIGINT NOT NULL,
    sector           TEXT NOT NULL,
    asset            TEXT NOT NULL,
    replacement_cost DOUBLE PRECISION NOT NULL,
    repair_cost      DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (event_id, version, sector, asset)
);

-- An assessment line: the damage of an asset class (units destroyed and
-- damaged, costs where the line gives its own) or the loss of a flow
-- (baseline and actual over the recovery period, additional costs).
CREATE TABLE disaster_lines (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id         BIGINT NOT NULL REFERENCES disaster_events (id),
    county_code      TEXT NOT NULL REFERENCES regions (code),
    sector           TEXT NOT NULL,
    asset            TEXT NOT NULL,
    ownership        TEXT NOT NULL,
    kind             TEXT NOT NULL,
    destroyed        DOUBLE PRECISION NOT NULL,
    damaged          DOUBLE PRECISION NOT NULL,
    replacement_cost DOUBLE PRECISION,
    repair_cost      DOUBLE PRECISION,
    baseline         DOUBLE PRECISION NOT NULL,
    actual           DOUBLE PRECISION NOT NULL,
    additional_costs DOUBLE PRECISION NOT NULL,
    UNIQUE (event_id, county_code, sector, asset, ownership, kind)
);

INSERT INTO data_versions (topic, version) VALUES ('disasters', 0);
