//! Resource-based cities (issue 20): the designated cities by type with the
//! resource-exhausted ones, movement to the latest classification run, and
//! each city's transformation dashboard against its plans' targets (pages);
//! the same as JSON (API).

pub(crate) mod i18n;
mod pages;

use crate::{Route, get};

/// The pages.
pub(crate) fn routes() -> Vec<Route> {
    vec![get("/resource-cities", pages::list_page), get("/resource-cities/{code}", pages::city_page)]
}

/// The API, relative to `/api/v1`.
pub(crate) fn api_routes() -> Vec<Route> {
    vec![get("/resource-cities/{code}", pages::city_api)]
}
