//! Small-area estimation (issue 22): the Fay–Herriot page (a spec, its
//! estimates with MSE and CV, the residual plot, the map by CV class, the
//! CSV export, storing the estimates as indicators), the census EBP page
//! (a sample and a census uploaded, the same outputs) and both as JSON.

mod api;
mod ebp;
pub(crate) mod i18n;
mod pages;

use crate::{Route, get, post, upload};

/// The pages. Running a spec is a POST (the spec is long, and the form
/// carries the session's CSRF token like every form that does work).
pub(crate) fn routes() -> Vec<Route> {
    vec![
        get("/sae", pages::sae_page),
        post("/sae", pages::run),
        post("/sae.csv", pages::export),
        post("/sae/store", pages::store),
        get("/sae/ebp", ebp::form_page),
        upload("/sae/ebp", ebp::run),
    ]
}

/// The API, relative to `/api/v1`.
pub(crate) fn api_routes() -> Vec<Route> {
    vec![post("/sae/fh", api::run), post("/sae/fh/store", api::store), upload("/sae/ebp", ebp::api)]
}
