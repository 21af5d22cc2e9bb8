-- Assistance measures of monitoring cases (methods.md §9.1): kind,
-- description, amount and dates, who recorded them and when; only ever
-- added.
CREATE TABLE case_measures (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    kind        TEXT NOT NULL,
    description TEXT NOT NULL,
    amount      DOUBLE PRECISION NOT NULL,
    start_date  TEXT NOT NULL,
    end_date    TEXT,
    actor       TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX case_measures_case ON case_measures (case_id);
