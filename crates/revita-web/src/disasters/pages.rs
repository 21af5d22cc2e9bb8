//! The events list and form; an event's page (counties hit, damage, losses
//! and needs every way with a chart, imports, the fund shared over the
//! counties, counterparts, the reconstruction plan, the report).

use std::collections::HashMap;

use axum::extract::{Form, Multipart, Path, Query};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use revita_app::AppError;
use revita_app::disasters::{DisasterView, EventDraft, KINDS, NeedsParameters};
use revita_methods::RegionCode;
use revita_methods::disaster::Totals;
use revita_report::chart::{BarChart, bar_chart};
use serde::Serialize;

use crate::allocate::wan;
use crate::kit::{Fields, Page, PageResult, Refused, UploadResult, field, required};

/// An event in the list.
#[derive(Serialize)]
struct EventRow {
    id: i64,
    name: String,
    kind: String,
    occurred_on: String,
    region: String,
}

/// `disasters.html`.
#[derive(Serialize)]
struct ListView {
    events: Vec<EventRow>,
    total: i64,
    kinds: Vec<&'static str>,
    can_create: bool,
    csrf: String,
    status_refused: bool,
    refused: Option<Refused>,
}

/// `GET /disasters`.
pub async fn list_page(page: Page) -> PageResult {
    list(page, None).await
}

