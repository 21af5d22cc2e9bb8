//! `/api/v1/eco/…`: agreements, settlements, the payments ledger, ESV, GEP
//! and the key-zone transfer as JSON, with the pages' checks (role,
//! jurisdiction, versions, audit).

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use axum::response::Response;
use revita_app::AppError;
use revita_app::eco::{EsvParameters, Settlement, TransferInputs, XIE_2015_DEFAULT};
use revita_methods::RegionCode;
use revita_methods::eco::transfer::{TransferCounty, TransferRule, key_zone_transfer};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::kit::{Api, api_write};
use crate::listing::{Listing, Paging, Want, sequence_number};

/// An agreement in a list.
#[derive(Serialize)]
struct AgreementRow {
    id: i64,
    name: String,
    region: String,
    version: i64,
    updated_by: String,
    updated_at: String,
}

fn cursor_number(want: &Want) -> Result<i64, ApiError> {
    match want.after() {
        None => Ok(0),
        Some(text) => {
            Ok(sequence_number(text).ok_or_else(|| AppError::Invalid(format!("cursor '{text}' is not a number")))?)
        }
    }
}

/// `GET /eco/agreements[.csv]`: the agreements the caller may read, by number.
pub async fn agreements(api: Api, Query(paging): Query<Paging>) -> Result<Response, ApiError> {
    let want = Want::of(api.csv, &paging, 100)?;
    let after = cursor_number(&want)?;
    let (list, total) = api.app().eco_agreements(&api.viewer.actor, after, want.limit()).await?;
    let rows: Vec<AgreementRow> = list
        .into_iter()
        .map(|a| AgreementRow {
            id: a.id,
            name: a.name,
            region: a.region.to_string(),
            version: a.version,
            updated_by: a.updated_by,
            updated_at: a.updated_at,
        })
        .collect();
    let total = want.counts().then_some(total);
    const COLUMNS: &[&str] = &["id", "name", "region", "version", "updated_by", "updated_at"];
    Listing { name: "agreements", columns: COLUMNS, rows, total }.respond(&want, "eco-agreements", |a| a.id.to_string())
}

/// `POST /eco/agreements` (and `…/{id}/edit` with `version`): the
/// agreement's terms as JSON, kept by the office of `region`.
#[derive(Deserialize)]
pub struct AgreementBody {
    region: String,
    agreement: Value,
    #[serde(default)]
    version: Option<i64>,
}

async fn save(api: Api, headers: HeaderMap, id: Option<i64>, body: AgreementBody) -> ApiResult<Value> {
    let origin = api_write(&api, &headers)?;
    let region = RegionCode::parse(&body.region).map_err(|e| AppError::Invalid(format!("region: {e}")))?;
    let id = match id {
        None => None,
        Some(id) => {
            Some((id, body.version.ok_or_else(|| AppError::Invalid("version: give the version you read".into()))?))
        }
    };
    let text = body.agreement.to_string();
    let saved = api.app().save_eco_agreement(&api.viewer.actor, id, &region, &text, &origin).await?;
    Ok(Json(json!({ "id": saved })))
}

/// `POST /eco/agreements`: stores a new agreement; answers {id}.
pub async fn agreement_create(api: Api, headers: HeaderMap, Json(body): Json<AgreementBody>) -> ApiResult<Value> {
    save(api, headers, None, body).await
}

/// `POST /eco/agreements/{id}/edit`: a new version of an agreement.
pub async fn agreement_edit(
    api: Api,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<AgreementBody>,
) -> ApiResult<Value> {
    save(api, headers, Some(id), body).await
}

fn settlement_json(s: &Settlement) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

