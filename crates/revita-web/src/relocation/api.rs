//! `/api/v1/relocation…` and `/api/v1/work-relief…`: sites (paged), the
//! follow-up KPIs by site with alerts, the site-assignment optimiser,
//! work-relief projects (paged), the dashboard, the alerts, and adding a
//! remuneration rule.

use std::collections::HashMap;

use axum::Json;
use axum::extract::Query;
use axum::http::HeaderMap;
use axum::response::Response;
use revita_app::AppError;
use revita_methods::assignment::UnplacedReason;
use revita_methods::relocation::Targets;
use revita_methods::work_relief::{AlertOptions, ReliefAlert, ReliefTotals, WorkerCategory};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::pages::{assign_args, year_of};
use super::relief::rule_from;
use crate::error::{ApiError, ApiResult};
use crate::kit::{Api, api_write, form_fields};
use crate::listing::{Listing, Paging, Want, sequence_number};

fn after(want: &Want) -> Result<i64, AppError> {
    match want.after() {
        None => Ok(0),
        Some(t) => sequence_number(t)
            .filter(|n| *n > 0)
            .ok_or_else(|| AppError::Invalid(format!("cursor '{t}' is not a row number"))),
    }
}

/// A site in a list.
#[derive(Serialize)]
struct SiteRow {
    id: i64,
    code: String,
    name: String,
    county: String,
    lon: f64,
    lat: f64,
    setting: String,
    category: String,
    subtype: String,
    capacity_people: i64,
    capacity_units: i64,
    certificates: i64,
}

/// `GET /relocation/sites`: resettlement sites within the caller's jurisdiction.
pub async fn sites(api: Api, Query(paging): Query<Paging>) -> Result<Response, ApiError> {
    let want = Want::of(api.csv, &paging, 100)?;
    let (sites, total) = api.app().resettlement_site_page(&api.viewer.actor, after(&want)?, want.limit()).await?;
    let rows: Vec<SiteRow> = sites
        .into_iter()
        .map(|s| SiteRow {
            id: s.id,
            code: s.code,
            name: s.name,
            county: s.county.to_string(),
            lon: s.lon,
            lat: s.lat,
            setting: s.setting,
            category: s.category,
            subtype: s.subtype,
            capacity_people: s.capacity_people,
            capacity_units: s.capacity_units,
            certificates: s.certificates,
        })
        .collect();
    const COLUMNS: &[&str] = &[
        "id",
        "code",
        "name",
        "county",
        "lon",
        "lat",
        "setting",
        "category",
        "subtype",
        "capacity_people",
        "capacity_units",
        "certificates",
    ];
    let total = want.counts().then_some(total);
    Listing { name: "sites", columns: COLUMNS, rows, total }.respond(&want, "sites", |s| s.id.to_string())
}

/// `GET /relocation/follow-up?year=`: KPIs by site, alerts, and the labour
/// households with nobody employed.
pub async fn follow_up(api: Api, Query(query): Query<HashMap<String, String>>) -> ApiResult<Value> {
    if query.get("year").is_some_and(|y| y.trim().is_empty()) {
        return Err(AppError::Invalid("year: empty; leave the parameter out instead".into()).into());
    }
    let year = year_of(&query)?;
    let view = api.app().relocation_follow_up(&api.viewer.actor, year, &Targets::default()).await?;
    Ok(Json(view.to_json()))
}

/// `GET /relocation/assign?county=&origins=&k=&max_km=&keep_together=`.
pub async fn assign(api: Api, Query(query): Query<HashMap<String, String>>) -> ApiResult<Value> {
    // The page's form sends blank fields for "not given"; the API takes a
    // parameter left out for that, and refuses one given empty.
    if let Some((name, _)) = query.iter().find(|(_, v)| v.trim().is_empty()) {
        return Err(AppError::Invalid(format!("{name}: empty; leave the parameter out instead")).into());
    }
    let a = assign_args(&query)?;
    let r = api
        .app()
        .assign_to_sites(&api.viewer.actor, a.county.as_ref(), &a.origins, a.k, a.max_metres, a.keep_together)
        .await?;
    let x = &r.assignment;
    let flows: Vec<Value> = x
        .flows
        .iter()
        .map(|f| json!({"origin": f.origin, "site": f.site, "households": f.households, "metres": f.cost}))
        .collect();
    let site_use: Vec<Value> =
        x.site_use.iter().map(|s| json!({"site": s.site, "capacity": s.capacity, "used": s.used})).collect();
    let unplaced: Vec<Value> = x
        .unplaced
        .iter()
        .map(|u| {
            let reason = match u.reason {
                UnplacedReason::NoLink { .. } => "no_site_within_reach",
                UnplacedReason::CapacityExhausted => "capacity_exhausted",
            };
            json!({"origin": u.origin, "households": u.households, "reason": reason})
        })
        .collect();
    let keep = x.keep_together.as_ref().map(|k| {
        json!({"lower_bound": k.lower_bound, "cost": k.cost, "gap": k.gap(), "moved": k.moved, "left_split": k.left_split.len()})
    });
    Ok(Json(json!({
        "total_metres": x.total_cost, "placed": x.placed(), "flows": flows, "site_use": site_use,
        "unplaced": unplaced, "links_beyond_max": x.links_beyond_max_cost, "keep_together": keep, "names": r.names,
    })))
}

/// A project in a list.
#[derive(Serialize)]
struct ProjectRow {
    id: i64,
    code: String,
    name: String,
    county: String,
    fund_source: String,
    batch: String,
    year: i32,
    works_type: String,
    central_investment: f64,
    remuneration_planned: f64,
    remuneration_paid: f64,
    status: String,
    version: i64,
}

