//! The HTML pages, named `resource_action`: each parses its request, calls
//! use cases, and renders one template with a context of display-ready
//! values (names in the page's language, numbers formatted).

use axum::Extension;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Value;
use revita_app::{AppError, AppResult};
use revita_methods::{DesignationCategory, Period};
use revita_report::chart::{Histogram, LineChart, Series, histogram, line_chart};
use revita_report::svg::{decimals_for, format_number};
use serde::Deserialize;

use crate::i18n::Lang;
use crate::maps::MapParams;
use crate::request_id::RequestId;
use crate::state::WebState;
use crate::views::{PageContext, html, render};

/// Renders a page, or the error page if rendering fails.
fn page(state: &WebState, ctx: &PageContext, template: &str, title: &str, values: Value, id: &RequestId) -> Response {
    match render(&state.templates, template, ctx, title, values) {
        Ok(body) => html(StatusCode::OK, body),
        Err(e) => error_page(state, ctx, AppError::Internal(anyhow::anyhow!("template {template}: {e:#}")), id),
    }
}

/// Renders a page as a 200 response, or the template's failure as an
/// internal error (for handlers that answer with `AppResult`).
pub(crate) fn rendered(
    state: &WebState,
    ctx: &PageContext,
    template: &str,
    title: &str,
    values: Value,
) -> revita_app::AppResult<Response> {
    render(&state.templates, template, ctx, title, values)
        .map(|body| html(StatusCode::OK, body))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template {template}: {e:#}")))
}

/// The HTML error page: 404, 400 and 409 say what was wrong, 500 says only that
/// something was; all show the request id.
pub fn error_page(state: &WebState, ctx: &PageContext, error: AppError, id: &RequestId) -> Response {
    let (status, _) = crate::error::classify(&error);
    let (heading, message) = match &error {
        AppError::NotFound(what) => (ctx.t("error_not_found"), what.to_string()),
        AppError::Unauthorized(m) => (ctx.t("error_unauthorized"), m.clone()),
        AppError::Forbidden(m) => (ctx.t("error_forbidden"), m.clone()),
        AppError::Invalid(m) => (ctx.t("error_bad_request"), m.clone()),
        AppError::Conflict(m) => (ctx.t("error_conflict"), m.clone()),
        AppError::Rejected { problems, .. } => (ctx.t("error_bad_request"), problems.to_string()),
        AppError::Busy => (ctx.t("error_busy"), ctx.t("error_busy_message").to_string()),
        AppError::Internal(e) => {
            tracing::error!(request_id = %id.0, error = ?e, "internal error");
            (ctx.t("error_internal"), String::new())
        }
    };
    let values = context! { heading => heading, message => message, request_id => id.0.clone() };
    let mut response = match render(&state.templates, "error.html", ctx, heading, values) {
        Ok(body) => html(status, body),
        Err(_) => (status, format!("{heading} ({})", id.0)).into_response(),
    };
    if matches!(error, AppError::Busy) {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static(crate::error::RETRY_AFTER_SECONDS),
        );
    }
    response
}

