-- Housing reconstruction household by household (issue 21): a registry
-- household's rebuild under an event — the grant, its status, the day it
-- was completed — so that "every household housed" is counted, not guessed.
CREATE TABLE disaster_rebuilds (
    event_id     BIGINT NOT NULL REFERENCES disaster_events (id),
    household_id TEXT NOT NULL,
    county_code  TEXT NOT NULL REFERENCES regions (code),
    grant_amount DOUBLE PRECISION NOT NULL,
    status       TEXT NOT NULL,
    completed_on TEXT,
    PRIMARY KEY (event_id, household_id)
);
