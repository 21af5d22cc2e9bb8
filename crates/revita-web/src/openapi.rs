//! The API's description: one list of endpoints feeds both the OpenAPI 3
//! document at `/api/v1/openapi.json` and the human-readable `/api` page,
//! and a test requests every endpoint listed, so the three cannot drift.

use axum::Json;
use serde_json::{Map, Value, json};

/// A documented endpoint: method, path (OpenAPI template), summary, query
/// parameters (name, required, description) and an example request path
/// (used by the test that calls every endpoint).
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub params: &'static [(&'static str, bool, &'static str)],
    pub example: &'static str,
}

/// The filters of the observations list and its CSV file.
const OBSERVATION_FILTERS: [(&str, bool, &str); 5] = [
    ("indicator", false, "indicator code"),
    ("region", false, "region code"),
    ("parent", false, "children of this region; with level, the regions at that level anywhere below it"),
    ("level", false, "regions at this level"),
    ("period", false, "2020, 2020Q1 or 2020-03"),
];

/// The paging parameters of a list.
const PAGING: [(&str, bool, &str); 2] =
    [("limit", false, "page size, at most 10000"), ("after", false, "the `next` cursor of the previous page")];

/// A list's `.csv` twin: the same rows, all of them, as one CSV file
/// (UTF-8 with a byte-order mark).
const CSV_TWIN: &str = "The same list, every row within your jurisdiction, as one CSV file (UTF-8 with a byte-order mark; at most 1,000,000 rows, else 400)";

