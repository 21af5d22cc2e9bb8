-- Monitoring cases (methods.md §9.1): one per identified household risk,
-- its category and discovery channel, the step it has reached and since
-- when; every step taken is kept in case_events (never updated or deleted),
-- and income checks for the exit rule in case_income_checks. version guards
-- concurrent moves (optimistic locking).
CREATE TABLE cases (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id TEXT NOT NULL REFERENCES households (id),
    county_code  TEXT NOT NULL,
    category     TEXT NOT NULL,
    channel      TEXT NOT NULL,
    step         TEXT NOT NULL,
    step_since   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_county ON cases (county_code);
CREATE INDEX cases_household ON cases (household_id);

CREATE TABLE case_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id  INTEGER NOT NULL REFERENCES cases (id),
    step     TEXT NOT NULL,
    on_date  TEXT NOT NULL,
    actor    TEXT NOT NULL,
    evidence TEXT,
    notice_end TEXT,
    at       INTEGER NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id);

CREATE TABLE case_income_checks (
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    on_date   TEXT NOT NULL,
    income_pc REAL NOT NULL,
    PRIMARY KEY (case_id, on_date)
);
