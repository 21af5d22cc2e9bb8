//! The indicator catalogue and an indicator's page.

use std::collections::HashMap;

use axum::extract::Path;
use revita_methods::{Indicator, Period};
use revita_report::chart::{Histogram, histogram};
use revita_report::svg::{decimals_for, format_number};
use serde::Serialize;

use crate::i18n::Lang;
use crate::kit::{Page, PageResult};
use crate::maps::MapParams;

/// An indicator as the catalogue and its page show it.
#[derive(Serialize)]
struct IndicatorRow {
    code: String,
    name: String,
    unit: String,
    direction: &'static str,
    aggregation: &'static str,
    weight: Option<String>,
    description: String,
    source: String,
}

impl IndicatorRow {
    fn new(lang: Lang, i: &Indicator) -> IndicatorRow {
        IndicatorRow {
            code: i.code.to_string(),
            name: lang.name(&i.name_zh, i.name_en.as_deref()).to_string(),
            unit: lang.unit(&i.unit),
            direction: i.direction.as_str(),
            aggregation: i.aggregation.as_str(),
            weight: i.aggregation.weight().map(|w| w.to_string()),
            description: i.description.clone().unwrap_or_default(),
            source: lang.source(i.source.as_deref().unwrap_or_default()),
        }
    }
}

/// `indicators.html`.
#[derive(Serialize)]
struct CatalogueView {
    indicators: Vec<IndicatorRow>,
}

/// `GET /indicators`: the catalogue.
pub async fn indicator_index(page: Page) -> PageResult {
    let indicators = page.app().indicators().await?.iter().map(|i| IndicatorRow::new(page.lang(), i)).collect();
    page.render("indicators.html", page.t("catalogue"), CatalogueView { indicators })
}

/// Observations in one period, by level.
#[derive(Serialize)]
struct Coverage {
    period: String,
    counts: Vec<usize>,
}

/// One bar of the histogram, as its table row.
#[derive(Serialize)]
struct Bin {
    range: String,
    count: usize,
}

/// `indicator.html`.
#[derive(Serialize)]
struct IndicatorView {
    map: Option<String>,
    indicator: IndicatorRow,
    coverage_levels: Vec<&'static str>,
    coverage: Vec<Coverage>,
    histogram: Option<String>,
    bins: Vec<Bin>,
    period: Option<String>,
    distribution_level: Option<&'static str>,
    distribution_level_code: Option<&'static str>,
}

/// Bars of the distribution.
const BINS: usize = 20;

/// `GET /indicators/{code}`: definition, coverage and distribution, over
/// what the reader may see.
pub async fn indicator_show(page: Page, Path(code): Path<String>) -> PageResult {
    let lang = page.lang();
    let indicator = page.app().indicator(&code).await?;
    let visible = page.visible().await?;
    let query = revita_app::ObservationQuery { indicator: Some(indicator.code.clone()), ..Default::default() };
    let observations = page.app().all_observations(&query, &visible).await?;
    let regions = page.app().regions().await?;
    let level_of: HashMap<&str, &str> = regions.iter().map(|r| (r.code.as_str(), r.level.as_str())).collect();
    let at = |o: &revita_methods::Observation, level: &str| level_of.get(o.region.as_str()) == Some(&level);
    let levels: Vec<&'static str> = ["country", "province", "prefecture", "county", "township", "village"]
        .into_iter()
        .filter(|l| observations.iter().any(|o| at(o, l)))
        .collect();
    let mut periods: Vec<Period> = observations.iter().map(|o| o.period).collect();
    periods.sort();
    periods.dedup();
    let coverage = periods
        .iter()
        .map(|p| Coverage {
            period: p.to_string(),
            counts: levels.iter().map(|l| observations.iter().filter(|o| o.period == *p && at(o, l)).count()).collect(),
        })
        .collect();
    // The distribution at the most detailed level of the latest period.
    let (latest, finest) = (periods.last().copied(), levels.last().copied());
    let (chart, bins) = match (latest, finest) {
        (Some(p), Some(l)) => {
            let values: Vec<f64> = observations.iter().filter(|o| o.period == p && at(o, l)).map(|o| o.value).collect();
            distribution(lang, &indicator, values)
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
            let settings = page.state.map_settings(&params, &visible).await?;
            Some(page.state.map(&settings, lang, 640.0, &visible).await?.svg.clone())
        }
        _ => None,
    };
    let view = IndicatorView {
        map,
        indicator: IndicatorRow::new(lang, &indicator),
        coverage_levels: levels.iter().map(|l| lang.t(&format!("level_{l}"))).collect(),
        coverage,
        histogram: chart,
        bins,
        period: latest.map(|p| p.to_string()),
        distribution_level: finest.map(|l| lang.t(&format!("level_{l}"))),
        distribution_level_code: finest,
    };
    page.render("indicator.html", &name, view)
}

/// The histogram of `values` and its numbers as a table (its text
/// alternative).
fn distribution(lang: Lang, indicator: &Indicator, values: Vec<f64>) -> (Option<String>, Vec<Bin>) {
    let (min, max, counts) = revita_report::chart::bin_counts(&values, BINS);
    let width = (max - min) / BINS as f64;
    let decimals = decimals_for(max - min);
    let bins = counts
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let from = format_number(min + width * i as f64, decimals);
            let to = format_number(min + width * (i + 1) as f64, decimals);
            Bin { range: format!("{from} – {to}"), count: *n }
        })
        .collect();
    let title = lang.name(&indicator.name_zh, indicator.name_en.as_deref()).to_string();
    let svg = histogram(&Histogram { title, unit: lang.unit(&indicator.unit), values, bins: BINS, marker: None });
    (Some(svg), bins)
}