/// `GET /eco/agreements/{id}`: the agreement, its sampled years, its
/// settlements with every step, and the running index with its alert.
pub async fn agreement(api: Api, Path(id): Path<i64>) -> ApiResult<Value> {
    let view = api.app().eco_agreement(&api.viewer.actor, id).await?;
    let running = match &view.running {
        Some(Ok(s)) => {
            json!({"settlement": settlement_json(s), "alert": s.sections.iter().any(|r| r.alert), "met": s.sections.iter().all(|r| r.met)})
        }
        Some(Err(reason)) => json!({"problem": reason}),
        None => Value::Null,
    };
    let settlements: Vec<Value> = view
        .settlements
        .iter()
        .map(|(stored, s)| json!({"settled_by": stored.settled_by, "settled_at": stored.settled_at, "settlement": settlement_json(s)}))
        .collect();
    let years: Vec<Value> = view.sample_years.iter().map(|(y, n)| json!({"year": y, "samples": n})).collect();
    Ok(Json(json!({
        "id": view.stored.id, "name": view.stored.name, "region": view.stored.region.to_string(),
        "version": view.stored.version, "updated_by": view.stored.updated_by, "updated_at": view.stored.updated_at,
        "agreement": serde_json::to_value(&view.agreement).unwrap_or(Value::Null),
        "sample_years": years, "running": running, "settlements": settlements,
        "may_decide": view.may_decide, "may_enter": view.may_enter,
    })))
}

/// `POST /eco/agreements/{id}/settle`.
#[derive(Deserialize)]
pub struct SettleBody {
    year: i32,
}

/// `POST /eco/agreements/{id}/settle`: settles a year from the stored
/// samples; answers the settlement.
pub async fn agreement_settle(
    api: Api,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<SettleBody>,
) -> ApiResult<Value> {
    let origin = api_write(&api, &headers)?;
    let s = api.app().settle_eco_year(&api.viewer.actor, id, body.year, &origin).await?;
    Ok(Json(settlement_json(&s)))
}

/// A payment in the ledger.
#[derive(Serialize)]
struct PaymentRow {
    id: i64,
    agreement: i64,
    year: i32,
    payer: String,
    payee: String,
    amount: f64,
    reason: String,
    status: String,
    paid_on: Option<String>,
    reference: Option<String>,
    version: i64,
}

/// The ledger's filter.
#[derive(Deserialize)]
pub struct LedgerQuery {
    limit: Option<i64>,
    after: Option<String>,
    agreement: Option<i64>,
}

/// `GET /eco/payments[.csv]`: the payments ledger within the caller's
/// jurisdiction (of one agreement with `agreement`), by number.
pub async fn payments(api: Api, Query(q): Query<LedgerQuery>) -> Result<Response, ApiError> {
    if q.agreement.is_some_and(|a| a < 1) {
        return Err(AppError::Invalid("agreement: an agreement's number, from 1".into()).into());
    }
    let paging = Paging { limit: q.limit, after: q.after };
    let want = Want::of(api.csv, &paging, 100)?;
    let after = cursor_number(&want)?;
    let ledger = api.app().eco_ledger(&api.viewer.actor, q.agreement, after, want.limit()).await?;
    let rows: Vec<PaymentRow> = ledger
        .payments
        .into_iter()
        .map(|p| PaymentRow {
            id: p.id,
            agreement: p.agreement_id,
            year: p.year,
            payer: p.payer,
            payee: p.payee,
            amount: p.amount,
            reason: p.reason,
            status: p.status,
            paid_on: p.paid_on,
            reference: p.reference,
            version: p.version,
        })
        .collect();
    let total = want.counts().then_some(ledger.total);
    const COLUMNS: &[&str] =
        &["id", "agreement", "year", "payer", "payee", "amount", "reason", "status", "paid_on", "reference", "version"];
    Listing { name: "payments", columns: COLUMNS, rows, total }.respond(&want, "eco-payments", |p| p.id.to_string())
}

/// `POST /eco/payments/{id}`.
#[derive(Deserialize)]
pub struct PaymentBody {
    status: String,
    version: i64,
    #[serde(default)]
    paid_on: Option<String>,
    #[serde(default)]
    reference: Option<String>,
}

