-- Pairing assistance: donor regions paired with recipients under a programme.
CREATE TABLE pairings (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    program        TEXT NOT NULL,
    donor_code     TEXT NOT NULL,
    recipient_code TEXT NOT NULL,
    start_year     BIGINT,
    end_year       BIGINT,
    notes          TEXT
);
CREATE INDEX pairings_donor ON pairings (donor_code);
CREATE INDEX pairings_recipient ON pairings (recipient_code);
