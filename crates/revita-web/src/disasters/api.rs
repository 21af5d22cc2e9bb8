//! `/api/v1/disasters…`: events within the caller's jurisdiction (paged,
//! `.csv`), recording one, an event's assessment, the fund shared over its
//! counties, and its counterparts — with the pages' checks.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use axum::response::Response;
use revita_app::AppError;
use revita_methods::disaster::Totals;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::pages::draft_from;
use crate::error::{ApiError, ApiResult};
use crate::kit::{Api, api_write, form_fields};
use crate::listing::{Listing, Paging, Want, sequence_number};

/// An event in a list.
#[derive(Serialize)]
struct EventRow {
    id: i64,
    name: String,
    kind: String,
    occurred_on: String,
    magnitude: Option<String>,
    region: String,
    plan_id: Option<i64>,
    version: i64,
}

/// `GET /disasters[.csv]`: the events kept within the caller's jurisdiction.
pub async fn list(api: Api, Query(paging): Query<Paging>) -> Result<Response, ApiError> {
    let want = Want::of(api.csv, &paging, 100)?;
    let after = match want.after() {
        None => 0,
        Some(t) => sequence_number(t)
            .filter(|n| *n > 0)
            .ok_or_else(|| AppError::Invalid(format!("cursor '{t}' is not an event number")))?,
    };
    let (events, total) = api.app().disasters(&api.viewer.actor, after, want.limit()).await?;
    let rows: Vec<EventRow> = events
        .into_iter()
        .map(|e| EventRow {
            id: e.id,
            name: e.name,
            kind: e.kind,
            occurred_on: e.occurred_on,
            magnitude: e.magnitude,
            region: e.region.to_string(),
            plan_id: e.plan_id,
            version: e.version,
        })
        .collect();
    const COLUMNS: &[&str] = &["id", "name", "kind", "occurred_on", "magnitude", "region", "plan_id", "version"];
    let total = want.counts().then_some(total);
    Listing { name: "disasters", columns: COLUMNS, rows, total }.respond(&want, "disasters", |e| e.id.to_string())
}

/// `POST /disasters`: an event, the form's fields.
#[derive(Deserialize, Serialize)]
pub struct EventBody {
    name: String,
    kind: String,
    occurred_on: String,
    #[serde(default)]
    magnitude: Option<String>,
    region: String,
    /// The needs parameters (uplift by sector, default_uplift, recovery_share).
    #[serde(default)]
    needs: Option<Value>,
}

/// `POST /disasters`: records an event; answers {id}.
pub async fn create(api: Api, headers: HeaderMap, Json(body): Json<EventBody>) -> ApiResult<Value> {
    let origin = api_write(&api, &headers)?;
    let needs = body.needs.as_ref().map(Value::to_string);
    let plain = EventBody { needs: None, ..body };
    let mut fields = form_fields(&plain)?;
    if let Some(needs) = needs {
        fields.insert("needs".into(), needs);
    }
    let draft = draft_from(&fields)?;
    let id = api.app().create_disaster(&api.viewer.actor, &draft, &origin).await?;
    Ok(Json(json!({ "id": id })))
}

fn totals(t: &Totals) -> Value {
    json!({
        "damage": t.damage, "losses": t.losses, "reconstruction": t.reconstruction,
        "recovery": t.recovery, "needs": t.needs(),
    })
}

/// `GET /disasters/{id}`: the event, its counties and its assessment (yuan).
pub async fn event(api: Api, Path(id): Path<i64>) -> ApiResult<Value> {
    let v = api.app().disaster(&api.viewer.actor, id).await?;
    let a = &v.assessment;
    let by = |m: Vec<(String, &Totals)>| -> Value {
        m.into_iter().map(|(k, t)| (k, totals(t))).collect::<serde_json::Map<_, _>>().into()
    };
    Ok(Json(json!({
        "id": v.event.id, "name": v.event.name, "kind": v.event.kind, "occurred_on": v.event.occurred_on,
        "magnitude": v.event.magnitude, "region": v.event.region.as_str(), "plan_id": v.event.plan_id,
        "version": v.event.version, "needs_parameters": serde_json::to_value(&v.needs).unwrap_or(Value::Null),
        "unit_costs_version": v.unit_costs.0,
        "counties": v.counties.iter().map(|(c, name)| json!({
            "county": c.county.as_str(), "name": name, "severity": c.severity,
            "affected": c.affected, "displaced": c.displaced, "shelters": c.shelters,
        })).collect::<Vec<_>>(),
        "total": totals(&a.total),
        "by_group": by(a.by_group.iter().map(|(g, t)| (g.as_str().to_string(), t)).collect()),
        "by_sector": by(a.by_sector.iter().map(|(s, t)| (s.clone(), t)).collect()),
        "by_county": by(a.by_county.iter().map(|(c, t)| (c.clone(), t)).collect()),
        "by_ownership": by(a.by_ownership.iter().map(|(o, t)| (format!("{o:?}").to_lowercase(), t)).collect()),
        "uncosted": v.uncosted,
        "rebuilds": v.rebuilds.iter().map(|r| json!({
            "county": r.county.as_str(), "status": r.status, "households": r.households, "grants": r.grants,
        })).collect::<Vec<_>>(),
    })))
}

/// `GET /disasters/{id}/fund?total=&needs_weight=&unit=`.
#[derive(Deserialize)]
pub struct FundQuery {
    total: f64,
    #[serde(default)]
    needs_weight: Option<f64>,
    #[serde(default)]
    unit: Option<f64>,
}

/// `GET /disasters/{id}/fund`: a fund (yuan) shared over the counties hit,
/// by needs (`needs_weight`, default 0.8) and people affected.
pub async fn fund(api: Api, Path(id): Path<i64>, Query(q): Query<FundQuery>) -> ApiResult<Value> {
    if q.unit.is_some_and(|u| !(u.is_finite() && u > 0.0)) {
        return Err(AppError::Invalid("unit: above 0".into()).into());
    }
    let shares = api.app().disaster_fund(&api.viewer.actor, id, q.total, q.needs_weight.unwrap_or(0.8), q.unit).await?;
    Ok(Json(json!({
        "shares": shares.iter().map(|s| json!({
            "county": s.county, "name": s.name, "by_needs": s.parts[0], "by_people": s.parts[1], "amount": s.amount,
        })).collect::<Vec<_>>(),
    })))
}

/// `POST /disasters/{id}/counterparts`.
#[derive(Deserialize)]
pub struct CounterpartsBody {
    /// `[donor, county]` pairs.
    pairs: Vec<(String, String)>,
    start_year: i32,
}

/// `POST /disasters/{id}/counterparts`: assigns counterpart donors; answers
/// the programme the pairing ledger lists them under.
pub async fn counterparts(
    api: Api,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<CounterpartsBody>,
) -> ApiResult<Value> {
    let origin = api_write(&api, &headers)?;
    let code = |t: &str| revita_methods::RegionCode::parse(t).map_err(|e| AppError::Invalid(format!("pairs: {e}")));
    let pairs = body.pairs.iter().map(|(d, c)| Ok((code(d)?, code(c)?))).collect::<Result<Vec<_>, AppError>>()?;
    let program = api.app().assign_counterparts(&api.viewer.actor, id, &pairs, body.start_year, &origin).await?;
    Ok(Json(json!({ "program": program })))
}
