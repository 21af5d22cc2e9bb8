//! Choropleth maps for pages and the `/maps/map.svg` endpoint: map data from
//! `revita-app`, classes from `revita-methods`, drawing from
//! `revita-report`, cached per parameters and data version.

use std::sync::Arc;

use revita_app::Topic;
use revita_app::maps::{MapData, MapTheme};
use revita_app::{AppError, AppResult};
use revita_methods::RegionCode;
use revita_methods::classify::{class_of, jenks_breaks, quantile_breaks, quantile_of_sorted};
use revita_report::map::{Choropleth, Feature, LegendEntry, render};
use revita_report::palette::{NO_DATA, sequential};
use revita_report::projection::Albers;
use revita_report::svg::{decimals_for, format_number};
use serde::Deserialize;

use crate::i18n::Lang;
use crate::state::WebState;

/// Map settings, as the home page form and the SVG endpoint take them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MapParams {
    /// `indicator:<code>` or `designation:<category>`.
    pub theme: Option<String>,
    /// Period of an indicator map (default: the latest).
    pub period: Option<String>,
    /// Level drawn (default: province).
    pub level: Option<String>,
    /// Region the map is limited to.
    pub within: Option<String>,
    /// Number of classes, 3 to 7.
    pub classes: Option<usize>,
    /// `quantiles` or `jenks`.
    pub method: Option<String>,
}

/// A rendered map with what the page says about it.
#[derive(Debug, Clone)]
pub struct RenderedMap {
    /// The SVG.
    pub svg: String,
    /// Title (indicator or category, period, level).
    pub title: String,
    /// Sources of the values.
    pub source: String,
    /// Whether any value is synthetic.
    pub synthetic: bool,
    /// Key figures: (label, value).
    pub figures: Vec<(String, String)>,
    /// Periods the indicator has data for.
    pub periods: Vec<String>,
    /// The period shown.
    pub period: Option<String>,
    /// The map as a table (its text alternative): code, name, value, text.
    pub rows: Vec<MapRow>,
}

/// One region of a map as a table row.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MapRow {
    /// Region code.
    pub code: String,
    /// Name in the page's language.
    pub name: String,
    /// The value, for sorting.
    pub raw: Option<f64>,
    /// The value as shown.
    pub text: String,
}

/// The settings with defaults filled in.
#[derive(Debug, Clone)]
pub struct Settings {
    pub theme: String,
    pub period: Option<String>,
    pub level: String,
    pub within: Option<RegionCode>,
    pub classes: usize,
    pub method: String,
}

impl WebState {
    /// Fills in defaults: the first indicator with data (population if
    /// loaded), provinces, 5 quantile classes.
    pub async fn map_settings(&self, params: &MapParams, visible: &revita_app::Jurisdiction) -> AppResult<Settings> {
        let theme = match params.theme.clone().filter(|t| !t.is_empty()) {
            Some(t) => t,
            None => {
                let indicators = self.app.indicators().await?;
                let code = indicators
                    .iter()
                    .find(|i| i.code.as_str() == "pop_total")
                    .or(indicators.first())
                    .map(|i| i.code.to_string())
                    .ok_or_else(|| AppError::NotFound("indicators".into()))?;
                format!("indicator:{code}")
            }
        };
        let within = match params.within.as_deref().filter(|w| !w.is_empty()) {
            Some(w) => Some(self.app.parse_region_code(w)?),
            None => None,
        };
        let method = match params.method.as_deref() {
            None | Some("quantiles") => "quantiles",
            Some("jenks") => "jenks",
            Some(other) => return Err(AppError::Invalid(format!("method '{other}' is not quantiles or jenks"))),
        };
        Ok(Settings {
            theme,
            period: params.period.clone().filter(|p| !p.is_empty()),
            level: match params.level.clone().filter(|l| !l.is_empty()) {
                Some(level) => level,
                None => self.default_level(visible).await?,
            },
            within,
            classes: params.classes.unwrap_or(5).clamp(3, 7),
            method: method.to_string(),
        })
    }

