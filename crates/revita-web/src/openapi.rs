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
        summary: "Direct children of a region",
        params: &[],
        example: "/api/v1/regions/520000/children",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/regions/{code}/descendants",
        summary: "Descendants of a region, all or at one level",
        params: &[("level", false, "province, prefecture, county, township or village")],
        example: "/api/v1/regions/520000/descendants?level=county",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/regions/{code}/designations",
        summary: "Designations of a region, current and past",
        params: &[],
        example: "/api/v1/regions/520000/designations",
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
        summary: "Regions by code, Chinese or English name",
        params: &[("q", true, "text to look for"), ("limit", false, "at most this many (default 20)")],
        example: "/api/v1/search?q=%E8%B4%B5",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/indicators",
        summary: "Indicator definitions",
        params: &[],
        example: "/api/v1/indicators",
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
            ("indicator", false, "indicator code"),
            ("region", false, "region code"),
            ("parent", false, "children of this region; with level, the regions at that level anywhere below it"),
            ("level", false, "regions at this level"),
            ("period", false, "2020, 2020Q1 or 2020-03"),
            ("limit", false, "page size, at most 10000"),
            ("after", false, "cursor from the previous page"),
        ],
        example: "/api/v1/observations?indicator=pop_total&limit=5",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/designations",
        summary: "Designations, of one category or all",
        params: &[("category", false, "e.g. poverty_county")],
        example: "/api/v1/designations?category=poverty_county",
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
        summary: "Development plans you may read (whole, or the part within your jurisdiction)",
        params: &[],
        example: "/api/v1/plans",
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/plans/{id}",
        summary: "A plan's progress: each target's latest value, path, progress and status (achieved / on track ≥ 95% of the expected change / at risk ≥ 75% / off track), roll-ups per goal and plan, projects with budget, disbursed, execution rate and late milestones",
        params: &[],
        example: "/api/v1/plans/1",
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
];

/// The OpenAPI 3.0 document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for e in ENDPOINTS {
        let mut parameters: Vec<Value> = e
            .params
            .iter()
            .map(|(name, required, description)| json!({"name": name, "in": "query", "required": required, "description": description, "schema": {"type": "string"}}))
            .collect();
        if e.path.contains("{code}") {
            parameters.insert(0, json!({"name": "code", "in": "path", "required": true, "schema": {"type": "string"}}));
        }
        let operation = json!({
            "summary": e.summary,
            "parameters": parameters,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {}}},
                "400": {"description": "invalid request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "not found", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        paths.insert(e.path.to_string(), json!({ e.method.to_lowercase(): operation }));
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "revita API", "version": env!("CARGO_PKG_VERSION"), "description": "Regions, indicators, observations and designations of revita. Errors carry code, message and request_id."},
        "paths": paths,
        "components": {"schemas": {"Error": {"type": "object", "required": ["code", "message", "request_id"], "properties": {
            "code": {"type": "string", "enum": ["invalid_request", "rejected_file", "not_found", "conflict", "internal"]},
            "message": {"type": "string"},
            "request_id": {"type": "string"}
        }}}}
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi_json() -> Json<Value> {
    Json(document())
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