/// Every JSON endpoint.
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: "GET",
        path: "/health",
        summary: "200 with the back end when the database answers, 503 otherwise",
        params: &[],
        example: "/health",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/regions/{code}",
        summary: "A region with its ancestors, child count, boundary flag and designations",
        params: &[],
        example: "/api/v1/regions/520000",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/regions/{code}/children",
        summary: "Direct children of a region: {regions, next, total}, paged by code",
        params: &PAGING,
        example: "/api/v1/regions/520000/children",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/regions/{code}/children.csv",
        summary: CSV_TWIN,
        params: &[],
        example: "/api/v1/regions/520000/children.csv",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/regions/{code}/descendants",
        summary: "Descendants of a region, all or at one level: {regions, next, total}, paged by code",
        params: &[("level", false, "province, prefecture, county, township or village"), PAGING[0], PAGING[1]],
        example: "/api/v1/regions/520000/descendants?level=county",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/regions/{code}/descendants.csv",
        summary: CSV_TWIN,
        params: &[("level", false, "province, prefecture, county, township or village")],
        example: "/api/v1/regions/520000/descendants.csv?level=county",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/regions/{code}/designations",
        summary: "Designations of a region, current and past: {designations, next, total}, one page",
        params: &[],
        example: "/api/v1/regions/520000/designations",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/regions/{code}/designations.csv",
        summary: CSV_TWIN,
        params: &[],
        example: "/api/v1/regions/520000/designations.csv",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/regions/{code}/boundary",
        summary: "The boundary as a GeoJSON Feature",
        params: &[],
        example: "/api/v1/regions/520000/boundary",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/regions/{code}/profile",
        summary: "Everything the region page shows: series with national and provincial references, standing among peers, children's values",
        params: &[],
        example: "/api/v1/regions/520000/profile",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/search",
        summary: "Regions by code, Chinese or English name or pinyin, best first: {regions, total}; ranked, so not paged (at most 500: narrow the text)",
        params: &[("q", true, "text to look for"), ("limit", false, "at most this many (default 20, at most 500)")],
        example: "/api/v1/search?q=%E8%B4%B5",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/search.csv",
        summary: "The same search as one CSV file (UTF-8 with a byte-order mark)",
        params: &[("q", true, "text to look for"), ("limit", false, "at most this many (default 20, at most 500)")],
        example: "/api/v1/search.csv?q=%E8%B4%B5",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/indicators",
        summary: "Indicator definitions: {indicators, next, total}, paged by code",
        params: &PAGING,
        example: "/api/v1/indicators",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/indicators.csv",
        summary: CSV_TWIN,
        params: &[],
        example: "/api/v1/indicators.csv",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/indicators/{code}",
        summary: "One indicator with the periods that have data",
        params: &[],
        example: "/api/v1/indicators/pop_total",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/observations",
        summary: "Observations, paged by the `next` cursor",
        params: &[
            OBSERVATION_FILTERS[0],
            OBSERVATION_FILTERS[1],
            OBSERVATION_FILTERS[2],
            OBSERVATION_FILTERS[3],
            OBSERVATION_FILTERS[4],
            ("limit", false, "page size, at most 10000"),
            ("after", false, "cursor from the previous page"),
        ],
        example: "/api/v1/observations?indicator=pop_total&limit=5",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/observations.csv",
        summary: "Every observation the filters match, within your jurisdiction, as one CSV file in the long layout (it imports again; UTF-8 with a byte-order mark); at most 1,000,000 rows, else 400",
        params: &OBSERVATION_FILTERS,
        example: "/api/v1/observations.csv?indicator=pop_total",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/observations",
        summary: "Writes observations from a CSV body (any layout the import takes) or a JSON data value set {\"dataValues\": [{\"indicator\", \"region\", \"period\", \"value\"}]} (DHIS2's dataElement and orgUnit are read too), all or nothing within your data-entry jurisdiction; answers the import summary, or 422 with every problem and nothing written. Session callers send their CSRF token in X-CSRF-Token.",
        params: &[
            ("dryRun", false, "true: check everything, write nothing"),
            ("replace", false, "true: replace stored values (else a stored value is a conflict)"),
        ],
        example: "/api/v1/observations?dryRun=true",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/designations",
        summary: "Designations, of one category or all, within your jurisdiction: {designations, next, total}, paged by region",
        params: &[("category", false, "e.g. poverty_county"), PAGING[0], PAGING[1]],
        example: "/api/v1/designations?category=poverty_county",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/designations.csv",
        summary: CSV_TWIN,
        params: &[("category", false, "e.g. poverty_county")],
        example: "/api/v1/designations.csv?category=poverty_county",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/rollup",
        summary: "An indicator rolled up from children (or descendants at a level) with coverage",
        params: &[
            ("region", true, "parent region"),
            ("indicator", true, "indicator code"),
            ("period", true, "period"),
            ("level", false, "roll up from this level"),
        ],
        example: "/api/v1/rollup?region=520000&indicator=pop_total&period=2020",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/map",
        summary: "Map data as a GeoJSON FeatureCollection with each region's value (the home page map)",
        params: &[
            ("theme", false, "indicator:<code> or designation:<category>"),
            ("period", false, "period (default: latest)"),
            ("level", false, "province (default), prefecture or county"),
            ("within", false, "limit to one region"),
        ],
        example: "/api/v1/map?theme=indicator:pop_total&level=province",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/designate",
        summary: "Runs a designation spec (JSON, as in the user guide) for a year over the regions you may read: ranked, classified and explained regions, and the excluded with the reason",
        params: &[
            ("spec", true, "the designation spec, JSON"),
            ("year", true, "the run's year (the last year averaged)"),
        ],
        example: "/api/v1/designate?year=2020&spec=%7B%22name%22%3A%22Crowded%22%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22indicators%22%3A%5B%7B%22code%22%3A%22pop_total%22%2C%22direction%22%3A%22lower_is_better%22%7D%5D%2C%22method%22%3A%7B%22kind%22%3A%22index%22%2C%22bands%22%3A%5B%7B%22upper%22%3A0.5%2C%22label%22%3A%22lagging%22%7D%2C%7B%22upper%22%3A1.0%2C%22label%22%3A%22other%22%7D%5D%7D%7D",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/designate/commit",
        summary: "Commits a designation run as an official list: without `confirm`, nothing is written and the answer is the preview (regions joining, leaving, staying, untouched) with its `fingerprint`; sent back as `confirm`, the list is committed, audited, in one transaction (409 if the run changed since)",
        params: &[],
        example: "/api/v1/designate/commit",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/specs",
        summary: "Saved designation or allocation specs, each name at its latest version: {specs, next, total}, paged by name",
        params: &[("kind", false, "designation (default) or allocation"), PAGING[0], PAGING[1]],
        example: "/api/v1/specs?kind=designation",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/specs.csv",
        summary: CSV_TWIN,
        params: &[("kind", false, "designation (default) or allocation")],
        example: "/api/v1/specs.csv",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/specs/{id}",
        summary: "One saved version of a spec, with the numbers of every version of its name (a link to it runs it: /designate?saved={id})",
        params: &[],
        example: "/api/v1/specs/1",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/specs",
        summary: "Saves a designation or allocation spec (checked first) as the next version under its name, audited; versions never change",
        params: &[],
        example: "/api/v1/specs",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/allocate",
        summary: "Allocates a fund by the factor method (an allocation spec, JSON, as in the user guide) over the regions you may read: each region's factors, parts, limits and amount",
        params: &[("spec", true, "the allocation spec, JSON"), ("year", true, "the year of the factor values")],
        example: "/api/v1/allocate?year=2020&spec=%7B%22name%22%3A%22Fund%22%2C%22total%22%3A1000000%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22rounding%22%3A10000%2C%22factors%22%3A%5B%7B%22name%22%3A%22population%22%2C%22weight%22%3A1%2C%22indicator%22%3A%22pop_total%22%7D%5D%7D",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/alerts",
        summary: "Return-to-poverty alerts within your jurisdiction: overdue case steps, and flagged registry households that no case follows yet",
        params: &[("line", false, "the monitoring line (default: this year's national line, else 7600)")],
        example: "/api/v1/alerts",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/plans",
        summary: "Development plans you may read (whole, or the part within your jurisdiction): {plans, next, total}, paged by number",
        params: &PAGING,
        example: "/api/v1/plans",
    },
    Endpoint { method: "GET", path: "/api/v1/plans.csv", summary: CSV_TWIN, params: &[], example: "/api/v1/plans.csv" },
    Endpoint {
        method: "GET",
        path: "/api/v1/plans/{id}",
        summary: "A plan's progress: each target's latest value, path, progress and status (achieved / on track ≥ 95% of the expected change / at risk ≥ 75% / off track), roll-ups per goal and plan, projects with budget, disbursed, execution rate and late milestones",
        params: &[],
        example: "/api/v1/plans/1",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/plans",
        summary: "Creates a plan (drafted) for the office of `region`, within your jurisdiction, audited; the same fields and checks as the plan form. Answers {id}.",
        params: &[],
        example: "/api/v1/plans",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/plans/{id}/edit",
        summary: "Rewrites a drafted plan's header (with the plan's `version`: 409 if it changed since)",
        params: &[],
        example: "/api/v1/plans/1/edit",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/plans/{id}/status",
        summary: "Moves a plan (submit, approve, return, publish, …) as your role allows, with the plan's `version`",
        params: &[],
        example: "/api/v1/plans/1/status",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/plans/{id}/goals",
        summary: "Adds a chapter (no `parent`) or a goal to a drafted plan. Answers {id}.",
        params: &[],
        example: "/api/v1/plans/1/goals",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/plans/{id}/targets",
        summary: "Adds an indicator target to a goal (baseline, target, yearly targets `2023:5.1, 2024:5.6`, binding or expected). Answers {id}.",
        params: &[],
        example: "/api/v1/plans/1/targets",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/plans/{id}/targets/{target}",
        summary: "Rewrites a target's values while the plan is drafted",
        params: &[],
        example: "/api/v1/plans/1/targets/1",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/plans/{id}/projects",
        summary: "Adds a project to a plan, or replaces the one with the same code (budget by funding source, in yuan). Answers {id}.",
        params: &[],
        example: "/api/v1/plans/1/projects",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/projects/{id}/progress",
        summary: "Records a project's status and percent complete, with the project's `version`",
        params: &[],
        example: "/api/v1/projects/1/progress",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/projects/{id}/milestones",
        summary: "Adds a milestone (`name`, `due`) or marks one done (`milestone`, `done`)",
        params: &[],
        example: "/api/v1/projects/1/milestones",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/projects/{id}/disbursements",
        summary: "Records money paid out to a project (`on`, `amount` in yuan, `source`)",
        params: &[],
        example: "/api/v1/projects/1/disbursements",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/households/{id}/cases",
        summary: "Opens a return-to-poverty monitoring case on a registry household within your data-entry jurisdiction. Answers {case, household}.",
        params: &[],
        example: "/api/v1/households/DEMO-520502-0001/cases",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/cases/{id}/move",
        summary: "Moves a case one step through the procedure (in order; notice before approval; measures before assisted; the six-month rule before exit), with the case's `version`",
        params: &[],
        example: "/api/v1/cases/1/move",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/cases/{id}/measures",
        summary: "Records a measure of assistance on a case",
        params: &[],
        example: "/api/v1/cases/1/measures",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/inventory",
        summary: "Counts of what the database holds",
        params: &[],
        example: "/api/v1/inventory",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/openapi.json",
        summary: "This description as an OpenAPI 3 document",
        params: &[],
        example: "/api/v1/openapi.json",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/eco/agreements",
        summary: "Basin compensation agreements kept by offices within your jurisdiction: {agreements, next, total}, paged by number",
        params: &PAGING,
        example: "/api/v1/eco/agreements",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/eco/agreements.csv",
        summary: CSV_TWIN,
        params: &[],
        example: "/api/v1/eco/agreements.csv",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/eco/agreements",
        summary: "Stores a basin agreement (its terms as in the user guide: pair or segments, rounds with years, indicators, weights, limits, k0 and money) kept by the office of `region`, within your jurisdiction, audited. Answers {id}.",
        params: &[],
        example: "/api/v1/eco/agreements",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/eco/agreements/{id}",
        summary: "An agreement: its terms, the years it has samples in, each settled year with every step (annual means, ratios, weighted ratios, P, who pays whom), and the running index of the year not yet settled with its alert",
        params: &[],
        example: "/api/v1/eco/agreements/1",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/eco/agreements/{id}/edit",
        summary: "A new version of an agreement (with its `version`: 409 if it changed since); the office may move only within your jurisdiction",
        params: &[],
        example: "/api/v1/eco/agreements/1/edit",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/eco/agreements/{id}/settle",
        summary: "Settles a year from the stored samples (joint-sampling rule, P, direction or section rules) and makes its payments due; 409 once a payment of the year is paid or waived. Answers the settlement.",
        params: &[],
        example: "/api/v1/eco/agreements/1/settle",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/eco/payments",
        summary: "The payments ledger within your jurisdiction (of one agreement with `agreement`): {payments, next, total}, paged by number; amounts in yuan",
        params: &[
            ("limit", false, "page size, at most 10000"),
            ("after", false, "the `next` cursor of the previous page"),
            ("agreement", false, "an agreement's number"),
        ],
        example: "/api/v1/eco/payments",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/eco/payments.csv",
        summary: CSV_TWIN,
        params: &[("agreement", false, "an agreement's number")],
        example: "/api/v1/eco/payments.csv",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/eco/payments/{id}",
        summary: "Records a payment as paid (with `paid_on`), waived or due again, with its `version`; audited. Answers {id, status, version}.",
        params: &[],
        example: "/api/v1/eco/payments/1",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/eco/esv",
        summary: "Ecosystem-service value (Xie et al. 2015 equivalent factors) of the land use within your jurisdiction, by region and year, in yuan a year, by service, with the change from the region's previous year: {esv, next, total}, paged by region:year; `saved` picks a saved parameter set",
        params: &[
            ("limit", false, "page size, at most 10000"),
            ("after", false, "the `next` cursor of the previous page"),
            ("saved", false, "a saved ESV parameter set's number"),
        ],
        example: "/api/v1/eco/esv",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/eco/esv.csv",
        summary: CSV_TWIN,
        params: &[("saved", false, "a saved ESV parameter set's number")],
        example: "/api/v1/eco/esv.csv",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/eco/gep",
        summary: "Gross ecosystem product within your jurisdiction by region and year (material, regulating, cultural; yuan): {gep, next, total}, paged by region:year",
        params: &PAGING,
        example: "/api/v1/eco/gep",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/eco/gep.csv",
        summary: CSV_TWIN,
        params: &[],
        example: "/api/v1/eco/gep.csv",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/eco/transfer",
        summary: "The key ecological function zone transfer per county: each component (gap × coefficient, prohibited area × rate, rangers × standard, reward or deduction), the formula amount and, with a budget, the grant scaled and rounded to it. Nothing is stored.",
        params: &[],
        example: "/api/v1/eco/transfer",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/sae/fh",
        summary: "Small-area estimates by the Fay–Herriot model (REML or ML; none, log or arcsine scale; Prasad–Rao or bootstrap MSE) over the areas of a level you may read: {spec, unit, fit {beta, sigma_u2, iterations}, areas [{code, direct, variance, direct_cv, estimate, mse, cv (%), gamma, residual, in_sample}], excluded [{code, reason}]}. A spec the data refuse is 400 with the reason. Nothing is stored.",
        params: &[],
        example: "/api/v1/sae/fh",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/sae/ebp",
        summary: "The census EBP (Molina & Rao 2010) from two uploaded CSV files (multipart: `sample` with domain, y > 0 and covariates; `population`, the census, with domain and the same covariates): REML fit of the nested-error model of log y (or, with `transformation=box_cox`, Box–Cox with `lambda` 0–2 given or chosen by the restricted profile likelihood), and every census domain's mean, headcount ratio (fgt0), poverty gap (fgt1) and Gini by L Monte Carlo replicates, beside the survey's direct estimates with their variances, with the parametric bootstrap MSE and CV (%) when B > 0 (L ≤ 500, B ≤ 100 here; the CLI has no such bound): {run {settings, fit {beta, sigma_u2, sigma_e2, lambda}, domains [{domain, region, name_zh, n_sample, n_pop, mean, fgt0, fgt1, gini, mse, direct}]}, stored}. With `output` and `year`, `store=1` stores <output>_mean, _fgt0, _fgt1 (%), _gini with _mse and _cv, and the direct estimates <output>_direct_* with _var, as observations within your data-entry jurisdiction (audited), `dry_run=1` says what would be stored. Bad files or settings are 400 naming the field, file and line.",
        params: &[],
        example: "/api/v1/sae/ebp",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/sae/fh/store",
        summary: "Stores a Fay–Herriot spec's estimates as observations of its output indicator with <output>_mse and <output>_cv (%), status estimated, within your data-entry jurisdiction (403 if any area lies outside it), audited; with dry_run, what would be stored: {dry_run, observations, indicators_created, replaced}",
        params: &[],
        example: "/api/v1/sae/fh/store",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/pairing/ledger",
        summary: "The pairing-assistance ledger of a year within your jurisdiction: each pairing in force with its obligation (the donor's rule, split among its recipients; yuan) and how it was computed, funds and other deliveries, fulfilment, the shares to livelihoods and to county level and whether both norms (70%, 80%) are met: {ledger, next, total}, paged by row",
        params: &[
            ("year", true, "the year"),
            ("program", false, "one programme"),
            ("limit", false, "page size, at most 10000"),
            ("after", false, "the `next` cursor of the previous page"),
        ],
        example: "/api/v1/pairing/ledger?year=2021",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/pairing/ledger.csv",
        summary: CSV_TWIN,
        params: &[("year", true, "the year"), ("program", false, "one programme")],
        example: "/api/v1/pairing/ledger.csv?year=2021",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/pairing/flows",
        summary: "Deliveries of pairing assistance within your jurisdiction (funds by project, cadres, technicians, investment, labour, purchases, with their units): {flows, next, total}, paged by number",
        params: &PAGING,
        example: "/api/v1/pairing/flows",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/pairing/flows.csv",
        summary: CSV_TWIN,
        params: &[],
        example: "/api/v1/pairing/flows.csv",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/pairing/flows",
        summary: "Records a delivery of a pairing in force in its year, on a side within your data-entry jurisdiction (replacing the stored one of the same pairing, year, kind and project), audited. Answers {replaced}.",
        params: &[],
        example: "/api/v1/pairing/flows",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/pairing/rules",
        summary: "Sets a donor's rule in a programme (revenue_share with share and lag, or growing with base and growth), for deciders over the donor, audited",
        params: &[],
        example: "/api/v1/pairing/rules",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/brief",
        summary: "The evidence brief on a region within your jurisdiction: per indicator the latest value, national value and peers' mean, standing, series, the gap's trend with years to close and its interval, σ across the subdivisions by year, β-convergence, a recommendation; and the pairing assistance received",
        params: &[
            ("region", true, "region code"),
            ("year", false, "the year (default: last year)"),
            ("indicators", false, "indicator codes, comma-separated"),
        ],
        example: "/api/v1/brief?region=520000&year=2020&indicators=pop_total",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/disasters",
        summary: "Disaster events kept by offices within your jurisdiction: {disasters, next, total}, paged by number",
        params: &PAGING,
        example: "/api/v1/disasters",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/disasters.csv",
        summary: CSV_TWIN,
        params: &[],
        example: "/api/v1/disasters.csv",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/disasters",
        summary: "Records a disaster event (name, kind, occurred_on, magnitude, region of the office that keeps it, needs parameters), within your jurisdiction, audited. Answers {id}.",
        params: &[],
        example: "/api/v1/disasters",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/disasters/{id}",
        summary: "An event: the counties it hit with severity and people affected, and damage, losses, reconstruction and recovery needs (yuan) in all and by sector group, sector, county and ownership; damage lines without a cost",
        params: &[],
        example: "/api/v1/disasters/1",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/disasters/{id}/fund",
        summary: "A central fund (yuan) shared over the counties the event hit by the factor method: `needs_weight` (default 0.8) by needs, the rest by people affected; rounded to `unit` by largest remainder",
        params: &[
            ("total", true, "the fund (yuan)"),
            ("needs_weight", false, "the needs' weight, 0 to 1"),
            ("unit", false, "round to multiples of (yuan)"),
        ],
        example: "/api/v1/disasters/1/fund?total=1000000",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/disasters/{id}/counterparts",
        summary: "Assigns counterpart donors to counties the event hit (one per county): pairings for three years from `start_year`, each donor's rule 1% of its previous year's revenue (国办发〔2008〕53号), shown by the pairing ledger. Answers {program}.",
        params: &[],
        example: "/api/v1/disasters/1/counterparts",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/subsidence",
        summary: "Coal-mining subsidence areas kept by counties within your jurisdiction: {areas, next, total}, paged by number",
        params: &PAGING,
        example: "/api/v1/subsidence",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/subsidence.csv",
        summary: CSV_TWIN,
        params: &[],
        example: "/api/v1/subsidence.csv",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/subsidence/{id}",
        summary: "A subsidence area: its profile and outline (GeoJSON), the villages and registry households inside it (points you may read), houses by damage grade I-IV and farmland hectares by damage class (methods.md §7.3) with each one's deciding measure, remediation progress",
        params: &[],
        example: "/api/v1/subsidence/1",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/places",
        summary: "Village and registry-household points (lon/lat, people, households) in counties within your jurisdiction: {places, next, total}, paged by kind and id (cursor `kind:id`)",
        params: &PAGING,
        example: "/api/v1/places",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/resource-cities/{code}",
        summary: "A designated resource-based city: its type (国发〔2013〕45号), whether it is resource-exhausted, and its transformation indicators by theme (resource dependence, diversification, livelihood, environment, demography), year by year, with the targets of the plans you may read and the way to each covered",
        params: &[],
        example: "/api/v1/resource-cities/520102",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/relocation/sites",
        summary: "Resettlement sites in counties within your jurisdiction (type, point, capacity in people and units, certificates): {sites, next, total}, paged by number",
        params: &PAGING,
        example: "/api/v1/relocation/sites",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/relocation/follow-up",
        summary: "Follow-up support KPIs by site, by the sites' county and by province (methods.md §2.5: labour households with someone employed, employment rate, income growth to `year` over the year before, monitoring-object share, certificate, demolition and reclamation rates), the sites and counties below target, the labour households with nobody employed, and the households flagged for review (self-contribution above 3,000 yuan a person or 10,000 a household; housing above 25 m² a person by override)",
        params: &[("year", false, "the year income growth is measured to (default: last year)")],
        example: "/api/v1/relocation/follow-up",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/relocation/assign",
        summary: "The site-assignment optimiser over stored points: the households of villages (or registry households' points) in `county` assigned to resettlement sites with room at the least total distance (exact minimum-cost flow over each origin's `k` nearest sites within `max_km`), with capacity use and who could not be placed and why; `keep_together` keeps each origin whole and reports the gap to the exact lower bound",
        params: &[
            ("county", false, "county code (default: your whole jurisdiction)"),
            ("origins", false, "village (default) or household"),
            ("k", false, "nearest sites per origin, 1 to 100 (default 5)"),
            ("max_km", false, "maximum distance (km)"),
            ("keep_together", false, "1 to keep each origin whole"),
        ],
        example: "/api/v1/relocation/assign",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/work-relief/projects",
        summary: "Work-relief projects in counties within your jurisdiction (fund source, batch, year, works type, investment, remuneration planned and paid, status): {projects, next, total}, paged by number",
        params: &PAGING,
        example: "/api/v1/work-relief/projects",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/work-relief/dashboard",
        summary: "Work-relief totals (yuan) in all, by province and by county: projects, investment, central funds, remuneration planned and paid and their shares of central funds, roster workers by category, average pay per worker",
        params: &[],
        example: "/api/v1/work-relief/dashboard",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/work-relief/alerts",
        summary: "Each project's alerts today: remuneration share below its year's and batch's rule (planned or paid), no rule, wages unpaid beyond `unpaid_days`, roster members never paid, payments to people not on the roster, behind schedule",
        params: &[("unpaid_days", false, "days after which unpaid wages are flagged, 0 to 3650 (default 30)")],
        example: "/api/v1/work-relief/alerts",
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/work-relief/rules",
        summary: "Adds a version of a remuneration rule (the least share of central funds paid as labour remuneration, for years and a batch pattern): a national decider's act, audited. Answers {version}.",
        params: &[],
        example: "/api/v1/work-relief/rules",
    },
];

