//! The agreements list and create form, an agreement's page (terms, the
//! sections on a map, samples, the running index with its alert, settling
//! a year, settlements with every step, the statement downloads, payments
//! with their forms) and the payments ledger.

use axum::extract::{Form, Multipart, Path, Query};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use revita_app::AppError;
use revita_app::eco::{AgreementView, BasinAgreement, Payment, Settlement, XINAN_EXAMPLE};
use revita_methods::RegionCode;
use revita_methods::access::Action;
use serde::{Deserialize, Serialize};

use crate::allocate::wan;
use crate::kit::{Fields, Page, PageResult, Refused, UploadResult, field, required};

/// How many agreements or payments a page lists.
const PAGE: i64 = 50;

/// An agreement in the list.
#[derive(Serialize)]
struct AgreementRow {
    id: i64,
    name: String,
    kind: &'static str,
    parties: String,
    region: String,
    rounds: String,
    version: i64,
}

/// `eco.html`.
#[derive(Serialize)]
struct IndexView {
    agreements: Vec<AgreementRow>,
    total: i64,
    next: Option<i64>,
    can_create: bool,
    csrf: String,
    spec: String,
    region: String,
    refused: Option<Refused>,
}

/// The list's paging.
#[derive(Debug, Default, Deserialize)]
pub struct After {
    after: Option<i64>,
}

fn kind_key(agreement: &BasinAgreement) -> &'static str {
    if agreement.is_segmented() { "eco_kind_segments" } else { "eco_kind_pair" }
}

/// `GET /eco`: the agreements the viewer may read, and the create form.
pub async fn eco_page(page: Page, Query(after): Query<After>) -> PageResult {
    index(page, after.after.unwrap_or(0), None).await
}

async fn index(page: Page, after: i64, refused: Option<(Refused, String, String)>) -> PageResult {
    let actor = &page.viewer()?.actor;
    let (stored, total) = page.app().eco_agreements(actor, after, PAGE).await?;
    let agreements = stored
        .iter()
        .map(|a| {
            let parsed = BasinAgreement::from_json(&a.spec).ok();
            AgreementRow {
                id: a.id,
                name: a.name.clone(),
                kind: parsed.as_ref().map_or("eco_kind_pair", kind_key),
                parties: parsed.as_ref().map(|p| p.parties().join("、")).unwrap_or_default(),
                region: a.region.to_string(),
                rounds: parsed
                    .as_ref()
                    .map(|p| p.rounds.iter().map(|r| format!("{} {}–{}", r.name, r.from, r.to)).collect::<Vec<_>>())
                    .unwrap_or_default()
                    .join("; "),
                version: a.version,
            }
        })
        .collect::<Vec<_>>();
    let next = (agreements.len() as i64 == PAGE).then(|| agreements.last().map(|a| a.id)).flatten();
    let can_create = actor.access.may_anywhere(Action::EditDecisions);
    let status = if refused.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (refused, spec, region) = match refused {
        Some((r, spec, region)) => (Some(r), spec, region),
        None => (None, XINAN_EXAMPLE.to_string(), String::new()),
    };
    let view = IndexView { agreements, total, next, can_create, csrf: page.csrf(), spec, region, refused };
    page.render_with(status, "eco.html", page.t("eco_title"), view)
}

