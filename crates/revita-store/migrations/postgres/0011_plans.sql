-- Development plans (issue 6): a plan with its scope and status, every
-- status change kept, goals as a tree (chapter → goal), indicator targets,
-- projects with budgets by funding source, milestones and disbursements.
-- region_code is the region of the responsible office: it decides who sees
-- and changes the plan. version guards edits (optimistic locking).
CREATE TABLE plans (
    id          BIGSERIAL PRIMARY KEY,
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    region_code TEXT NOT NULL,
    scope       TEXT NOT NULL,
    start_year  BIGINT NOT NULL,
    end_year    BIGINT NOT NULL,
    office      TEXT NOT NULL,
    status      TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX plans_region ON plans (region_code);

CREATE TABLE plan_transitions (
    id        BIGSERIAL PRIMARY KEY,
    plan_id   BIGINT NOT NULL REFERENCES plans (id),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    actor     TEXT NOT NULL,
    at        BIGINT NOT NULL,
    comment   TEXT
);
CREATE INDEX plan_transitions_plan ON plan_transitions (plan_id);

CREATE TABLE plan_goals (
    id        BIGSERIAL PRIMARY KEY,
    plan_id   BIGINT NOT NULL REFERENCES plans (id),
    parent_id BIGINT REFERENCES plan_goals (id),
    title     TEXT NOT NULL,
    position  BIGINT NOT NULL
);
CREATE INDEX plan_goals_plan ON plan_goals (plan_id);

CREATE TABLE plan_targets (
    id            BIGSERIAL PRIMARY KEY,
    goal_id       BIGINT NOT NULL REFERENCES plan_goals (id),
    indicator     TEXT NOT NULL,
    region_code   TEXT,
    baseline_year BIGINT NOT NULL,
    baseline      DOUBLE PRECISION NOT NULL,
    target_year   BIGINT NOT NULL,
    target        DOUBLE PRECISION NOT NULL,
    binding       BIGINT NOT NULL,
    intermediate  TEXT NOT NULL
);
CREATE INDEX plan_targets_goal ON plan_targets (goal_id);

CREATE TABLE projects (
    id          BIGSERIAL PRIMARY KEY,
    plan_id     BIGINT NOT NULL REFERENCES plans (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    category    TEXT NOT NULL,
    region_code TEXT NOT NULL,
    lon         DOUBLE PRECISION,
    lat         DOUBLE PRECISION,
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    status      TEXT NOT NULL,
    percent     DOUBLE PRECISION NOT NULL,
    goal_ids    TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    UNIQUE (plan_id, code)
);

CREATE TABLE project_budgets (
    project_id BIGINT NOT NULL REFERENCES projects (id),
    source     TEXT NOT NULL,
    amount     DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (project_id, source)
);

CREATE TABLE project_milestones (
    id         BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    name       TEXT NOT NULL,
    due        TEXT NOT NULL,
    done       TEXT
);
CREATE INDEX project_milestones_project ON project_milestones (project_id);

CREATE TABLE project_disbursements (
    id         BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    on_date    TEXT NOT NULL,
    amount     DOUBLE PRECISION NOT NULL,
    source     TEXT NOT NULL,
    actor      TEXT NOT NULL
);
CREATE INDEX project_disbursements_project ON project_disbursements (project_id);
