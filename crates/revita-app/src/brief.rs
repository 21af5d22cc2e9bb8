//! The evidence brief on a region (issue 18): for each chosen indicator its
//! latest value beside the national value and the mean of its peers (every
//! region at its level), its standing (oriented so that below 1 is
//! behind), the trend of its gap and the years to close it with an
//! interval, σ-convergence across its subdivisions year by year and
//! β-convergence between the first and last years they report, and a
//! recommendation by stated thresholds; then the pairing assistance it
//! received in the year. `brief_document` lays it out as a PDF.

use std::collections::{BTreeMap, HashSet};

use revita_methods::access::Action;
use revita_methods::convergence::{
    BetaConvergence, CatchingUp, Recommendation, beta_convergence, catching_up, recommend, sigma,
};
use revita_methods::{Direction, Indicator, IndicatorCode, Period, Region, RegionCode};
use revita_store::ObservationQuery;

use crate::auth::Actor;
use crate::ledger::LedgerRow;
use crate::{App, AppError, AppResult};

/// The most indicators one brief covers.
pub const MAX_INDICATORS: usize = 8;

/// One indicator of a brief.
#[derive(Debug, Clone)]
pub struct BriefIndicator {
    /// The indicator.
    pub indicator: Indicator,
    /// The region's latest value in or before the brief's year.
    pub latest: Option<(i32, f64)>,
    /// The national value of that year.
    pub national: Option<f64>,
    /// The mean of the regions at the same level that year.
    pub peers: Option<f64>,
    /// The standing to the national value (region ÷ national, or the
    /// inverse where lower is better): below 1 is behind.
    pub standing: Option<f64>,
    /// The standing to the peers' mean.
    pub peer_standing: Option<f64>,
    /// The region's yearly values.
    pub series: Vec<(i32, f64)>,
    /// The national yearly values.
    pub national_series: Vec<(i32, f64)>,
    /// The trend of the standing and the years to close the gap.
    pub catching_up: Option<CatchingUp>,
    /// σ: the dispersion of log values across the subdivisions, by year.
    pub sigma: Vec<(i32, f64)>,
    /// β-convergence of the subdivisions between two years.
    pub beta: Option<(i32, i32, BetaConvergence)>,
    /// What the thresholds recommend (none without a standing, or for a
    /// neutral indicator).
    pub recommendation: Option<Recommendation>,
}

/// Assistance the region received in the year.
#[derive(Debug, Clone)]
pub struct Assistance {
    /// The ledger's rows of pairings whose recipient lies in the region.
    pub rows: Vec<LedgerRow>,
    /// Their obligations added up (yuan).
    pub due: f64,
    /// Their deliveries added up.
    pub delivered: revita_methods::pairing::Delivered,
}

/// An evidence brief.
#[derive(Debug, Clone)]
pub struct Brief {
    /// The region.
    pub region: Region,
    /// Its ancestors, the root first.
    pub ancestors: Vec<Region>,
    /// The year it looks at.
    pub year: i32,
    /// The indicators.
    pub indicators: Vec<BriefIndicator>,
    /// The pairing assistance received.
    pub assistance: Assistance,
    /// The subdivisions mapped by the first indicator they report: its
    /// code, the year, and each subdivision's name, boundary and value.
    pub map: Option<BriefMap>,
}

/// The subdivisions of a brief's region by one indicator.
#[derive(Debug, Clone)]
pub struct BriefMap {
    /// The indicator.
    pub indicator: Indicator,
    /// The year of the values.
    pub year: i32,
    /// Each subdivision: name (Chinese), boundary, value.
    pub areas: Vec<(String, revita_methods::geometry::MultiPolygon, f64)>,
}

/// Yearly points of observations, by year.
fn yearly(observations: &[revita_methods::Observation]) -> Vec<(i32, f64)> {
    let mut points: Vec<(i32, f64)> = observations
        .iter()
        .filter_map(|o| match o.period {
            Period::Year(y) => Some((y, o.value)),
            _ => None,
        })
        .collect();
    points.sort_by_key(|(y, _)| *y);
    points
}

/// region ÷ reference, inverted where lower is better.
fn oriented(direction: Direction, value: f64, reference: f64) -> Option<f64> {
    let ratio = match direction {
        Direction::LowerIsBetter => reference / value,
        _ => value / reference,
    };
    (ratio.is_finite() && ratio > 0.0).then_some(ratio)
}