/// The schema of a parameter of an endpoint, by its name (the same name
/// means the same thing on every endpoint, but for the map's levels and an
/// indicator's own code).
fn parameter_schema(path: &str, name: &str, region: &str) -> Value {
    const INDICATOR: &str = "^[A-Za-z][A-Za-z0-9_.-]{0,63}$";
    const PERIOD: &str = "^[0-9]{4}(Q[1-4]|-(0[1-9]|1[0-2]))?$";
    let categories: Vec<String> = revita_methods::DesignationCategory::built_in().map(|c| c.as_str()).collect();
    match name {
        "limit" if path.starts_with("/api/v1/search") => json!({"type": "integer", "minimum": 1, "maximum": 500}),
        "limit" => json!({"type": "integer", "minimum": 1, "maximum": 10000}),
        "year" => json!({"type": "integer", "minimum": 1900, "maximum": 2100}),
        "id" if path.starts_with("/api/v1/households/") => {
            json!({"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[^/?#]+$"})
        }
        "id" | "target" => json!({"type": "integer", "minimum": 1, "maximum": i64::MAX}),
        "line" => json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1e9}),
        "level" if path == "/api/v1/map" => json!({"type": "string", "enum": ["province", "prefecture", "county"]}),
        "level" => {
            json!({"type": "string", "enum": ["country", "province", "prefecture", "county", "township", "village"]})
        }
        // A designation map takes a day (YYYY-MM-DD) where an indicator
        // map takes a period.
        "period" if path == "/api/v1/map" => {
            json!({"type": "string", "pattern": "^[0-9]{4}(Q[1-4]|-(0[1-9]|1[0-2])(-(0[1-9]|1[0-9]|2[0-8]))?)?$"})
        }
        "period" => json!({"type": "string", "pattern": PERIOD}),
        "category" => json!({"anyOf": [
            {"type": "string", "enum": categories},
            {"type": "string", "pattern": "^custom:[A-Za-z0-9_-]{1,64}$"}
        ]}),
        "theme" => json!({"anyOf": [
            {"type": "string", "pattern": "^indicator:[A-Za-z][A-Za-z0-9_.-]{0,63}$"},
            {"type": "string", "enum": categories.iter().map(|c| format!("designation:{c}")).collect::<Vec<_>>()}
        ]}),
        "after" if path.starts_with("/api/v1/regions/") => json!({"type": "string", "pattern": region}),
        "after" if path == "/api/v1/designations" => {
            let code = region.trim_start_matches('^').trim_end_matches('$');
            json!({"type": "string", "pattern": format!("^({code})\\|[0-9]{{1,18}}$")})
        }
        "after" if path == "/api/v1/specs" => json!({"type": "string", "minLength": 1}),
        "after" if path == "/api/v1/indicators" => json!({"type": "string", "pattern": INDICATOR}),
        "kind" => json!({"type": "string", "enum": ["designation", "allocation", "esv"]}),
        "after"
            if path == "/api/v1/plans"
                || path.starts_with("/api/v1/eco/agreements")
                || path.starts_with("/api/v1/eco/payments") =>
        {
            json!({"type": "string", "pattern": "^[0-9]{1,18}$"})
        }
        "county" if path == "/api/v1/relocation/assign" => json!({"type": "string", "pattern": region}),
        "origins" => json!({"type": "string", "enum": ["village", "household"]}),
        "k" => json!({"type": "integer", "minimum": 1, "maximum": 100}),
        "max_km" => json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 20000}),
        "keep_together" => json!({"type": "string", "enum": ["1", "true", "on"]}),
        "unpaid_days" => json!({"type": "integer", "minimum": 0, "maximum": 3650}),
        "after" if path.starts_with("/api/v1/relocation/") || path.starts_with("/api/v1/work-relief/") => {
            json!({"type": "string", "pattern": "^[1-9][0-9]{0,17}$"})
        }
        "after" if path == "/api/v1/places" => {
            json!({"type": "string", "pattern": "^(village|household):[^\\x00-\\x1f\\x7f-\\x9f]{1,64}$"})
        }
        // Row, delivery, event and area numbers start at 1: a cursor is never 0.
        "after"
            if path.starts_with("/api/v1/pairing/")
                || path.starts_with("/api/v1/disasters")
                || path.starts_with("/api/v1/subsidence") =>
        {
            json!({"type": "string", "pattern": "^[1-9][0-9]{0,17}$"})
        }
        "after" if path.starts_with("/api/v1/eco/") => {
            let code = region.trim_start_matches('^').trim_end_matches('$');
            json!({"type": "string", "pattern": format!("^({code}):[0-9]{{1,9}}$")})
        }
        "agreement" | "saved" => json!({"type": "integer", "minimum": 1, "maximum": i64::MAX}),
        "total" => json!({"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": 1e15}),
        "needs_weight" => json!({"type": "number", "minimum": 0, "maximum": 1}),
        "unit" => json!({"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": 1e15}),
        // One line: no control characters (the store keeps no NUL).
        "program" => json!({"type": "string", "maxLength": 200, "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"}),
        "indicators" => {
            json!({"type": "string", "pattern": "^([A-Za-z][A-Za-z0-9_.-]{0,63})?(,[A-Za-z][A-Za-z0-9_.-]{0,63})*$"})
        }
        "after" => {
            json!({"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_.-]{0,63}\\|[0-9A-Za-z_.-]{1,32}\\|[0-9]{4}(Q[1-4]|-(0[1-9]|1[0-2]))?$"})
        }
        "code" if path.starts_with("/api/v1/indicators") => json!({"type": "string", "pattern": INDICATOR}),
        "indicator" => json!({"type": "string", "pattern": INDICATOR}),
        // The map's form sends an empty `within` for the whole country.
        "within" => json!({"anyOf": [{"type": "string", "maxLength": 0}, {"type": "string", "pattern": region}]}),
        "code" | "region" | "parent" => json!({"type": "string", "pattern": region}),
        "spec" => json!({"type": "string", "minLength": 2, "description": "JSON"}),
        "dryRun" | "replace" => json!({"type": "boolean"}),
        "q" => json!({"type": "string", "minLength": 1, "maxLength": 100}),
        _ => json!({"type": "string"}),
    }
}

