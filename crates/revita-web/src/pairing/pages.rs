//! The pairing ledger page: a year's obligations, deliveries, fulfilment
//! and the funds' shares against the norms, by pairing, donor and
//! recipient, a flow map, the forms that record a delivery and set a
//! donor's rule, the flows upload and the IATI download.

use std::collections::HashMap;

use axum::extract::{Form, Multipart, Query};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use revita_app::AppError;
use revita_app::ledger::{Ledger, PairingFlow, PairingRule, REVENUE_INDICATOR};
use revita_methods::RegionCode;
use revita_methods::pairing::{Delivered, FlowKind};
use serde::{Deserialize, Serialize};

use crate::allocate::wan;
use crate::kit::{Fields, Page, PageResult, Refused, UploadResult, field, required, today};

/// The ledger's query.
#[derive(Debug, Default, Deserialize)]
pub struct LedgerParams {
    year: Option<String>,
    program: Option<String>,
}

/// A row of the ledger, formatted.
#[derive(Serialize)]
struct RowView {
    program: String,
    donor: String,
    donor_name: String,
    recipient: String,
    recipient_name: String,
    due: String,
    basis: String,
    #[serde(flatten)]
    delivered: DeliveredView,
}

/// Deliveries, formatted.
#[derive(Serialize)]
struct DeliveredView {
    funds: String,
    fulfilment: String,
    livelihood: String,
    county: String,
    norms: Option<bool>,
    cadres: String,
    technicians: String,
    investment: String,
    labour: String,
    purchases: String,
}

fn percent(v: Option<f64>) -> String {
    v.map(|s| format!("{:.1}%", s * 100.0)).unwrap_or_else(|| "–".into())
}

fn count(v: f64) -> String {
    if v == 0.0 { String::new() } else { revita_report::svg::format_number(v, 0) }
}

fn delivered_view(d: &Delivered, fulfilment: Option<f64>) -> DeliveredView {
    DeliveredView {
        funds: wan(d.funds),
        fulfilment: percent(fulfilment),
        livelihood: percent(d.livelihood_share()),
        county: percent(d.county_share()),
        norms: d.meets_norms(),
        cadres: count(d.cadre_months),
        technicians: count(d.technician_months),
        investment: if d.investment == 0.0 { String::new() } else { wan(d.investment) },
        labour: count(d.labour),
        purchases: if d.purchases == 0.0 { String::new() } else { wan(d.purchases) },
    }
}

/// A donor's or recipient's totals.
#[derive(Serialize)]
struct GroupView {
    code: String,
    name: String,
    due: String,
    #[serde(flatten)]
    delivered: DeliveredView,
}

/// A donor's rule, formatted.
#[derive(Serialize)]
struct RuleView {
    program: String,
    donor: String,
    kind: String,
    terms: String,
    start_year: i32,
}

/// `pairing.html`.
#[derive(Serialize)]
struct LedgerView {
    year: i32,
    program: String,
    programs: Vec<String>,
    rows: Vec<RowView>,
    total_due: String,
    total: DeliveredView,
    donors: Vec<GroupView>,
    recipients: Vec<GroupView>,
    map: Option<String>,
    rules: Vec<RuleView>,
    kinds: Vec<&'static str>,
    may_enter: bool,
    may_decide: bool,
    csrf: String,
    refused: Option<Refused>,
    upload: Option<UploadResult>,
}

fn year_of(params: &LedgerParams) -> Result<i32, AppError> {
    match params.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(today().year() - 1),
        Some(text) => text
            .parse()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .ok_or_else(|| AppError::Invalid(format!("year: '{text}' is not a year"))),
    }
}

/// The donors' lines to their recipients, width by funds delivered.
async fn flow_map(page: &Page, ledger: &Ledger) -> Result<Option<String>, AppError> {
    use revita_report::map::{Choropleth, Feature, Link, render};
    let codes: Vec<RegionCode> =
        ledger.rows.iter().flat_map(|r| [r.pairing.donor.clone(), r.pairing.recipient.clone()]).collect();
    if codes.is_empty() {
        return Ok(None);
    }
    let centres = page.app().region_centres(&codes).await?;
    let areas = page.app().map_regions("province", None).await?;
    let features = areas
        .iter()
        .filter(|a| !a.shape.is_empty())
        .map(|a| Feature {
            code: a.code.as_str(),
            shape: &a.shape,
            fill: "#eeeeee",
            title: a.name_zh.clone(),
            href: None,
        })
        .collect();
    let top = ledger.rows.iter().map(|r| r.delivered.funds).fold(0.0, f64::max).max(1.0);
    let links = ledger
        .rows
        .iter()
        .filter_map(|r| {
            let (from, to) = (centres.get(&r.pairing.donor)?, centres.get(&r.pairing.recipient)?);
            Some(Link {
                from: *from,
                to: *to,
                width: 0.5 + 7.5 * r.delivered.funds / top,
                title: format!("{} → {}: {} 万元", r.donor_name, r.recipient_name, wan(r.delivered.funds)),
            })
        })
        .collect();
    let mut map = Choropleth::page(
        format!("{} · {}", page.t("pl_map"), ledger.year),
        page.t("pl_funds").to_string(),
        features,
        String::new(),
        Vec::new(),
    );
    map.links = links;
    Ok(Some(render(&map, &revita_report::projection::Albers::china())))
}

