-- Each indicator's valid range (a share in percent: 0 to 100); an import
-- refuses a value outside it. NULL: unbounded on that side.
ALTER TABLE indicators ADD COLUMN valid_min REAL;
ALTER TABLE indicators ADD COLUMN valid_max REAL;
