//! A region's profile: its designations, every indicator it has data for as
//! a time series beside the national and provincial (or top-level) series,
//! its standing among all regions at its level, and its children's values.

use std::collections::{BTreeMap, HashMap};

use revita_methods::classify::{Standing, standing};
use revita_methods::{Indicator, IndicatorCode, Observation, ObservationStatus, Period, Region, RegionCode};
use revita_store::{ObservationKey, ObservationQuery};

use crate::query::RegionDetail;
use crate::{App, AppResult};

/// One indicator of a region over time, with references.
#[derive(Debug, Clone)]
pub struct IndicatorSeries {
    /// The indicator.
    pub indicator: Indicator,
    /// The region's values by period.
    pub points: Vec<(Period, f64)>,
    /// Source of the latest value.
    pub source: Option<String>,
    /// Whether any value shown is synthetic.
    pub synthetic: bool,
    /// Reference series: (region, values), national first; none for
    /// indicators that add up (a national total is no reference for a county).
    pub references: Vec<(Region, Vec<(Period, f64)>)>,
    /// Standing of the latest value among all regions at the same level.
    pub standing: Option<Standing>,
}

/// A child's row in the children table.
#[derive(Debug, Clone)]
pub struct ChildRow {
    /// The child.
    pub region: Region,
    /// Values of [`RegionProfile::child_columns`], in order.
    pub values: Vec<Option<f64>>,
}

/// Everything a region page shows.
#[derive(Debug, Clone)]
pub struct RegionProfile {
    /// The region, breadcrumb and designations.
    pub detail: RegionDetail,
    /// Indicators with data, in catalogue order.
    pub series: Vec<IndicatorSeries>,
    /// Indicators shown as columns of the children table, with their period.
    pub child_columns: Vec<(Indicator, String)>,
    /// The children with their values.
    pub children: Vec<ChildRow>,
}

/// Most columns the children table shows.
const CHILD_COLUMNS: usize = 6;

impl App {
    /// Every observation matching `query` within a jurisdiction, page by
    /// page (the jurisdiction filters in SQL).
    pub async fn all_observations(
        &self,
        query: &ObservationQuery,
        within: &crate::Jurisdiction,
    ) -> AppResult<Vec<Observation>> {
        let query = &crate::query::within_query(query, within);
        let mut out = Vec::new();
        let mut after: Option<ObservationKey> = None;
        loop {
            let page = self.store().observations(query, after.as_ref(), 20_000).await?;
            let Some(last) = page.last() else { break };
            after = Some(ObservationKey {
                indicator: last.indicator.to_string(),
                region: last.region.to_string(),
                period: last.period.to_string(),
            });
            out.extend(page);
        }
        Ok(out)
    }

    /// Builds a region's profile as seen by someone whose read scope is
    /// `visible`. The region itself must lie in it; its references (the
    /// national and provincial values) and its standing among all regions at
    /// its level nationwide are published aggregates, not personal data, and
    /// show whatever the reader's scope (issue 16: a county user compares
    /// the county with the nation). No other region's value is shown.
    pub async fn region_profile(&self, code: &RegionCode, visible: &crate::Jurisdiction) -> AppResult<RegionProfile> {
        let detail = self.region_detail(code).await?;
        let indicators = self.store().indicators().await?;
        let own = self
            .all_observations(&ObservationQuery { region: Some(code.clone()), ..Default::default() }, visible)
            .await?;
        // References: the root (national) and the top-level ancestor (province).
        let published = crate::Jurisdiction::everywhere();
        let references: Vec<Region> = detail.ancestors.iter().take(2).cloned().collect();
        let mut reference_values = Vec::new();
        for r in &references {
            reference_values.push(
                self.all_observations(
                    &ObservationQuery { region: Some(r.code.clone()), ..Default::default() },
                    &published,
                )
                .await?,
            );
        }
        let by_indicator = group(&own);
        let peers = self.peer_values(&detail.region, &by_indicator).await?;
        let mut series = Vec::new();
        for indicator in &indicators {
            let Some(observations) = by_indicator.get(&indicator.code) else { continue };
            let points: Vec<(Period, f64)> = observations.iter().map(|o| (o.period, o.value)).collect();
            let latest = observations.last().expect("grouped observations are never empty");
            // A national total beside a county's is no reference: only
            // intensive indicators (rates, means) get reference lines.
            let intensive = indicator.aggregation != revita_methods::Aggregation::Sum;
            let refs = references
                .iter()
                .filter(|_| intensive)
                .zip(&reference_values)
                .map(|(r, values)| {
                    let pts =
                        values.iter().filter(|o| o.indicator == indicator.code).map(|o| (o.period, o.value)).collect();
                    (r.clone(), pts)
                })
                .collect();
            let standing = peers
                .get(&(indicator.code.clone(), latest.period))
                .map(|values| standing(latest.value, values, indicator.direction));
            series.push(IndicatorSeries {
                indicator: indicator.clone(),
                points,
                source: latest.source.clone(),
                synthetic: observations.iter().any(|o| o.status == ObservationStatus::Synthetic),
                references: refs,
                standing,
            });
        }
        let (child_columns, children) = self.children_table(code, &indicators, Some(CHILD_COLUMNS)).await?;
        Ok(RegionProfile { detail, series, child_columns, children })
    }

