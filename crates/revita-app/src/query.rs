//! Read use cases: regions and their hierarchy, search, designations, and
//! roll-ups of an indicator from children to a parent with coverage.

use std::collections::HashMap;

use revita_methods::{
    Aggregation, ChildValue, Designation, Indicator, IndicatorCode, Period, Region, RegionCode, aggregate,
};
use revita_store::{ObservationQuery, RegionSet};
use serde::Serialize;

use crate::{App, AppError, AppResult, Jurisdiction};

/// `query` narrowed to a jurisdiction.
pub(crate) fn within_query(query: &ObservationQuery, within: &Jurisdiction) -> ObservationQuery {
    let mut narrowed = query.clone();
    if let Some(roots) = within.roots() {
        narrowed.within = Some(match &query.within {
            // Already narrowed: only what both allow (keep the narrower roots).
            Some(existing) => existing.iter().filter(|r| within.covers(r)).cloned().collect(),
            None => roots.to_vec(),
        });
    }
    narrowed
}

/// A region with its breadcrumb and designations.
#[derive(Debug, Clone)]
pub struct RegionDetail {
    /// The region.
    pub region: Region,
    /// Ancestors from the root down to the parent.
    pub ancestors: Vec<Region>,
    /// Number of direct children.
    pub children: usize,
    /// Designations held now or in the past, latest first.
    pub designations: Vec<Designation>,
    /// Whether a boundary is stored.
    pub has_boundary: bool,
    /// Pairings in which the region gives or receives assistance.
    pub pairings: Vec<revita_methods::Pairing>,
}

/// An indicator rolled up from a region's children (or its descendants at a
/// level) with coverage.
#[derive(Debug, Clone, Serialize)]
pub struct Rollup {
    /// The parent region.
    pub region: String,
    /// The indicator.
    pub indicator: String,
    /// The period.
    pub period: String,
    /// The aggregation used (`sum`, `weighted_mean`, `mean`, `none`).
    pub method: String,
    /// The weight indicator of a weighted mean.
    pub weight: Option<String>,
    /// The rolled-up value from the reporting children, if any.
    pub value: Option<f64>,
    /// Children that contributed.
    pub reported: usize,
    /// Children there are.
    pub expected: usize,
    /// Whether every child contributed.
    pub complete: bool,
    /// Children outside the reader's jurisdiction: expected, but neither
    /// counted nor shown (a roll-up above a jurisdiction covers only part
    /// of its region, and says so).
    pub outside_jurisdiction: usize,
    /// The parent's own stored value, for comparison, if any.
    pub stored_value: Option<f64>,
    /// Each child's value and weight.
    pub children: Vec<RollupChild>,
}

/// One child's contribution to a roll-up.
#[derive(Debug, Clone, Serialize)]
pub struct RollupChild {
    /// Region code.
    pub code: String,
    /// Value, if reported.
    pub value: Option<f64>,
    /// Weight, for weighted means.
    pub weight: Option<f64>,
}

impl App {
    /// Parses and normalises a region code given by a user.
    pub fn parse_region_code(&self, text: &str) -> AppResult<RegionCode> {
        let code = RegionCode::parse(text).map_err(|e| AppError::Invalid(e.to_string()))?;
        Ok(self.scheme().normalize(&code).unwrap_or(code))
    }

    /// One region, or not found.
    pub async fn region(&self, code: &RegionCode) -> AppResult<Region> {
        self.store().region(code).await?.ok_or_else(|| AppError::NotFound(format!("region {code}")))
    }

    /// A region with breadcrumb, designations and counts.
    pub async fn region_detail(&self, code: &RegionCode) -> AppResult<RegionDetail> {
        let region = self.region(code).await?;
        let ancestors = self.store().ancestors(code).await?;
        Ok(RegionDetail {
            children: self.store().children(code).await?.len(),
            designations: self.store().designations_of(code).await?,
            has_boundary: self.store().has_boundary(code).await?,
            pairings: self.store().pairings_of(code).await?,
            region,
            ancestors,
        })
    }

