//! Indicators: the catalogue and an indicator's coverage and distribution
//! (pages), their definitions and periods (API).

mod api;
pub(crate) mod dto;
pub(crate) mod i18n;
mod pages;

use crate::{Route, get};

/// The pages.
pub(crate) fn routes() -> Vec<Route> {
    vec![get("/indicators", pages::indicator_index), get("/indicators/{code}", pages::indicator_show)]
}

/// The API, relative to `/api/v1`.
pub(crate) fn api_routes() -> Vec<Route> {
    vec![
        get("/indicators", api::indicator_list),
        get("/indicators.csv", api::indicator_list),
        get("/indicators/{code}", api::indicator_show),
    ]
}
