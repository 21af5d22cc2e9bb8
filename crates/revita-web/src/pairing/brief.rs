//! The evidence brief on a region: a form, then the brief (gaps, trends,
//! convergence, years to close, recommendations, assistance received) with
//! a chart per indicator and a map of the subdivisions; the same as a PDF.

use axum::extract::Query;
use axum::http::header;
use axum::response::IntoResponse;
use revita_app::AppError;
use revita_app::brief::{Brief, recommendation_text};
use revita_methods::{IndicatorCode, RegionCode};
use revita_report::chart::{LineChart, Series, line_chart};
use serde::{Deserialize, Serialize};

use crate::allocate::wan;
use crate::i18n::Lang;
use crate::kit::{Page, PageResult, today};
use crate::maps::MapParams;

/// The brief's query.
#[derive(Debug, Default, Deserialize)]
pub struct BriefParams {
    pub(super) region: Option<String>,
    pub(super) year: Option<String>,
    pub(super) indicators: Option<String>,
}

/// What the query asks for: the region, the year, the indicators.
pub(super) fn parse(params: &BriefParams) -> Result<Option<(RegionCode, i32, Vec<IndicatorCode>)>, AppError> {
    let Some(region) = params.region.as_deref().filter(|r| !r.is_empty()) else { return Ok(None) };
    let region = RegionCode::parse(region).map_err(|e| AppError::Invalid(format!("region: {e}")))?;
    let year = match params.year.as_deref().filter(|y| !y.is_empty()) {
        None => today().year() - 1,
        Some(t) => t
            .parse()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .ok_or_else(|| AppError::Invalid(format!("year: '{t}' is not a year")))?,
    };
    let indicators = match params.indicators.as_deref().filter(|t| !t.is_empty()) {
        None => Vec::new(),
        Some(text) => text
            .split(',')
            .map(|c| IndicatorCode::parse(c).map_err(|e| AppError::Invalid(format!("indicators: '{c}': {e}"))))
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(Some((region, year, indicators)))
}

/// The form's fields, trimmed (people type spaces; the API takes none).
fn trimmed(params: BriefParams) -> BriefParams {
    let tidy = |v: Option<String>| {
        v.map(|t| t.split(',').map(str::trim).filter(|c| !c.is_empty()).collect::<Vec<_>>().join(","))
    };
    BriefParams {
        region: params.region.map(|r| r.trim().to_string()),
        year: params.year.map(|y| y.trim().to_string()),
        indicators: tidy(params.indicators),
    }
}

/// An indicator's lines, formatted.
#[derive(Serialize)]
struct IndicatorView {
    code: String,
    name: String,
    unit: String,
    value: String,
    national: String,
    peers: String,
    vs_national: String,
    vs_peers: String,
    trend: String,
    years: String,
    recommendation: String,
    priority: bool,
    chart: String,
    sigma: String,
    beta: String,
}

/// A pairing's assistance, formatted.
#[derive(Serialize)]
struct AssistanceRow {
    program: String,
    donor: String,
    recipient: String,
    due: String,
    funds: String,
    fulfilment: String,
}

/// The brief, formatted.
#[derive(Serialize)]
struct BriefView {
    title: String,
    region: String,
    year: i32,
    indicators: Vec<IndicatorView>,
    map: Option<String>,
    assistance: Vec<AssistanceRow>,
    assistance_due: String,
    assistance_funds: String,
    pdf_query: String,
}

/// `brief.html`.
#[derive(Serialize)]
struct PageView {
    region: String,
    year: String,
    indicators: String,
    brief: Option<BriefView>,
    problem: Option<String>,
}

fn percent(v: Option<f64>) -> String {
    v.map(|s| format!("{:.0}%", s * 100.0)).unwrap_or_else(|| "–".into())
}

fn value(v: f64) -> String {
    revita_report::svg::format_number(v, revita_report::svg::decimals_for(v.abs()))
}

fn brief_view(page: &Page, b: &Brief, map: Option<String>, query: String) -> BriefView {
    let zh = page.lang() == Lang::Zh;
    let region_name = page.lang().name(&b.region.name_zh, b.region.name_en.as_deref()).to_string();
    let indicators = b
        .indicators
        .iter()
        .map(|i| {
            let name = page.lang().name(&i.indicator.name_zh, i.indicator.name_en.as_deref()).to_string();
            let unit = page.lang().unit(&i.indicator.unit).to_string();
            let to_points = |s: &[(i32, f64)]| s.iter().map(|(y, v)| (f64::from(*y), *v)).collect::<Vec<_>>();
            let chart = line_chart(&LineChart {
                title: name.clone(),
                unit: unit.clone(),
                series: vec![
                    Series { label: region_name.clone(), points: to_points(&i.series), reference: false },
                    Series {
                        label: page.t("br_national").into(),
                        points: to_points(&i.national_series),
                        reference: true,
                    },
                ],
            });
            let years = match i.catching_up.as_ref() {
                Some(c) => match (c.years, c.soonest, c.latest) {
                    (Some(y), Some(s), Some(l)) => format!("{y:.0} ({s:.0}–{l:.0})"),
                    (Some(y), Some(s), None) => format!("{y:.0} ({s:.0}–∞)"),
                    (Some(y), _, _) => format!("{y:.0}"),
                    _ => "∞".into(),
                },
                None => "–".into(),
            };
            let sigma = i.sigma.iter().map(|(y, s)| format!("{y}: {s:.3}")).collect::<Vec<_>>().join(" · ");
            let beta = match &i.beta {
                Some((from, to, b)) => {
                    let speed = b.speed.map(|s| format!("; β = {:.2}%/yr", s * 100.0)).unwrap_or_default();
                    let half = b
                        .half_life
                        .map(|h| format!(", {} {h:.0} {}", page.t("br_half_life"), page.t("br_years_unit")))
                        .unwrap_or_default();
                    format!(
                        "{from}–{to}: b = {:.4} (SE {:.4}, n = {}){speed}{half}",
                        b.line.slope, b.line.slope_se, b.line.n
                    )
                }
                None => "–".into(),
            };
            IndicatorView {
                code: i.indicator.code.to_string(),
                name,
                unit,
                value: i.latest.map(|(y, v)| format!("{} ({y})", value(v))).unwrap_or_else(|| "–".into()),
                national: i.national.map(value).unwrap_or_else(|| "–".into()),
                peers: i.peers.map(value).unwrap_or_else(|| "–".into()),
                vs_national: percent(i.standing),
                vs_peers: percent(i.peer_standing),
                trend: i
                    .catching_up
                    .as_ref()
                    .map(|c| format!("{:+.2}", (c.trend.slope.exp() - 1.0) * 100.0))
                    .unwrap_or_else(|| "–".into()),
                years,
                priority: matches!(
                    i.recommendation,
                    Some(revita_methods::convergence::Recommendation::Priority { .. })
                ),
                recommendation: i.recommendation.as_ref().map(|r| recommendation_text(r, zh)).unwrap_or_default(),
                chart,
                sigma: if sigma.is_empty() { "–".into() } else { sigma },
                beta,
            }
        })
        .collect();
    BriefView {
        title: format!("{region_name} · {} · {}", page.t("br_title"), b.year),
        region: b.region.code.to_string(),
        year: b.year,
        indicators,
        map,
        assistance: b
            .assistance
            .rows
            .iter()
            .map(|r| AssistanceRow {
                program: r.pairing.program.clone(),
                donor: r.donor_name.clone(),
                recipient: r.recipient_name.clone(),
                due: r.obligation.map(wan).unwrap_or_else(|| "–".into()),
                funds: wan(r.delivered.funds),
                fulfilment: percent(r.fulfilment),
            })
            .collect(),
        assistance_due: wan(b.assistance.due),
        assistance_funds: wan(b.assistance.delivered.funds),
        pdf_query: query,
    }
}

/// The subdivisions mapped by the first indicator, in the brief's year.
async fn children_map(page: &Page, b: &Brief) -> Result<Option<String>, AppError> {
    let Some(first) = b.indicators.iter().find(|i| !i.sigma.is_empty()).or(b.indicators.first()) else {
        return Ok(None);
    };
    let levels = page.app().scheme().levels().to_vec();
    let Some(level) = levels.iter().position(|l| *l == b.region.level).and_then(|i| levels.get(i + 1)) else {
        return Ok(None);
    };
    let visible = page.visible().await?;
    let period = first.sigma.last().map(|(y, _)| y.to_string());
    let params = MapParams {
        theme: Some(format!("indicator:{}", first.indicator.code)),
        period,
        level: Some(level.to_string()),
        within: Some(b.region.code.to_string()),
        ..Default::default()
    };
    // A region without mapped subdivisions (a county) has no map.
    let settings = match page.state.map_settings(&params, &visible).await {
        Ok(settings) => settings,
        Err(AppError::NotFound(_) | AppError::Invalid(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let map = match page.state.map(&settings, page.lang(), 640.0, &visible).await {
        Ok(map) => map,
        Err(AppError::NotFound(_) | AppError::Invalid(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(map.svg.contains("<path ").then(|| map.svg.clone()))
}

/// `GET /brief?region=&year=&indicators=`: the form, and the brief.
pub async fn brief_page(page: Page, Query(params): Query<BriefParams>) -> PageResult {
    let params = trimmed(params);
    let mut view = PageView {
        region: params.region.clone().unwrap_or_default(),
        year: params.year.clone().unwrap_or_else(|| (today().year() - 1).to_string()),
        indicators: params.indicators.clone().unwrap_or_default(),
        brief: None,
        problem: None,
    };
    let result = async {
        let Some((region, year, indicators)) = parse(&params)? else { return Ok(None) };
        let b = page.app().brief(&page.viewer()?.actor, &region, year, &indicators).await?;
        Ok::<_, AppError>(Some(b))
    }
    .await;
    match result {
        Ok(Some(b)) => {
            let query = format!(
                "region={}&year={}&indicators={}",
                b.region.code,
                b.year,
                b.indicators.iter().map(|i| i.indicator.code.to_string()).collect::<Vec<_>>().join(",")
            );
            let map = children_map(&page, &b).await?;
            view.brief = Some(brief_view(&page, &b, map, query));
        }
        Ok(None) => {}
        Err(AppError::Invalid(reason)) => view.problem = Some(reason),
        Err(e) => return Err(e.into()),
    }
    let status =
        if view.problem.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    page.render_with(status, "brief.html", page.t("br_title"), view)
}

/// `GET /brief.pdf?region=&year=&indicators=`: the brief as a PDF in the
/// page's language.
pub async fn brief_pdf(page: Page, Query(params): Query<BriefParams>) -> PageResult {
    let params = trimmed(params);
    let (region, year, indicators) =
        parse(&params)?.ok_or_else(|| AppError::Invalid("region: give the region's code".into()))?;
    let b = page.app().brief(&page.viewer()?.actor, &region, year, &indicators).await?;
    let bytes = revita_app::brief_document::brief_pdf(&b, page.lang() == Lang::Zh)?;
    let disposition = format!("attachment; filename=\"brief-{region}-{year}.pdf\"");
    let headers = [(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, disposition)];
    Ok((headers, bytes).into_response())
}
