//! The home map, region search and a region's profile.

use axum::extract::{Path, Query};
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use revita_app::export::ExportFormat;
use revita_methods::{DesignationCategory, Period, Region};
use revita_report::chart::{LineChart, Series, line_chart};
use revita_report::svg::{decimals_for, format_number};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::kit::{Page, PageResult};
use crate::maps::{MapParams, MapRow};

/// A code and a name in the page's language: options, links, breadcrumbs.
#[derive(Serialize)]
struct Named {
    code: String,
    name: String,
}

impl Named {
    fn region(lang: Lang, r: &Region) -> Named {
        Named { code: r.code.to_string(), name: lang.region_name(&r.name_zh, r.name_en.as_deref()) }
    }
}

/// A figure shown beside the map.
#[derive(Serialize)]
struct Figure {
    label: String,
    value: String,
}

/// `home.html`.
#[derive(Serialize)]
struct HomeView {
    alerts: Option<crate::monitoring::HomeAlerts>,
    heading: String,
    map_svg: String,
    map_rows: Vec<MapRow>,
    source: String,
    synthetic: bool,
    figures: Vec<Figure>,
    indicators: Vec<Named>,
    categories: Vec<Named>,
    provinces: Vec<Named>,
    levels: Vec<Named>,
    selected_indicator: String,
    selected_category: String,
    periods: Vec<String>,
    period: Option<String>,
    level: String,
    within: Option<String>,
    classes: usize,
    method: String,
}

/// `GET /`: the map.
pub async fn home_show(page: Page, Query(params): Query<MapParams>) -> PageResult {
    let (state, lang) = (&page.state, page.lang());
    let visible = page.visible().await?;
    let settings = state.map_settings(&params, &visible).await?;
    let map = state.map(&settings, lang, 860.0, &visible).await?;
    let indicators = page.app().indicators().await?;
    let provinces = page.app().regions_at_level("province").await?;
    let (kind, subject) = settings.theme.split_once(':').unwrap_or(("indicator", ""));
    let alerts = match page.viewer.as_ref().filter(|v| !v.anonymous) {
        Some(viewer) => Some(crate::monitoring::home_alerts(state, viewer, &visible).await?),
        None => None,
    };
    let view = HomeView {
        alerts,
        heading: map.title.clone(),
        map_svg: map.svg.clone(),
        map_rows: map.rows.clone(),
        source: map.source.clone(),
        synthetic: map.synthetic,
        figures: map
            .figures
            .iter()
            .map(|(label, value)| Figure { label: label.clone(), value: value.clone() })
            .collect(),
        indicators: indicators
            .iter()
            .map(|i| Named { code: i.code.to_string(), name: lang.name(&i.name_zh, i.name_en.as_deref()).into() })
            .collect(),
        categories: DesignationCategory::built_in()
            .map(|c| Named { code: c.as_str(), name: if lang == Lang::En { c.name_en() } else { c.name_zh() } })
            .collect(),
        provinces: provinces.iter().filter(|r| visible.covers(&r.code)).map(|r| Named::region(lang, r)).collect(),
        levels: ["province", "prefecture", "county"]
            .iter()
            .map(|l| Named { code: l.to_string(), name: lang.t(&format!("level_{l}")).into() })
            .collect(),
        selected_indicator: if kind == "indicator" { subject.into() } else { String::new() },
        selected_category: if kind == "designation" { subject.into() } else { String::new() },
        periods: map.periods.clone(),
        period: map.period.clone(),
        level: settings.level.clone(),
        within: settings.within.as_ref().map(|w| w.to_string()),
        classes: settings.classes,
        method: settings.method.clone(),
    };
    page.render("home.html", &map.title, view)
}

