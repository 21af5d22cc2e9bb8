-- The pairing-assistance ledger (issue 18): each donor's rule in a
-- programme (a share of its fiscal revenue some years before, or an amount
-- growing each year), and what was delivered to each recipient — funds by
-- project, cadres and technicians seconded, investment guided, labour
-- placed, purchases. Flows name their pairing by programme, donor and
-- recipient (pairings are re-imported whole), and a project once: a flow
-- imported again replaces the stored one.
CREATE TABLE pairing_rules (
    program           TEXT NOT NULL,
    donor_code        TEXT NOT NULL REFERENCES regions (code),
    kind              TEXT NOT NULL,
    share             DOUBLE PRECISION,
    lag               BIGINT,
    base              DOUBLE PRECISION,
    growth            DOUBLE PRECISION,
    start_year        BIGINT NOT NULL,
    revenue_indicator TEXT NOT NULL,
    note              TEXT,
    PRIMARY KEY (program, donor_code)
);

CREATE TABLE pairing_flows (
    id             BIGSERIAL PRIMARY KEY,
    program        TEXT NOT NULL,
    donor_code     TEXT NOT NULL REFERENCES regions (code),
    recipient_code TEXT NOT NULL REFERENCES regions (code),
    year           BIGINT NOT NULL,
    kind           TEXT NOT NULL,
    project        TEXT NOT NULL,
    amount         DOUBLE PRECISION NOT NULL,
    sector         TEXT,
    county_level   BIGINT NOT NULL,
    livelihood     BIGINT NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    UNIQUE (program, donor_code, recipient_code, year, kind, project)
);
CREATE INDEX pairing_flows_recipient ON pairing_flows (recipient_code, year);
CREATE INDEX pairing_flows_donor ON pairing_flows (donor_code, year);
