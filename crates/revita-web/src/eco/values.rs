//! Ecosystem-service value (parameters saved as versioned specs, a table
//! by region and year with its change, a map, land-use upload), GEP (by
//! group and line item, upload) and the key ecological function zone
//! transfer (a form and a county file; nothing stored).

use std::collections::HashMap;

use axum::extract::{Form, Multipart, Query};
use axum::http::StatusCode;
use revita_app::AppError;
use revita_app::eco::{EsvParameters, EsvReport, TransferGrant, TransferInputs, XIE_2015_DEFAULT};
use revita_app::specs::SpecKind;
use revita_methods::classify::{class_of, quantile_breaks};
use revita_methods::eco::SERVICES;
use revita_report::palette::sequential;
use serde::Serialize;

use crate::allocate::wan;
use crate::kit::{FileProblem, Page, PageResult, UploadResult};

/// A region's ESV in a year, formatted.
#[derive(Serialize)]
struct EsvRowView {
    code: String,
    name: String,
    year: i32,
    correction: String,
    total: String,
    change: String,
    by_service: Vec<String>,
    by_type: String,
}

/// A region's GEP in a year, formatted.
#[derive(Serialize)]
struct GepRowView {
    code: String,
    name: String,
    year: i32,
    material: String,
    regulating: String,
    cultural: String,
    total: String,
}

/// A GEP line item, formatted.
#[derive(Serialize)]
struct GepItemView {
    code: String,
    year: i32,
    service: String,
    quantity: String,
    unit: String,
    price: String,
    method: String,
    value: String,
}

/// `eco_esv.html`.
#[derive(Serialize)]
struct EsvView {
    spec: String,
    year: String,
    standard_equivalent: String,
    services: Vec<String>,
    rows: Vec<EsvRowView>,
    map: Option<String>,
    problem: Option<String>,
    gep: Vec<GepRowView>,
    gep_items: Vec<GepItemView>,
    may_enter: bool,
    csrf: String,
    upload: Option<UploadResult>,
    #[serde(flatten)]
    saved: crate::saved::SavedPart,
}

fn service_label(page: &Page, service: &str) -> String {
    let zh = page.lang() == crate::i18n::Lang::Zh;
    let names: [(&str, &str, &str); 11] = [
        ("food", "Food", "食物生产"),
        ("raw_materials", "Raw materials", "原料生产"),
        ("water_supply", "Water supply", "水资源供给"),
        ("gas_regulation", "Gas regulation", "气体调节"),
        ("climate_regulation", "Climate regulation", "气候调节"),
        ("environmental_purification", "Environmental purification", "净化环境"),
        ("hydrological_regulation", "Hydrological regulation", "水文调节"),
        ("soil_conservation", "Soil conservation", "土壤保持"),
        ("nutrient_cycling", "Nutrient cycling", "维持养分循环"),
        ("biodiversity", "Biodiversity", "生物多样性"),
        ("aesthetic_landscape", "Aesthetic landscape", "美学景观"),
    ];
    names
        .iter()
        .find(|(k, _, _)| *k == service)
        .map_or(service.to_string(), |(_, en, cn)| if zh { cn.to_string() } else { en.to_string() })
}

/// An ecosystem type's name in the page's language (Xie et al. 2015's table).
fn type_label(page: &Page, kind: &str) -> String {
    let names: [(&str, &str); 14] = [
        ("dry_land", "旱地"),
        ("paddy", "水田"),
        ("coniferous_forest", "针叶林"),
        ("mixed_forest", "针阔混交林"),
        ("broadleaf_forest", "阔叶林"),
        ("shrub_forest", "灌木林"),
        ("steppe", "草原"),
        ("shrub_grassland", "灌草丛"),
        ("meadow", "草甸"),
        ("wetland", "湿地"),
        ("desert", "荒漠"),
        ("bare_land", "裸地"),
        ("water", "水系"),
        ("glacier_snow", "冰川积雪"),
    ];
    match names.iter().find(|(k, _)| *k == kind) {
        Some((_, zh)) if page.lang() == crate::i18n::Lang::Zh => zh.to_string(),
        _ => kind.replace('_', " "),
    }
}