/// `GET /maps/map.svg`: the same map as a standalone SVG.
pub async fn map_svg(page: Page, Query(params): Query<MapParams>) -> PageResult {
    let visible = page.visible().await?;
    let settings = page.state.map_settings(&params, &visible).await?;
    let map = page.state.map(&settings, page.lang(), 860.0, &visible).await?;
    let headers = [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")];
    Ok((headers, map.svg.clone()).into_response())
}

#[derive(Deserialize)]
pub struct SearchParams {
    q: Option<String>,
}

/// One region found.
#[derive(Serialize)]
struct Found {
    code: String,
    name: String,
    level: &'static str,
    parent_name: Option<String>,
}

/// `regions.html`.
#[derive(Serialize)]
struct RegionsView {
    heading: &'static str,
    query: String,
    results: Vec<Found>,
}

/// `GET /regions`: search, or where the reader starts (the provinces, or
/// the roots of a jurisdiction).
pub async fn region_index(page: Page, Query(params): Query<SearchParams>) -> PageResult {
    let lang = page.lang();
    let query = params.q.unwrap_or_default().trim().to_string();
    let visible = page.visible().await?;
    let regions = if query.is_empty() {
        page.app().starting_regions(&visible).await?
    } else {
        page.app().search(&query, 50, &visible).await?
    };
    // A search for an exact code or a unique name goes straight to the region.
    if !query.is_empty() && regions.len() == 1 {
        return Ok(Redirect::to(&format!("/regions/{}", regions[0].code)).into_response());
    }
    let mut results = Vec::with_capacity(regions.len());
    for r in &regions {
        let parent_name = match &r.parent {
            Some(p) => page.app().find_region(p).await?.map(|p| lang.region_name(&p.name_zh, p.name_en.as_deref())),
            None => None,
        };
        let Named { code, name } = Named::region(lang, r);
        results.push(Found { code, name, level: lang.t(&format!("level_{}", r.level)), parent_name });
    }
    let heading = if query.is_empty() { page.t("nav_regions") } else { page.t("search_regions") };
    page.render("regions.html", heading, RegionsView { heading, query, results })
}

fn number(v: f64) -> String {
    format_number(v, decimals_for(v))
}

/// A designation as the profile lists it.
#[derive(Serialize)]
struct DesignationRow {
    category: String,
    class: Option<String>,
    /// `current` or `ended`.
    state: &'static str,
    from: String,
    to: String,
    basis: String,
    notes: String,
}

/// A pairing as the profile lists it.
#[derive(Serialize)]
struct PairingRow {
    program: String,
    partner_code: String,
    partner: String,
    /// `gives_assistance` or `receives_assistance`.
    role: &'static str,
    since: String,
    notes: String,
}

/// A rank among peers, as a sentence naming what it ranks among.
#[derive(Serialize)]
struct Standing {
    line: String,
}

/// One indicator's series: chart, table and standing.
#[derive(Serialize)]
struct SeriesView {
    code: String,
    name: String,
    unit: String,
    period: String,
    latest: String,
    standing: Option<Standing>,
    synthetic: bool,
    chart: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    source: String,
}

/// A value cell of the children's table: the raw value for sorting.
#[derive(Serialize)]
struct Cell {
    raw: String,
    text: String,
}

/// A child's row.
#[derive(Serialize)]
struct ChildRow {
    code: String,
    name: String,
    values: Vec<Cell>,
}

/// The region itself.
#[derive(Serialize)]
struct RegionHeader {
    code: String,
    name: String,
    level: &'static str,
}

/// `region.html`.
#[derive(Serialize)]
struct RegionView {
    region: RegionHeader,
    ancestors: Vec<Named>,
    designations: Vec<DesignationRow>,
    pairings: Vec<PairingRow>,
    series: Vec<SeriesView>,
    child_columns: Vec<String>,
    children: Vec<ChildRow>,
    children_map: Option<String>,
}

/// `GET /regions/{code}`: the region profile.
pub async fn region_show(page: Page, Path(code): Path<String>) -> PageResult {
    let lang = page.lang();
    let code = page.app().parse_region_code(&code)?;
    let visible = page.readable(&code).await?;
    let profile = page.state.profile(&code, &visible).await?;
    let region = &profile.detail.region;
    let name = lang.region_name(&region.name_zh, region.name_en.as_deref());
    let ancestors =
        profile.detail.ancestors.iter().filter(|a| visible.covers(&a.code)).map(|a| Named::region(lang, a)).collect();
    let mut pairings = Vec::new();
    for p in &profile.detail.pairings {
        let (partner, role) =
            if p.donor == code { (&p.recipient, "gives_assistance") } else { (&p.donor, "receives_assistance") };
        let partner_name = match page.app().find_region(partner).await? {
            Some(r) => lang.region_name(&r.name_zh, r.name_en.as_deref()),
            None => partner.to_string(),
        };
        pairings.push(PairingRow {
            program: p.program.clone(),
            partner_code: partner.to_string(),
            partner: partner_name,
            role,
            since: p.start_year.map(|y| y.to_string()).unwrap_or_default(),
            notes: p.notes.clone().unwrap_or_default(),
        });
    }
    let children_map = match (profile.children.first(), profile.child_columns.first()) {
        (Some(child), Some((indicator, period))) => {
            let params = MapParams {
                theme: Some(format!("indicator:{}", indicator.code)),
                period: Some(period.clone()),
                level: Some(child.region.level.clone()),
                within: Some(code.to_string()),
                ..Default::default()
            };
            let settings = page.state.map_settings(&params, &visible).await?;
            let map = page.state.map(&settings, lang, 640.0, &visible).await?;
            map.svg.contains("<path ").then(|| map.svg.clone())
        }
        _ => None,
    };
    let view = RegionView {
        region: RegionHeader {
            code: code.to_string(),
            name: name.clone(),
            level: lang.t(&format!("level_{}", region.level)),
        },
        ancestors,
        designations: profile.detail.designations.iter().map(|d| designation_row(lang, d)).collect(),
        pairings,
        series: profile.series.iter().map(|s| series_view(lang, &name, &profile.detail.region.level, s)).collect(),
        child_columns: profile
            .child_columns
            .iter()
            .map(|(i, p)| format!("{} ({p})", lang.name(&i.name_zh, i.name_en.as_deref())))
            .collect(),
        children: profile
            .children
            .iter()
            .map(|row| ChildRow {
                code: row.region.code.to_string(),
                name: lang.region_name(&row.region.name_zh, row.region.name_en.as_deref()),
                values: row
                    .values
                    .iter()
                    .map(|v| Cell {
                        raw: v.map(|v| v.to_string()).unwrap_or_default(),
                        text: v.map(number).unwrap_or_else(|| "–".into()),
                    })
                    .collect(),
            })
            .collect(),
        children_map,
    };
    page.render("region.html", &name, view)
}

fn designation_row(lang: Lang, d: &revita_methods::Designation) -> DesignationRow {
    let far_future = revita_methods::Date::first_of_year(9999);
    DesignationRow {
        category: if lang == Lang::En { d.category.name_en() } else { d.category.name_zh() },
        class: d.class.clone(),
        state: if d.valid_to.is_none_or(|t| t >= far_future) { "current" } else { "ended" },
        from: d.valid_from.map(|x| lang.date(x)).unwrap_or_else(|| "?".into()),
        to: d.valid_to.map(|x| lang.date(x)).unwrap_or_else(|| "…".into()),
        basis: match &d.basis.number {
            Some(n) => format!("{} ({n})", d.basis.title),
            None => d.basis.title.clone(),
        },
        notes: d.notes.clone().unwrap_or_default(),
    }
}

/// An indicator's series beside its references (the nation, the
/// province): chart, the chart's numbers as a table, and the rank.
fn series_view(lang: Lang, region_name: &str, level: &str, s: &revita_app::profile::IndicatorSeries) -> SeriesView {
    let indicator_name = lang.name(&s.indicator.name_zh, s.indicator.name_en.as_deref()).to_string();
    let unit = lang.unit(&s.indicator.unit);
    let year = |p: &Period| f64::from(p.year());
    let mut lines = vec![Series {
        label: region_name.to_string(),
        points: s.points.iter().map(|(p, v)| (year(p), *v)).collect(),
        reference: false,
    }];
    for (r, points) in s.references.iter().filter(|(_, points)| !points.is_empty()) {
        lines.push(Series {
            label: lang.region_name(&r.name_zh, r.name_en.as_deref()),
            points: points.iter().map(|(p, v)| (year(p), *v)).collect(),
            reference: true,
        });
    }
    let chart = line_chart(&LineChart { title: indicator_name.clone(), unit: unit.clone(), series: lines.clone() });
    let mut periods: Vec<Period> = s
        .points
        .iter()
        .map(|(p, _)| *p)
        .chain(s.references.iter().flat_map(|(_, pts)| pts.iter().map(|(p, _)| *p)))
        .collect();
    periods.sort();
    periods.dedup();
    let value_in = |points: &[(Period, f64)], p: &Period| {
        points.iter().find(|(q, _)| q == p).map(|(_, v)| number(*v)).unwrap_or_else(|| "–".into())
    };
    let rows = periods
        .iter()
        .map(|p| {
            let mut row = vec![p.to_string(), value_in(&s.points, p)];
            row.extend(s.references.iter().filter(|(_, pts)| !pts.is_empty()).map(|(_, pts)| value_in(pts, p)));
            row
        })
        .collect();
    let (period, latest) = s.points.last().map(|(p, v)| (p.to_string(), number(*v))).unwrap_or_default();
    SeriesView {
        code: s.indicator.code.to_string(),
        name: indicator_name,
        unit,
        period,
        latest,
        standing: s.standing.map(|st| {
            let key = if s.indicator.direction == revita_methods::Direction::Neutral {
                "standing_line_neutral"
            } else {
                "standing_line"
            };
            let level_name = lang.t(&format!("level_{level}"));
            let line = lang
                .t(key)
                .replace("{rank}", &st.rank.to_string())
                .replace("{of}", &format_number(st.of as f64, 0))
                .replace("{level}", level_name)
                .replace("{pct}", &format!("{:.0}", st.percentile));
            Standing { line }
        }),
        synthetic: s.synthetic,
        chart,
        columns: lines.iter().map(|l| l.label.clone()).collect(),
        rows,
        source: lang.source(s.source.as_deref().unwrap_or_default()),
    }
}

async fn children_download(page: Page, code: String, format: ExportFormat) -> PageResult {
    let code = page.app().parse_region_code(&code)?;
    page.readable(&code).await?;
    let lang = page.lang();
    let column = |i: &revita_methods::Indicator, period: &str| {
        let name = lang.name(&i.name_zh, i.name_en.as_deref());
        match lang {
            Lang::Zh => format!("{name}（{period}，{}）", lang.unit(&i.unit)),
            Lang::En => format!("{name} {period} ({})", lang.unit(&i.unit)),
        }
    };
    let headings = revita_app::export::ChildHeadings {
        code: lang.t("code"),
        name_zh: lang.t("name_zh"),
        name_en: lang.t("name_en"),
        column: &column,
    };
    let bytes = revita_app::export::children_table(page.app(), &code, format, &headings).await?;
    Ok(crate::kit::attachment(bytes, format, &format!("{code}-children")))
}

/// `GET /regions/{code}/children.csv`.
pub async fn region_children_csv(page: Page, Path(code): Path<String>) -> PageResult {
    children_download(page, code, ExportFormat::Csv).await
}

/// `GET /regions/{code}/children.xlsx`.
pub async fn region_children_xlsx(page: Page, Path(code): Path<String>) -> PageResult {
    children_download(page, code, ExportFormat::Xlsx).await
}
