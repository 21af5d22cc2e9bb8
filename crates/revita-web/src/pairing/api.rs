//! `/api/v1/pairing/…` and `/api/v1/brief`: the ledger of a year, the
//! flows (paged), recording a delivery and setting a donor's rule (the
//! forms' fields as JSON, the same checks), and the evidence brief.

use axum::Json;
use axum::extract::Query;
use axum::http::HeaderMap;
use axum::response::Response;
use revita_app::AppError;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::brief::{BriefParams, parse};
use super::pages::{flow_from, rule_from};
use crate::error::{ApiError, ApiResult};
use crate::kit::{Api, api_write, form_fields};
use crate::listing::{Listing, Paging, Want, sequence_number};

/// The ledger's query.
#[derive(Deserialize)]
pub struct LedgerQuery {
    year: i32,
    program: Option<String>,
    limit: Option<i64>,
    after: Option<String>,
}

/// A row of the ledger.
#[derive(Serialize)]
struct LedgerRow {
    n: i64,
    program: String,
    donor: String,
    donor_name: String,
    recipient: String,
    recipient_name: String,
    year: i32,
    obligation: Option<f64>,
    basis: Option<String>,
    funds: f64,
    fulfilment: Option<f64>,
    livelihood_share: Option<f64>,
    county_share: Option<f64>,
    meets_norms: Option<bool>,
    cadre_months: f64,
    technician_months: f64,
    investment: f64,
    labour: f64,
    purchases: f64,
}

/// `GET /pairing/ledger[.csv]?year=`: each pairing in force that year
/// within the caller's jurisdiction with its obligation (yuan), deliveries,
/// fulfilment and shares; paged by row number.
pub async fn ledger(api: Api, Query(q): Query<LedgerQuery>) -> Result<Response, ApiError> {
    if !(1900..=2100).contains(&q.year) {
        return Err(AppError::Invalid(format!("year: {} is not between 1900 and 2100", q.year)).into());
    }
    let want = Want::of(api.csv, &Paging { limit: q.limit, after: q.after.clone() }, 100)?;
    let after = match want.after() {
        None => 0,
        Some(t) => sequence_number(t)
            .filter(|n| *n > 0)
            .ok_or_else(|| AppError::Invalid(format!("cursor '{t}' is not a row number")))?,
    };
    let program = q.program.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let ledger = api.app().pairing_ledger(&api.viewer.actor, q.year, program).await?;
    let total = ledger.rows.len() as i64;
    let limit = usize::try_from(want.limit()).unwrap_or(usize::MAX);
    let rows: Vec<LedgerRow> = ledger
        .rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| LedgerRow {
            n: i as i64 + 1,
            program: r.pairing.program.clone(),
            donor: r.pairing.donor.to_string(),
            donor_name: r.donor_name,
            recipient: r.pairing.recipient.to_string(),
            recipient_name: r.recipient_name,
            year: r.year,
            obligation: r.obligation,
            basis: r.basis,
            funds: r.delivered.funds,
            fulfilment: r.fulfilment,
            livelihood_share: r.delivered.livelihood_share(),
            county_share: r.delivered.county_share(),
            meets_norms: r.delivered.meets_norms(),
            cadre_months: r.delivered.cadre_months,
            technician_months: r.delivered.technician_months,
            investment: r.delivered.investment,
            labour: r.delivered.labour,
            purchases: r.delivered.purchases,
        })
        .filter(|r| r.n > after)
        .take(limit)
        .collect();
    const COLUMNS: &[&str] = &[
        "program",
        "donor",
        "donor_name",
        "recipient",
        "recipient_name",
        "year",
        "obligation",
        "basis",
        "funds",
        "fulfilment",
        "livelihood_share",
        "county_share",
        "meets_norms",
        "cadre_months",
        "technician_months",
        "investment",
        "labour",
        "purchases",
    ];
    let total = want.counts().then_some(total);
    Listing { name: "ledger", columns: COLUMNS, rows, total }.respond(&want, "pairing-ledger", |r| r.n.to_string())
}

/// A flow in a list.
#[derive(Serialize)]
struct FlowRow {
    id: i64,
    program: String,
    donor: String,
    recipient: String,
    year: i32,
    kind: &'static str,
    project: String,
    amount: f64,
    unit: &'static str,
    sector: Option<String>,
    county_level: bool,
    livelihood: bool,
    recorded_by: String,
    recorded_at: String,
}

/// `GET /pairing/flows[.csv]`: the deliveries within the caller's
/// jurisdiction, paged by number.
pub async fn flows(api: Api, Query(paging): Query<Paging>) -> Result<Response, ApiError> {
    let want = Want::of(api.csv, &paging, 100)?;
    let after = match want.after() {
        None => 0,
        Some(t) => sequence_number(t)
            .filter(|n| *n > 0)
            .ok_or_else(|| AppError::Invalid(format!("cursor '{t}' is not a delivery number")))?,
    };
    let (list, total) = api.app().pairing_flow_page(&api.viewer.actor, after, want.limit()).await?;
    let rows: Vec<FlowRow> = list
        .into_iter()
        .map(|f| FlowRow {
            id: f.id,
            program: f.program,
            donor: f.donor.to_string(),
            recipient: f.recipient.to_string(),
            year: f.year,
            kind: f.kind.as_str(),
            unit: f.kind.unit(),
            project: f.project,
            amount: f.amount,
            sector: f.sector,
            county_level: f.county_level,
            livelihood: f.livelihood,
            recorded_by: f.recorded_by,
            recorded_at: f.recorded_at,
        })
        .collect();
    const COLUMNS: &[&str] = &[
        "id",
        "program",
        "donor",
        "recipient",
        "year",
        "kind",
        "project",
        "amount",
        "unit",
        "sector",
        "county_level",
        "livelihood",
        "recorded_by",
        "recorded_at",
    ];
    let total = want.counts().then_some(total);
    Listing { name: "flows", columns: COLUMNS, rows, total }.respond(&want, "pairing-flows", |f| f.id.to_string())
}