/// The ESV map of `year`: regions classed in quintiles of their value.
async fn esv_map(page: &Page, report: &EsvReport, year: i32) -> Result<Option<String>, AppError> {
    use revita_report::map::{Choropleth, Feature, LegendEntry, render};
    let areas = page.app().esv_map_areas(report, year).await?;
    let values: Vec<f64> = areas.iter().filter_map(|a| a.value).collect();
    if values.is_empty() {
        return Ok(None);
    }
    let breaks = quantile_breaks(&values, 5.min(values.len())).map_err(|e| AppError::Invalid(e.to_string()))?;
    let colours = sequential(breaks.len(), false);
    let features = areas
        .iter()
        .map(|a| {
            let value = a.value.unwrap_or(0.0);
            Feature {
                code: a.code.as_str(),
                shape: &a.shape,
                fill: colours[class_of(value, &breaks)],
                title: format!("{}: {} 万元", a.name, wan(value)),
                href: Some(format!("/regions/{}", a.code)),
            }
        })
        .collect();
    let mut lower = values.iter().copied().fold(f64::INFINITY, f64::min);
    let legend = breaks
        .iter()
        .zip(&colours)
        .map(|(upper, fill)| {
            let label = format!("{} – {}", wan(lower), wan(*upper));
            lower = *upper;
            LegendEntry { fill: fill.to_string(), label }
        })
        .collect();
    let title = format!("{} · {year}", page.t("eco_map_esv"));
    let map = Choropleth::page(title, report.parameters.name.clone(), features, page.t("eco_esv_total").into(), legend);
    Ok(Some(render(&map, &revita_report::projection::Albers::china())))
}

/// `GET /eco/esv`: ESV under the parameters given (`spec`, or a saved set
/// `saved`, or the shipped default), mapped for `year`; GEP.
pub async fn esv_page(page: Page, Query(fields): Query<HashMap<String, String>>) -> PageResult {
    esv_with(page, &fields, None, None).await
}

async fn esv_with(
    page: Page,
    fields: &HashMap<String, String>,
    refused: Option<(String, crate::saved::SaveForm)>,
    upload: Option<(StatusCode, UploadResult)>,
) -> PageResult {
    let actor = page.viewer()?.actor.clone();
    let saved = crate::saved::requested(&page, fields).await?;
    let spec = match (&refused, fields.get("spec"), &saved) {
        (Some((_, form)), _, _) => form.spec.clone(),
        (None, Some(spec), _) => spec.clone(),
        (None, None, Some(saved)) => saved.spec.clone(),
        (None, None, None) => XIE_2015_DEFAULT.to_string(),
    };
    let mut view = EsvView {
        spec: spec.clone(),
        year: fields.get("year").cloned().unwrap_or_default(),
        standard_equivalent: String::new(),
        services: SERVICES.iter().map(|s| service_label(&page, s)).collect(),
        rows: Vec::new(),
        map: None,
        problem: None,
        gep: Vec::new(),
        gep_items: Vec::new(),
        may_enter: actor.access.may_anywhere(revita_methods::access::Action::EditData),
        csrf: page.csrf(),
        upload: None,
        saved: crate::saved::part(&page, SpecKind::Esv, "/eco/esv", saved.as_ref(), refused).await?,
    };
    match EsvParameters::from_json(&spec) {
        Ok(parameters) => {
            let report = page.app().esv(&actor, parameters).await?;
            view.standard_equivalent = format!("{:.2}", report.standard_equivalent);
            let latest = report.rows.iter().map(|r| r.year).max();
            let year = view.year.trim().parse().ok().or(latest);
            if let Some(year) = year {
                view.year = year.to_string();
                view.map = esv_map(&page, &report, year).await?;
            }
            view.rows = report
                .rows
                .iter()
                .map(|r| EsvRowView {
                    code: r.region.to_string(),
                    name: r.name.clone(),
                    year: r.year,
                    correction: format!("{}", r.correction),
                    total: wan(r.total),
                    change: r
                        .change
                        .map(|(since, delta, share)| {
                            let pct = share.map(|s| format!(" ({:+.1}%)", s * 100.0)).unwrap_or_default();
                            format!("{since}: {}{pct}", wan(delta))
                        })
                        .unwrap_or_default(),
                    by_service: r.by_service.iter().map(|v| wan(*v)).collect(),
                    by_type: r
                        .by_type
                        .iter()
                        .map(|(k, v)| format!("{} {}", type_label(&page, k), wan(*v)))
                        .collect::<Vec<_>>()
                        .join("; "),
                })
                .collect();
        }
        Err(AppError::Invalid(reason)) => view.problem = Some(reason),
        Err(e) => return Err(e.into()),
    }
    let gep = page.app().gep(&actor).await?;
    view.gep = gep
        .rows
        .iter()
        .map(|r| GepRowView {
            code: r.region.to_string(),
            name: r.name.clone(),
            year: r.year,
            material: wan(r.material),
            regulating: wan(r.regulating),
            cultural: wan(r.cultural),
            total: wan(r.total),
        })
        .collect();
    view.gep_items = gep
        .items
        .iter()
        .map(|(i, value)| GepItemView {
            code: i.region.to_string(),
            year: i.year,
            service: i.service.clone(),
            quantity: revita_report::svg::format_number(i.quantity, 2),
            unit: i.unit.clone(),
            price: revita_report::svg::format_number(i.price, 2),
            method: i.price_method.clone(),
            value: wan(*value),
        })
        .collect();
    let status = match (&upload, view.saved.save_problem.is_some()) {
        (Some((status, _)), _) => *status,
        (None, true) => StatusCode::UNPROCESSABLE_ENTITY,
        (None, false) => StatusCode::OK,
    };
    view.upload = upload.map(|(_, u)| u);
    page.render_with(status, "eco_esv.html", page.t("eco_esv"), view)
}

