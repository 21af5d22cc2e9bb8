-- Ecological compensation (issue 19): basin agreements with their rounds
-- (the agreement itself is JSON, checked by revita-app before it is
-- stored), the jointly taken water samples they are settled from, each
-- year's settlement with every step, the payments it makes due, land-use
-- areas for ecosystem-service value and GEP line items.
CREATE TABLE eco_agreements (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    region_code TEXT NOT NULL REFERENCES regions (code),
    spec        TEXT NOT NULL,
    version     BIGINT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX eco_agreements_region ON eco_agreements (region_code);

-- One jointly taken sample: both parties' results, the reserve analysed
-- when they disagree, the laboratory, and whether it counts at all.
CREATE TABLE eco_samples (
    agreement_id BIGINT NOT NULL REFERENCES eco_agreements (id),
    section      TEXT NOT NULL,
    sampled_on   TEXT NOT NULL,
    indicator    TEXT NOT NULL,
    upstream     DOUBLE PRECISION NOT NULL,
    downstream   DOUBLE PRECISION NOT NULL,
    reserve      DOUBLE PRECISION,
    lab          TEXT,
    valid        BIGINT NOT NULL,
    PRIMARY KEY (agreement_id, section, sampled_on, indicator)
);

-- A year settled: the result with every step (JSON), kept as settled.
CREATE TABLE eco_settlements (
    agreement_id BIGINT NOT NULL REFERENCES eco_agreements (id),
    year         BIGINT NOT NULL,
    result       TEXT NOT NULL,
    settled_by   TEXT NOT NULL,
    settled_at   TEXT NOT NULL,
    PRIMARY KEY (agreement_id, year)
);

-- What a settlement makes due, and whether it has been paid.
CREATE TABLE eco_payments (
    id           BIGSERIAL PRIMARY KEY,
    agreement_id BIGINT NOT NULL REFERENCES eco_agreements (id),
    year         BIGINT NOT NULL,
    payer        TEXT NOT NULL,
    payee        TEXT NOT NULL,
    amount       DOUBLE PRECISION NOT NULL,
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL,
    paid_on      TEXT,
    reference    TEXT,
    version      BIGINT NOT NULL
);
CREATE INDEX eco_payments_agreement ON eco_payments (agreement_id, year);

-- Land-use areas by ecosystem type (Xie et al. 2015's names), per region and year.
CREATE TABLE eco_land_use (
    region_code TEXT NOT NULL REFERENCES regions (code),
    year        BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    hectares    DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (region_code, year, kind)
);

-- GEP line items: a final ecosystem product or service, its physical
-- quantity and unit, its price and how the price was found.
CREATE TABLE eco_gep_items (
    region_code  TEXT NOT NULL REFERENCES regions (code),
    year         BIGINT NOT NULL,
    service      TEXT NOT NULL,
    quantity     DOUBLE PRECISION NOT NULL,
    unit         TEXT NOT NULL,
    price        DOUBLE PRECISION NOT NULL,
    price_method TEXT NOT NULL,
    PRIMARY KEY (region_code, year, service)
);

INSERT INTO data_versions (topic, version) VALUES ('eco', 0);
