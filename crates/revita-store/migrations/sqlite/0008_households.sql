-- The return-to-poverty monitoring registry (methods.md §9.1): one row per
-- household with what screening reads (SPEC B1's columns; the eleven
-- deprivation flags as a bit mask in Deprivation order) and the personal
-- identifiers that lists mask. county_code (the village code's first six
-- digits) serves the jurisdiction filter.
CREATE TABLE households (
    id             TEXT PRIMARY KEY,
    village_code   TEXT NOT NULL,
    county_code    TEXT NOT NULL,
    size           INTEGER NOT NULL,
    labor          INTEGER NOT NULL,
    income_pc      REAL NOT NULL,
    income_pc_prev REAL NOT NULL,
    medical_exp    REAL NOT NULL,
    education_exp  REAL NOT NULL,
    disaster_loss  REAL NOT NULL,
    deprived       INTEGER NOT NULL,
    head_name      TEXT,
    id_number      TEXT,
    phone          TEXT
);
CREATE INDEX households_county ON households (county_code);