    /// The sorted values of every region at the region's level nationwide,
    /// for each (indicator, latest period) the region has: from the shared
    /// peer cache, computed once per change of observations or regions and
    /// shared by every page at that level, whoever reads it (issue 14: each
    /// uncached page read every observation of its periods). Only the
    /// region's rank among them is shown.
    async fn peer_values(
        &self,
        region: &Region,
        own: &BTreeMap<IndicatorCode, Vec<&Observation>>,
    ) -> AppResult<HashMap<(IndicatorCode, Period), std::sync::Arc<Vec<f64>>>> {
        let versions = self.versions().await?;
        let topics = versions.key(&[revita_store::Topic::Regions, revita_store::Topic::Observations]);
        let mut peers = HashMap::new();
        for (indicator, observations) in own {
            let Some(latest) = observations.last() else { continue };
            let period = latest.period.to_string();
            let key = format!("{topics}|{}|{indicator}|{period}", region.level);
            let values = self
                .peers
                .get_or_compute(key, async || {
                    let all = self.store().level_values(indicator, &period, &region.level).await?;
                    let mut values: Vec<f64> = all.into_iter().map(|(_, v)| v).collect();
                    values.sort_by(f64::total_cmp);
                    Ok(values)
                })
                .await?;
            peers.insert((indicator.clone(), latest.period), values);
        }
        Ok(peers)
    }

    /// The children with the latest values of the first `columns`
    /// indicators they have data for (all of them without a limit).
    pub(crate) async fn children_table(
        &self,
        code: &RegionCode,
        indicators: &[Indicator],
        columns: Option<usize>,
    ) -> AppResult<(Vec<(Indicator, String)>, Vec<ChildRow>)> {
        let children = self.store().children(code).await?;
        if children.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        // The children of a region its reader may read lie within the same
        // jurisdiction (a subtree holds its children).
        let everywhere = crate::Jurisdiction::everywhere();
        let query = ObservationQuery { parent: Some(code.clone()), ..Default::default() };
        let observations = self.all_observations(&query, &everywhere).await?;
        // Per indicator, the latest period any child has.
        let mut latest: HashMap<&IndicatorCode, Period> = HashMap::new();
        for o in &observations {
            let entry = latest.entry(&o.indicator).or_insert(o.period);
            *entry = (*entry).max(o.period);
        }
        let columns: Vec<(Indicator, Period)> = indicators
            .iter()
            .filter_map(|i| latest.get(&i.code).map(|p| (i.clone(), *p)))
            .take(columns.unwrap_or(usize::MAX))
            .collect();
        let values: HashMap<(&RegionCode, &IndicatorCode, Period), f64> =
            observations.iter().map(|o| ((&o.region, &o.indicator, o.period), o.value)).collect();
        let rows = children
            .into_iter()
            .map(|child| {
                let row = columns.iter().map(|(i, p)| values.get(&(&child.code, &i.code, *p)).copied()).collect();
                ChildRow { region: child, values: row }
            })
            .collect();
        Ok((columns.into_iter().map(|(i, p)| (i, p.to_string())).collect(), rows))
    }
}

/// Observations by indicator, each list in period order.
fn group(observations: &[Observation]) -> BTreeMap<IndicatorCode, Vec<&Observation>> {
    let mut by: BTreeMap<IndicatorCode, Vec<&Observation>> = BTreeMap::new();
    for o in observations {
        by.entry(o.indicator.clone()).or_default().push(o);
    }
    for list in by.values_mut() {
        list.sort_by_key(|o| o.period);
    }
    by
}
