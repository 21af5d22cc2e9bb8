-- The registry beyond screening (methods.md §9.1): income by source and the
-- relocation link on the household, a version that guards edits
-- (optimistic locking), and one row per member.
ALTER TABLE households ADD COLUMN income_wage DOUBLE PRECISION;
ALTER TABLE households ADD COLUMN income_business DOUBLE PRECISION;
ALTER TABLE households ADD COLUMN income_property DOUBLE PRECISION;
ALTER TABLE households ADD COLUMN income_transfer DOUBLE PRECISION;
ALTER TABLE households ADD COLUMN relocation_site TEXT;
ALTER TABLE households ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE TABLE household_members (
    household_id    TEXT NOT NULL REFERENCES households (id),
    seq             BIGINT NOT NULL,
    name            TEXT,
    sex             TEXT NOT NULL,
    birth_year      BIGINT NOT NULL,
    labour          TEXT NOT NULL,
    disabled        BIGINT NOT NULL,
    chronically_ill BIGINT NOT NULL,
    schooling       TEXT NOT NULL,
    insured         BIGINT NOT NULL,
    PRIMARY KEY (household_id, seq)
);