/// `POST /pairing/flows`: one delivery, the form's fields.
#[derive(Deserialize, Serialize)]
pub struct FlowBody {
    program: String,
    donor: String,
    recipient: String,
    year: i32,
    kind: String,
    project: String,
    amount: f64,
    #[serde(default)]
    sector: Option<String>,
    #[serde(default)]
    county_level: bool,
    #[serde(default)]
    livelihood: bool,
}

/// `POST /pairing/flows`: records a delivery (replacing the stored one of
/// the same pairing, year, kind and project); answers how many it replaced.
pub async fn flow_record(api: Api, headers: HeaderMap, Json(body): Json<FlowBody>) -> ApiResult<Value> {
    let origin = api_write(&api, &headers)?;
    let mut fields = form_fields(&body)?;
    for flag in ["county_level", "livelihood"] {
        let on = fields.get(flag).is_some_and(|v| v == "true");
        fields.insert(flag.into(), if on { "1".into() } else { "0".into() });
    }
    let flow = flow_from(&fields)?;
    let replaced = api.app().record_pairing_flows(&api.viewer.actor, &[flow], &origin).await?;
    Ok(Json(json!({ "replaced": replaced })))
}

/// `POST /pairing/rules`: a donor's rule in a programme.
#[derive(Deserialize, Serialize)]
pub struct RuleBody {
    program: String,
    donor: String,
    kind: String,
    #[serde(default)]
    share: Option<f64>,
    #[serde(default)]
    lag: Option<i32>,
    #[serde(default)]
    base: Option<f64>,
    #[serde(default)]
    growth: Option<f64>,
    start_year: i32,
    #[serde(default)]
    revenue_indicator: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

/// `POST /pairing/rules`: sets a donor's rule (deciders over the donor).
pub async fn rule_set(api: Api, headers: HeaderMap, Json(body): Json<RuleBody>) -> ApiResult<Value> {
    let origin = api_write(&api, &headers)?;
    let rule = rule_from(&form_fields(&body)?)?;
    api.app().set_pairing_rule(&api.viewer.actor, &rule, &origin).await?;
    Ok(Json(json!({ "program": rule.program, "donor": rule.donor.to_string() })))
}

/// `GET /brief?region=&year=&indicators=`: the evidence brief as JSON.
pub async fn brief(api: Api, Query(params): Query<BriefParams>) -> ApiResult<Value> {
    let (region, year, indicators) =
        parse(&params)?.ok_or_else(|| AppError::Invalid("region: give the region's code".into()))?;
    let code = api.region_code(region.as_str())?;
    let b = api.app().brief(&api.viewer.actor, &code, year, &indicators).await?;
    let indicators: Vec<Value> = b
        .indicators
        .iter()
        .map(|i| {
            json!({
                "indicator": i.indicator.code.as_str(), "unit": i.indicator.unit,
                "latest": i.latest.map(|(y, v)| json!({"year": y, "value": v})),
                "national": i.national, "peers": i.peers,
                "standing": i.standing, "peer_standing": i.peer_standing,
                "series": i.series, "national_series": i.national_series,
                "trend": i.catching_up.as_ref().map(|c| json!({
                    "slope": c.trend.slope, "slope_se": c.trend.slope_se,
                    "years_to_close": c.years, "soonest": c.soonest, "latest": c.latest,
                })),
                "sigma": i.sigma,
                "beta": i.beta.as_ref().map(|(from, to, b)| json!({
                    "from": from, "to": to, "slope": b.line.slope, "slope_se": b.line.slope_se, "n": b.line.n,
                    "speed": b.speed, "half_life": b.half_life,
                })),
                "recommendation": i.recommendation.as_ref().map(|r| revita_app::brief::recommendation_text(r, false)),
            })
        })
        .collect();
    let assistance: Vec<Value> = b
        .assistance
        .rows
        .iter()
        .map(|r| {
            json!({
                "program": r.pairing.program, "donor": r.pairing.donor.as_str(), "recipient": r.pairing.recipient.as_str(),
                "obligation": r.obligation, "funds": r.delivered.funds, "fulfilment": r.fulfilment,
            })
        })
        .collect();
    Ok(Json(json!({
        "region": b.region.code.as_str(), "name": b.region.name_zh, "year": b.year,
        "indicators": indicators,
        "assistance": {"due": b.assistance.due, "funds": b.assistance.delivered.funds, "pairings": assistance},
    })))
}
