-- Pairing assistance: donor regions paired with recipients under a programme.
CREATE TABLE pairings (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    program        TEXT NOT NULL,
    donor_code     TEXT NOT NULL,
    recipient_code TEXT NOT NULL,
    start_year     INTEGER,
    end_year       INTEGER,
    notes          TEXT
);
CREATE INDEX pairings_donor ON pairings (donor_code);
CREATE INDEX pairings_recipient ON pairings (recipient_code);
