//! The allocation form (JSON, or built from fields), its result in 万元
//! with totals, saved specs, and the downloads.

use std::collections::HashMap;

use axum::extract::{Form, Query, RawQuery};
use revita_app::AppError;
use revita_app::allocate::{AllocationRun, AllocationSpec};
use revita_app::export::ExportFormat;
use revita_app::specs::SpecKind;
use serde::Serialize;

use super::builder::{AllocationForm, WAN};
use super::{AllocateParams, run};
use crate::i18n::Lang;
use crate::kit::{Page, PageResult};

/// The spec the form starts from: the shipped example over the demo data.
const EXAMPLE_SPEC: &str = include_str!("../../../../data/specs/fund-factor-method.json");

/// Formats an amount with thousands separators (yuan, no decimals).
fn money(amount: f64) -> String {
    let whole = format!("{:.0}", amount.abs());
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if amount < 0.0 { format!("-{grouped}") } else { grouped }
}

/// An amount in 万元: grouped by thousands, always two decimals (0.01 万元
/// is a hundred yuan, the precision budgets are written to).
pub(crate) fn wan(amount: f64) -> String {
    let cents = (amount / WAN * 100.0).round();
    let whole = money((cents / 100.0).trunc());
    let fraction = (cents.abs() % 100.0) as u32;
    let sign = if cents < 0.0 && whole == "0" { "-" } else { "" };
    format!("{sign}{whole}.{fraction:02}")
}

/// One region's allocation, amounts formatted.
#[derive(Serialize)]
struct AllocationRowView {
    code: String,
    name: String,
    parts: Vec<String>,
    formula: String,
    floor: String,
    cap: String,
    amount: String,
    previous: String,
    change: String,
    scenarios: Vec<String>,
}

/// An allocation, amounts formatted in 万元 (the table) and yuan (the
/// total, as the spec gives it).
#[derive(Serialize)]
struct AllocationView {
    spec: String,
    year: i32,
    total: String,
    total_yuan: String,
    factors: Vec<String>,
    scenarios: Vec<String>,
    rows: Vec<AllocationRowView>,
    /// The column sums, as the rows are formatted.
    totals: AllocationRowView,
    excluded: Vec<String>,
    notes: Vec<String>,
}

/// `allocate.html`.
#[derive(Serialize)]
struct AllocateView {
    spec: String,
    year: String,
    run_query: String,
    allocation: Option<AllocationView>,
    problem: Option<String>,
    /// The allocation form, as last submitted.
    builder: AllocationForm,
    builder_open: bool,
    /// Indicators to pick from: code and label.
    indicators: Vec<(String, String)>,
    csrf: String,
    #[serde(flatten)]
    saved: crate::saved::SavedPart,
}

/// `GET /allocate`: the form, and with `spec` (or the allocation form's
/// fields, or a saved spec) and `year` the allocation.
pub async fn allocate_page(
    page: Page,
    RawQuery(raw): RawQuery,
    Query(mut params): Query<AllocateParams>,
    Query(fields): Query<HashMap<String, String>>,
) -> PageResult {
    allocate_with(page, raw.unwrap_or_default(), &mut params, &fields, None).await
}

/// The allocation page for a query; `refused` is the save form refused.
async fn allocate_with(
    page: Page,
    raw: String,
    params: &mut AllocateParams,
    fields: &HashMap<String, String>,
    refused: Option<(String, crate::saved::SaveForm)>,
) -> PageResult {
    let builder = fields.contains_key("build").then(|| AllocationForm::from_query(fields));
    let mut problem = None;
    if let Some(form) = &builder {
        match form.spec() {
            Ok(spec) => params.spec = Some(serde_json::to_string_pretty(&spec).unwrap_or_default()),
            Err(AppError::Invalid(reason)) => problem = Some(reason),
            Err(e) => return Err(e.into()),
        }
    }
    let saved = crate::saved::requested(&page, fields).await?;
    if let Some(saved) = &saved
        && params.spec.is_none()
    {
        params.spec = Some(saved.spec.clone());
    }
    let lang = page.lang();
    let indicators = page.app().indicators().await?;
    let mut view = AllocateView {
        spec: params.spec.clone().unwrap_or_else(|| EXAMPLE_SPEC.to_string()),
        year: params.year.clone().unwrap_or_else(|| "2020".into()),
        run_query: raw,
        allocation: None,
        problem,
        builder_open: builder.is_some(),
        builder: builder.unwrap_or_default().padded(),
        indicators: indicators
            .iter()
            .map(|i| {
                let name = lang.name(&i.name_zh, i.name_en.as_deref());
                (i.code.to_string(), format!("{name} ({})", lang.unit(&i.unit)))
            })
            .collect(),
        csrf: page.csrf(),
        saved: crate::saved::part(&page, SpecKind::Allocation, "/allocate", saved.as_ref(), refused).await?,
    };
    if params.spec.is_some() && view.problem.is_none() {
        match run(&page.state, page.viewer.as_ref(), params).await {
            Ok(allocation) => {
                let spec = AllocationSpec::from_json(params.spec.as_deref().unwrap_or_default()).ok();
                view.allocation = Some(allocation_view(&allocation, spec.as_ref(), &indicators, lang, &page));
            }
            // A spec that does not fit shows its problem above the form.
            Err(AppError::Invalid(message) | AppError::NotFound(message)) => view.problem = Some(message),
            Err(e) => return Err(e.into()),
        }
    }
    page.render("allocate.html", page.t("fund_allocation"), view)
}