/// What a write takes: observations as CSV or a data value set, or one of
/// the JSON bodies of the forms' changes.
fn request_body(path: &str, region: &str) -> Value {
    if path == "/api/v1/sae/ebp" {
        // Only the shape: the files' contents and the numbers are checked by
        // the server (400 naming the field, the file and the line).
        let file = json!({"type": "string", "format": "binary"});
        let text = json!({"type": "string"});
        return json!({"required": true, "content": {"multipart/form-data": {"schema": {
            "type": "object",
            "required": ["sample", "population", "z", "L"],
            "properties": {
                "sample": file, "population": file, "z": text, "L": text, "B": text, "seed": text,
                "covariates": text, "unit": text, "transformation": text, "lambda": text,
                "output": text, "year": text, "store": text, "dry_run": text,
            },
        }}}});
    }
    if path == "/api/v1/observations" {
        return json!({"required": true, "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {"schema": {"$ref": "#/components/schemas/DataValueSet"}}
        }});
    }
    let body = write_body(path, region);
    json!({"required": true, "content": {"application/json": {"schema": body}}})
}

/// The JSON schema of a write's body: what each form's fields are.
/// A Fay–Herriot spec (`revita_app::sae::FhSpec`): only the shape; the
/// indicators and the rest are checked against the data (400).
fn fh_spec() -> Value {
    let text = json!({"type": "string", "minLength": 1});
    let optional = json!({"type": "string", "nullable": true});
    json!({
        "type": "object",
        "required": ["name", "level", "year", "direct", "variance"],
        "properties": {
            "name": text, "level": text, "within": optional, "year": {"type": "integer"},
            "direct": text, "variance": text, "covariates": {"type": "array", "items": text},
            "method": {"type": "string", "enum": ["reml", "ml"]},
            "transform": {"type": "string", "enum": ["none", "log", "arcsine"]},
            "sample_size": optional, "mse": {"type": "string", "enum": ["prasad_rao", "bootstrap"]},
            "replicates": {"type": "integer", "minimum": 1}, "seed": {"type": "integer", "minimum": 0},
            "spatial": {"type": "boolean"}, "output": optional,
        },
    })
}