/// `POST /eco/esv/specs`: saves a parameter set as the next version under
/// its name; refused, the page shows why on the save form.
pub async fn esv_save(page: Page, Form(form): Form<crate::saved::SaveForm>) -> PageResult {
    let page = page.at("/eco/esv");
    match crate::saved::save(&page, SpecKind::Esv, &form).await? {
        Ok(saved) => page.see_other(&format!("/eco/esv?saved={}", saved.id)),
        Err(reason) => esv_with(page, &HashMap::new(), Some((reason, form)), None).await,
    }
}

/// Which file an upload on the ESV page carries.
#[derive(Clone, Copy)]
enum Upload {
    LandUse,
    Gep,
}

async fn upload(page: Page, multipart: Multipart, what: Upload) -> PageResult {
    let page = page.at("/eco/esv");
    let unsupported = |name: &str, _: &str| format!("{name}: upload a .csv or .xlsx file");
    let received = page.receive(multipart, &["csv", "xlsx"], unsupported).await?;
    let staged = received.file.ok_or_else(|| AppError::Invalid("choose a file to upload".into()))?;
    let dry_run = received.fields.get("dry_run").is_some_and(|v| !v.is_empty());
    let actor = &page.viewer()?.actor;
    let origin = page.origin();
    let result = match what {
        Upload::LandUse => page.app().import_land_use(actor, &staged.path, dry_run, &origin).await,
        Upload::Gep => page.app().import_gep(actor, &staged.path, dry_run, &origin).await,
    };
    let key = if dry_run { "eco_checked" } else { "eco_imported" };
    let shown = UploadResult::of(result, &staged, page.t("eco_nothing_imported"), |report| {
        page.t(key).replace("{rows}", &report.rows_read.to_string()).replace("{file}", &staged.name)
    })?;
    esv_with(page, &HashMap::new(), None, Some(shown)).await
}

/// `POST /eco/land-use`: a land-use file (all or nothing; `dry_run` checks).
pub async fn land_use_upload(page: Page, multipart: Multipart) -> PageResult {
    upload(page, multipart, Upload::LandUse).await
}

/// `POST /eco/gep`: a GEP item file (all or nothing; `dry_run` checks).
pub async fn gep_upload(page: Page, multipart: Multipart) -> PageResult {
    upload(page, multipart, Upload::Gep).await
}

/// A county's grant, formatted in 万元.
#[derive(Serialize)]
struct GrantView {
    county: String,
    gap: String,
    key_subsidy: String,
    prohibited_subsidy: String,
    ranger_subsidy: String,
    adjustment: String,
    formula: String,
    grant: String,
    explain: String,
}

/// `eco_transfer.html`.
#[derive(Serialize)]
struct TransferView {
    fields: HashMap<String, String>,
    grants: Vec<GrantView>,
    totals: Option<GrantView>,
    problem: Option<String>,
    problems: Vec<FileProblem>,
    csrf: String,
}