    /// The map for `settings` in `lang`, from the cache when the data has
    /// not changed since it was drawn.
    ///
    /// Regions outside `visible` (`None`: everywhere) are left off the map.
    pub async fn map(
        &self,
        settings: &Settings,
        lang: Lang,
        width: f64,
        visible: &revita_app::Jurisdiction,
    ) -> AppResult<Arc<RenderedMap>> {
        // A designation map changes with the day (designations start and end).
        let versions = self.app.versions().await?;
        let scope = visible.key();
        let topics = versions.key(&[Topic::Regions, Topic::Indicators, Topic::Observations, Topic::Designations]);
        let key = format!("{topics}|{}|{}|{settings:?}|{width}|{scope}", today(), lang.code());
        self.maps
            .get_or_compute(key, async || {
                let (kind, subject) = settings.theme.split_once(':').unwrap_or(("indicator", &settings.theme));
                let data = match kind {
                    "indicator" => {
                        self.app
                            .indicator_map(
                                &settings.level,
                                settings.within.as_ref(),
                                subject,
                                settings.period.as_deref(),
                            )
                            .await?
                    }
                    "designation" => {
                        let today = today();
                        self.app.designation_map(&settings.level, settings.within.as_ref(), subject, today).await?
                    }
                    other => return Err(AppError::Invalid(format!("theme '{other}' is not indicator or designation"))),
                };
                let mut data = data;
                data.regions.retain(|r| visible.covers(&r.code));
                let periods = match &data.theme {
                    MapTheme::Indicator { indicator, .. } => self.app.periods(&indicator.code).await?,
                    MapTheme::Designation { .. } => Vec::new(),
                };
                Ok(draw(&data, settings, lang, width, periods, self.frame()))
            })
            .await
    }
}

impl WebState {
    /// The level a map opens at: provinces for national readers; for a
    /// jurisdiction, the most detailed of the province, prefecture and county
    /// levels it contains, so that a county user's map shows the county.
    async fn default_level(&self, visible: &revita_app::Jurisdiction) -> AppResult<String> {
        let Some(set) = visible.members() else { return Ok("province".into()) };
        let mut best = "province";
        for code in set {
            if let Some(level) = self.app.scheme().level_of(code) {
                let rank = |l: &str| ["province", "prefecture", "county"].iter().position(|x| *x == l);
                if rank(level) > rank(best) {
                    best = level;
                }
            }
        }
        Ok(best.to_string())
    }
}

/// How a map is framed for official use ([`crate::official`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame<'a> {
    /// The approval number, when configured.
    pub approval: Option<&'a str>,
    /// Whether the regions are China's (GB/T 2260).
    pub china: bool,
}

impl WebState {
    /// How this server frames its maps.
    pub(crate) fn frame(&self) -> Frame<'_> {
        Frame {
            approval: self.map_approval.as_deref(),
            china: self.app.scheme().name() == revita_methods::china::SCHEME_NAME,
        }
    }
}

/// Today's date, for designation status (the one clock read, at the edge).
fn today() -> revita_methods::Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    revita_methods::Date::from_days_since_epoch((secs / 86_400) as i64)
}

fn level_name(lang: Lang, level: &str) -> String {
    let key = format!("level_{level}");
    match lang.t(&key) {
        "??" => level.to_string(),
        name => name.to_string(),
    }
}