/// `POST /eco/payments/{id}`: records a payment as paid (with the day),
/// waived or due; answers the payment's new version.
pub async fn payment_record(
    api: Api,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<PaymentBody>,
) -> ApiResult<Value> {
    let origin = api_write(&api, &headers)?;
    let p = api
        .app()
        .record_eco_payment(
            &api.viewer.actor,
            id,
            body.version,
            &body.status,
            body.paid_on.as_deref(),
            body.reference.as_deref(),
            &origin,
        )
        .await?;
    Ok(Json(json!({"id": p.id, "status": p.status, "version": p.version})))
}

/// The ESV and GEP lists' parameters.
#[derive(Deserialize)]
pub struct ValueQuery {
    limit: Option<i64>,
    after: Option<String>,
    /// A saved ESV parameter set.
    saved: Option<i64>,
}

/// A region-year row's cursor: `code:year`, the code one of the scheme's.
fn region_year(api: &Api, text: &str) -> Result<(String, i32), ApiError> {
    let bad = || AppError::Invalid(format!("cursor '{text}' is not region:year"));
    let (code, year) = text.split_once(':').ok_or_else(bad)?;
    let code = api.region_code(code)?;
    let year = sequence_number(year).and_then(|y| i32::try_from(y).ok()).ok_or_else(bad)?;
    Ok((code.to_string(), year))
}

/// A page of rows keyed by region and year, after the cursor.
fn page_of<T>(api: &Api, rows: Vec<T>, want: &Want, key: impl Fn(&T) -> (String, i32)) -> Result<Vec<T>, ApiError> {
    let after = want.after().map(|a| region_year(api, a)).transpose()?;
    let limit = usize::try_from(want.limit()).unwrap_or(usize::MAX);
    Ok(rows.into_iter().filter(|r| after.as_ref().is_none_or(|a| key(r) > *a)).take(limit).collect())
}

/// ESV of a region in a year.
#[derive(Serialize)]
struct EsvRow {
    region: String,
    name: String,
    year: i32,
    correction: f64,
    total: f64,
    by_service: serde_json::Map<String, Value>,
    by_type: serde_json::Map<String, Value>,
    change: Option<f64>,
}

/// `GET /eco/esv[.csv]`: ESV by region and year under the default parameters
/// or a saved set (`saved`), in yuan a year, with the change from the
/// region's previous year; paged by `region:year`.
pub async fn esv(api: Api, Query(q): Query<ValueQuery>) -> Result<Response, ApiError> {
    let want = Want::of(api.csv, &Paging { limit: q.limit, after: q.after.clone() }, 100)?;
    let text = match q.saved {
        Some(id) if id < 1 => {
            return Err(AppError::Invalid("saved: a saved parameter set's number, from 1".into()).into());
        }
        Some(id) => {
            let saved = api.app().saved_spec(id).await?;
            if saved.kind != "esv" {
                return Err(AppError::NotFound(format!("ESV parameter set {id}")).into());
            }
            saved.spec
        }
        None => XIE_2015_DEFAULT.to_string(),
    };
    let report = api.app().esv(&api.viewer.actor, EsvParameters::from_json(&text)?).await?;
    let total = report.rows.len() as i64;
    let rows: Vec<EsvRow> = report
        .rows
        .into_iter()
        .map(|r| EsvRow {
            region: r.region.to_string(),
            name: r.name,
            year: r.year,
            correction: r.correction,
            total: r.total,
            by_service: report.services.iter().zip(r.by_service).map(|(s, v)| (s.to_string(), v.into())).collect(),
            by_type: r.by_type.into_iter().map(|(k, v)| (k, v.into())).collect(),
            change: r.change.map(|(_, delta, _)| delta),
        })
        .collect();
    let rows = page_of(&api, rows, &want, |r| (r.region.clone(), r.year))?;
    const COLUMNS: &[&str] = &["region", "name", "year", "correction", "total", "change", "by_service", "by_type"];
    let total = want.counts().then_some(total);
    Listing { name: "esv", columns: COLUMNS, rows, total }.respond(&want, "esv", |r| format!("{}:{}", r.region, r.year))
}

