//! Small-area estimation (issue 22): the Fay–Herriot page (a spec, its
//! estimates with MSE and CV, the residual plot, the map by CV class, the
//! CSV export, storing the estimates as indicators) and the same as JSON.

mod api;
pub(crate) mod i18n;
mod pages;

use crate::{Route, get, post};

/// The pages. Running a spec is a POST (the spec is long, and the form
/// carries the session's CSRF token like every form that does work).
pub(crate) fn routes() -> Vec<Route> {
    vec![
        get("/sae", pages::sae_page),
        post("/sae", pages::run),
        post("/sae.csv", pages::export),
        post("/sae/store", pages::store),
    ]
}

/// The API, relative to `/api/v1`.
pub(crate) fn api_routes() -> Vec<Route> {
    vec![post("/sae/fh", api::run), post("/sae/fh/store", api::store)]
}
