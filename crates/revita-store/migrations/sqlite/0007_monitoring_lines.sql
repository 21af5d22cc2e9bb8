-- Return-to-poverty monitoring lines (methods.md §9.1): yuan per person per
-- year, set for a year by the country, a province or a county, with how it
-- was set (a fixed amount, or a multiple of the old poverty standard or of
-- the local dibao).
CREATE TABLE monitoring_lines (
    region_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    amount      REAL NOT NULL,
    rule        TEXT NOT NULL,
    multiple    REAL,
    PRIMARY KEY (region_code, year)
);
