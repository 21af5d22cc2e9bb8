//! Relocation with its follow-up support, the site-assignment optimiser,
//! and work-relief (issue 17): pages and API.

mod api;
pub(crate) mod i18n;
mod pages;
mod relief;

use crate::{Route, get, post, upload};

/// The pages.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        get("/relocation", pages::follow_up_page),
        upload("/relocation/import", pages::import),
        get("/relocation/assign", pages::assign_page),
        get("/relocation/sites/{id}", pages::site_page),
        get("/work-relief", relief::page),
        upload("/work-relief/import", relief::import),
        post("/work-relief/rules", relief::add_rule),
        post("/work-relief/accept", relief::accept),
    ]
}

/// The API, relative to `/api/v1`.
pub(crate) fn api_routes() -> Vec<Route> {
    vec![
        get("/relocation/sites", api::sites),
        get("/relocation/follow-up", api::follow_up),
        get("/relocation/assign", api::assign),
        get("/work-relief/projects", api::projects),
        get("/work-relief/dashboard", api::dashboard),
        get("/work-relief/alerts", api::alerts),
        post("/work-relief/rules", api::add_rule),
    ]
}