/// The allocation as the page shows it: amounts in 万元, each factor named
/// with its indicator in the reader's language and its weight in percent,
/// and a row of totals.
fn allocation_view(
    run: &AllocationRun,
    spec: Option<&AllocationSpec>,
    indicators: &[revita_methods::Indicator],
    lang: Lang,
    page: &Page,
) -> AllocationView {
    let optional = |v: Option<f64>| v.map(wan).unwrap_or_default();
    let indicator_name = |code: &str| {
        indicators.iter().find(|i| i.code.as_str() == code).map(|i| lang.name(&i.name_zh, i.name_en.as_deref()))
    };
    let factors = run
        .factors
        .iter()
        .zip(&run.weights)
        .enumerate()
        .map(|(i, (name, weight))| {
            let factor = spec.and_then(|s| s.factors.get(i));
            let measured = factor.and_then(|f| f.indicator.as_deref()).and_then(indicator_name);
            let only = factor.and_then(|f| f.only_designated.as_deref()).map(|c| {
                revita_methods::DesignationCategory::parse(c)
                    .map(|c| if lang == Lang::Zh { c.name_zh().to_string() } else { c.name_en().to_string() })
                    .unwrap_or_else(|_| c.to_string())
            });
            let mut label = name.clone();
            if let Some(measured) = measured.filter(|m| !m.eq_ignore_ascii_case(name)) {
                label = format!("{label} · {measured}");
            }
            if let Some(only) = only {
                label = format!("{label} ({}{only})", page.t("only_where"));
            }
            format!("{label} {}", revita_report::svg::format_number(weight * 100.0, 0) + "%")
        })
        .collect();
    let rows: Vec<AllocationRowView> = run
        .rows
        .iter()
        .map(|r| AllocationRowView {
            code: r.code.clone(),
            name: r.name.clone(),
            parts: r.parts.iter().map(|p| wan(*p)).collect(),
            formula: wan(r.formula),
            floor: optional(r.floor),
            cap: optional(r.cap),
            amount: wan(r.amount),
            previous: optional(r.previous),
            change: r.change_pct.map(|c| format!("{c:+.1}%")).unwrap_or_default(),
            scenarios: r.scenarios.iter().map(|s| wan(*s)).collect(),
        })
        .collect();
    let sum = |f: &dyn Fn(&revita_app::allocate::AllocationRow) -> f64| run.rows.iter().map(f).sum::<f64>();
    let previous = run.rows.iter().filter_map(|r| r.previous).sum::<f64>();
    let amount = sum(&|r| r.amount);
    let totals = AllocationRowView {
        code: String::new(),
        name: page.t("total").to_string(),
        parts: (0..run.factors.len()).map(|i| wan(sum(&|r| r.parts.get(i).copied().unwrap_or(0.0)))).collect(),
        formula: wan(sum(&|r| r.formula)),
        floor: String::new(),
        cap: String::new(),
        amount: wan(amount),
        previous: if previous > 0.0 { wan(previous) } else { String::new() },
        change: if previous > 0.0 { format!("{:+.1}%", (amount / previous - 1.0) * 100.0) } else { String::new() },
        scenarios: (0..run.scenarios.len())
            .map(|i| wan(sum(&|r| r.scenarios.get(i).copied().unwrap_or(0.0))))
            .collect(),
    };
    AllocationView {
        spec: run.spec.clone(),
        year: run.year,
        total: wan(run.total),
        total_yuan: money(run.total),
        factors,
        scenarios: run.scenarios.clone(),
        rows,
        totals,
        excluded: run.excluded.iter().map(|e| format!("{} {}: {}", e.code, e.name, e.reason)).collect(),
        notes: run.notes.clone(),
    }
}

/// `POST /allocate/specs`: saves the spec as the next version under its
/// name (audited) and opens it; refused, the page shows why on the save
/// form, with what was typed.
pub async fn allocate_save(page: Page, Form(form): Form<crate::saved::SaveForm>) -> PageResult {
    let page = page.at("/allocate");
    match crate::saved::save(&page, SpecKind::Allocation, &form).await? {
        Ok(saved) => page.see_other(&crate::saved::link("/allocate", &saved, form.year.as_deref())),
        Err(reason) => {
            let mut params = AllocateParams { spec: Some(form.spec.clone()), year: form.year.clone() };
            let refused = Some((reason, form));
            let mut response = allocate_with(page, String::new(), &mut params, &HashMap::new(), refused).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

/// The allocation as a workbook (formulas kept) or CSV.
async fn download(page: Page, params: AllocateParams, format: ExportFormat) -> PageResult {
    let allocation = run(&page.state, page.viewer.as_ref(), &params).await?;
    let bytes = allocation.bytes(format)?;
    Ok(crate::kit::attachment(bytes, format, &format!("allocation-{}", allocation.year)))
}

/// `GET /allocate.csv`.
pub async fn allocate_csv(page: Page, Query(params): Query<AllocateParams>) -> PageResult {
    download(page, params, ExportFormat::Csv).await
}

/// `GET /allocate.xlsx`.
pub async fn allocate_xlsx(page: Page, Query(params): Query<AllocateParams>) -> PageResult {
    download(page, params, ExportFormat::Xlsx).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn amounts_are_grouped_by_thousands() {
        assert_eq!(super::money(2_000_000_000.0), "2,000,000,000");
        assert_eq!(super::money(750_000.0), "750,000");
        assert_eq!(super::money(999.4), "999");
        assert_eq!(super::money(-1234.0), "-1,234");
    }

    #[test]
    fn amounts_in_wan_keep_two_decimals() {
        assert_eq!(super::wan(2_000_000_000.0), "200,000.00");
        assert_eq!(super::wan(750_000.0), "75.00");
        assert_eq!(super::wan(12_345.0), "1.23");
        assert_eq!(super::wan(-5_000.0), "-0.50");
        assert_eq!(super::wan(-123_456_700.0), "-12,345.67");
    }
}