fn transfer_defaults() -> HashMap<String, String> {
    [
        ("coefficient", "0.5"),
        ("prohibited_rate", "1000"),
        ("ranger_standard", "10000"),
        ("reward_rate", "0.01"),
        ("penalty_rate", "0.02"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// `GET /eco/transfer`: the form.
pub async fn transfer_page(page: Page) -> PageResult {
    let view = TransferView {
        fields: transfer_defaults(),
        grants: Vec::new(),
        totals: None,
        problem: None,
        problems: Vec::new(),
        csrf: page.csrf(),
    };
    page.render("eco_transfer.html", page.t("eco_transfer"), view)
}

/// The rule from the form (amounts in 万元 where the form says so).
fn transfer_inputs(fields: &HashMap<String, String>) -> Result<TransferInputs, AppError> {
    let number = |name: &str, required: bool| -> Result<Option<f64>, AppError> {
        match fields.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            None if required => Err(AppError::Invalid(format!("{name}: a value is required"))),
            None => Ok(None),
            Some(text) => text
                .parse::<f64>()
                .map(Some)
                .map_err(|_| AppError::Invalid(format!("{name}: '{text}' is not a number"))),
        }
    };
    Ok(TransferInputs {
        coefficient: number("coefficient", true)?.unwrap_or_default(),
        prohibited_rate: number("prohibited_rate", true)?.unwrap_or_default(),
        ranger_standard: number("ranger_standard", true)?.unwrap_or_default(),
        reward_rate: number("reward_rate", false)?.unwrap_or_default(),
        penalty_rate: number("penalty_rate", false)?.unwrap_or_default(),
        budget: number("budget_wan", false)?.map(|w| w * crate::allocate::builder::WAN),
        unit: number("unit_wan", false)?.map(|w| w * crate::allocate::builder::WAN),
    })
}

fn grant_view(g: &TransferGrant, coefficient: Option<f64>) -> GrantView {
    // gap × coefficient + prohibited + rangers ± adjustment = formula.
    let key = match coefficient {
        Some(c) => format!("{} × {c}", wan(g.gap)),
        None => wan(g.key_subsidy),
    };
    let sign = if g.adjustment < 0.0 { "−" } else { "+" };
    let explain = format!(
        "{key} + {} + {} {sign} {} = {}",
        wan(g.prohibited_subsidy),
        wan(g.ranger_subsidy),
        wan(g.adjustment.abs()),
        wan(g.formula)
    );
    GrantView {
        county: g.county.clone(),
        gap: wan(g.gap),
        key_subsidy: wan(g.key_subsidy),
        prohibited_subsidy: wan(g.prohibited_subsidy),
        ranger_subsidy: wan(g.ranger_subsidy),
        adjustment: wan(g.adjustment),
        formula: wan(g.formula),
        grant: wan(g.grant),
        explain,
    }
}

/// `POST /eco/transfer`: the rule's fields and a county file; each county's
/// grant with its components.
pub async fn transfer_run(page: Page, multipart: Multipart) -> PageResult {
    let unsupported = |name: &str, _: &str| format!("{name}: upload a .csv or .xlsx county file");
    let received = page.receive(multipart, &["csv", "xlsx"], unsupported).await?;
    let mut view = TransferView {
        fields: received.fields.iter().filter(|(k, _)| *k != "csrf").map(|(k, v)| (k.clone(), v.clone())).collect(),
        grants: Vec::new(),
        totals: None,
        problem: None,
        problems: Vec::new(),
        csrf: page.csrf(),
    };
    let result = async {
        let inputs = transfer_inputs(&received.fields)?;
        let staged = received.file.as_ref().ok_or_else(|| AppError::Invalid("choose a county file".into()))?;
        revita_app::eco::transfer_file(&staged.path, &inputs).await.map_err(|e| match e {
            AppError::Invalid(reason) => {
                AppError::Invalid(reason.replace(&staged.path.display().to_string(), &staged.name))
            }
            other => other,
        })
    }
    .await;
    let status = match result {
        Ok(grants) => {
            let sum = |f: &dyn Fn(&TransferGrant) -> f64| grants.iter().map(f).sum::<f64>();
            let total = TransferGrant {
                county: page.t("total").into(),
                gap: sum(&|g| g.gap),
                key_subsidy: sum(&|g| g.key_subsidy),
                prohibited_subsidy: sum(&|g| g.prohibited_subsidy),
                ranger_subsidy: sum(&|g| g.ranger_subsidy),
                base: sum(&|g| g.base),
                adjustment: sum(&|g| g.adjustment),
                formula: sum(&|g| g.formula),
                grant: sum(&|g| g.grant),
            };
            let coefficient = transfer_inputs(&received.fields).ok().map(|i| i.coefficient);
            view.grants = grants.iter().map(|g| grant_view(g, coefficient)).collect();
            view.totals = Some(grant_view(&total, None));
            StatusCode::OK
        }
        Err(AppError::Rejected { problems, .. }) => {
            let staged = received.file.as_ref();
            let (stored, name) =
                staged.map_or((String::new(), String::new()), |s| (s.path.display().to_string(), s.name.clone()));
            view.problem = Some(page.t("eco_nothing_imported").into());
            view.problems = problems
                .errors
                .iter()
                .map(|e| FileProblem {
                    row: e.row,
                    column: e.column.clone().unwrap_or_default(),
                    reason: if stored.is_empty() { e.reason.clone() } else { e.reason.replace(&stored, &name) },
                })
                .collect();
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(AppError::Invalid(reason)) => {
            view.problem = Some(reason);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) => return Err(e.into()),
    };
    page.render_with(status, "eco_transfer.html", page.t("eco_transfer"), view)
}