/// GEP of a region in a year.
#[derive(Serialize)]
struct GepRow {
    region: String,
    name: String,
    year: i32,
    material: f64,
    regulating: f64,
    cultural: f64,
    total: f64,
}

/// `GET /eco/gep[.csv]`: GEP by region and year (material, regulating,
/// cultural, total; yuan), paged by `region:year`.
pub async fn gep(api: Api, Query(q): Query<ValueQuery>) -> Result<Response, ApiError> {
    let want = Want::of(api.csv, &Paging { limit: q.limit, after: q.after.clone() }, 100)?;
    let report = api.app().gep(&api.viewer.actor).await?;
    let total = report.rows.len() as i64;
    let rows: Vec<GepRow> = report
        .rows
        .into_iter()
        .map(|r| GepRow {
            region: r.region.to_string(),
            name: r.name,
            year: r.year,
            material: r.material,
            regulating: r.regulating,
            cultural: r.cultural,
            total: r.total,
        })
        .collect();
    let rows = page_of(&api, rows, &want, |r| (r.region.clone(), r.year))?;
    const COLUMNS: &[&str] = &["region", "name", "year", "material", "regulating", "cultural", "total"];
    let total = want.counts().then_some(total);
    Listing { name: "gep", columns: COLUMNS, rows, total }.respond(&want, "gep", |r| format!("{}:{}", r.region, r.year))
}

/// `POST /eco/transfer`: the rule and the counties' inputs.
#[derive(Deserialize)]
pub struct TransferBody {
    #[serde(flatten)]
    rule: TransferInputs,
    counties: Vec<CountyBody>,
}

/// One county's inputs.
#[derive(Deserialize)]
pub struct CountyBody {
    county: String,
    standard_expenditure: f64,
    standard_revenue: f64,
    #[serde(default)]
    prohibited_area: f64,
    #[serde(default)]
    rangers: f64,
    #[serde(default)]
    quality_change: f64,
}

/// The most counties one request computes.
const MAX_COUNTIES: usize = 10_000;

/// `POST /eco/transfer`: each county's grant with its components (nothing
/// is stored).
pub async fn transfer(api: Api, headers: HeaderMap, Json(body): Json<TransferBody>) -> ApiResult<Value> {
    // A POST like the writes, so a session caller sends its CSRF token too.
    api_write(&api, &headers)?;
    if body.counties.is_empty() || body.counties.len() > MAX_COUNTIES {
        return Err(AppError::Invalid(format!("counties: give 1 to {MAX_COUNTIES}")).into());
    }
    if let Some(unnamed) =
        body.counties.iter().position(|c| c.county.trim().is_empty() || c.county.chars().count() > 200)
    {
        return Err(AppError::Invalid(format!(
            "counties[{unnamed}].county: give its name or code (1 to 200 characters)"
        ))
        .into());
    }
    let counties: Vec<TransferCounty> = body
        .counties
        .into_iter()
        .map(|c| TransferCounty {
            county: c.county,
            standard_expenditure: c.standard_expenditure,
            standard_revenue: c.standard_revenue,
            prohibited_area: c.prohibited_area,
            rangers: c.rangers,
            quality_change: c.quality_change,
        })
        .collect();
    let r = &body.rule;
    let rule = TransferRule {
        coefficient: r.coefficient,
        prohibited_rate: r.prohibited_rate,
        ranger_standard: r.ranger_standard,
        reward_rate: r.reward_rate,
        penalty_rate: r.penalty_rate,
    };
    let grants = key_zone_transfer(&counties, &rule, r.budget, r.unit).map_err(|e| AppError::Invalid(e.to_string()))?;
    let list: Vec<Value> = grants
        .iter()
        .map(|g| {
            json!({
                "county": g.county, "gap": g.gap, "key_subsidy": g.key_subsidy,
                "prohibited_subsidy": g.prohibited_subsidy, "ranger_subsidy": g.ranger_subsidy,
                "base": g.base, "adjustment": g.adjustment, "formula": g.formula, "grant": g.grant,
            })
        })
        .collect();
    Ok(Json(json!({ "grants": list })))
}