impl App {
    /// The brief on `code` for `year` over `indicators` (by default the
    /// region's rates and means that have a better direction, at most
    /// [`MAX_INDICATORS`]); the region
    /// must lie within the actor's read jurisdiction.
    pub async fn brief(
        &self,
        actor: &Actor,
        code: &RegionCode,
        year: i32,
        indicators: &[IndicatorCode],
    ) -> AppResult<Brief> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        if !read.covers(code) {
            return Err(AppError::Forbidden(format!("{code} is outside your jurisdiction")));
        }
        let detail = self.region_detail(code).await?;
        let catalogue = self.store().indicators().await?;
        let everywhere = crate::Jurisdiction::everywhere();
        let own = self
            .all_observations(&ObservationQuery { region: Some(code.clone()), ..Default::default() }, &read)
            .await?;
        let chosen: Vec<Indicator> = if indicators.is_empty() {
            let with_data: HashSet<&IndicatorCode> = own.iter().map(|o| &o.indicator).collect();
            catalogue
                .iter()
                .filter(|i| {
                    // Rates and means with a better direction: a gap in a
                    // neutral indicator (household size) is no shortfall.
                    i.aggregation != revita_methods::Aggregation::Sum
                        && i.direction != Direction::Neutral
                        && with_data.contains(&i.code)
                })
                .take(MAX_INDICATORS)
                .cloned()
                .collect()
        } else {
            if indicators.len() > MAX_INDICATORS {
                return Err(AppError::Invalid(format!("indicators: at most {MAX_INDICATORS}")));
            }
            indicators
                .iter()
                .map(|c| {
                    catalogue
                        .iter()
                        .find(|i| &i.code == c)
                        .cloned()
                        .ok_or_else(|| AppError::Invalid(format!("indicators: {c} is not defined")))
                })
                .collect::<AppResult<_>>()?
        };
        let root = detail.ancestors.first().map(|r| r.code.clone());
        let mut out = Vec::new();
        for indicator in chosen {
            let series: Vec<(i32, f64)> =
                yearly(&own.iter().filter(|o| o.indicator == indicator.code).cloned().collect::<Vec<_>>())
                    .into_iter()
                    .filter(|(y, _)| *y <= year)
                    .collect();
            let national_series = match &root {
                Some(root) => {
                    let q = ObservationQuery {
                        indicator: Some(indicator.code.clone()),
                        region: Some(root.clone()),
                        ..Default::default()
                    };
                    yearly(&self.all_observations(&q, &everywhere).await?)
                        .into_iter()
                        .filter(|(y, _)| *y <= year)
                        .collect()
                }
                None => Vec::new(),
            };
            let latest = series.last().copied();
            let national = latest.and_then(|(y, _)| national_series.iter().find(|(ny, _)| *ny == y).map(|(_, v)| *v));
            let peers = match latest {
                Some((y, _)) => {
                    let q = ObservationQuery {
                        indicator: Some(indicator.code.clone()),
                        level: Some(detail.region.level.clone()),
                        period: Some(Period::Year(y).to_string()),
                        ..Default::default()
                    };
                    let values: Vec<f64> =
                        self.all_observations(&q, &everywhere).await?.iter().map(|o| o.value).collect();
                    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
                }
                None => None,
            };
            let direction = indicator.direction;
            let standing = latest.zip(national).and_then(|((_, v), n)| oriented(direction, v, n));
            let peer_standing = latest.zip(peers).and_then(|((_, v), p)| oriented(direction, v, p));
            let ratios: Vec<(i32, f64)> = series
                .iter()
                .filter_map(|(y, v)| {
                    let n = national_series.iter().find(|(ny, _)| ny == y)?.1;
                    oriented(direction, *v, n).map(|r| (*y, r))
                })
                .collect();
            let trend = catching_up(&ratios);
            let (sigma_series, beta) = self.dispersion(code, &indicator.code, year, &read).await?;
            out.push(BriefIndicator {
                recommendation: standing
                    .filter(|_| direction != Direction::Neutral)
                    .map(|s| recommend(s, trend.as_ref())),
                indicator,
                latest,
                national,
                peers,
                standing,
                peer_standing,
                series,
                national_series,
                catching_up: trend,
                sigma: sigma_series,
                beta,
            });
        }
        let assistance = self.assistance_to(actor, code, year).await?;
        let map = self.brief_map(code, &out, &read).await?;
        Ok(Brief { region: detail.region, ancestors: detail.ancestors, year, indicators: out, assistance, map })
    }

    /// The subdivisions by the first indicator with values for them in
    /// its latest year of σ.
    async fn brief_map(
        &self,
        code: &RegionCode,
        indicators: &[BriefIndicator],
        read: &crate::Jurisdiction,
    ) -> AppResult<Option<BriefMap>> {
        let Some((i, year)) = indicators.iter().find_map(|i| i.sigma.last().map(|(y, _)| (i, *y))) else {
            return Ok(None);
        };
        let q = ObservationQuery {
            indicator: Some(i.indicator.code.clone()),
            parent: Some(code.clone()),
            period: Some(Period::Year(year).to_string()),
            ..Default::default()
        };
        let values: Vec<(RegionCode, f64)> =
            self.all_observations(&q, read).await?.into_iter().map(|o| (o.region, o.value)).collect();
        let codes: Vec<RegionCode> = values.iter().map(|(c, _)| c.clone()).collect();
        let names: std::collections::HashMap<RegionCode, String> =
            self.store().regions().await?.into_iter().map(|r| (r.code, r.name_zh)).collect();
        let mut areas = Vec::new();
        for b in self.store().boundaries_of(&codes).await? {
            let Some((_, value)) = values.iter().find(|(c, _)| *c == b.region) else { continue };
            let shape = revita_ingest::boundaries::parse_geometry(&b.geojson)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("stored boundary of {} is invalid: {e}", b.region)))?;
            areas.push((names.get(&b.region).cloned().unwrap_or_default(), shape, *value));
        }
        Ok((!areas.is_empty()).then(|| BriefMap { indicator: i.indicator.clone(), year, areas }))
    }

    /// σ across the region's direct subdivisions by year, and β between
    /// the first and last years in which at least three report.
    async fn dispersion(
        &self,
        code: &RegionCode,
        indicator: &IndicatorCode,
        year: i32,
        read: &crate::Jurisdiction,
    ) -> AppResult<(Vec<(i32, f64)>, Option<(i32, i32, BetaConvergence)>)> {
        let q =
            ObservationQuery { indicator: Some(indicator.clone()), parent: Some(code.clone()), ..Default::default() };
        let mut by_year: BTreeMap<i32, BTreeMap<RegionCode, f64>> = BTreeMap::new();
        for o in self.all_observations(&q, read).await? {
            if let Period::Year(y) = o.period
                && y <= year
            {
                by_year.entry(y).or_default().insert(o.region, o.value);
            }
        }
        let sigmas: Vec<(i32, f64)> = by_year
            .iter()
            .filter(|(_, values)| values.len() >= 3)
            .filter_map(|(y, values)| sigma(&values.values().copied().collect::<Vec<_>>()).map(|s| (*y, s)))
            .collect();
        let years: Vec<i32> = by_year.iter().filter(|(_, v)| v.len() >= 3).map(|(y, _)| *y).collect();
        let beta = match (years.first(), years.last()) {
            (Some(&first), Some(&last)) if last > first => {
                let (start, end) = (&by_year[&first], &by_year[&last]);
                let pairs: Vec<(f64, f64)> = start.iter().filter_map(|(r, v)| end.get(r).map(|e| (*v, *e))).collect();
                beta_convergence(&pairs, f64::from(last - first)).map(|b| (first, last, b))
            }
            _ => None,
        };
        Ok((sigmas, beta))
    }

    /// The ledger rows of `year` whose recipient lies in the region.
    async fn assistance_to(&self, actor: &Actor, code: &RegionCode, year: i32) -> AppResult<Assistance> {
        let ledger = self.pairing_ledger(actor, year, None).await?;
        let mut inside: HashSet<RegionCode> =
            self.store().descendants(code, None).await?.into_iter().map(|r| r.code).collect();
        inside.insert(code.clone());
        let rows: Vec<LedgerRow> = ledger.rows.into_iter().filter(|r| inside.contains(&r.pairing.recipient)).collect();
        let mut delivered = revita_methods::pairing::Delivered::default();
        for r in &rows {
            delivered.add(&r.delivered);
        }
        let due = rows.iter().filter_map(|r| r.obligation).sum();
        Ok(Assistance { rows, due, delivered })
    }
}

