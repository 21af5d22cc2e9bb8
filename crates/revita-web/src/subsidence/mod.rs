//! Coal-mining subsidence areas (issue 20): the registry with its map, each
//! area with who and what lies inside, houses by damage grade, farmland by
//! damage class and remediation progress (pages); the same as JSON (API).

mod api;
pub(crate) mod i18n;
mod pages;

use crate::{Route, get, post, upload};

/// The pages.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        get("/subsidence", pages::list_page),
        upload("/subsidence/areas", pages::import_areas),
        upload("/subsidence/places", pages::import_places),
        get("/subsidence/{id}", pages::area_page),
        upload("/subsidence/{id}/import", pages::import_file),
        post("/subsidence/{id}/progress", pages::progress),
    ]
}

/// The API, relative to `/api/v1`.
pub(crate) fn api_routes() -> Vec<Route> {
    vec![
        get("/subsidence", api::list),
        get("/subsidence.csv", api::list),
        get("/subsidence/{id}", api::area),
        get("/places", api::places),
    ]
}