    /// The region each of `codes` lies in at `level` (a county's province):
    /// found by following the stored parents, so any code scheme works; a
    /// code at the level is its own, one with no ancestor there is left out.
    pub async fn regions_above(&self, codes: &[RegionCode], level: &str) -> AppResult<HashMap<RegionCode, RegionCode>> {
        let regions: HashMap<RegionCode, Region> =
            self.store().regions().await?.into_iter().map(|r| (r.code.clone(), r)).collect();
        let mut above = HashMap::new();
        for code in codes {
            let mut at = regions.get(code);
            // A tree is at most as deep as its regions are many.
            for _ in 0..=regions.len() {
                match at {
                    Some(r) if r.level == level => {
                        above.insert(code.clone(), r.code.clone());
                        break;
                    }
                    Some(r) => at = r.parent.as_ref().and_then(|p| regions.get(p)),
                    None => break,
                }
            }
        }
        Ok(above)
    }

    /// The Chinese names of regions (one read of all regions: cheaper than
    /// one query per region for a map's or a table's worth).
    pub async fn region_names<'a>(
        &self,
        codes: impl IntoIterator<Item = &'a RegionCode>,
    ) -> AppResult<HashMap<RegionCode, String>> {
        let wanted: std::collections::HashSet<&RegionCode> = codes.into_iter().collect();
        if wanted.is_empty() {
            return Ok(HashMap::new());
        }
        let all = self.store().regions().await?;
        Ok(all.into_iter().filter(|r| wanted.contains(&r.code)).map(|r| (r.code, r.name_zh)).collect())
    }

    /// Direct children of a region.
    pub async fn children(&self, code: &RegionCode) -> AppResult<Vec<Region>> {
        self.region(code).await?;
        Ok(self.store().children(code).await?)
    }

    /// Descendants of a region, all or at one level, ordered by code.
    pub async fn descendants(&self, code: &RegionCode, level: Option<&str>) -> AppResult<Vec<Region>> {
        self.region(code).await?;
        Ok(self.store().descendants(code, level).await?)
    }

    /// One page of a list of regions (children, or descendants at a level),
    /// by code after `after`; the caller has checked that it may read the
    /// list's root, and so everything below it.
    pub async fn region_page(&self, set: &RegionSet<'_>, after: Option<&str>, limit: i64) -> AppResult<Vec<Region>> {
        let (RegionSet::Children(root) | RegionSet::Descendants(root, _)) = *set;
        self.region(root).await?;
        Ok(self.store().region_page(set, after, limit).await?)
    }

    /// How many regions the list holds.
    pub async fn count_regions(&self, set: &RegionSet<'_>) -> AppResult<i64> {
        Ok(self.store().count_regions(set).await?)
    }

    /// How many regions [`App::search`] finds without its limit.
    pub async fn count_search(&self, query: &str, within: &Jurisdiction) -> AppResult<i64> {
        if query.trim().is_empty() {
            return Ok(0);
        }
        Ok(self.store().count_search(query, within.roots()).await?)
    }

    /// Regions by code or name, within a jurisdiction (filtered in SQL, so
    /// `limit` regions come back if that many match).
    pub async fn search(&self, query: &str, limit: i64, within: &Jurisdiction) -> AppResult<Vec<Region>> {
        if query.trim().is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.store().search_regions(query, limit.clamp(1, 500), within.roots()).await?)
    }

    /// Where a reader starts browsing: the provinces for a national reader,
    /// otherwise the roots of the jurisdiction.
    pub async fn starting_regions(&self, within: &Jurisdiction) -> AppResult<Vec<Region>> {
        let Some(roots) = within.roots() else { return self.regions_at_level("province").await };
        let mut regions = Vec::with_capacity(roots.len());
        for root in roots {
            if let Some(region) = self.store().region(root).await? {
                regions.push(region);
            }
        }
        Ok(regions)
    }

    /// Every region at a level, by code (the tree's shape is public: GB/T 2260).
    pub async fn regions_at_level(&self, level: &str) -> AppResult<Vec<Region>> {
        Ok(self.store().regions_at_level(level).await?)
    }

    /// Every region, by code (the tree's shape is public: GB/T 2260).
    pub async fn regions(&self) -> AppResult<Vec<Region>> {
        Ok(self.store().regions().await?)
    }

    /// A region, if it exists (for names of partners and parents).
    pub async fn find_region(&self, code: &RegionCode) -> AppResult<Option<Region>> {
        Ok(self.store().region(code).await?)
    }

    /// A region's boundary, or not found.
    pub async fn boundary(&self, code: &RegionCode) -> AppResult<revita_store::Boundary> {
        self.store().boundary(code).await?.ok_or_else(|| AppError::NotFound(format!("boundary of {code}")))
    }

    /// Every indicator, by code.
    pub async fn indicators(&self) -> AppResult<Vec<Indicator>> {
        Ok(self.store().indicators().await?)
    }

    /// The periods with observations of an indicator, ascending.
    pub async fn periods(&self, indicator: &IndicatorCode) -> AppResult<Vec<String>> {
        Ok(self.store().periods(indicator).await?)
    }

    /// One page of observations matching `query` within a jurisdiction, in
    /// key order after `after`: the jurisdiction is a condition of the
    /// query, so a page holds `limit` rows whenever that many remain.
    pub async fn observations(
        &self,
        query: &ObservationQuery,
        after: Option<&revita_store::ObservationKey>,
        limit: i64,
        within: &Jurisdiction,
    ) -> AppResult<Vec<revita_methods::Observation>> {
        Ok(self.store().observations(&within_query(query, within), after, limit).await?)
    }

    /// How many observations match `query` within a jurisdiction.
    pub async fn count_observations(&self, query: &ObservationQuery, within: &Jurisdiction) -> AppResult<i64> {
        Ok(self.store().count_observations(&within_query(query, within)).await?)
    }

    /// Designations (of one category, or all) within a jurisdiction.
    pub async fn designations(
        &self,
        category: Option<&revita_methods::DesignationCategory>,
        within: &Jurisdiction,
    ) -> AppResult<Vec<Designation>> {
        Ok(self.store().designations(category, within.roots()).await?)
    }

    /// One page of the designations (of one category, or all) within a
    /// jurisdiction, by region and id after `after`, each with its id.
    pub async fn designation_page(
        &self,
        category: Option<&revita_methods::DesignationCategory>,
        within: &Jurisdiction,
        after: Option<(&str, i64)>,
        limit: i64,
    ) -> AppResult<Vec<(i64, Designation)>> {
        Ok(self.store().designation_page(category, within.roots(), after, limit).await?)
    }

    /// How many designations [`App::designation_page`] pages through.
    pub async fn count_designations(
        &self,
        category: Option<&revita_methods::DesignationCategory>,
        within: &Jurisdiction,
    ) -> AppResult<i64> {
        Ok(self.store().count_designations(category, within.roots()).await?)
    }

    /// Counts of what the database holds: whole-database figures, so for
    /// national readers only.
    pub async fn inventory(&self, within: &Jurisdiction) -> AppResult<revita_store::Inventory> {
        if !within.is_everywhere() {
            return Err(AppError::Forbidden(
                "the inventory counts the whole database; it is for national users".into(),
            ));
        }
        Ok(self.store().inventory().await?)
    }

    /// Whether the database holds any observation (an empty one takes the demo).
    pub async fn is_empty(&self) -> AppResult<bool> {
        Ok(self.store().inventory().await?.observations == 0)
    }

    /// The backend's name and whether it answers, for health checks.
    pub async fn health(&self) -> (String, AppResult<()>) {
        let backend = format!("{:?}", self.store().backend()).to_lowercase();
        (backend, self.store().ping().await.map_err(AppError::from))
    }

    /// One indicator, or not found.
    pub async fn indicator(&self, code: &str) -> AppResult<Indicator> {
        let code = IndicatorCode::parse(code).map_err(|e| AppError::Invalid(e.to_string()))?;
        self.store().indicator(&code).await?.ok_or_else(|| AppError::NotFound(format!("indicator {code}")))
    }

    /// Rolls `indicator` up to `region` for `period` from its direct
    /// children, or from its descendants at `level`.
    ///
    /// Children outside `visible` (`None`: everywhere) are left out of the
    /// value and the list but still expected, so that an aggregate above a
    /// user's scope shows only what the scope covers and says that it is
    /// partial (issue 13); the region's own stored value shows only if the
    /// region is in scope.
    pub async fn rollup(
        &self,
        region: &RegionCode,
        indicator: &str,
        period: &str,
        level: Option<&str>,
        visible: &crate::Jurisdiction,
    ) -> AppResult<Rollup> {
        self.region(region).await?;
        let indicator = self.indicator(indicator).await?;
        let period = Period::parse(period).map_err(|e| AppError::Invalid(e.to_string()))?.to_string();
        let all: Vec<RegionCode> = match level {
            Some(level) => self.store().descendants(region, Some(level)).await?,
            None => self.store().children(region).await?,
        }
        .into_iter()
        .map(|r| r.code)
        .collect();
        let members: Vec<RegionCode> = all.iter().filter(|c| visible.covers(c)).cloned().collect();
        let outside_jurisdiction = all.len() - members.len();
        let values = self.values(&indicator.code, &period, region, level).await?;
        let weights = match &indicator.aggregation {
            Aggregation::WeightedMean(w) => self.values(w, &period, region, level).await?,
            _ => HashMap::new(),
        };
        let children: Vec<RollupChild> = members
            .iter()
            .map(|c| RollupChild {
                code: c.to_string(),
                value: values.get(c).copied(),
                weight: weights.get(c).copied(),
            })
            .collect();
        let hidden = std::iter::repeat_n(ChildValue::default(), outside_jurisdiction);
        let inputs: Vec<ChildValue> =
            children.iter().map(|c| ChildValue { value: c.value, weight: c.weight }).chain(hidden).collect();
        let result = aggregate(&indicator.aggregation, &inputs);
        let own = ObservationQuery {
            indicator: Some(indicator.code.clone()),
            region: Some(region.clone()),
            period: Some(period.clone()),
            ..Default::default()
        };
        let stored_value = if visible.covers(region) {
            self.store().observations(&own, None, 1).await?.first().map(|o| o.value)
        } else {
            None
        };
        Ok(Rollup {
            region: region.to_string(),
            indicator: indicator.code.to_string(),
            period,
            method: indicator.aggregation.as_str().to_string(),
            weight: indicator.aggregation.weight().map(|w| w.to_string()),
            value: result.value,
            reported: result.reported,
            expected: result.expected,
            complete: result.is_complete(),
            outside_jurisdiction,
            stored_value,
            children,
        })
    }

    /// Values of one indicator and period for the children of `region`, or
    /// for every region at `level` (callers pick the members they need).
    async fn values(
        &self,
        indicator: &IndicatorCode,
        period: &str,
        region: &RegionCode,
        level: Option<&str>,
    ) -> AppResult<HashMap<RegionCode, f64>> {
        let query = ObservationQuery {
            indicator: Some(indicator.clone()),
            period: Some(period.to_string()),
            parent: level.is_none().then(|| region.clone()),
            level: level.map(str::to_string),
            ..Default::default()
        };
        let mut values = HashMap::new();
        let mut after = None;
        loop {
            let page = self.store().observations(&query, after.as_ref(), 10_000).await?;
            let Some(last) = page.last() else { break };
            after = Some(revita_store::ObservationKey {
                indicator: last.indicator.to_string(),
                region: last.region.to_string(),
                period: last.period.to_string(),
            });
            values.extend(page.into_iter().map(|o| (o.region, o.value)));
        }
        Ok(values)
    }
}