async fn ledger_page_with(
    page: Page,
    params: &LedgerParams,
    refused: Option<Refused>,
    upload: Option<(StatusCode, UploadResult)>,
) -> PageResult {
    let actor = page.viewer()?.actor.clone();
    let year = year_of(params)?;
    let program = params.program.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let ledger = page.app().pairing_ledger(&actor, year, program).await?;
    // The programme list comes from the pairings, not from a second ledger.
    let programs = page.app().pairing_programs(&actor).await?;
    let rows = ledger
        .rows
        .iter()
        .map(|r| RowView {
            program: r.pairing.program.clone(),
            donor: r.pairing.donor.to_string(),
            donor_name: r.donor_name.clone(),
            recipient: r.pairing.recipient.to_string(),
            recipient_name: r.recipient_name.clone(),
            due: r.obligation.map(wan).unwrap_or_else(|| "–".into()),
            basis: r.basis.clone().unwrap_or_default(),
            delivered: delivered_view(&r.delivered, r.fulfilment),
        })
        .collect();
    let group = |list: Vec<(String, String, f64, Delivered)>| -> Vec<GroupView> {
        list.into_iter()
            .map(|(code, name, due, d)| GroupView {
                code,
                name,
                due: wan(due),
                delivered: delivered_view(&d, revita_methods::convergence::fulfilment(d.funds, due)),
            })
            .collect()
    };
    let donors = group(ledger.by(|r| (r.pairing.donor.to_string(), r.donor_name.clone())));
    let recipients = group(ledger.by(|r| (r.pairing.recipient.to_string(), r.recipient_name.clone())));
    let rules = page
        .app()
        .pairing_rules()
        .await?
        .iter()
        .filter(|r| program.is_none_or(|p| p == r.program))
        .map(|r| RuleView {
            program: r.program.clone(),
            donor: r.donor.to_string(),
            kind: r.kind.clone(),
            terms: match r.kind.as_str() {
                "revenue_share" => format!(
                    "{}% × {} (t − {})",
                    r.share.unwrap_or_default() * 100.0,
                    r.revenue_indicator,
                    r.lag.unwrap_or(1)
                ),
                _ => format!("{} × (1 + {}%)^n", wan(r.base.unwrap_or_default()), r.growth.unwrap_or_default() * 100.0),
            },
            start_year: r.start_year,
        })
        .collect();
    let view = LedgerView {
        year,
        program: program.unwrap_or_default().to_string(),
        programs,
        map: flow_map(&page, &ledger).await?,
        total_due: wan(ledger.due),
        total: delivered_view(&ledger.total, ledger.fulfilment()),
        rows,
        donors,
        recipients,
        rules,
        kinds: FlowKind::ALL.iter().map(|k| k.as_str()).collect(),
        may_enter: actor.access.may_anywhere(revita_methods::access::Action::EditData),
        may_decide: actor.access.may_anywhere(revita_methods::access::Action::EditDecisions),
        csrf: page.csrf(),
        refused: refused.clone(),
        upload: upload.as_ref().map(|(_, u)| u.clone()),
    };
    let status = match (&upload, &refused) {
        (Some((status, _)), _) => *status,
        (None, Some(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        (None, None) => StatusCode::OK,
    };
    page.render_with(status, "pairing.html", page.t("pl_title"), view)
}

/// `GET /pairing`: the ledger of `year` (default: last year), of one
/// `program` when given.
pub async fn ledger_page(page: Page, Query(params): Query<LedgerParams>) -> PageResult {
    ledger_page_with(page, &params, None, None).await
}

/// A delivery from the form's fields.
pub(super) fn flow_from(form: &Fields) -> Result<PairingFlow, AppError> {
    let code = |name: &str| -> Result<RegionCode, AppError> {
        RegionCode::parse(required(form, name)?).map_err(|e| AppError::Invalid(format!("{name}: {e}")))
    };
    let kind = required(form, "kind")?;
    let flag = |name: &str| field(form, name).is_some_and(|v| v == "1" || v == "true" || v == "on");
    Ok(PairingFlow {
        id: 0,
        program: required(form, "program")?.to_string(),
        donor: code("donor")?,
        recipient: code("recipient")?,
        year: crate::kit::number(form, "year")?,
        kind: FlowKind::parse(kind).ok_or_else(|| {
            AppError::Invalid(format!(
                "kind: '{kind}' is not one of funds, cadres, technicians, investment, labour, purchases"
            ))
        })?,
        project: required(form, "project")?.to_string(),
        amount: crate::kit::number(form, "amount")?,
        sector: field(form, "sector").map(str::to_string),
        county_level: flag("county_level"),
        livelihood: flag("livelihood"),
        recorded_by: String::new(),
        recorded_at: String::new(),
    })
}

/// A rule from the form's fields.
pub(super) fn rule_from(form: &Fields) -> Result<PairingRule, AppError> {
    let optional = |name: &str| -> Result<Option<f64>, AppError> {
        field(form, name)
            .map(|t| t.parse::<f64>().map_err(|_| AppError::Invalid(format!("{name}: '{t}' is not a number"))))
            .transpose()
    };
    let donor = required(form, "donor")?;
    Ok(PairingRule {
        program: required(form, "program")?.to_string(),
        donor: RegionCode::parse(donor).map_err(|e| AppError::Invalid(format!("donor: {e}")))?,
        kind: required(form, "kind")?.to_string(),
        share: optional("share")?,
        lag: optional("lag")?.map(|l| l as i32),
        base: optional("base")?,
        growth: optional("growth")?,
        start_year: crate::kit::number(form, "start_year")?,
        revenue_indicator: field(form, "revenue_indicator").unwrap_or(REVENUE_INDICATOR).to_string(),
        note: field(form, "note").map(str::to_string),
    })
}

fn back(form: &Fields) -> LedgerParams {
    LedgerParams { year: form.get("year").cloned(), program: None }
}

/// `POST /pairing/flows`: records one delivery; refused, the ledger shows
/// the form again with its reason and what was typed.
pub async fn flow_record(page: Page, Form(form): Form<Fields>) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let page = page.at("/pairing");
    let result = async {
        let flow = flow_from(&form)?;
        page.app().record_pairing_flows(&page.viewer()?.actor, &[flow], &page.origin()).await
    }
    .await;
    match result {
        Ok(_) => page.see_other(&format!("/pairing?year={}", form.get("year").map(String::as_str).unwrap_or(""))),
        Err(AppError::Invalid(reason)) => {
            let params = back(&form);
            ledger_page_with(page, &params, Some(Refused::new("flow".into(), reason, form, None)), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /pairing/rules`: sets a donor's rule in a programme.
pub async fn rule_set(page: Page, Form(form): Form<Fields>) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let page = page.at("/pairing");
    let result = async {
        let rule = rule_from(&form)?;
        page.app().set_pairing_rule(&page.viewer()?.actor, &rule, &page.origin()).await
    }
    .await;
    match result {
        Ok(()) => page.see_other("/pairing"),
        Err(AppError::Invalid(reason)) => {
            let params = LedgerParams::default();
            ledger_page_with(page, &params, Some(Refused::new("rule".into(), reason, form, None)), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /pairing/flows/import`: a file of deliveries (with `dry_run`, a
/// check only); every problem by row and column, nothing written (422).
pub async fn flows_import(page: Page, multipart: Multipart) -> PageResult {
    let page = page.at("/pairing");
    let unsupported = |name: &str, _: &str| format!("{name}: upload a .csv or .xlsx file");
    let received = page.receive(multipart, &["csv", "xlsx"], unsupported).await?;
    let staged = received.file.ok_or_else(|| AppError::Invalid("choose a file to upload".into()))?;
    let dry_run = received.fields.get("dry_run").is_some_and(|v| !v.is_empty());
    let actor = page.viewer()?.actor.clone();
    let result = page.app().import_pairing_flows(&actor, &staged.path, dry_run, &page.origin()).await;
    let key = if dry_run { "pl_checked" } else { "pl_imported" };
    let shown = UploadResult::of(result, &staged, page.t("pl_nothing"), |report| {
        page.t(key).replace("{rows}", &report.rows_read.to_string()).replace("{replaced}", &report.replaces.to_string())
    })?;
    let params = LedgerParams { year: received.fields.get("year").cloned(), program: None };
    ledger_page_with(page, &params, None, Some(shown)).await
}

/// `GET /pairing/iati.xml?from=&to=`: the aid projects as IATI activities.
pub async fn iati(page: Page, Query(q): Query<HashMap<String, String>>) -> PageResult {
    let year = |name: &str, default: i32| -> Result<i32, AppError> {
        match q.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(t) => t
                .parse()
                .ok()
                .filter(|y| (1900..=2100).contains(y))
                .ok_or_else(|| AppError::Invalid(format!("{name}: '{t}' is not a year"))),
        }
    };
    let (from, to) = (year("from", 1900)?, year("to", 2200)?);
    let xml = page.app().pairing_iati(&page.viewer()?.actor, from, to, crate::auth::now()).await?;
    let headers = [
        (header::CONTENT_TYPE, "application/xml; charset=utf-8".to_string()),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"pairing-iati.xml\"".to_string()),
    ];
    Ok((headers, xml).into_response())
}

/// `GET /pairing/ledger.xlsx?year=&program=`: the ledger as a workbook
/// (fulfilment and shares as formulas).
pub async fn ledger_xlsx(page: Page, Query(params): Query<LedgerParams>) -> PageResult {
    let year = year_of(&params)?;
    let program = params.program.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let ledger = page.app().pairing_ledger(&page.viewer()?.actor, year, program).await?;
    let bytes = revita_app::ledger::ledger_workbook(&ledger)?;
    Ok(crate::kit::attachment(bytes, revita_app::export::ExportFormat::Xlsx, &format!("pairing-ledger-{year}")))
}
