//! `/api/v1/plans` and `/api/v1/projects`: the plans the caller may read
//! and their progress; every change the plan forms make, as JSON.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use axum::response::Response;
use revita_app::AppError;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::forms::{PlanWrite, PlanWriter};
use crate::error::{ApiError, ApiResult};
use crate::kit::{Api, api_write, form_fields, today};
use crate::listing::{Listing, Paging, Want};

/// A plan in a list.
#[derive(Serialize)]
struct PlanRow {
    id: i64,
    title: String,
    kind: &'static str,
    region: String,
    scope: String,
    start_year: i32,
    end_year: i32,
    office: String,
    status: &'static str,
    version: i64,
}

/// `GET /plans[.csv]`: a page of the plans the caller may read, by number,
/// or all of them as CSV.
pub async fn plans_api(api: Api, Query(paging): Query<Paging>) -> Result<Response, ApiError> {
    let want = Want::of(api.csv, &paging, 100)?;
    let after = match want.after() {
        None => 0,
        Some(text) => crate::listing::sequence_number(text)
            .ok_or_else(|| AppError::Invalid(format!("cursor '{text}' is not a plan number")))?,
    };
    let limit = usize::try_from(want.limit()).unwrap_or(usize::MAX);
    let (plans, total) = api.app().plans_page(&api.viewer.actor, after, limit).await?;
    let total = want.counts().then_some(total as i64);
    let rows: Vec<PlanRow> = plans
        .iter()
        .map(|p| PlanRow {
            id: p.id,
            title: p.title.clone(),
            kind: p.kind.as_str(),
            region: p.region.to_string(),
            scope: p.scope.to_text(),
            start_year: p.start_year,
            end_year: p.end_year,
            office: p.office.clone(),
            status: p.status.as_str(),
            version: p.version,
        })
        .collect();
    const COLUMNS: &[&str] =
        &["id", "title", "kind", "region", "scope", "start_year", "end_year", "office", "status", "version"];
    Listing { name: "plans", columns: COLUMNS, rows, total }.respond(&want, "plans", |p| p.id.to_string())
}

/// `GET /plans/{id}`: a plan's progress: targets with their values and
/// status, roll-ups, projects with execution.
pub async fn plan_api(api: Api, Path(plan_id): Path<i64>) -> ApiResult<Value> {
    let r = api.app().plan_report(&api.viewer.actor, plan_id, today()).await?;
    let rollup = |r: &revita_methods::plan::Rollup| {
        json!({
            "status": r.status.map(|s| s.as_str()), "achieved": r.achieved, "on_track": r.on_track,
            "at_risk": r.at_risk, "off_track": r.off_track, "no_data": r.no_data,
        })
    };
    let goals: Vec<Value> = r
        .goals
        .iter()
        .map(|g| {
            let targets: Vec<Value> = g
                .targets
                .iter()
                .map(|t| {
                    let target = &t.target.target;
                    json!({
                        "indicator": t.target.indicator.as_str(), "region": t.target.region.as_ref().map(|c| c.as_str()),
                        "binding": target.binding,
                        "baseline_year": target.baseline_year, "baseline": target.baseline,
                        "target_year": target.target_year, "target": target.target,
                        "latest_year": t.latest.map(|(y, _)| y), "latest": t.latest.map(|(_, v)| v),
                        "path": t.path, "progress": t.progress, "status": t.status.map(|s| s.as_str()),
                    })
                })
                .collect();
            json!({
                "id": g.goal.id, "parent": g.goal.parent, "title": g.goal.title, "rollup": rollup(&g.rollup),
                "targets": targets,
            })
        })
        .collect();
    let projects: Vec<Value> = r
        .projects
        .iter()
        .map(|v| {
            let p = &v.project;
            json!({
                "id": p.id, "code": p.code, "name": p.name,
                "category": p.category.as_str(), "region": p.region.as_str(),
                "start": p.start.to_string(), "end": p.end.to_string(),
                "status": p.status.as_str(), "percent": p.percent,
                "budget": v.execution.budget, "disbursed": v.execution.disbursed,
                "execution_rate": v.execution.rate(), "late_milestones": v.late(),
            })
        })
        .collect();
    Ok(Json(json!({
        "id": r.plan.id, "title": r.plan.title, "status": r.plan.status.as_str(), "version": r.plan.version,
        "partial": r.partial, "rollup": rollup(&r.rollup),
        "budget": r.execution.budget, "disbursed": r.execution.disbursed, "execution_rate": r.execution.rate(),
        "goals": goals,
        "projects": projects,
    })))
}

/// A plan's header: `POST /plans` (`region`: the office's) and
/// `POST /plans/{id}/edit` (with `version`).
#[derive(Deserialize, Serialize)]
pub struct PlanBody {
    title: String,
    kind: String,
    #[serde(default)]
    region: Option<String>,
    scope_kind: String,
    scope: String,
    start_year: i32,
    end_year: i32,
    #[serde(default)]
    office: Option<String>,
    #[serde(default)]
    version: Option<i64>,
}

/// `POST /plans/{id}/status`.
#[derive(Deserialize, Serialize)]
pub struct MoveBody {
    to: String,
    version: i64,
    #[serde(default)]
    comment: Option<String>,
}

/// `POST /plans/{id}/goals`.
#[derive(Deserialize, Serialize)]
pub struct GoalBody {
    title: String,
    #[serde(default)]
    parent: Option<i64>,
}

