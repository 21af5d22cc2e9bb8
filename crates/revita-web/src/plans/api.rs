//! `/api/v1/plans`: the plans the caller may read and their progress.

use axum::Json;
use axum::extract::Path;
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::kit::{Api, today};

/// `GET /plans`: the plans the caller may read.
pub async fn plans_api(api: Api) -> ApiResult<Value> {
    let plans = api.app().plans_for(&api.viewer.actor).await?;
    let plans: Vec<Value> = plans
        .iter()
        .map(|p| {
            json!({
                "id": p.id, "title": p.title, "kind": p.kind.as_str(), "region": p.region.as_str(),
                "scope": p.scope.to_text(), "start_year": p.start_year, "end_year": p.end_year,
                "office": p.office, "status": p.status.as_str(), "version": p.version,
            })
        })
        .collect();
    Ok(Json(json!(plans)))
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