async fn list(page: Page, refused: Option<Refused>) -> PageResult {
    let actor = page.viewer()?.actor.clone();
    let (events, total) = page.app().disasters(&actor, 0, 500).await?;
    let view = ListView {
        events: events
            .into_iter()
            .map(|e| EventRow {
                id: e.id,
                name: e.name,
                kind: e.kind,
                occurred_on: e.occurred_on,
                region: e.region.to_string(),
            })
            .collect(),
        total,
        kinds: KINDS.to_vec(),
        can_create: actor.access.may_anywhere(revita_methods::access::Action::EditDecisions),
        csrf: page.csrf(),
        status_refused: refused.is_some(),
        refused,
    };
    let status = if view.status_refused { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    page.render_with(status, "disasters.html", page.t("ds_title"), view)
}

/// A draft from the form's (or the API's) fields.
pub(super) fn draft_from(form: &Fields) -> Result<EventDraft, AppError> {
    let needs = match field(form, "needs") {
        Some(text) => NeedsParameters::from_json(text)?,
        None => NeedsParameters::default(),
    };
    Ok(EventDraft {
        name: required(form, "name")?.to_string(),
        kind: required(form, "kind")?.to_string(),
        occurred_on: crate::kit::date(form, "occurred_on")?,
        magnitude: field(form, "magnitude").map(str::to_string),
        region: RegionCode::parse(required(form, "region")?).map_err(|e| AppError::Invalid(format!("region: {e}")))?,
        needs,
    })
}

/// `POST /disasters`: records an event; refused, the list shows the form
/// again with the reason and what was typed.
pub async fn create(page: Page, Form(form): Form<Fields>) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let page = page.at("/disasters");
    let result = async {
        let draft = draft_from(&form)?;
        page.app().create_disaster(&page.viewer()?.actor, &draft, &page.origin()).await
    }
    .await;
    match result {
        Ok(id) => page.see_other(&format!("/disasters/{id}")),
        Err(AppError::Invalid(reason) | AppError::Conflict(reason)) => {
            list(page, Some(Refused::new("create".into(), reason, form, None))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A line of totals, in 万元.
#[derive(Serialize)]
struct TotalsRow {
    label: String,
    damage: String,
    losses: String,
    reconstruction: String,
    recovery: String,
    needs: String,
}

fn totals_row(label: String, t: &Totals) -> TotalsRow {
    TotalsRow {
        label,
        damage: wan(t.damage),
        losses: wan(t.losses),
        reconstruction: wan(t.reconstruction),
        recovery: wan(t.recovery),
        needs: wan(t.needs()),
    }
}

/// A county hit, formatted.
#[derive(Serialize)]
struct CountyRow {
    code: String,
    name: String,
    severity: String,
    affected: String,
    displaced: String,
    shelters: String,
}

/// A county's rebuilds, formatted.
#[derive(Serialize)]
struct RebuildRow {
    code: String,
    name: String,
    planned: i64,
    under_way: i64,
    completed: i64,
    grants: String,
}

/// A county's share of the fund, formatted.
#[derive(Serialize)]
struct FundRow {
    code: String,
    name: String,
    needs_part: String,
    people_part: String,
    amount: String,
}

/// `disaster.html`.
#[derive(Serialize)]
struct EventView {
    id: i64,
    name: String,
    kind: String,
    occurred_on: String,
    magnitude: String,
    region: String,
    version: i64,
    plan_id: Option<i64>,
    needs: String,
    counties: Vec<CountyRow>,
    by_group: Vec<TotalsRow>,
    by_sector: Vec<TotalsRow>,
    by_county: Vec<TotalsRow>,
    by_ownership: Vec<TotalsRow>,
    total: TotalsRow,
    chart: String,
    uncosted: Vec<String>,
    unit_costs_version: i64,
    rebuilds: Vec<RebuildRow>,
    fund: Vec<FundRow>,
    fund_fields: HashMap<String, String>,
    fund_problem: Option<String>,
    program: String,
    may_decide: bool,
    may_enter: bool,
    csrf: String,
    refused: Option<Refused>,
    upload: Option<UploadResult>,
}

fn count(v: f64) -> String {
    revita_report::svg::format_number(v, 0)
}

async fn event_view(
    page: &Page,
    v: &DisasterView,
    fund_fields: HashMap<String, String>,
    refused: Option<Refused>,
    upload: Option<UploadResult>,
) -> Result<EventView, AppError> {
    let a = &v.assessment;
    let name_of = |code: &str| v.names.get(code).cloned().unwrap_or_default();
    let chart = bar_chart(&BarChart {
        title: page.t("ds_total_needs").to_string(),
        unit: "万元".into(),
        bars: a
            .by_group
            .iter()
            .map(|(g, t)| (page.t(&format!("ds_group_{}", g.as_str())).to_string(), t.needs() / 1e4))
            .collect(),
    });
    let (mut fund, mut fund_problem) = (Vec::new(), None);
    if let Some(total) = fund_fields.get("total_wan").filter(|t| !t.trim().is_empty()) {
        let parsed = |name: &str, default: f64| -> Result<f64, AppError> {
            match fund_fields.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                None => Ok(default),
                Some(t) => t.parse().map_err(|_| AppError::Invalid(format!("{name}: '{t}' is not a number"))),
            }
        };
        let result = async {
            let total: f64 =
                total.trim().parse().map_err(|_| AppError::Invalid(format!("total_wan: '{total}' is not a number")))?;
            let weight = parsed("needs_weight", 0.8)?;
            let unit = parsed("unit_wan", 0.0)?;
            let unit = (unit > 0.0).then_some(unit * 1e4);
            page.app().disaster_fund(&page.viewer()?.actor, v.event.id, total * 1e4, weight, unit).await
        }
        .await;
        match result {
            Ok(shares) => {
                fund = shares
                    .into_iter()
                    .map(|s| FundRow {
                        code: s.county,
                        name: s.name,
                        needs_part: wan(s.parts[0]),
                        people_part: wan(s.parts[1]),
                        amount: wan(s.amount),
                    })
                    .collect()
            }
            Err(AppError::Invalid(reason)) => fund_problem = Some(reason),
            Err(e) => return Err(e),
        }
    }
    Ok(EventView {
        id: v.event.id,
        name: v.event.name.clone(),
        kind: v.event.kind.clone(),
        occurred_on: v.event.occurred_on.clone(),
        magnitude: v.event.magnitude.clone().unwrap_or_default(),
        region: v.event.region.to_string(),
        version: v.event.version,
        plan_id: v.event.plan_id,
        needs: serde_json::to_string(&v.needs).unwrap_or_default(),
        counties: v
            .counties
            .iter()
            .map(|(c, name)| CountyRow {
                code: c.county.to_string(),
                name: name.clone(),
                severity: c.severity.clone(),
                affected: count(c.affected),
                displaced: count(c.displaced),
                shelters: count(c.shelters),
            })
            .collect(),
        by_group: a
            .by_group
            .iter()
            .map(|(g, t)| totals_row(page.t(&format!("ds_group_{}", g.as_str())).to_string(), t))
            .collect(),
        by_sector: a.by_sector.iter().map(|(s, t)| totals_row(s.clone(), t)).collect(),
        by_county: a.by_county.iter().map(|(c, t)| totals_row(format!("{c} {}", name_of(c)), t)).collect(),
        by_ownership: a
            .by_ownership
            .iter()
            .map(|(o, t)| {
                let key = if *o == revita_methods::disaster::Ownership::Public { "ds_public" } else { "ds_private" };
                totals_row(page.t(key).to_string(), t)
            })
            .collect(),
        total: totals_row(page.t("total").to_string(), &a.total),
        chart,
        uncosted: v.uncosted.clone(),
        unit_costs_version: v.unit_costs.0,
        rebuilds: {
            let mut by_county: std::collections::BTreeMap<String, RebuildRow> = std::collections::BTreeMap::new();
            for r in &v.rebuilds {
                let code = r.county.to_string();
                let row = by_county.entry(code.clone()).or_insert_with(|| RebuildRow {
                    name: name_of(&code),
                    code,
                    planned: 0,
                    under_way: 0,
                    completed: 0,
                    grants: String::new(),
                });
                match r.status.as_str() {
                    "planned" => row.planned += r.households,
                    "under_way" => row.under_way += r.households,
                    _ => row.completed += r.households,
                }
            }
            for row in by_county.values_mut() {
                let grants: f64 = v.rebuilds.iter().filter(|r| r.county.as_str() == row.code).map(|r| r.grants).sum();
                row.grants = wan(grants);
            }
            by_county.into_values().collect()
        },
        fund,
        fund_fields,
        fund_problem,
        program: format!("灾后恢复重建：{}", v.event.name),
        may_decide: v.may_decide,
        may_enter: v.may_enter,
        csrf: page.csrf(),
        refused,
        upload,
    })
}

async fn show(
    page: Page,
    id: i64,
    fund: HashMap<String, String>,
    refused: Option<Refused>,
    upload: Option<(StatusCode, UploadResult)>,
) -> PageResult {
    let v = page.app().disaster(&page.viewer()?.actor, id).await?;
    let status = match (&upload, &refused) {
        (Some((s, _)), _) => *s,
        (None, Some(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        (None, None) => StatusCode::OK,
    };
    let view = event_view(&page, &v, fund, refused, upload.map(|(_, u)| u)).await?;
    let title = view.name.clone();
    page.render_with(status, "disaster.html", &title, view)
}

/// `GET /disasters/{id}` (with `total_wan`, `needs_weight`, `unit_wan`: the
/// fund shared over the counties).
pub async fn event_page(page: Page, Path(id): Path<i64>, Query(fund): Query<HashMap<String, String>>) -> PageResult {
    show(page, id, fund, None, None).await
}

/// `POST /disasters/{id}/import`: a file of `kind` (counties, unit_costs,
/// assessment), `dry_run` to check only.
pub async fn import(page: Page, Path(id): Path<i64>, multipart: Multipart) -> PageResult {
    let page = page.at(&format!("/disasters/{id}"));
    let unsupported = |name: &str, _: &str| format!("{name}: upload a .csv or .xlsx file");
    let received = page.receive(multipart, &["csv", "xlsx"], unsupported).await?;
    let staged = received.file.ok_or_else(|| AppError::Invalid("choose a file to upload".into()))?;
    let dry_run = received.fields.get("dry_run").is_some_and(|v| !v.is_empty());
    let kind = received.fields.get("kind").cloned().unwrap_or_default();
    let actor = page.viewer()?.actor.clone();
    let result = page.app().import_disaster_file(&actor, id, &kind, &staged.path, dry_run, &page.origin()).await;
    let key = if dry_run { "ds_checked" } else { "ds_imported" };
    let shown = UploadResult::of(result, &staged, page.t("ds_nothing"), |report| {
        page.t(key).replace("{rows}", &report.rows_read.to_string()).replace("{file}", &staged.name)
    })?;
    show(page, id, HashMap::new(), None, Some(shown)).await
}

/// The counterpart pairs of a form's text: `donor,county` a line.
pub(super) fn pairs_from(text: &str) -> Result<Vec<(RegionCode, RegionCode)>, AppError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (donor, county) = l
                .split_once([',', '，', ' ', '\t'])
                .ok_or_else(|| AppError::Invalid(format!("pairs: '{l}' is not donor,county")))?;
            let code = |t: &str| RegionCode::parse(t.trim()).map_err(|e| AppError::Invalid(format!("pairs: {e}")));
            Ok((code(donor)?, code(county)?))
        })
        .collect()
}

/// `POST /disasters/{id}/counterparts`: `pairs` (donor,county a line) from
/// `start_year`.
pub async fn counterparts(page: Page, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let page = page.at(&format!("/disasters/{id}"));
    let result = async {
        let pairs = pairs_from(required(&form, "pairs")?)?;
        let start: i32 = crate::kit::number(&form, "start_year")?;
        page.app().assign_counterparts(&page.viewer()?.actor, id, &pairs, start, &page.origin()).await
    }
    .await;
    match result {
        Ok(program) => {
            let year = form.get("start_year").cloned().unwrap_or_default();
            page.see_other(&format!("/pairing?year={year}&program={}", urlencode(&program)))
        }
        Err(AppError::Invalid(reason)) => {
            show(page, id, HashMap::new(), Some(Refused::new("counterparts".into(), reason, form, None)), None).await
        }
        Err(e) => Err(e.into()),
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `POST /disasters/{id}/plan`: makes and links the reconstruction plan.
pub async fn plan(page: Page, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let page = page.at(&format!("/disasters/{id}"));
    let result = async {
        let version: i64 = crate::kit::number(&form, "version")?;
        page.app().create_reconstruction_plan(&page.viewer()?.actor, id, version, &page.origin()).await
    }
    .await;
    match result {
        Ok(plan) => page.see_other(&format!("/plans/{plan}")),
        Err(AppError::Invalid(reason) | AppError::Conflict(reason)) => {
            show(page, id, HashMap::new(), Some(Refused::new("plan".into(), reason, form, None)), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /disasters/{id}/report.pdf`: the assessment report in the page's language.
pub async fn report_pdf(page: Page, Path(id): Path<i64>) -> PageResult {
    let v = page.app().disaster(&page.viewer()?.actor, id).await?;
    let bytes = revita_app::disaster_report::report_pdf(&v, page.lang() == crate::i18n::Lang::Zh)?;
    let disposition = format!("attachment; filename=\"disaster-{id}.pdf\"");
    let headers = [(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, disposition)];
    Ok((headers, bytes).into_response())
}

/// `GET /disasters/{id}/report.xlsx`.
pub async fn report_xlsx(page: Page, Path(id): Path<i64>) -> PageResult {
    let v = page.app().disaster(&page.viewer()?.actor, id).await?;
    let bytes = revita_app::disaster_report::report_workbook(&v)?;
    Ok(crate::kit::attachment(bytes, revita_app::export::ExportFormat::Xlsx, &format!("disaster-{id}")))
}

/// `GET /disasters/template.xlsx`: the import template.
pub async fn template(page: Page) -> PageResult {
    page.viewer()?;
    let bytes = revita_app::disasters::template_workbook()?;
    Ok(crate::kit::attachment(bytes, revita_app::export::ExportFormat::Xlsx, "disaster-template"))
}
