//! Designation runs: a spec (JSON) and a year in; the ranked table, a
//! histogram of the index, a choropleth of the classes, the comparison with
//! another run, and committing the result as an official list (pages); the
//! run as JSON (API). Running a spec changes nothing, so it is a GET: a
//! run's URL can be kept and shared, and the downloads are the same URL
//! with `.csv` or `.xlsx`.

mod api;
pub(crate) mod builder;
pub(crate) mod i18n;
pub(crate) mod pages;

use revita_app::designate::{DesignationRun, DesignationSpec, FromJson};
use revita_app::{AppError, AppResult};
use serde::Deserialize;

use crate::state::WebState;
use crate::{Route, get, post};

/// The pages.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        get("/designate", pages::designate_page),
        post("/designate/commit", pages::designate_commit),
        post("/designate/specs", pages::designate_save),
        get("/designate.csv", pages::designate_csv),
        get("/designate.xlsx", pages::designate_xlsx),
    ]
}

/// The API, relative to `/api/v1`.
pub(crate) fn api_routes() -> Vec<Route> {
    vec![
        get("/designate", api::designate_api),
        post("/designate/commit", api::designate_commit),
        get("/specs", api::specs_list),
        get("/specs.csv", api::specs_list),
        post("/specs", api::spec_save),
        get("/specs/{id}", api::spec_show),
    ]
}

/// A run's parameters, from the query string.
#[derive(Debug, Deserialize)]
pub struct RunParams {
    spec: Option<String>,
    /// Years come as text: an empty form field means none.
    year: Option<String>,
    /// Compare with a run of this spec (default: the same spec)…
    against_spec: Option<String>,
    /// …for this year (default: the same year).
    against_year: Option<String>,
}

/// A year from a form field: none when empty, an error when not a year.
fn year_of(field: &Option<String>) -> AppResult<Option<i32>> {
    match field.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| AppError::Invalid(format!("'{text}' is not a year"))),
    }
}

impl RunParams {
    /// The spec and year, or why they cannot run.
    fn parse(&self) -> AppResult<(DesignationSpec, i32)> {
        let spec = DesignationSpec::from_json(self.spec.as_deref().unwrap_or_default())?;
        let year = year_of(&self.year)?.ok_or_else(|| AppError::Invalid("give the year of the run".into()))?;
        Ok((spec, year))
    }
}

/// Runs the spec for the viewer: only regions it may read are compared.
async fn run(state: &WebState, viewer: Option<&crate::auth::Viewer>, params: &RunParams) -> AppResult<DesignationRun> {
    let (spec, year) = params.parse()?;
    let visible = state.visible(viewer).await?;
    state.app.designate(&spec, year, &visible).await
}
