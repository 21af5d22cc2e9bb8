//! `/api/v1/designate`: a run as JSON, and committing one as an official
//! list (previewed first, then confirmed by the preview's fingerprint);
//! `/api/v1/specs`: saved designation and allocation specs.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use revita_app::AppError;
use revita_app::designate::DesignationRun;
use revita_app::specs::SpecKind;
use serde::Deserialize;

use super::pages::{CommitForm, Decided, decide_list};
use super::{RunParams, run};
use crate::error::ApiResult;
use crate::kit::{Api, api_write};
use crate::listing::{Listing, Paging, Want};

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

/// A saved spec as the API gives it.
#[derive(serde::Serialize)]
pub struct SavedSpecDto {
    id: i64,
    kind: String,
    name: String,
    version: i64,
    /// The spec itself (JSON).
    spec: serde_json::Value,
    note: Option<String>,
    saved_by: String,
    saved_at: String,
}

impl From<&revita_app::SavedSpec> for SavedSpecDto {
    fn from(s: &revita_app::SavedSpec) -> SavedSpecDto {
        SavedSpecDto {
            id: s.id,
            kind: s.kind.clone(),
            name: s.name.clone(),
            version: s.version,
            spec: serde_json::from_str(&s.spec).unwrap_or_else(|_| serde_json::Value::String(s.spec.clone())),
            note: s.note.clone(),
            saved_by: s.saved_by.clone(),
            saved_at: s.saved_at.clone(),
        }
    }
}

/// The list's filter and paging.
#[derive(Deserialize)]
pub struct SpecParams {
    kind: Option<String>,
    limit: Option<i64>,
    after: Option<String>,
}

/// The kind named in a request (designation by default).
fn kind_of(text: Option<&str>) -> Result<SpecKind, AppError> {
    match text {
        None => Ok(SpecKind::Designation),
        Some(text) => SpecKind::parse(text)
            .ok_or_else(|| AppError::Invalid(format!("kind '{text}' is not designation or allocation"))),
    }
}

/// `GET /specs[.csv]?kind=`: the names specs are saved under, each at its
/// latest version, by name.
pub async fn specs_list(
    api: Api,
    Query(p): Query<SpecParams>,
) -> Result<axum::response::Response, crate::error::ApiError> {
    let kind = kind_of(p.kind.as_deref())?;
    let want = Want::of(api.csv, &Paging { limit: p.limit, after: p.after.clone() }, 100)?;
    let total = match want.counts() {
        true => Some(api.app().count_saved_specs(kind).await?),
        false => None,
    };
    let rows: Vec<SavedSpecDto> =
        api.app().saved_specs(kind, want.after(), want.limit()).await?.iter().map(SavedSpecDto::from).collect();
    const COLUMNS: &[&str] = &["id", "kind", "name", "version", "note", "saved_by", "saved_at", "spec"];
    Listing { name: "specs", columns: COLUMNS, rows, total }.respond(&want, "specs", |s| s.name.clone())
}

/// `GET /specs/{id}`: one saved version, with the numbers of every version
/// of its name.
pub async fn spec_show(api: Api, Path(id): Path<i64>) -> ApiResult<serde_json::Value> {
    let saved = api.app().saved_spec(id).await?;
    let versions: Vec<serde_json::Value> = api
        .app()
        .spec_versions(&saved)
        .await?
        .iter()
        .map(|v| serde_json::json!({"id": v.id, "version": v.version}))
        .collect();
    let mut body = serde_json::to_value(SavedSpecDto::from(&saved))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("a saved spec does not serialise: {e}")))?;
    body["versions"] = versions.into();
    Ok(Json(body))
}

/// `POST /specs`: a spec to save.
#[derive(Deserialize)]
pub struct SaveBody {
    kind: String,
    name: String,
    /// The spec (a JSON object, or its text).
    spec: serde_json::Value,
    #[serde(default)]
    note: Option<String>,
}

/// `POST /specs`: saves a designation or allocation spec (checked first)
/// as the next version under its name, audited.
pub async fn spec_save(api: Api, headers: HeaderMap, Json(body): Json<SaveBody>) -> ApiResult<SavedSpecDto> {
    let origin = api_write(&api, &headers)?;
    let kind = kind_of(Some(&body.kind))?;
    let spec = match body.spec {
        serde_json::Value::String(text) => text,
        other => serde_json::to_string_pretty(&other).unwrap_or_default(),
    };
    let saved = api.app().save_spec(&api.viewer.actor, kind, &body.name, &spec, body.note.as_deref(), &origin).await?;
    Ok(Json(SavedSpecDto::from(&saved)))
}