/// A recommendation in words, Chinese (`zh`) or English, with its
/// threshold stated.
pub fn recommendation_text(r: &Recommendation, zh: bool) -> String {
    use revita_methods::convergence::{FAR_BEHIND, SLOW_YEARS};
    let pct = |s: f64| format!("{:.0}%", s * 100.0);
    match (r, zh) {
        (Recommendation::Priority { standing }, false) => format!(
            "Priority: at {} of the national level (below {}) and the gap widening — target support here.",
            pct(*standing),
            pct(FAR_BEHIND)
        ),
        (Recommendation::Priority { standing }, true) => {
            format!("重点支持：仅为全国水平的{}（低于{}）且差距扩大。", pct(*standing), pct(FAR_BEHIND))
        }
        (Recommendation::Widening { standing }, false) => {
            format!("Reverse the trend: at {} of the national level and the gap widening.", pct(*standing))
        }
        (Recommendation::Widening { standing }, true) => {
            format!("扭转趋势：为全国水平的{}，差距仍在扩大。", pct(*standing))
        }
        (Recommendation::Slow { years }, false) => {
            format!("Speed up: at the recent trend the gap closes in {years:.0} years (more than {SLOW_YEARS:.0}).")
        }
        (Recommendation::Slow { years }, true) => {
            format!("加快追赶：按近期趋势需{years:.0}年才能缩小差距（超过{SLOW_YEARS:.0}年）。")
        }
        (Recommendation::Closing { years }, false) => {
            format!("Keep the course: at the recent trend the gap closes in {years:.0} years.")
        }
        (Recommendation::Closing { years }, true) => format!("保持势头：按近期趋势约{years:.0}年可缩小差距。"),
        (Recommendation::AtPar, false) => "At or above the national level.".into(),
        (Recommendation::AtPar, true) => "已达到或超过全国水平。".into(),
    }
}
