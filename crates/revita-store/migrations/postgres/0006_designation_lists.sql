-- Official designation lists committed from designation runs: the decision
-- (category, basis, effective date, transition for regions that leave), the
-- method and the inputs it ran on (the spec itself and SHA-256 hashes of the
-- spec and of the run's input values), and who approved it. The regions'
-- designations themselves go to the designations table; the regions on each
-- list, with their class, to designation_list_members.
CREATE TABLE designation_lists (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category         TEXT NOT NULL,
    name             TEXT NOT NULL,
    run_year         BIGINT NOT NULL,
    classes          TEXT NOT NULL,
    basis_title      TEXT NOT NULL,
    basis_number     TEXT,
    effective_from   TEXT NOT NULL,
    transition_until TEXT,
    spec_json        TEXT NOT NULL,
    spec_sha256      TEXT NOT NULL,
    input_sha256     TEXT NOT NULL,
    members          BIGINT NOT NULL,
    joining          BIGINT NOT NULL,
    leaving          BIGINT NOT NULL,
    approved_by      TEXT NOT NULL,
    approved_at      BIGINT NOT NULL
);
CREATE INDEX designation_lists_category ON designation_lists (category, effective_from);

CREATE TABLE designation_list_members (
    list_id     BIGINT NOT NULL REFERENCES designation_lists (id),
    region_code TEXT NOT NULL,
    class       TEXT NOT NULL,
    PRIMARY KEY (list_id, region_code)
);
