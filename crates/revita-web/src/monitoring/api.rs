//! `/api/v1/alerts`.

use axum::Json;
use axum::extract::Query;
use revita_app::cases::CaseActor;
use revita_methods::monitoring::DEFAULT_TIME_LIMITS;
use serde_json::{Value, json};

use super::{LISTED, MonitoringParams, line_of};
use crate::error::ApiResult;
use crate::kit::{Api, today};

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
