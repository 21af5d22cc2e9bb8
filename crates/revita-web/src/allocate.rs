//! Fund allocation in the browser and the API: an allocation spec (JSON)
//! and a year in; each region's factor values, parts, limits and amount
//! out, with the workbook whose formulas show the working. Like a
//! designation run it changes nothing, so it is a GET.

use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Extension, Json};
use minijinja::{Value, context};
use revita_app::allocate::{AllocationRun, AllocationSpec};
use revita_app::export::ExportFormat;
use revita_app::{AppError, AppResult};
use serde::Deserialize;

use crate::error::ApiError;
use crate::request_id::RequestId;
use crate::state::WebState;
use crate::views::{PageContext, html, render};

/// The spec the form starts from: the shipped example over the demo data.
const EXAMPLE_SPEC: &str = include_str!("../../../data/specs/fund-factor-method.json");

/// An allocation's parameters, from the query string.
#[derive(Debug, Deserialize)]
pub struct AllocateParams {
    spec: Option<String>,
    /// Text: an empty form field means none.
    year: Option<String>,
}

/// Runs the spec over the regions the viewer may read.
async fn run(
    state: &WebState,
    viewer: Option<&crate::auth::Viewer>,
    params: &AllocateParams,
) -> AppResult<AllocationRun> {
    let spec = AllocationSpec::from_json(params.spec.as_deref().unwrap_or_default())?;
    let year = params
        .year
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::Invalid("give the year of the factors".into()))?;
    let year: i32 = year.parse().map_err(|_| AppError::Invalid(format!("'{year}' is not a year")))?;
    let visible = state.visible(viewer).await?;
    state.app.allocate(&spec, year, &visible).await
}

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

/// `GET /allocate`: the form, and with `spec` and `year` the allocation.
pub async fn allocate_page(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(params): Query<AllocateParams>,
) -> Response {
    let path = raw.as_deref().map_or("/allocate".to_string(), |q| format!("/allocate?{q}"));
    let ctx = PageContext::new(&headers, path).viewer(viewer.as_deref());
    let mut values = context! {
        spec => params.spec.clone().unwrap_or_else(|| EXAMPLE_SPEC.to_string()),
        year => params.year.clone().unwrap_or_else(|| "2020".into()),
        run_query => raw.clone().unwrap_or_default(),
    };
    if params.spec.is_some() {
        match run(&state, viewer.as_deref(), &params).await {
            Ok(allocation) => values = context! { allocation => view(&allocation), ..values },
            Err(AppError::Invalid(message) | AppError::NotFound(message)) => {
                values = context! { problem => message, ..values };
            }
            Err(e) => return crate::kit::error_page(&state, &ctx, e, &id),
        }
    }
    match render(&state.templates, "allocate.html", &ctx, ctx.t("fund_allocation"), values) {
        Ok(body) => html(StatusCode::OK, body),
        Err(e) => {
            crate::kit::error_page(&state, &ctx, AppError::Internal(anyhow::anyhow!("allocate.html: {e:#}")), &id)
        }
    }
}

/// The allocation for the template, amounts formatted.
fn view(run: &AllocationRun) -> Value {
    let optional = |v: Option<f64>| v.map(money).unwrap_or_default();
    context! {
        spec => run.spec.clone(),
        year => run.year,
        total => money(run.total),
        factors => run.factors.iter().zip(&run.weights).map(|(f, w)| format!("{f} ({w})")).collect::<Vec<_>>(),
        scenarios => run.scenarios.clone(),
        rows => run.rows.iter().map(|r| context! {
            code => r.code.clone(),
            name => r.name.clone(),
            parts => r.parts.iter().map(|p| money(*p)).collect::<Vec<_>>(),
            formula => money(r.formula),
            floor => optional(r.floor),
            cap => optional(r.cap),
            amount => money(r.amount),
            previous => optional(r.previous),
            change => r.change_pct.map(|c| format!("{c:+.1}%")).unwrap_or_default(),
            scenarios => r.scenarios.iter().map(|s| money(*s)).collect::<Vec<_>>(),
        }).collect::<Vec<_>>(),
        excluded => run.excluded.iter().map(|e| format!("{} {}: {}", e.code, e.name, e.reason)).collect::<Vec<_>>(),
        notes => run.notes.clone(),
    }
}

/// `GET /allocate.xlsx` (formulas kept) and `/allocate.csv`.
async fn download(
    state: WebState,
    id: RequestId,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    params: AllocateParams,
    format: ExportFormat,
) -> Response {
    let ctx = PageContext::new(&headers, "/allocate".into()).viewer(viewer.as_deref());
    let result = async {
        let allocation = run(&state, viewer.as_deref(), &params).await?;
        let bytes = allocation.bytes(format)?;
        Ok(crate::kit::attachment(bytes, format, &format!("allocation-{}", allocation.year)))
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(&state, &ctx, e, &id))
}

/// `GET /allocate.csv`.
pub async fn allocate_csv(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    Query(params): Query<AllocateParams>,
) -> Response {
    download(state, id, viewer, headers, params, ExportFormat::Csv).await
}

/// `GET /allocate.xlsx`.
pub async fn allocate_xlsx(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    Query(params): Query<AllocateParams>,
) -> Response {
    download(state, id, viewer, headers, params, ExportFormat::Xlsx).await
}

/// `GET /api/v1/allocate?spec=…&year=…`: the allocation as JSON.
pub async fn allocate_api(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    Query(params): Query<AllocateParams>,
) -> Result<Json<AllocationRun>, ApiError> {
    run(&state, Some(&viewer), &params).await.map(Json).map_err(|e| ApiError::new(e, &id.0))
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
