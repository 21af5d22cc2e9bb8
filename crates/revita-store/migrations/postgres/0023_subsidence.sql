-- Where people live, and coal-mining subsidence areas (issue 20).
-- places: village and registry-household points (lon/lat; CGCS2000 is
-- treated as WGS 84), the "who lies where" that spatial joins and the
-- resettlement optimiser read. subsidence_areas: a polygon (GeoJSON) kept
-- by the county's office, its profile (mines, ownership, responsible
-- entity, areas, depths, stability, waterlogging, planned and done
-- remediation, funds) as JSON, the remediation plan it links to. Houses
-- with their surface deformation and farmland parcels with theirs are
-- graded when read, by the tables of methods.md §7.3.
CREATE TABLE places (
    kind        TEXT NOT NULL,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES regions (code),
    lon         DOUBLE PRECISION NOT NULL,
    lat         DOUBLE PRECISION NOT NULL,
    population  BIGINT NOT NULL,
    households  BIGINT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX places_county ON places (county_code);

CREATE TABLE subsidence_areas (
    id          BIGSERIAL PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES regions (code),
    geometry    TEXT NOT NULL,
    profile     TEXT NOT NULL,
    plan_id     BIGINT,
    version     BIGINT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX subsidence_areas_county ON subsidence_areas (county_code);

CREATE TABLE subsidence_houses (
    area_id      BIGINT NOT NULL REFERENCES subsidence_areas (id),
    house_id     TEXT NOT NULL,
    household_id TEXT,
    strain       DOUBLE PRECISION,
    curvature    DOUBLE PRECISION,
    tilt         DOUBLE PRECISION,
    PRIMARY KEY (area_id, house_id)
);

CREATE TABLE subsidence_farmland (
    area_id     BIGINT NOT NULL REFERENCES subsidence_areas (id),
    parcel_id   TEXT NOT NULL,
    hectares    DOUBLE PRECISION NOT NULL,
    deformation DOUBLE PRECISION,
    slope       DOUBLE PRECISION,
    depth       DOUBLE PRECISION,
    water_table DOUBLE PRECISION,
    yield_loss  DOUBLE PRECISION,
    PRIMARY KEY (area_id, parcel_id)
);

INSERT INTO data_versions (topic, version) VALUES ('places', 0);
