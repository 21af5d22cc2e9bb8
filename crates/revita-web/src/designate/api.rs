//! `/api/v1/designate`: a run as JSON, and committing one as an official
//! list (previewed first, then confirmed by the preview's fingerprint).

use axum::Json;
use axum::extract::Query;
use axum::http::HeaderMap;
use revita_app::designate::DesignationRun;
use serde::Deserialize;

use super::pages::{CommitForm, Decided, decide_list};
use super::{RunParams, run};
use crate::error::ApiResult;
use crate::kit::{Api, api_write};

/// `GET /designate?spec=…&year=…`: the run as JSON.
pub async fn designate_api(api: Api, Query(params): Query<RunParams>) -> ApiResult<DesignationRun> {
    Ok(Json(run(&api.state, Some(&api.viewer), &params).await?))
}

/// `POST /designate/commit`: the run (spec and year) and the decision.
#[derive(Deserialize)]
pub struct CommitBody {
    /// The designation spec (JSON, as in the user guide).
    spec: serde_json::Value,
    year: i32,
    /// The list's category (`poverty_county`, `custom:…`).
    category: String,
    /// The run's classes that go on the list.
    classes: Vec<String>,
    basis_title: String,
    #[serde(default)]
    basis_number: Option<String>,
    /// The day the list takes effect, `YYYY-MM-DD`.
    effective: String,
    /// Until when the regions that leave keep their status.
    #[serde(default)]
    transition_until: Option<String>,
    /// The fingerprint of the preview being confirmed; without it nothing
    /// is written and the answer is the preview.
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /designate/commit`: without `confirm`, what committing the run as
/// an official list would change (joining, leaving, staying, untouched)
/// and its fingerprint; with it, the commit, audited, in one transaction.
pub async fn designate_commit(api: Api, headers: HeaderMap, Json(body): Json<CommitBody>) -> ApiResult<Decided> {
    let origin = api_write(&api, &headers)?;
    let spec = match body.spec {
        serde_json::Value::String(text) => text,
        other => other.to_string(),
    };
    let form = CommitForm {
        csrf: String::new(),
        spec,
        year: body.year.to_string(),
        category: body.category,
        classes: body.classes.join(","),
        basis_title: body.basis_title,
        basis_number: body.basis_number,
        effective: body.effective,
        transition_until: body.transition_until,
        confirm: body.confirm,
    };
    let (_, decided) = decide_list(&api.state, &api.viewer, &origin, &form).await?;
    Ok(Json(decided))
}