/// `POST /plans/{id}/targets` (`goal`, `indicator`, `region`) and
/// `POST /plans/{id}/targets/{target}` (the values only).
#[derive(Deserialize, Serialize)]
pub struct TargetBody {
    #[serde(default)]
    goal: Option<i64>,
    #[serde(default)]
    indicator: Option<String>,
    #[serde(default)]
    region: Option<String>,
    baseline_year: i32,
    baseline: f64,
    target_year: i32,
    target: f64,
    #[serde(default)]
    binding: bool,
    /// Yearly targets, `2023:5.1, 2024:5.6`.
    #[serde(default)]
    intermediate: Option<String>,
}

/// `POST /plans/{id}/projects`: one project, added or replaced by code.
#[derive(Deserialize, Serialize)]
pub struct ProjectBody {
    code: String,
    name: String,
    category: String,
    region: String,
    start: String,
    end: String,
    #[serde(default)]
    lon: Option<f64>,
    #[serde(default)]
    lat: Option<f64>,
    /// The goals the project serves.
    #[serde(default)]
    goals: Vec<i64>,
    /// Budget by funding source (`central_budget`, `local_budget`, `bonds`,
    /// `pairing_assistance`, `loans`, `social_capital`, …), in yuan.
    #[serde(default)]
    budget: std::collections::BTreeMap<String, f64>,
}

/// `POST /projects/{id}/progress`.
#[derive(Deserialize, Serialize)]
pub struct ProgressBody {
    status: String,
    percent: f64,
    version: i64,
}

/// `POST /projects/{id}/milestones`: a new one (`name`, `due`), or one done
/// (`milestone`, `done`).
#[derive(Deserialize, Serialize)]
pub struct MilestoneBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    due: Option<String>,
    #[serde(default)]
    milestone: Option<i64>,
    #[serde(default)]
    done: Option<String>,
}

/// `POST /projects/{id}/disbursements`.
#[derive(Deserialize, Serialize)]
pub struct DisbursementBody {
    on: String,
    amount: f64,
    source: String,
}

/// Runs a plan write for an API caller: the same fields and checks as the
/// form (role, jurisdiction, the plan's version, audit); answers the number
/// of what it made or changed.
async fn write(api: Api, headers: HeaderMap, write: PlanWrite, id: i64, body: &impl Serialize) -> ApiResult<Value> {
    let origin = api_write(&api, &headers)?;
    let writer = PlanWriter { app: api.app(), actor: &api.viewer.actor, origin: &origin };
    let made = write.run(&writer, id, &form_fields(body)?).await?;
    Ok(Json(json!({ "id": made })))
}

/// `POST /plans`: creates a plan (drafted) for the office `region`.
pub async fn plan_create(api: Api, headers: HeaderMap, Json(body): Json<PlanBody>) -> ApiResult<Value> {
    write(api, headers, PlanWrite::Create, 0, &body).await
}

/// `POST /plans/{id}/edit`: rewrites a drafted plan's header.
pub async fn plan_edit(
    api: Api,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<PlanBody>,
) -> ApiResult<Value> {
    write(api, headers, PlanWrite::Edit, id, &body).await
}

/// `POST /plans/{id}/status`: moves a plan (submit, approve, return, …).
pub async fn plan_move(
    api: Api,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<MoveBody>,
) -> ApiResult<Value> {
    write(api, headers, PlanWrite::Move, id, &body).await
}

/// `POST /plans/{id}/goals`: adds a chapter or a goal.
pub async fn goal_add(
    api: Api,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<GoalBody>,
) -> ApiResult<Value> {
    write(api, headers, PlanWrite::Goal, id, &body).await
}

/// `POST /plans/{id}/targets`: adds a target to a goal.
pub async fn target_add(
    api: Api,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<TargetBody>,
) -> ApiResult<Value> {
    write(api, headers, PlanWrite::Target, id, &body).await
}

/// `POST /plans/{id}/targets/{target}`: rewrites a target's values.
pub async fn target_edit(
    api: Api,
    Path((id, target)): Path<(i64, i64)>,
    headers: HeaderMap,
    Json(body): Json<TargetBody>,
) -> ApiResult<Value> {
    write(api, headers, PlanWrite::TargetEdit(target), id, &body).await
}

/// `POST /plans/{id}/projects`: adds or replaces (by code) a project.
pub async fn project_add(
    api: Api,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<ProjectBody>,
) -> ApiResult<Value> {
    write(api, headers, PlanWrite::Project, id, &body).await
}

/// `POST /projects/{id}/progress`: status and percent complete.
pub async fn project_progress(
    api: Api,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<ProgressBody>,
) -> ApiResult<Value> {
    write(api, headers, PlanWrite::Progress, id, &body).await
}

/// `POST /projects/{id}/milestones`: adds a milestone or marks one done.
pub async fn project_milestone(
    api: Api,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<MilestoneBody>,
) -> ApiResult<Value> {
    write(api, headers, PlanWrite::Milestone, id, &body).await
}

/// `POST /projects/{id}/disbursements`: records money paid out.
pub async fn project_disbursement(
    api: Api,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<DisbursementBody>,
) -> ApiResult<Value> {
    write(api, headers, PlanWrite::Disbursement, id, &body).await
}
