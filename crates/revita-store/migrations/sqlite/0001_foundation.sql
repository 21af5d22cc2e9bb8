-- Foundation schema: regions, boundaries, indicators, observations,
-- designations and the code history. Dates are ISO 8601 text in both back
-- ends so that rows map identically; codes are text, never numbers.
CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    name_zh     TEXT NOT NULL,
    name_en     TEXT,
    level       TEXT NOT NULL,
    parent_code TEXT,
    valid_from  TEXT,
    valid_to    TEXT
);
CREATE INDEX regions_parent ON regions (parent_code);
CREATE INDEX regions_level ON regions (level);
CREATE INDEX regions_name_zh ON regions (name_zh);

CREATE TABLE boundaries (
    region_code TEXT PRIMARY KEY,
    geojson     TEXT NOT NULL,
    source      TEXT
);

CREATE TABLE indicators (
    code             TEXT PRIMARY KEY,
    name_zh          TEXT NOT NULL,
    name_en          TEXT,
    unit             TEXT NOT NULL,
    direction        TEXT NOT NULL,
    aggregation      TEXT NOT NULL,
    weight_indicator TEXT,
    description      TEXT,
    source           TEXT
);

CREATE TABLE observations (
    indicator_code TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    period         TEXT NOT NULL,
    value          REAL NOT NULL,
    source         TEXT,
    status         TEXT NOT NULL DEFAULT 'final',
    PRIMARY KEY (indicator_code, region_code, period)
) WITHOUT ROWID;
CREATE INDEX observations_region ON observations (region_code, indicator_code);

CREATE TABLE designations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    region_code  TEXT NOT NULL,
    category     TEXT NOT NULL,
    class        TEXT,
    basis_title  TEXT NOT NULL,
    basis_number TEXT,
    valid_from   TEXT,
    valid_to     TEXT,
    notes        TEXT
);
CREATE INDEX designations_region ON designations (region_code);
CREATE INDEX designations_category ON designations (category);

CREATE TABLE code_history (
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL,
    status      TEXT NOT NULL,
    first_year  INTEGER NOT NULL,
    end_year    INTEGER,
    successors  TEXT NOT NULL
);
CREATE INDEX code_history_code ON code_history (code);