fn write_body(path: &str, region: &str) -> Value {
    use revita_methods::monitoring::{Category, Channel, MeasureKind, Step};
    use revita_methods::plan::{FundingSource, PlanKind, PlanStatus, ProjectCategory, ProjectStatus};
    // Only the bounds the server holds a body to: a schema that promised
    // more would be a description the server does not keep.
    let text = json!({"type": "string", "minLength": 1});
    let optional = json!({"type": "string", "nullable": true});
    let date = json!({"type": "string", "format": "date"});
    let optional_date = json!({"type": "string", "format": "date", "nullable": true});
    let region_code = json!({"type": "string", "pattern": region});
    let integer = json!({"type": "integer", "minimum": 1, "maximum": i64::MAX});
    let year = json!({"type": "integer"});
    let number = json!({"type": "number"});
    let one_of = |values: Vec<&str>| json!({"type": "string", "enum": values});
    let object = |required: &[&str], properties: Value| json!({"type": "object", "required": required, "properties": properties});
    let target = |required: &[&str]| {
        object(
            required,
            json!({
                "goal": integer, "indicator": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_.-]{0,63}$"},
                "region": {"type": "string", "pattern": region, "nullable": true},
                "baseline_year": year, "baseline": number, "target_year": year, "target": number,
                "binding": {"type": "boolean"}, "intermediate": optional,
            }),
        )
    };
    match path {
        "/api/v1/plans" | "/api/v1/plans/{id}/edit" => {
            let mut required = vec!["title", "kind", "scope_kind", "scope", "start_year", "end_year"];
            if path == "/api/v1/plans" {
                required.push("region");
            } else {
                required.push("version");
            }
            object(
                &required,
                json!({
                    "title": text, "kind": one_of(PlanKind::ALL.iter().map(|k| k.as_str()).collect()),
                    "region": region_code,
                    "scope_kind": one_of(vec!["subtree", "regions", "list"]),
                    "scope": {"type": "string", "minLength": 1, "maxLength": 10000, "description": "subtree: a region code; regions: codes separated by commas; list: an official list's number"},
                    "start_year": year, "end_year": year, "office": optional, "version": integer,
                }),
            )
        }
        "/api/v1/plans/{id}/status" => object(
            &["to", "version"],
            json!({
                "to": one_of(PlanStatus::ALL.iter().map(|s| s.as_str()).collect()), "version": integer, "comment": optional,
            }),
        ),
        "/api/v1/plans/{id}/goals" => {
            object(&["title"], json!({"title": text, "parent": {"type": "integer", "minimum": 1, "nullable": true}}))
        }
        "/api/v1/plans/{id}/targets" => {
            target(&["goal", "indicator", "baseline_year", "baseline", "target_year", "target"])
        }
        "/api/v1/plans/{id}/targets/{target}" => target(&["baseline_year", "baseline", "target_year", "target"]),
        "/api/v1/plans/{id}/projects" => object(
            &["code", "name", "category", "region", "start", "end"],
            json!({
                "code": text, "name": text, "category": one_of(ProjectCategory::ALL.iter().map(|c| c.as_str()).collect()),
                "region": region_code, "start": date, "end": date,
                "lon": {"type": "number", "minimum": -180, "maximum": 180, "nullable": true},
                "lat": {"type": "number", "minimum": -90, "maximum": 90, "nullable": true},
                "goals": {"type": "array", "items": integer},
                "budget": {"type": "object", "description": "yuan by funding source",
                    "properties": FundingSource::ALL.iter().map(|f| (f.as_str().to_string(), number.clone())).collect::<Map<_, _>>(),
                    "additionalProperties": false},
            }),
        ),
        "/api/v1/projects/{id}/progress" => object(
            &["status", "percent", "version"],
            json!({
                "status": one_of(ProjectStatus::ALL.iter().map(|s| s.as_str()).collect()),
                "percent": {"type": "number", "minimum": 0, "maximum": 100}, "version": integer,
            }),
        ),
        "/api/v1/projects/{id}/milestones" => object(
            &[],
            json!({
                "name": optional, "due": optional_date, "milestone": {"type": "integer", "minimum": 1, "nullable": true}, "done": optional_date,
            }),
        ),
        "/api/v1/projects/{id}/disbursements" => object(
            &["on", "amount", "source"],
            json!({
                "on": date, "amount": number, "source": one_of(FundingSource::ALL.iter().map(|f| f.as_str()).collect()),
            }),
        ),
        "/api/v1/households/{id}/cases" => object(
            &["category", "channel", "on"],
            json!({
                "category": one_of(Category::ALL.iter().map(|c| c.as_str()).collect()),
                "channel": one_of(Channel::ALL.iter().map(|c| c.as_str()).collect()),
                "on": date, "evidence": optional,
            }),
        ),
        "/api/v1/cases/{id}/move" => object(
            &["to", "on", "version"],
            json!({
                "to": one_of(Step::ALL.iter().map(|s| s.as_str()).collect()), "on": date, "version": integer,
                "evidence": optional, "notice_end": optional_date,
            }),
        ),
        "/api/v1/cases/{id}/measures" => object(
            &["kind", "start"],
            json!({
                "kind": one_of(MeasureKind::ALL.iter().map(|k| k.as_str()).collect()), "description": optional,
                "amount": {"type": "number", "nullable": true}, "start": date, "end": optional_date,
            }),
        ),
        "/api/v1/specs" => object(
            &["kind", "name", "spec"],
            json!({
                "kind": one_of(vec!["designation", "allocation", "esv"]), "name": text,
                "spec": {"type": "object", "description": "the spec, as in the user guide"}, "note": optional,
            }),
        ),
        "/api/v1/eco/agreements" | "/api/v1/eco/agreements/{id}/edit" => {
            let mut required = vec!["region", "agreement"];
            if path.ends_with("/edit") {
                required.push("version");
            }
            object(
                &required,
                json!({
                    "region": region_code, "version": integer,
                    "agreement": {"type": "object", "description": "the agreement's terms, as in the user guide"},
                }),
            )
        }
        "/api/v1/eco/agreements/{id}/settle" => object(&["year"], json!({"year": year})),
        "/api/v1/eco/payments/{id}" => object(
            &["status", "version"],
            json!({
                "status": one_of(vec!["due", "paid", "waived"]), "version": integer,
                "paid_on": optional_date, "reference": optional,
            }),
        ),
        "/api/v1/eco/transfer" => object(
            &["coefficient", "prohibited_rate", "ranger_standard", "counties"],
            json!({
                "coefficient": number, "prohibited_rate": number, "ranger_standard": number,
                "reward_rate": number, "penalty_rate": number,
                "budget": {"type": "number", "nullable": true}, "unit": {"type": "number", "nullable": true},
                "counties": {"type": "array", "minItems": 1, "items": object(
                    &["county", "standard_expenditure", "standard_revenue"],
                    json!({
                        "county": text, "standard_expenditure": number, "standard_revenue": number,
                        "prohibited_area": number, "rangers": number, "quality_change": number,
                    }),
                )},
            }),
        ),
        "/api/v1/sae/fh" => fh_spec(),
        "/api/v1/sae/fh/store" => object(&["spec"], json!({"spec": fh_spec(), "dry_run": {"type": "boolean"}})),
        "/api/v1/pairing/flows" => object(
            &["program", "donor", "recipient", "year", "kind", "project", "amount"],
            json!({
                "program": text, "donor": region_code, "recipient": region_code, "year": year,
                "kind": one_of(revita_methods::pairing::FlowKind::ALL.iter().map(|k| k.as_str()).collect()),
                "project": text, "amount": {"type": "number", "minimum": 0}, "sector": optional,
                "county_level": {"type": "boolean"}, "livelihood": {"type": "boolean"},
            }),
        ),
        "/api/v1/pairing/rules" => object(
            &["program", "donor", "kind", "start_year"],
            json!({
                "program": text, "donor": region_code, "kind": one_of(vec!["revenue_share", "growing"]),
                "share": {"type": "number", "nullable": true}, "lag": {"type": "integer", "nullable": true},
                "base": {"type": "number", "nullable": true}, "growth": {"type": "number", "nullable": true},
                "start_year": year, "revenue_indicator": optional, "note": optional,
            }),
        ),
        "/api/v1/work-relief/rules" => object(
            &["from_year", "min_share"],
            json!({
                "from_year": {"type": "integer", "minimum": 1900, "maximum": 2100},
                "to_year": {"type": "integer", "minimum": 1900, "maximum": 2100, "nullable": true},
                "batch_pattern": {"type": "string", "maxLength": 100, "pattern": "^[^\\x00-\\x1f]*$", "nullable": true},
                "min_share": {"type": "number", "minimum": 0, "maximum": 1},
                "note": {"type": "string", "maxLength": 500, "pattern": "^[^\\x00-\\x09\\x0b-\\x1f]*$", "nullable": true},
            }),
        ),
        "/api/v1/disasters" => object(
            &["name", "kind", "occurred_on", "region"],
            json!({
                "name": text, "kind": one_of(revita_app::disasters::KINDS.to_vec()), "occurred_on": date,
                "magnitude": optional, "region": region_code,
                "needs": {"type": "object", "nullable": true, "description": "uplift by sector, default_uplift, recovery_share"},
            }),
        ),
        "/api/v1/disasters/{id}/counterparts" => object(
            &["pairs", "start_year"],
            json!({
                "pairs": {"type": "array", "items": {"type": "array", "items": region_code, "minItems": 2, "maxItems": 2}},
                "start_year": year,
            }),
        ),
        "/api/v1/designate/commit" => object(
            &["spec", "year", "category", "classes", "basis_title", "effective"],
            json!({
                "spec": {"type": "object", "description": "the designation spec, as in the user guide"},
                "year": year, "category": text,
                "classes": {"type": "array", "items": {"type": "string", "minLength": 1, "pattern": "^[^,]+$"}, "minItems": 1},
                "basis_title": text, "basis_number": optional, "effective": date, "transition_until": optional_date,
                "confirm": {"type": "string", "nullable": true, "description": "the preview's fingerprint: commit"},
            }),
        ),
        _ => json!({"type": "object"}),
    }
}