/// `GET /work-relief/projects`: projects within the caller's jurisdiction.
pub async fn projects(api: Api, Query(paging): Query<Paging>) -> Result<Response, ApiError> {
    let want = Want::of(api.csv, &paging, 100)?;
    let (projects, total) = api.app().relief_project_page(&api.viewer.actor, after(&want)?, want.limit()).await?;
    let rows: Vec<ProjectRow> = projects
        .into_iter()
        .map(|p| ProjectRow {
            id: p.id,
            code: p.code,
            name: p.name,
            county: p.county.to_string(),
            fund_source: p.fund_source,
            batch: p.batch,
            year: p.year,
            works_type: p.works_type,
            central_investment: p.central_investment,
            remuneration_planned: p.remuneration_planned,
            remuneration_paid: p.remuneration_paid,
            status: p.status,
            version: p.version,
        })
        .collect();
    const COLUMNS: &[&str] = &[
        "id",
        "code",
        "name",
        "county",
        "fund_source",
        "batch",
        "year",
        "works_type",
        "central_investment",
        "remuneration_planned",
        "remuneration_paid",
        "status",
        "version",
    ];
    let total = want.counts().then_some(total);
    Listing { name: "projects", columns: COLUMNS, rows, total }.respond(&want, "projects", |p| p.id.to_string())
}

fn totals(t: &ReliefTotals) -> Value {
    let workers: serde_json::Map<String, Value> = WorkerCategory::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), json!(t.workers.get(c).copied().unwrap_or(0))))
        .collect();
    json!({
        "projects": t.projects, "total_investment": t.total_investment, "central": t.central,
        "remuneration_planned": t.remuneration_planned, "remuneration_paid": t.remuneration_paid,
        "planned_share": t.planned_share(), "paid_share": t.paid_share(), "workers": workers,
        "average_pay": t.average_pay(),
    })
}

/// `GET /work-relief/dashboard`: totals (yuan) in all, by province and by county.
pub async fn dashboard(api: Api) -> ApiResult<Value> {
    let d = api.app().relief_dashboard(&api.viewer.actor).await?;
    let by = |m: &std::collections::BTreeMap<String, ReliefTotals>| -> serde_json::Map<String, Value> {
        m.iter().map(|(k, t)| (k.clone(), totals(t))).collect()
    };
    Ok(Json(json!({"total": totals(&d.total), "by_province": by(&d.by_province), "by_county": by(&d.by_county)})))
}

fn alert(a: &ReliefAlert) -> Value {
    match a {
        ReliefAlert::ShareBelowRule(c) => {
            json!({"kind": "share_below_rule", "basis": format!("{:?}", c.basis).to_lowercase(), "share": c.share, "required": c.required})
        }
        ReliefAlert::NoRule => json!({"kind": "no_rule"}),
        ReliefAlert::WagesUnpaid { outstanding, days, since } => {
            json!({"kind": "wages_unpaid", "outstanding": outstanding, "days": days, "since": since.to_string()})
        }
        ReliefAlert::NeverPaid(ids) => json!({"kind": "never_paid", "workers": ids}),
        ReliefAlert::PaidOffRoster(ids) => json!({"kind": "paid_off_roster", "workers": ids}),
        ReliefAlert::BehindSchedule { end, days } => {
            json!({"kind": "behind_schedule", "end": end.to_string(), "days": days})
        }
    }
}

/// `GET /work-relief/alerts?unpaid_days=`: each project's alerts today.
pub async fn alerts(api: Api, Query(query): Query<HashMap<String, String>>) -> ApiResult<Value> {
    let unpaid_days = match query.get("unpaid_days") {
        None => 30,
        Some(t) => t
            .parse::<i64>()
            .ok()
            .filter(|d| (0..=3650).contains(d))
            .ok_or_else(|| AppError::Invalid(format!("unpaid_days: '{t}' is not 0 to 3650")))?,
    };
    let list = api.app().relief_alerts(&api.viewer.actor, crate::kit::today(), &AlertOptions { unpaid_days }).await?;
    let projects: Vec<Value> = list
        .iter()
        .map(|p| json!({"project": p.code, "alerts": p.alerts.iter().map(alert).collect::<Vec<_>>()}))
        .collect();
    Ok(Json(json!({ "projects": projects })))
}

/// `POST /work-relief/rules`: a rule version.
#[derive(Deserialize, Serialize)]
pub struct RuleBody {
    from_year: i32,
    #[serde(default)]
    to_year: Option<i32>,
    #[serde(default)]
    batch_pattern: Option<String>,
    min_share: f64,
    #[serde(default)]
    note: Option<String>,
}

/// `POST /work-relief/rules`: adds a rule version; answers {version}.
pub async fn add_rule(api: Api, headers: HeaderMap, Json(body): Json<RuleBody>) -> ApiResult<Value> {
    let origin = api_write(&api, &headers)?;
    let mut fields = form_fields(&body)?;
    // The API takes a share as a fraction (0.3), never as a percentage.
    if !(0.0..=1.0).contains(&body.min_share) {
        return Err(AppError::Invalid(format!("min_share: {} is not a share from 0 to 1", body.min_share)).into());
    }
    fields.insert("min_share".into(), format!("{}", body.min_share));
    let rule = rule_from(&fields)?;
    let version = api.app().add_relief_rule(&api.viewer.actor, &rule, body.note.as_deref(), &origin).await?;
    Ok(Json(json!({ "version": version })))
}
