//! Pairing assistance and the evidence brief (issue 18): the ledger with
//! its forms, upload, flow map and IATI download, and the brief on any
//! region as a page and a PDF (pages); the ledger, flows, rules and the
//! brief as JSON (API).

mod api;
mod brief;
pub(crate) mod i18n;
mod pages;

use crate::{Route, get, post, upload};

/// The pages.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        get("/pairing", pages::ledger_page),
        get("/pairing/ledger.xlsx", pages::ledger_xlsx),
        post("/pairing/flows", pages::flow_record),
        upload("/pairing/flows/import", pages::flows_import),
        post("/pairing/rules", pages::rule_set),
        get("/pairing/iati.xml", pages::iati),
        get("/brief", brief::brief_page),
        get("/brief.pdf", brief::brief_pdf),
    ]
}

/// The API, relative to `/api/v1`.
pub(crate) fn api_routes() -> Vec<Route> {
    vec![
        get("/pairing/ledger", api::ledger),
        get("/pairing/ledger.csv", api::ledger),
        get("/pairing/flows", api::flows),
        get("/pairing/flows.csv", api::flows),
        post("/pairing/flows", api::flow_record),
        post("/pairing/rules", api::rule_set),
        get("/brief", api::brief),
    ]
}