/// The names of a path's `{parameters}`.
fn path_parameters(path: &str) -> Vec<&str> {
    path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect()
}

/// `get_regions_code_children` for `GET /api/v1/regions/{code}/children`.
fn operation_id(method: &str, path: &str) -> String {
    let words: Vec<&str> = path
        .trim_start_matches("/api/v1")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && *w != "json")
        .collect();
    format!("{}_{}", method.to_lowercase(), words.join("_"))
}

/// The error responses every operation may give, with the status table of
/// `error.rs` (503 when the database is busy, with Retry-After).
fn error_responses(public: bool) -> Map<String, Value> {
    let error = |description: &str| json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let mut responses = Map::new();
    responses.insert("400".into(), error("invalid request: a parameter that does not parse or is out of range"));
    if !public {
        responses.insert("401".into(), error("not logged in: send a session cookie or an API token"));
        responses.insert("403".into(), error("outside your jurisdiction or role"));
    }
    responses.insert("404".into(), error("not found"));
    responses.insert("405".into(), error("the method is not allowed on this path (see Allow)"));
    responses.insert("503".into(), error("the database is busy with another change; retry after Retry-After seconds"));
    responses.insert("500".into(), error("internal error; the server log has the details under the request id"));
    responses
}

/// The OpenAPI 3.0 document, region codes described by the generic pattern.
pub fn document() -> Value {
    document_for("^[0-9A-Za-z_.-]{1,32}$")
}

