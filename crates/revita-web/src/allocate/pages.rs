//! The allocation form and its result, with downloads.

use axum::extract::{Query, RawQuery};
use revita_app::AppError;
use revita_app::allocate::AllocationRun;
use revita_app::export::ExportFormat;
use serde::Serialize;

use super::{AllocateParams, run};
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

/// An allocation, amounts formatted (yuan).
#[derive(Serialize)]
struct AllocationView {
    spec: String,
    year: i32,
    total: String,
    factors: Vec<String>,
    scenarios: Vec<String>,
    rows: Vec<AllocationRowView>,
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
}

/// `GET /allocate`: the form, and with `spec` and `year` the allocation.
pub async fn allocate_page(page: Page, RawQuery(raw): RawQuery, Query(params): Query<AllocateParams>) -> PageResult {
    let mut view = AllocateView {
        spec: params.spec.clone().unwrap_or_else(|| EXAMPLE_SPEC.to_string()),
        year: params.year.clone().unwrap_or_else(|| "2020".into()),
        run_query: raw.unwrap_or_default(),
        allocation: None,
        problem: None,
    };
    if params.spec.is_some() {
        match run(&page.state, page.viewer.as_ref(), &params).await {
            Ok(allocation) => view.allocation = Some(allocation_view(&allocation)),
            // A spec that does not fit shows its problem above the form.
            Err(AppError::Invalid(message) | AppError::NotFound(message)) => view.problem = Some(message),
            Err(e) => return Err(e.into()),
        }
    }
    page.render("allocate.html", page.t("fund_allocation"), view)
}

fn allocation_view(run: &AllocationRun) -> AllocationView {
    let optional = |v: Option<f64>| v.map(money).unwrap_or_default();
    AllocationView {
        spec: run.spec.clone(),
        year: run.year,
        total: money(run.total),
        factors: run.factors.iter().zip(&run.weights).map(|(f, w)| format!("{f} ({w})")).collect(),
        scenarios: run.scenarios.clone(),
        rows: run
            .rows
            .iter()
            .map(|r| AllocationRowView {
                code: r.code.clone(),
                name: r.name.clone(),
                parts: r.parts.iter().map(|p| money(*p)).collect(),
                formula: money(r.formula),
                floor: optional(r.floor),
                cap: optional(r.cap),
                amount: money(r.amount),
                previous: optional(r.previous),
                change: r.change_pct.map(|c| format!("{c:+.1}%")).unwrap_or_default(),
                scenarios: r.scenarios.iter().map(|s| money(*s)).collect(),
            })
            .collect(),
        excluded: run.excluded.iter().map(|e| format!("{} {}: {}", e.code, e.name, e.reason)).collect(),
        notes: run.notes.clone(),
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
}