fn path_of(path: &str, query: &Option<String>) -> String {
    match query {
        Some(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_string(),
    }
}

/// Respond with the page, or its error page.
fn respond(state: &WebState, ctx: &PageContext, id: &RequestId, result: AppResult<Response>) -> Response {
    result.unwrap_or_else(|e| error_page(state, ctx, e, id))
}

/// `GET /`: the map.
pub async fn home_show(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(params): Query<MapParams>,
) -> Response {
    let ctx = PageContext::new(&headers, path_of("/", &raw)).viewer(viewer.as_deref());
    let result = async {
        let visible = state.visible(viewer.as_deref()).await?;
        let settings = state.map_settings(&params, &visible).await?;
        let map = state.map(&settings, ctx.lang, 860.0, &visible).await?;
        let lang = ctx.lang;
        let indicators = state.app.indicators().await?;
        let indicator_options: Vec<Value> = indicators
            .iter()
            .map(|i| context! { code => i.code.to_string(), name => lang.name(&i.name_zh, i.name_en.as_deref()) })
            .collect();
        let categories: Vec<Value> = DesignationCategory::built_in()
            .map(|c| context! { code => c.as_str(), name => if lang == Lang::En { c.name_en() } else { c.name_zh() } })
            .collect();
        let provinces: Vec<Value> = state
            .app
            .regions_at_level("province")
            .await?
            .iter()
            .filter(|r| visible.covers(&r.code))
            .map(|r| context! { code => r.code.to_string(), name => lang.name(&r.name_zh, r.name_en.as_deref()) })
            .collect();
        let levels: Vec<Value> = ["province", "prefecture", "county"]
            .iter()
            .map(|l| context! { code => *l, name => lang.t(&format!("level_{l}")) })
            .collect();
        let (kind, subject) = settings.theme.split_once(':').unwrap_or(("indicator", ""));
        let figures: Vec<Value> = map.figures.iter().map(|(l, v)| context! { label => l, value => v }).collect();
        let alerts = match viewer.as_deref().filter(|v| !v.anonymous) {
            Some(v) => Some(crate::monitoring::home_alerts(&state, v, &visible).await?),
            None => None,
        };
        let values = context! {
            alerts => alerts,
            heading => map.title.clone(),
            map_svg => map.svg.clone(),
            map_rows => minijinja::value::Serde(map.rows.clone()),
            source => map.source.clone(),
            synthetic => map.synthetic,
            figures => figures,
            indicators => indicator_options,
            categories => categories,
            provinces => provinces,
            levels => levels,
            selected_indicator => if kind == "indicator" { subject } else { "" },
            selected_category => if kind == "designation" { subject } else { "" },
            periods => map.periods.clone(),
            period => map.period.clone(),
            level => settings.level.clone(),
            within => settings.within.as_ref().map(|w| w.to_string()),
            classes => settings.classes,
            method => settings.method.clone(),
        };
        Ok(page(&state, &ctx, "home.html", &map.title, values, &id))
    };
    respond(&state, &ctx, &id, result.await)
}

/// `GET /maps/map.svg`: the same map as a standalone SVG.
pub async fn map_svg(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    Query(params): Query<MapParams>,
) -> Response {
    let ctx = PageContext::new(&headers, "/".into()).viewer(viewer.as_deref());
    let result = async {
        let visible = state.visible(viewer.as_deref()).await?;
        let settings = state.map_settings(&params, &visible).await?;
        let map = state.map(&settings, ctx.lang, 860.0, &visible).await?;
        Ok((
            [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")],
            map.svg.clone(),
        )
            .into_response())
    };
    respond(&state, &ctx, &id, result.await)
}

#[derive(Deserialize)]
pub struct SearchParams {
    q: Option<String>,
}

/// `GET /regions`: search, or the list of provinces.
pub async fn region_index(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(params): Query<SearchParams>,
) -> Response {
    let ctx = PageContext::new(&headers, path_of("/regions", &raw)).viewer(viewer.as_deref());
    let result = async {
        let lang = ctx.lang;
        let query = params.q.clone().unwrap_or_default().trim().to_string();
        let visible = state.visible(viewer.as_deref()).await?;
        let regions = if query.is_empty() {
            // A user with a jurisdiction starts from it.
            state.app.starting_regions(&visible).await?
        } else {
            state.app.search(&query, 50, &visible).await?
        };
        // A search for an exact code or a unique name goes straight to the region.
        if !query.is_empty() && regions.len() == 1 {
            return Ok(Redirect::to(&format!("/regions/{}", regions[0].code)).into_response());
        }
        let mut results = Vec::new();
        for r in &regions {
            let parent_name = match &r.parent {
                Some(p) => {
                    state.app.find_region(p).await?.map(|p| lang.name(&p.name_zh, p.name_en.as_deref()).to_string())
                }
                None => None,
            };
            results.push(context! {
                code => r.code.to_string(),
                name => lang.name(&r.name_zh, r.name_en.as_deref()),
                level => lang.t(&format!("level_{}", r.level)),
                parent_name => parent_name,
            });
        }
        let heading = if query.is_empty() { ctx.t("nav_regions") } else { ctx.t("search_regions") };
        let values = context! { heading => heading, query => query, results => results };
        Ok(page(&state, &ctx, "regions.html", heading, values, &id))
    };
    respond(&state, &ctx, &id, result.await)
}

fn number(v: f64) -> String {
    format_number(v, decimals_for(v))
}

/// `GET /regions/{code}`: the region profile.
pub async fn region_show(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let ctx = PageContext::new(&headers, format!("/regions/{code}")).viewer(viewer.as_deref());
    let result = async {
        let lang = ctx.lang;
        let code = state.app.parse_region_code(&code)?;
        let visible = state.readable(viewer.as_deref(), &code).await?;
        let profile = state.profile(&code, &visible).await?;
        let region = &profile.detail.region;
        let name = lang.name(&region.name_zh, region.name_en.as_deref()).to_string();
        let ancestors: Vec<Value> = profile
            .detail
            .ancestors
            .iter()
            .filter(|a| visible.covers(&a.code))
            .map(|a| context! { code => a.code.to_string(), name => lang.name(&a.name_zh, a.name_en.as_deref()) })
            .collect();
        let today = revita_methods::Date::first_of_year(9999);
        let designations: Vec<Value> = profile
            .detail
            .designations
            .iter()
            .map(|d| {
                let state_key = if d.valid_to.is_none_or(|t| t >= today) { "current" } else { "ended" };
                context! {
                    category => if lang == Lang::En { d.category.name_en() } else { d.category.name_zh() },
                    class => d.class.clone(),
                    state => state_key,
                    from => d.valid_from.map(|x| lang.date(x)).unwrap_or_else(|| "?".into()),
                    to => d.valid_to.map(|x| lang.date(x)).unwrap_or_else(|| "…".into()),
                    basis => match &d.basis.number { Some(n) => format!("{} ({n})", d.basis.title), None => d.basis.title.clone() },
                    notes => d.notes.clone().unwrap_or_default(),
                }
            })
            .collect();
        let mut pairings = Vec::new();
        for p in &profile.detail.pairings {
            let (partner, role) =
                if p.donor == code { (&p.recipient, "gives_assistance") } else { (&p.donor, "receives_assistance") };
            let partner_name = match state.app.find_region(partner).await? {
                Some(r) => lang.name(&r.name_zh, r.name_en.as_deref()).to_string(),
                None => partner.to_string(),
            };
            pairings.push(context! {
                program => p.program.clone(),
                partner_code => partner.to_string(),
                partner => partner_name,
                role => role,
                since => p.start_year.map(|y| y.to_string()).unwrap_or_default(),
                notes => p.notes.clone().unwrap_or_default(),
            });
        }
        let series: Vec<Value> = profile.series.iter().map(|s| series_view(lang, &name, s)).collect();
        let child_columns: Vec<String> = profile
            .child_columns
            .iter()
            .map(|(i, p)| format!("{} ({p})", lang.name(&i.name_zh, i.name_en.as_deref())))
            .collect();
        let children: Vec<Value> = profile
            .children
            .iter()
            .map(|row| {
                let values: Vec<Value> = row
                    .values
                    .iter()
                    .map(|v| context! { raw => v.map(|v| v.to_string()).unwrap_or_default(), text => v.map(number).unwrap_or_else(|| "–".into()) })
                    .collect();
                context! { code => row.region.code.to_string(), name => lang.name(&row.region.name_zh, row.region.name_en.as_deref()), values => values }
            })
            .collect();
        let children_map = match (profile.children.first(), profile.child_columns.first()) {
            (Some(child), Some((indicator, period))) => {
                let params = MapParams {
                    theme: Some(format!("indicator:{}", indicator.code)),
                    period: Some(period.clone()),
                    level: Some(child.region.level.clone()),
                    within: Some(code.to_string()),
                    ..Default::default()
                };
                let settings = state.map_settings(&params, &visible).await?;
                let map = state.map(&settings, lang, 640.0, &visible).await?;
                map.svg.contains("<path ").then(|| map.svg.clone())
            }
            _ => None,
        };
        let values = context! {
            region => context! { code => code.to_string(), name => name.clone(), level => lang.t(&format!("level_{}", region.level)) },
            ancestors => ancestors,
            designations => designations,
            pairings => pairings,
            series => series,
            child_columns => child_columns,
            children => children,
            children_map => children_map,
        };
        Ok(page(&state, &ctx, "region.html", &name, values, &id))
    };
    respond(&state, &ctx, &id, result.await)
}

fn series_view(lang: Lang, region_name: &str, s: &revita_app::profile::IndicatorSeries) -> Value {
    let indicator_name = lang.name(&s.indicator.name_zh, s.indicator.name_en.as_deref()).to_string();
    let unit = lang.unit(&s.indicator.unit);
    let year = |p: &Period| f64::from(p.year());
    let mut lines = vec![Series {
        label: region_name.to_string(),
        points: s.points.iter().map(|(p, v)| (year(p), *v)).collect(),
        reference: false,
    }];
    for (r, points) in &s.references {
        if !points.is_empty() {
            lines.push(Series {
                label: lang.name(&r.name_zh, r.name_en.as_deref()).to_string(),
                points: points.iter().map(|(p, v)| (year(p), *v)).collect(),
                reference: true,
            });
        }
    }
    let chart = line_chart(&LineChart { title: indicator_name.clone(), unit: unit.clone(), series: lines.clone() });
    let columns: Vec<String> = lines.iter().map(|l| l.label.clone()).collect();
    let mut periods: Vec<Period> = s
        .points
        .iter()
        .map(|(p, _)| *p)
        .chain(s.references.iter().flat_map(|(_, pts)| pts.iter().map(|(p, _)| *p)))
        .collect();
    periods.sort();
    periods.dedup();
    let rows: Vec<Vec<String>> = periods
        .iter()
        .map(|p| {
            let mut row = vec![p.to_string()];
            row.push(s.points.iter().find(|(q, _)| q == p).map(|(_, v)| number(*v)).unwrap_or_else(|| "–".into()));
            for (_, pts) in s.references.iter().filter(|(_, pts)| !pts.is_empty()) {
                row.push(pts.iter().find(|(q, _)| q == p).map(|(_, v)| number(*v)).unwrap_or_else(|| "–".into()));
            }
            row
        })
        .collect();
    let (period, latest) = s.points.last().map(|(p, v)| (p.to_string(), number(*v))).unwrap_or_default();
    context! {
        code => s.indicator.code.to_string(),
        name => indicator_name,
        unit => unit,
        period => period,
        latest => latest,
        standing => s.standing.map(|st| context! { rank => st.rank, of => st.of, percentile => format!("{:.0}", st.percentile) }),
        synthetic => s.synthetic,
        chart => chart,
        columns => columns,
        rows => rows,
        source => s.source.clone().unwrap_or_default(),
    }
}

async fn children_download(
    state: WebState,
    id: RequestId,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    code: String,
    format: revita_app::export::ExportFormat,
) -> Response {
    let ctx = PageContext::new(&headers, format!("/regions/{code}")).viewer(viewer.as_deref());
    let result = async {
        let code = state.app.parse_region_code(&code)?;
        state.readable(viewer.as_deref(), &code).await?;
        let bytes = revita_app::export::children_table(&state.app, &code, format).await?;
        Ok(attachment(bytes, format, &format!("{code}-children")))
    };
    respond(&state, &ctx, &id, result.await)
}

/// A table download: CSV or XLSX bytes as an attachment named `stem.ext`.
pub fn attachment(bytes: Vec<u8>, format: revita_app::export::ExportFormat, stem: &str) -> Response {
    let (mime, ext) = match format {
        revita_app::export::ExportFormat::Xlsx => {
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
        }
        _ => ("text/csv; charset=utf-8", "csv"),
    };
    let disposition = format!("attachment; filename=\"{stem}.{ext}\"");
    ([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

/// `GET /regions/{code}/children.csv`.
pub async fn region_children_csv(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    children_download(state, id, viewer, headers, code, revita_app::export::ExportFormat::Csv).await
}

/// `GET /regions/{code}/children.xlsx`.
pub async fn region_children_xlsx(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    children_download(state, id, viewer, headers, code, revita_app::export::ExportFormat::Xlsx).await
}

/// `GET /lang/{code}`: remembers the language and returns to the page.
pub async fn language_switch(Path(code): Path<String>, Query(params): Query<BackParams>) -> Response {
    let lang = Lang::parse(&code).unwrap_or(Lang::Zh);
    // Only local paths, so the switch cannot be used as an open redirect.
    let back = crate::redirect::local_or_home(params.back);
    let cookie = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly", lang.code());
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

#[derive(Deserialize)]
pub struct BackParams {
    back: Option<String>,
}

/// `GET /indicators`: the catalogue.
pub async fn indicator_index(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
) -> Response {
    let ctx = PageContext::new(&headers, "/indicators".into()).viewer(viewer.as_deref());
    let result = async {
        let lang = ctx.lang;
        let indicators: Vec<Value> = state
            .app
            .indicators()
            .await?
            .iter()
            .map(|i| {
                context! {
                    code => i.code.to_string(),
                    name => lang.name(&i.name_zh, i.name_en.as_deref()),
                    unit => lang.unit(&i.unit),
                    direction => i.direction.as_str(),
                    aggregation => i.aggregation.as_str(),
                    source => i.source.clone().unwrap_or_default(),
                }
            })
            .collect();
        Ok(page(&state, &ctx, "indicators.html", ctx.t("catalogue"), context! { indicators => indicators }, &id))
    };
    respond(&state, &ctx, &id, result.await)
}

/// `GET /indicators/{code}`: definition, coverage and distribution.
pub async fn indicator_show(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let ctx = PageContext::new(&headers, format!("/indicators/{code}")).viewer(viewer.as_deref());
    let result = async {
        let lang = ctx.lang;
        let indicator = state.app.indicator(&code).await?;
        let visible = state.visible(viewer.as_deref()).await?;
        let query = revita_app::ObservationQuery { indicator: Some(indicator.code.clone()), ..Default::default() };
        let observations = state.app.all_observations(&query, &visible).await?;
        let regions = state.app.regions().await?;
        let level_of: std::collections::HashMap<&str, &str> =
            regions.iter().map(|r| (r.code.as_str(), r.level.as_str())).collect();
        let levels: Vec<&str> = ["country", "province", "prefecture", "county", "township", "village"]
            .into_iter()
            .filter(|l| observations.iter().any(|o| level_of.get(o.region.as_str()) == Some(l)))
            .collect();
        let mut periods: Vec<Period> = observations.iter().map(|o| o.period).collect();
        periods.sort();
        periods.dedup();
        let coverage: Vec<Value> = periods
            .iter()
            .map(|p| {
                let counts: Vec<usize> = levels
                    .iter()
                    .map(|l| {
                        observations
                            .iter()
                            .filter(|o| o.period == *p && level_of.get(o.region.as_str()) == Some(l))
                            .count()
                    })
                    .collect();
                context! { period => p.to_string(), counts => counts }
            })
            .collect();
        // The distribution at the most detailed level of the latest period.
        let latest = periods.last().copied();
        let finest = levels.last().copied();
        const BINS: usize = 20;
        let (hist, bins) = match (latest, finest) {
            (Some(p), Some(l)) => {
                let values: Vec<f64> = observations
                    .iter()
                    .filter(|o| o.period == p && level_of.get(o.region.as_str()) == Some(&l))
                    .map(|o| o.value)
                    .collect();
                // The histogram's numbers as a table, its text alternative.
                let (min, max, counts) = revita_report::chart::bin_counts(&values, BINS);
                let width = (max - min) / BINS as f64;
                let decimals = decimals_for(max - min);
                let bins: Vec<Value> = counts
                    .iter()
                    .enumerate()
                    .map(|(i, n)| {
                        let from = format_number(min + width * i as f64, decimals);
                        let to = format_number(min + width * (i + 1) as f64, decimals);
                        context! { range => format!("{from} – {to}"), count => n }
                    })
                    .collect();
                let title = lang.name(&indicator.name_zh, indicator.name_en.as_deref()).to_string();
                let svg =
                    histogram(&Histogram { title, unit: lang.unit(&indicator.unit), values, bins: BINS, marker: None });
                (Some(svg), bins)
            }
            _ => (None, Vec::new()),
        };
        let name = lang.name(&indicator.name_zh, indicator.name_en.as_deref()).to_string();
        // The map of the latest period at province level, if provinces have data.
        let map = match (latest, levels.contains(&"province")) {
            (Some(p), true) => {
                let params = MapParams {
                    theme: Some(format!("indicator:{}", indicator.code)),
                    period: Some(p.to_string()),
                    ..Default::default()
                };
                let settings = state.map_settings(&params, &visible).await?;
                Some(state.map(&settings, lang, 640.0, &visible).await?.svg.clone())
            }
            _ => None,
        };
        let values = context! {
            map => map,
            indicator => context! {
                code => indicator.code.to_string(),
                name => name.clone(),
                unit => lang.unit(&indicator.unit),
                direction => indicator.direction.as_str(),
                aggregation => indicator.aggregation.as_str(),
                weight => indicator.aggregation.weight().map(|w| w.to_string()),
                description => indicator.description.clone().unwrap_or_default(),
                source => indicator.source.clone().unwrap_or_default(),
            },
            coverage_levels => levels.iter().map(|l| lang.t(&format!("level_{l}"))).collect::<Vec<_>>(),
            coverage => coverage,
            histogram => hist,
            bins => bins,
            period => latest.map(|p| p.to_string()),
            distribution_level => finest.map(|l| lang.t(&format!("level_{l}"))),
            distribution_level_code => finest,
        };
        Ok(page(&state, &ctx, "indicator.html", &name, values, &id))
    };
    respond(&state, &ctx, &id, result.await)
}

/// Fallback: 404 as a page (or JSON under /api).
pub async fn not_found(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::ApiError::new(AppError::NotFound(format!("endpoint {}", uri.path())), &id.0)
            .into_response();
    }
    let ctx = PageContext::new(&headers, uri.path().to_string()).viewer(viewer.as_deref());
    error_page(&state, &ctx, AppError::NotFound(uri.path().to_string()), &id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_internal_error_shows_the_request_id_and_hides_the_details() {
        let test = revita_testkit::TestStore::sqlite().await;
        let app = revita_app::App::new(test.store.clone(), &revita_app::Profile::China);
        let state = WebState {
            app,
            templates: std::sync::Arc::new(crate::views::environment()),
            maps: Default::default(),
            profiles: Default::default(),
            details: Default::default(),
            scopes: Default::default(),
            alerts: Default::default(),
            monitoring_pages: Default::default(),
            public: Default::default(),
            uploads: Default::default(),
        };
        let id = RequestId("abc-000042".into());
        for (lang, heading) in [("en", "Something went wrong on our side"), ("zh", "服务器内部错误")] {
            let mut headers = HeaderMap::new();
            headers.insert("cookie", format!("lang={lang}").parse().unwrap());
            let ctx = PageContext::new(&headers, "/".into());
            let error = AppError::Internal(anyhow::anyhow!("password=hunter2 at /srv/db"));
            let response = error_page(&state, &ctx, error, &id);
            assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
            let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
            let body = String::from_utf8(body.to_vec()).unwrap();
            assert!(body.contains(heading) && body.contains("abc-000042"), "{body}");
            assert!(!body.contains("hunter2") && !body.contains("/srv/db"));
        }
        test.finish().await;
    }
}
