//! `/api/v1/alerts`, and the case changes the household page's forms make.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use revita_app::cases::CaseActor;
use revita_methods::access::Action;
use revita_methods::monitoring::DEFAULT_TIME_LIMITS;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::households::CaseWrite;
use super::{LISTED, MonitoringParams, line_of};
use crate::error::ApiResult;
use crate::kit::{Api, api_write, form_fields, today};

/// `GET /alerts`: overdue case steps, rising regions and flagged households
/// no case follows, within the caller's jurisdiction.
pub async fn alerts_api(api: Api, Query(params): Query<MonitoringParams>) -> ApiResult<Value> {
    let visible = api.visible().await?;
    let line = line_of(&api.state, params.line.as_deref()).await?;
    let origin = revita_app::auth::Origin { now: crate::auth::now(), ..Default::default() };
    let actor = CaseActor { name: &api.viewer.actor.name, within: &visible, origin: &origin };
    let overdue = api.app().overdue_cases(&actor, today(), &DEFAULT_TIME_LIMITS).await?;
    let (unfollowed, total) = api.app().unfollowed(&visible, line, LISTED).await?;
    let rising = api.app().rising_regions(&visible).await?;
    let rising: Vec<Value> = rising
        .iter()
        .map(|r| {
            json!({
                "region": r.region.as_str(), "indicator": r.indicator,
                "from_year": r.rise.from.0, "from": r.rise.from.1, "to_year": r.rise.to.0, "to": r.rise.to.1,
            })
        })
        .collect();
    let overdue: Vec<Value> = overdue
        .iter()
        .map(|(c, o)| {
            json!({
                "case": c.id, "household": c.household_id, "county": c.county.as_str(),
                "step": o.step.as_str(), "due": o.due.to_string(), "days_late": o.days_late,
            })
        })
        .collect();
    let households: Vec<Value> = unfollowed
        .iter()
        .map(|u| json!({"id": u.household.id, "village": u.household.household.village_code.to_string()}))
        .collect();
    Ok(Json(json!({
        "rising": rising,
        "line": line,
        "overdue": overdue,
        "flagged_without_case": total,
        "households": households,
    })))
}

/// `POST /households/{id}/cases`: the case's category, channel, date and
/// evidence.
#[derive(Deserialize, Serialize)]
pub struct OpenCaseBody {
    category: String,
    channel: String,
    on: String,
    #[serde(default)]
    evidence: Option<String>,
}

/// `POST /cases/{id}/move`: the step, its date, the case's version.
#[derive(Deserialize, Serialize)]
pub struct MoveBody {
    to: String,
    on: String,
    version: i64,
    #[serde(default)]
    evidence: Option<String>,
    #[serde(default)]
    notice_end: Option<String>,
}

/// `POST /cases/{id}/measures`: a measure of assistance.
#[derive(Deserialize, Serialize)]
pub struct MeasureBody {
    kind: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    amount: Option<f64>,
    start: String,
    #[serde(default)]
    end: Option<String>,
}

/// Runs a case change for an API caller within its data-entry
/// jurisdiction, with the same fields and checks as the forms.
async fn case_write(api: Api, headers: HeaderMap, write: CaseWrite<'_>, body: &impl Serialize) -> ApiResult<Value> {
    let origin = api_write(&api, &headers)?;
    let within = api.app().jurisdiction(&api.viewer.actor, Action::EditData).await?;
    let actor = CaseActor { name: &api.viewer.actor.name, within: &within, origin: &origin };
    let (case, household) = write.run(api.app(), &actor, &form_fields(body)?).await?;
    Ok(Json(json!({"case": case, "household": household})))
}

/// `POST /households/{id}/cases`: opens a monitoring case on a household.
pub async fn case_open(
    api: Api,
    Path(household): Path<String>,
    headers: HeaderMap,
    Json(body): Json<OpenCaseBody>,
) -> ApiResult<Value> {
    case_write(api, headers, CaseWrite::Open(&household), &body).await
}

/// `POST /cases/{id}/move`: moves a case one step through the procedure.
pub async fn case_move(
    api: Api,
    Path(case): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<MoveBody>,
) -> ApiResult<Value> {
    case_write(api, headers, CaseWrite::Move(case), &body).await
}

/// `POST /cases/{id}/measures`: records a measure of assistance.
pub async fn case_measure(
    api: Api,
    Path(case): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<MeasureBody>,
) -> ApiResult<Value> {
    case_write(api, headers, CaseWrite::Measure(case), &body).await
}