/// Classes, colours, legend and figures for map data.
fn draw(
    data: &MapData,
    settings: &Settings,
    lang: Lang,
    width: f64,
    periods: Vec<String>,
    frame: Frame,
) -> RenderedMap {
    let name = |r: &revita_app::maps::MapRegion| lang.region_name(&r.name_zh, r.name_en.as_deref());
    let level = level_name(lang, &data.level);
    let (title, source, fills, legend_title, legend, figures, period, synthetic) = match &data.theme {
        MapTheme::Indicator { indicator, period, sources } => {
            let unit = lang.unit(&indicator.unit);
            let values: Vec<f64> = data.regions.iter().filter_map(|r| r.value).collect();
            let breaks = match settings.method.as_str() {
                "jenks" => jenks_breaks(&values, settings.classes),
                _ => quantile_breaks(&values, settings.classes),
            }
            .unwrap_or_default();
            let colours = sequential(breaks.len().max(1), false);
            let fills: Vec<&str> = data
                .regions
                .iter()
                .map(|r| r.value.map_or(NO_DATA, |v| colours[class_of(v, &breaks).min(colours.len() - 1)]))
                .collect();
            let decimals = values.iter().copied().map(decimals_for).max().unwrap_or(0);
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let mut legend = Vec::new();
            let mut lower = min;
            for (i, upper) in breaks.iter().enumerate() {
                let label = format!("{} – {}", format_number(lower, decimals), format_number(*upper, decimals));
                legend.push(LegendEntry { fill: colours[i].to_string(), label });
                lower = *upper;
            }
            let missing = data.regions.iter().filter(|r| r.value.is_none()).count();
            legend.push(LegendEntry { fill: NO_DATA.to_string(), label: format!("{} ({missing})", lang.t("no_data")) });
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let mut figures =
                vec![(lang.t("regions_with_data").to_string(), format!("{} / {}", values.len(), data.regions.len()))];
            if !sorted.is_empty() {
                figures.push((lang.t("minimum").into(), format!("{} {unit}", format_number(sorted[0], decimals))));
                figures.push((
                    lang.t("median").into(),
                    format!("{} {unit}", format_number(quantile_of_sorted(&sorted, 0.5), decimals)),
                ));
                figures.push((
                    lang.t("maximum").into(),
                    format!("{} {unit}", format_number(sorted[sorted.len() - 1], decimals)),
                ));
                if indicator.aggregation == revita_methods::Aggregation::Sum {
                    figures.push((lang.t("total").into(), format!("{} {unit}", format_number(sorted.iter().sum(), 0))));
                }
            }
            let ind_name = lang.name(&indicator.name_zh, indicator.name_en.as_deref()).to_string();
            let source =
                if sources.is_empty() { indicator.source.clone().unwrap_or_default() } else { sources.join("; ") };
            let synthetic = source.to_lowercase().contains("synthetic");
            let source = lang.source(&source);
            (
                format!("{ind_name} · {period} · {level}"),
                source,
                fills,
                unit,
                legend,
                figures,
                Some(period.clone()),
                synthetic,
            )
        }
        MapTheme::Designation { category, on } => {
            const DESIGNATED: &str = "#0072B2";
            const FORMER: &str = "#56B4E9";
            const NOT: &str = "#f2f2f2";
            let fills: Vec<&str> = data
                .regions
                .iter()
                .map(|r| match r.value {
                    Some(v) if v >= 1.0 => DESIGNATED,
                    Some(_) => FORMER,
                    None => NOT,
                })
                .collect();
            let count = |f: &str| fills.iter().filter(|x| **x == f).count();
            let legend = vec![
                LegendEntry {
                    fill: DESIGNATED.into(),
                    label: format!("{} ({})", lang.t("designated"), count(DESIGNATED)),
                },
                LegendEntry {
                    fill: FORMER.into(),
                    label: format!("{} ({})", lang.t("formerly_designated"), count(FORMER)),
                },
                LegendEntry { fill: NOT.into(), label: format!("{} ({})", lang.t("not_designated"), count(NOT)) },
            ];
            let cat = if lang == Lang::En { category.name_en() } else { category.name_zh() };
            let figures = vec![
                (lang.t("designated").to_string(), count(DESIGNATED).to_string()),
                (lang.t("formerly_designated").to_string(), count(FORMER).to_string()),
            ];
            let date = lang.date(*on);
            (
                format!("{cat} · {date} · {level}"),
                lang.t("designations").to_string(),
                fills,
                cat,
                legend,
                figures,
                None,
                false,
            )
        }
    };
    let unit_suffix = match &data.theme {
        MapTheme::Indicator { indicator, .. } => format!(" {}", lang.unit(&indicator.unit)),
        MapTheme::Designation { .. } => String::new(),
    };
    let rows: Vec<MapRow> = data
        .regions
        .iter()
        .map(|r| MapRow {
            code: r.code.to_string(),
            name: name(r),
            raw: r.value,
            text: match (&data.theme, r.value) {
                (_, None) => lang.t("no_data").to_string(),
                (MapTheme::Indicator { .. }, Some(v)) => format_number(v, decimals_for(v)),
                (MapTheme::Designation { .. }, Some(v)) if v >= 1.0 => lang.t("designated").to_string(),
                (MapTheme::Designation { .. }, Some(_)) => lang.t("formerly_designated").to_string(),
            },
        })
        .collect();
    let features = data
        .regions
        .iter()
        .zip(&fills)
        .filter(|(r, _)| !r.shape.is_empty())
        .map(|(r, fill)| {
            let value = match (&data.theme, r.value) {
                (_, None) => lang.t("no_data").to_string(),
                (MapTheme::Indicator { .. }, Some(v)) => format!("{}{unit_suffix}", format_number(v, decimals_for(v))),
                (MapTheme::Designation { .. }, Some(v)) if v >= 1.0 => lang.t("designated").to_string(),
                (MapTheme::Designation { .. }, Some(_)) => lang.t("formerly_designated").to_string(),
            };
            Feature {
                code: r.code.as_str(),
                shape: &r.shape,
                fill,
                title: format!("{} ({}): {value}", name(r), r.code),
                href: Some(format!("/regions/{}", r.code)),
            }
        })
        .collect();
    let choropleth = Choropleth {
        title: title.clone(),
        subtitle: format!("{}: {source}", lang.t("source")),
        features,
        legend_title,
        legend,
        width,
        tolerance_px: 0.7,
        inset: None,
        footer: Vec::new(),
        markers: Vec::new(),
        links: Vec::new(),
    };
    let mut choropleth = choropleth;
    crate::official::officiate(&mut choropleth, &data.regions, lang, frame.approval, frame.china);
    RenderedMap { svg: render(&choropleth, &Albers::china()), title, source, synthetic, figures, periods, period, rows }
}
