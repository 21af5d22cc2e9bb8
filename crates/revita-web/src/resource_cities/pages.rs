//! The register page and a city's dashboard (and its JSON twin).

use axum::Json;
use axum::extract::Path;
use revita_app::resource_cities::{Dashboard, Series};
use revita_methods::resource_city::CityType;
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::kit::{Api, Page, PageResult};

/// `resource_cities.html`.
#[derive(Serialize)]
struct ListView {
    cities: Vec<revita_app::resource_cities::City>,
    counts: Vec<(&'static str, usize)>,
    run: Option<String>,
    types: Vec<&'static str>,
    matrix: Vec<(&'static str, Vec<usize>)>,
    moved: Vec<(String, &'static str, &'static str)>,
}

/// `GET /resource-cities`.
pub async fn list_page(page: Page) -> PageResult {
    let register = page.app().resource_cities(&page.viewer()?.actor).await?;
    let types: Vec<&'static str> = CityType::ALL.iter().map(|t| t.as_str()).collect();
    let (run, matrix, moved) = match &register.latest_run {
        Some((name, t)) => (
            Some(name.clone()),
            types.iter().zip(t.counts.iter()).map(|(ty, row)| (*ty, row.to_vec())).collect(),
            t.moved.iter().map(|(code, from, to)| (code.clone(), from.as_str(), to.as_str())).collect(),
        ),
        None => (None, Vec::new(), Vec::new()),
    };
    let view = ListView {
        counts: register.counts.iter().map(|(t, n)| (t.as_str(), *n)).collect(),
        cities: register.cities,
        run,
        types,
        matrix,
        moved,
    };
    page.render("resource_cities.html", page.t("rc_title"), view)
}

/// A series, formatted.
#[derive(Serialize)]
struct SeriesRow {
    indicator: String,
    name: String,
    unit: String,
    years: Vec<i32>,
    values: Vec<String>,
    latest: String,
    change: String,
    /// `better`, `worse` or none (neutral, or no change).
    trend: Option<&'static str>,
    targets: Vec<(i64, String, i32, String, Option<String>)>,
    chart: String,
}

fn series_row(s: &Series) -> SeriesRow {
    let first = s.values.first().map_or(0.0, |(_, v)| *v);
    let last = s.values.last().map_or(0.0, |(_, v)| *v);
    let change = last - first;
    let trend = match s.higher_is_better {
        Some(up) if change != 0.0 => Some(if (change > 0.0) == up { "better" } else { "worse" }),
        _ => None,
    };
    // The city's line, and each plan target as a dashed line from its
    // baseline to its target.
    let mut lines = vec![revita_report::chart::Series {
        label: s.name.clone(),
        points: s.values.iter().map(|(y, v)| (f64::from(*y), *v)).collect(),
        reference: false,
    }];
    for t in &s.targets {
        lines.push(revita_report::chart::Series {
            label: t.plan_title.clone(),
            points: vec![(f64::from(t.baseline_year), t.baseline), (f64::from(t.target_year), t.target)],
            reference: true,
        });
    }
    let chart = revita_report::chart::line_chart(&revita_report::chart::LineChart {
        title: s.name.clone(),
        unit: s.unit.clone(),
        series: lines,
    });
    SeriesRow {
        indicator: s.indicator.clone(),
        name: s.name.clone(),
        unit: s.unit.clone(),
        years: s.values.iter().map(|(y, _)| *y).collect(),
        values: s.values.iter().map(|(_, v)| format!("{v:.2}")).collect(),
        latest: format!("{last:.2}"),
        change: format!("{change:+.2}"),
        trend,
        targets: s
            .targets
            .iter()
            .map(|t| {
                (
                    t.plan_id,
                    t.plan_title.clone(),
                    t.target_year,
                    format!("{:.2}", t.target),
                    t.progress.map(|p| format!("{:.0}%", 100.0 * p)),
                )
            })
            .collect(),
        chart,
    }
}

/// `resource_city.html`.
#[derive(Serialize)]
struct CityView {
    code: String,
    name: String,
    city_type: Option<&'static str>,
    exhausted: bool,
    basis: String,
    themes: Vec<(&'static str, Vec<SeriesRow>)>,
}

async fn dashboard(
    page_actor: &revita_app::auth::Actor,
    app: &revita_app::App,
    code: &str,
) -> Result<Dashboard, revita_app::AppError> {
    let code =
        revita_methods::RegionCode::parse(code).map_err(|e| revita_app::AppError::Invalid(format!("code: {e}")))?;
    app.resource_city_dashboard(page_actor, &code).await
}

/// `GET /resource-cities/{code}`.
pub async fn city_page(page: Page, Path(code): Path<String>) -> PageResult {
    let d = dashboard(&page.viewer()?.actor, page.app(), &code).await?;
    let view = CityView {
        code: d.city.code.clone(),
        name: d.city.name.clone(),
        city_type: d.city.city_type.map(|t| t.as_str()),
        exhausted: d.city.exhausted,
        basis: d.city.basis.clone(),
        themes: d
            .themes
            .iter()
            .filter(|(_, s)| !s.is_empty())
            .map(|(t, s)| (t.as_str(), s.iter().map(series_row).collect()))
            .collect(),
    };
    let title = format!("{} — {}", d.city.name, page.t("rc_dashboard"));
    page.render("resource_city.html", &title, view)
}

/// `GET /api/v1/resource-cities/{code}`: the city's type and its
/// transformation indicators by theme, with the plans' targets.
pub async fn city_api(api: Api, Path(code): Path<String>) -> ApiResult<Value> {
    let d = dashboard(&api.viewer.actor, api.app(), &code).await?;
    let themes: serde_json::Map<String, Value> =
        d.themes.iter().map(|(t, s)| (t.as_str().to_string(), json!(s))).collect();
    Ok(Json(json!({ "city": d.city, "themes": themes })))
}
