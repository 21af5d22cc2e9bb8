//! Fund allocation by a factor formula: the form and the allocation with
//! its workbook (pages), the allocation as JSON (API). Like a designation
//! run it changes nothing, so it is a GET.

mod api;
pub(crate) mod builder;
pub(crate) mod i18n;
mod pages;

pub(crate) use pages::wan;

use revita_app::allocate::{AllocationRun, AllocationSpec};
use revita_app::{AppError, AppResult};
use serde::Deserialize;

use crate::state::WebState;
use crate::{Route, get, post};

/// The pages.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        get("/allocate", pages::allocate_page),
        post("/allocate/specs", pages::allocate_save),
        get("/allocate.csv", pages::allocate_csv),
        get("/allocate.xlsx", pages::allocate_xlsx),
    ]
}

/// The API, relative to `/api/v1`.
pub(crate) fn api_routes() -> Vec<Route> {
    vec![get("/allocate", api::allocate_api)]
}

/// An allocation's parameters, from the query string.
#[derive(Debug, Deserialize)]
pub struct AllocateParams {
    spec: Option<String>,
    /// Text: an empty form field means none.
    year: Option<String>,
}

/// Runs the spec over the regions the viewer may read.
async fn run(
    state: &WebState,
    viewer: Option<&crate::auth::Viewer>,
    params: &AllocateParams,
) -> AppResult<AllocationRun> {
    let spec = AllocationSpec::from_json(params.spec.as_deref().unwrap_or_default())?;
    let year = params
        .year
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::Invalid("give the year of the factors".into()))?;
    let year: i32 = year.parse().map_err(|_| AppError::Invalid(format!("'{year}' is not a year")))?;
    let visible = state.visible(viewer).await?;
    state.app.allocate(&spec, year, &visible).await
}