/// The OpenAPI 3.0 document, region codes matching `region_pattern` (the
/// code scheme's: GB/T 2260 digits for China).
pub fn document_for(region_pattern: &str) -> Value {
    let mut paths = Map::new();
    for e in ENDPOINTS {
        let mut parameters: Vec<Value> = path_parameters(e.path)
            .into_iter()
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": parameter_schema(e.path, name, region_pattern)}))
            .collect();
        parameters.extend(e.params.iter().map(|(name, required, description)| {
            json!({"name": name, "in": "query", "required": required, "description": description, "schema": parameter_schema(e.path, name, region_pattern)})
        }));
        let public = e.path == "/health";
        let mut responses = error_responses(public);
        let media = if e.path == "/api/v1/map" || e.path.ends_with("/boundary") {
            "application/geo+json"
        } else if e.path.ends_with(".csv") {
            "text/csv"
        } else {
            "application/json"
        };
        responses.insert("200".into(), json!({"description": "OK", "content": {media: {"schema": {}}}}));
        let mut operation = json!({
            "operationId": operation_id(e.method, e.path),
            "summary": e.summary,
            "parameters": parameters,
            "responses": responses,
        });
        if public {
            operation["security"] = json!([]);
        }
        if e.method == "POST" {
            operation["responses"]["422"] = json!({"description": "rejected: every problem with row and column, nothing written", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
            operation["responses"]["409"] = json!({"description": "a conflict: a stored value (observations, without replace=true), or a version that changed since it was read", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
            operation["responses"]["413"] = json!({"description": "the body is larger than the server takes", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
            operation["responses"]["415"] = json!({"description": "the body is not of a media type the operation takes", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
            operation["requestBody"] = request_body(e.path, region_pattern);
        }
        let entry = paths.entry(e.path.to_string()).or_insert_with(|| json!({}));
        entry[e.method.to_lowercase()] = operation;
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "revita API", "version": env!("CARGO_PKG_VERSION"), "description": "Regions, indicators, observations and designations of revita. Every error is JSON with code, message and request_id."},
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "a personal API token (rvt_…) from /account/tokens or `revita user token`"},
                "session": {"type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE}
            },
            "schemas": {
                "DataValueSet": {"type": "object", "required": ["dataValues"], "properties": {"dataValues": {"type": "array", "items": {
                    "type": "object", "required": ["indicator", "region", "period", "value"], "properties": {
                        "indicator": {"type": "string"},
                        "region": {"type": "string"},
                        "period": {"type": "string"},
                        "value": {"type": "number"},
                        "source": {"type": "string"},
                        "status": {"type": "string", "enum": ["final", "provisional", "estimated", "synthetic"]}
                    }}}}},
                "Error": {"type": "object", "required": ["code", "message", "request_id"], "properties": {
                "code": {"type": "string", "enum": ["invalid_request", "rejected_file", "unauthorized", "forbidden", "not_found", "method_not_allowed", "conflict", "too_large", "unsupported_media_type", "busy", "internal"]},
                "message": {"type": "string"},
                "request_id": {"type": "string"},
                "problems": {"type": "array", "items": {"type": "string"}}
            }}}
        }
    })
}

/// `GET /api/v1/openapi.json`: region codes as the database's scheme
/// writes them.
pub async fn openapi_json(axum::extract::State(app): axum::extract::State<revita_app::App>) -> Json<Value> {
    Json(document_for(&app.scheme().code_pattern()))
}

/// An endpoint as the page lists it.
#[derive(serde::Serialize)]
struct EndpointRow {
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    params: String,
}

/// `api.html`.
#[derive(serde::Serialize)]
struct ApiView {
    endpoints: Vec<EndpointRow>,
}

/// `GET /api`: the human-readable list.
pub async fn api_page(page: crate::kit::Page) -> crate::kit::PageResult {
    let endpoints = ENDPOINTS
        .iter()
        .map(|e| EndpointRow {
            method: e.method,
            path: e.path,
            summary: e.summary,
            params: e
                .params
                .iter()
                .map(|(n, r, d)| format!("{n}{}: {d}", if *r { "*" } else { "" }))
                .collect::<Vec<_>>()
                .join("; "),
        })
        .collect();
    page.render("api.html", page.t("api_title"), ApiView { endpoints })
}