/// `POST /eco/agreements`: stores a new agreement (`region`, `spec`);
/// refused, the list shows the form again with the reason and the text.
pub async fn agreement_create(page: Page, Form(form): Form<Fields>) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let page = page.at("/eco");
    match create(&page, &form).await {
        Ok(id) => page.see_other(&format!("/eco/agreements/{id}")),
        Err(AppError::Invalid(reason) | AppError::Conflict(reason)) => {
            let spec = form.get("spec").cloned().unwrap_or_default();
            let region = form.get("region").cloned().unwrap_or_default();
            index(page, 0, Some((Refused::new("create".into(), reason, form, None), spec, region))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn create(page: &Page, form: &Fields) -> Result<i64, AppError> {
    let region = region(required(form, "region")?)?;
    let actor = &page.viewer()?.actor;
    page.app().save_eco_agreement(actor, None, &region, required(form, "spec")?, &page.origin()).await
}

fn region(text: &str) -> Result<RegionCode, AppError> {
    RegionCode::parse(text).map_err(|e| AppError::Invalid(format!("region: {e}")))
}

fn year(text: &str) -> Result<i32, AppError> {
    text.trim().parse().map_err(|_| AppError::Invalid(format!("year: '{text}' is not a year")))
}

/// A round as the page shows it.
#[derive(Serialize)]
struct RoundView {
    name: String,
    years: String,
    k0: String,
    amount: String,
    tolerance: String,
    alert_at: String,
    indicators: String,
}

/// A section rule.
#[derive(Serialize)]
struct SegmentView {
    section: String,
    amount: String,
    payers: String,
    payees: String,
}

/// One indicator's line of a section's index.
#[derive(Serialize)]
struct StepRow {
    indicator: String,
    weight: String,
    limit: String,
    samples: usize,
    mean: String,
    ratio: String,
    weighted: String,
}

/// A section's index with every step.
#[derive(Serialize)]
struct SectionView {
    section: String,
    steps: Vec<StepRow>,
    k0: String,
    sum: String,
    p: String,
    met: bool,
    alert: bool,
}

/// A transfer a settlement makes due.
#[derive(Serialize)]
struct TransferView {
    payer: String,
    payee: String,
    amount: String,
    section: String,
}

/// A settled (or running) year.
#[derive(Serialize)]
struct SettlementView {
    year: i32,
    round: String,
    settled_by: String,
    settled_at: String,
    sections: Vec<SectionView>,
    transfers: Vec<TransferView>,
    reserves: usize,
    void: usize,
    disputed: Vec<String>,
}

/// A payment with its form.
#[derive(Serialize)]
pub(super) struct PaymentView {
    id: i64,
    agreement: i64,
    year: i32,
    payer: String,
    payee: String,
    amount: String,
    reason: String,
    status: String,
    paid_on: String,
    reference: String,
    version: i64,
}

impl PaymentView {
    pub(super) fn of(p: &Payment) -> PaymentView {
        PaymentView {
            id: p.id,
            agreement: p.agreement_id,
            year: p.year,
            payer: p.payer.clone(),
            payee: p.payee.clone(),
            amount: wan(p.amount),
            reason: p.reason.clone(),
            status: p.status.clone(),
            paid_on: p.paid_on.clone().unwrap_or_default(),
            reference: p.reference.clone().unwrap_or_default(),
            version: p.version,
        }
    }
}

/// `eco_agreement.html`.
#[derive(Serialize)]
struct DetailView {
    id: i64,
    name: String,
    kind: &'static str,
    region: String,
    version: i64,
    updated_by: String,
    updated_at: String,
    upstream: String,
    downstream: String,
    section: String,
    parties: String,
    rounds: Vec<RoundView>,
    segments: Vec<SegmentView>,
    sections: Vec<(String, f64, f64)>,
    map: Option<String>,
    sample_years: Vec<(i32, i64)>,
    running: Option<SettlementView>,
    running_problem: Option<String>,
    settle_year: String,
    settlements: Vec<SettlementView>,
    payments: Vec<PaymentView>,
    may_decide: bool,
    may_enter: bool,
    csrf: String,
    spec: String,
    refused: Option<Refused>,
    upload: Option<UploadResult>,
}

fn number(value: f64) -> String {
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn shares(map: &std::collections::BTreeMap<String, f64>) -> String {
    map.iter().map(|(k, v)| format!("{k} {}", number(*v))).collect::<Vec<_>>().join("、")
}

fn settlement_view(s: &Settlement, by: &str, at: &str) -> SettlementView {
    SettlementView {
        year: s.year,
        round: s.round.clone(),
        settled_by: by.to_string(),
        settled_at: at.to_string(),
        sections: s
            .sections
            .iter()
            .map(|r| SectionView {
                section: r.section.clone(),
                steps: (0..r.indicators.len())
                    .map(|i| StepRow {
                        indicator: r.indicators[i].clone(),
                        weight: number(r.weights[i]),
                        limit: number(r.limits[i]),
                        samples: r.samples[i],
                        mean: format!("{:.4}", r.means[i]),
                        ratio: format!("{:.4}", r.ratios[i]),
                        weighted: format!("{:.4}", r.weighted[i]),
                    })
                    .collect(),
                k0: number(r.k0),
                sum: format!("{:.4}", r.weighted.iter().sum::<f64>()),
                p: format!("{:.4}", r.p),
                met: r.met,
                alert: r.alert,
            })
            .collect(),
        transfers: s
            .transfers
            .iter()
            .map(|t| TransferView {
                payer: t.payer.clone(),
                payee: t.payee.clone(),
                amount: wan(t.amount),
                section: t.section.clone(),
            })
            .collect(),
        reserves: s.reserves,
        void: s.void,
        disputed: s.disputed.clone(),
    }
}

/// The sections over the provinces around them, each coloured by its
/// latest result.
async fn section_map(page: &Page, view: &AgreementView) -> Result<Option<String>, AppError> {
    use revita_report::map::{Choropleth, Feature, LegendEntry, Marker, render};
    let sections = &view.agreement.sections;
    let areas = page.app().eco_section_areas(sections).await?;
    if areas.is_empty() {
        return Ok(None);
    }
    let latest = view.settlements.first().map(|(_, s)| s).or(view.running.as_ref().and_then(|r| r.as_ref().ok()));
    let result = |name: &str| latest.and_then(|s| s.sections.iter().find(|r| r.section == name));
    let features = areas
        .iter()
        .map(|a| Feature { code: a.code.as_str(), shape: &a.shape, fill: "#e8e8e8", title: a.name.clone(), href: None })
        .collect();
    let (met, missed, none) = ("#009E73", "#D55E00", "#555555");
    let legend = vec![
        LegendEntry { fill: met.into(), label: page.t("eco_met").into() },
        LegendEntry { fill: missed.into(), label: page.t("eco_not_met").into() },
        LegendEntry { fill: none.into(), label: page.t("no_data").into() },
    ];
    let mut map = Choropleth::page(
        view.agreement.name.clone(),
        page.t("eco_sections").to_string(),
        features,
        page.t("eco_section").to_string(),
        legend,
    );
    map.markers = sections
        .iter()
        .map(|s| {
            let r = result(&s.name);
            Marker {
                at: (s.lon, s.lat),
                label: s.name.clone(),
                fill: match r {
                    Some(r) if r.met => met,
                    Some(_) => missed,
                    None => none,
                }
                .into(),
                title: r.map_or_else(|| s.name.clone(), |r| format!("{}: P = {:.4}", s.name, r.p)),
            }
        })
        .collect();
    Ok(Some(render(&map, &revita_report::projection::Albers::china())))
}

async fn detail(
    page: &Page,
    id: i64,
    refused: Option<Refused>,
    upload: Option<UploadResult>,
) -> Result<DetailView, AppError> {
    let actor = &page.viewer()?.actor;
    let view = page.app().eco_agreement(actor, id).await?;
    let payments = page.app().eco_ledger(actor, Some(id), 0, 1_000).await?;
    let a = &view.agreement;
    let (running, running_problem) = match &view.running {
        Some(Ok(s)) => (Some(settlement_view(s, "", "")), None),
        Some(Err(reason)) => (None, Some(reason.clone())),
        None => (None, None),
    };
    let settle_year = view.sample_years.first().map(|(y, _)| y.to_string()).unwrap_or_default();
    Ok(DetailView {
        id,
        name: a.name.clone(),
        kind: kind_key(a),
        region: view.stored.region.to_string(),
        version: view.stored.version,
        updated_by: view.stored.updated_by.clone(),
        updated_at: view.stored.updated_at.clone(),
        upstream: a.upstream.clone().unwrap_or_default(),
        downstream: a.downstream.clone().unwrap_or_default(),
        section: a.section.clone().unwrap_or_default(),
        parties: a.parties().join("、"),
        rounds: a
            .rounds
            .iter()
            .map(|r| RoundView {
                name: r.name.clone(),
                years: format!("{}–{}", r.from, r.to),
                k0: number(r.k0),
                amount: r.amount.map(wan).unwrap_or_default(),
                tolerance: format!("{}%", number(r.tolerance * 100.0)),
                alert_at: number(r.alert_at),
                indicators: r
                    .indicators
                    .iter()
                    .map(|i| format!("{} {}; {}", i.code, number(i.weight), number(i.limit)))
                    .collect::<Vec<_>>()
                    .join(" · "),
            })
            .collect(),
        segments: a
            .segments
            .iter()
            .map(|s| SegmentView {
                section: s.section.clone(),
                amount: wan(s.amount),
                payers: shares(&s.payers),
                payees: shares(&s.payees),
            })
            .collect(),
        sections: a.sections.iter().map(|s| (s.name.clone(), s.lon, s.lat)).collect(),
        map: section_map(page, &view).await?,
        sample_years: view.sample_years.clone(),
        running,
        running_problem,
        settle_year,
        settlements: view
            .settlements
            .iter()
            .map(|(stored, s)| settlement_view(s, &stored.settled_by, &stored.settled_at))
            .collect(),
        payments: payments.payments.iter().map(PaymentView::of).collect(),
        may_decide: view.may_decide,
        may_enter: view.may_enter,
        csrf: page.csrf(),
        spec: view.stored.spec.clone(),
        refused,
        upload,
    })
}

/// `GET /eco/agreements/{id}`.
pub async fn agreement_page(page: Page, Path(id): Path<i64>) -> PageResult {
    let view = detail(&page, id, None, None).await?;
    let title = view.name.clone();
    page.render("eco_agreement.html", &title, view)
}

/// Shows the agreement page again after a refused form (422), keeping
/// what was typed.
async fn refused(page: Page, id: i64, form_name: &str, reason: String, form: Fields) -> PageResult {
    let refused = Refused::new(form_name.into(), reason, form, None);
    let view = detail(&page, id, Some(refused), None).await?;
    let title = view.name.clone();
    page.render_with(StatusCode::UNPROCESSABLE_ENTITY, "eco_agreement.html", &title, view)
}

/// `POST /eco/agreements/{id}/edit`: a new version (`region`, `spec`,
/// `version`).
pub async fn agreement_edit(page: Page, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let page = page.at(&format!("/eco/agreements/{id}"));
    let result = async {
        let region = region(required(&form, "region")?)?;
        let version: i64 = crate::kit::number(&form, "version")?;
        let actor = &page.viewer()?.actor;
        page.app()
            .save_eco_agreement(actor, Some((id, version)), &region, required(&form, "spec")?, &page.origin())
            .await
    }
    .await;
    match result {
        Ok(_) => page.see_other(&format!("/eco/agreements/{id}")),
        Err(AppError::Invalid(reason) | AppError::Conflict(reason)) => refused(page, id, "edit", reason, form).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /eco/agreements/{id}/settle`: settles `year` from the stored samples.
pub async fn agreement_settle(page: Page, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let page = page.at(&format!("/eco/agreements/{id}"));
    let result = async {
        let year = year(required(&form, "year")?)?;
        page.app().settle_eco_year(&page.viewer()?.actor, id, year, &page.origin()).await
    }
    .await;
    match result {
        Ok(s) => page.see_other(&format!("/eco/agreements/{id}#settlement-{}", s.year)),
        Err(AppError::Invalid(reason) | AppError::Conflict(reason)) => refused(page, id, "settle", reason, form).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /eco/agreements/{id}/samples`: a sample file (with `dry_run`, a
/// check only); the page shows what was found, every problem by row and
/// column when refused (422).
pub async fn agreement_samples(page: Page, Path(id): Path<i64>, multipart: Multipart) -> PageResult {
    let page = page.at(&format!("/eco/agreements/{id}"));
    let unsupported = |name: &str, _: &str| format!("{name}: upload a .csv or .xlsx sample file");
    let received = page.receive(multipart, &["csv", "xlsx"], unsupported).await?;
    let staged = received.file.ok_or_else(|| AppError::Invalid("choose a sample file to upload".into()))?;
    let dry_run = received.fields.get("dry_run").is_some_and(|v| !v.is_empty());
    let actor = &page.viewer()?.actor;
    let result = page.app().import_eco_samples(actor, id, &staged.path, dry_run, &page.origin()).await;
    let key = if dry_run { "eco_samples_checked" } else { "eco_samples_imported" };
    let (status, upload) = UploadResult::of(result, &staged, page.t("eco_nothing_imported"), |report| {
        page.t(key).replace("{rows}", &report.rows_read.to_string()).replace("{replaced}", &report.replaces.to_string())
    })?;
    let view = detail(&page, id, None, Some(upload)).await?;
    let title = view.name.clone();
    page.render_with(status, "eco_agreement.html", &title, view)
}

/// `POST /eco/payments/{id}`: records a payment (`status`, `paid_on`,
/// `reference`, `version`); back to its agreement.
pub async fn payment_record(page: Page, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let agreement = page.app().eco_payment(&page.viewer()?.actor, id).await?.agreement_id;
    let page = page.at(&format!("/eco/agreements/{agreement}"));
    let result = async {
        let actor = &page.viewer()?.actor;
        let version: i64 = crate::kit::number(&form, "version")?;
        page.app()
            .record_eco_payment(
                actor,
                id,
                version,
                required(&form, "status")?,
                field(&form, "paid_on"),
                field(&form, "reference"),
                &page.origin(),
            )
            .await
    }
    .await;
    match result {
        Ok(_) => page.see_other(&format!("/eco/agreements/{agreement}#payment-{id}")),
        Err(AppError::Invalid(reason) | AppError::Conflict(reason)) => {
            refused(page, agreement, &format!("payment-{id}"), reason, form).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /eco/agreements/{id}/statements/{file}`: `<year>.pdf` (in the
/// page's language) or `<year>.xlsx`.
pub async fn statement(page: Page, Path((id, file)): Path<(i64, String)>) -> PageResult {
    let (year, ext) = file.split_once('.').ok_or_else(|| AppError::NotFound(format!("statement {file}")))?;
    let year: i32 = year.parse().map_err(|_| AppError::NotFound(format!("statement {file}")))?;
    let (view, settlement) = page.app().eco_settlement(&page.viewer()?.actor, id, year).await?;
    let stem = format!("settlement-{id}-{year}");
    match ext {
        "xlsx" => {
            let bytes = revita_app::eco::statement_workbook(&view, &settlement)?;
            Ok(crate::kit::attachment(bytes, revita_app::export::ExportFormat::Xlsx, &stem))
        }
        "pdf" => {
            let zh = page.lang() == crate::i18n::Lang::Zh;
            let bytes = revita_app::eco::statement_pdf(&view, &settlement, zh)?;
            let disposition = format!("attachment; filename=\"{stem}.pdf\"");
            let headers =
                [(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, disposition)];
            Ok((headers, bytes).into_response())
        }
        _ => Err(AppError::NotFound(format!("statement {file}")).into()),
    }
}

/// `eco_ledger.html`.
#[derive(Serialize)]
struct LedgerView {
    payments: Vec<PaymentView>,
    total: i64,
    next: Option<i64>,
}

/// `GET /eco/ledger`: every payment within the viewer's jurisdiction.
pub async fn ledger_page(page: Page, Query(after): Query<After>) -> PageResult {
    let ledger = page.app().eco_ledger(&page.viewer()?.actor, None, after.after.unwrap_or(0), PAGE).await?;
    let payments: Vec<PaymentView> = ledger.payments.iter().map(PaymentView::of).collect();
    let next = (payments.len() as i64 == PAGE).then(|| payments.last().map(|p| p.id)).flatten();
    let view = LedgerView { payments, total: ledger.total, next };
    page.render("eco_ledger.html", page.t("eco_ledger"), view)
}
