//! Post-disaster recovery and reconstruction (issue 21): events, the
//! counties they hit, the assessment and its report, a central fund shared
//! over the counties, counterpart provinces and the reconstruction plan
//! (pages); the same as JSON (API).

mod api;
pub(crate) mod i18n;
mod pages;

use crate::{Route, get, post, upload};

/// The pages.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        get("/disasters", pages::list_page),
        post("/disasters", pages::create),
        get("/disasters/template.xlsx", pages::template),
        get("/disasters/{id}", pages::event_page),
        upload("/disasters/{id}/import", pages::import),
        post("/disasters/{id}/counterparts", pages::counterparts),
        post("/disasters/{id}/plan", pages::plan),
        get("/disasters/{id}/report.pdf", pages::report_pdf),
        get("/disasters/{id}/report.xlsx", pages::report_xlsx),
    ]
}

/// The API, relative to `/api/v1`.
pub(crate) fn api_routes() -> Vec<Route> {
    vec![
        get("/disasters", api::list),
        get("/disasters.csv", api::list),
        post("/disasters", api::create),
        get("/disasters/{id}", api::event),
        get("/disasters/{id}/fund", api::fund),
        post("/disasters/{id}/counterparts", api::counterparts),
    ]
}
