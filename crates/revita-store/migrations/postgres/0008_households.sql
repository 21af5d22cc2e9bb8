-- The return-to-poverty monitoring registry (methods.md §9.1): one row per
-- household with what screening reads (SPEC B1's columns; the eleven
-- deprivation flags as a bit mask in Deprivation order) and the personal
-- identifiers that lists mask. county_code (the village code's first six
-- digits) serves the jurisdiction filter.
CREATE TABLE households (
    id             TEXT PRIMARY KEY,
    village_code   TEXT NOT NULL,
    county_code    TEXT NOT NULL,
    size           BIGINT NOT NULL,
    labor          BIGINT NOT NULL,
    income_pc      DOUBLE PRECISION NOT NULL,
    income_pc_prev DOUBLE PRECISION NOT NULL,
    medical_exp    DOUBLE PRECISION NOT NULL,
    education_exp  DOUBLE PRECISION NOT NULL,
    disaster_loss  DOUBLE PRECISION NOT NULL,
    deprived       BIGINT NOT NULL,
    head_name      TEXT,
    id_number      TEXT,
    phone          TEXT
);
CREATE INDEX households_county ON households (county_code);
