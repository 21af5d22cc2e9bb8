//! Map data: the regions at a level (of the whole store or within one
//! region), their boundaries, and for each either an indicator's value for a
//! period or its designation status on a date. Rendering is the caller's
//! business (`revita-report` draws SVG, the API returns GeoJSON).

use std::collections::{HashMap, HashSet};

use revita_ingest::boundaries::parse_geometry;
use revita_methods::geometry::MultiPolygon;
use revita_methods::{Date, DesignationCategory, Hierarchy, Indicator, Region, RegionCode};
use revita_store::{ObservationKey, ObservationQuery};

use crate::{App, AppError, AppResult};

/// One region on a map.
#[derive(Debug, Clone)]
pub struct MapRegion {
    /// Code.
    pub code: RegionCode,
    /// Chinese name.
    pub name_zh: String,
    /// English name, where known.
    pub name_en: Option<String>,
    /// Its level: the map's, or above or below it where a branch of the
    /// tree does not reach the map's level.
    pub level: String,
    /// Boundary; empty when none is stored.
    pub shape: MultiPolygon,
    /// Where the boundary comes from, as stored with it.
    pub boundary_source: Option<String>,
    /// The indicator's value, or 1 (designated on the date), 0 (designated
    /// before, ended by the date) for designation maps; `None` for no data.
    pub value: Option<f64>,
}

/// What a map shows.
#[derive(Debug, Clone)]
pub enum MapTheme {
    /// An indicator in a period.
    Indicator {
        /// The indicator (boxed: it is much larger than a designation theme).
        indicator: Box<Indicator>,
        /// The period shown.
        period: String,
        /// Sources of the values shown.
        sources: Vec<String>,
    },
    /// A designation category on a date.
    Designation {
        /// The category.
        category: DesignationCategory,
        /// The date the status is taken on.
        on: Date,
    },
}

/// A map's regions and theme.
#[derive(Debug, Clone)]
pub struct MapData {
    /// The level drawn.
    pub level: String,
    /// The region the map is limited to, if any.
    pub within: Option<RegionCode>,
    /// What is shown.
    pub theme: MapTheme,
    /// Regions, by code.
    pub regions: Vec<MapRegion>,
}

impl App {
    /// The regions a map at `level` draws, limited to `within` if given:
    /// those at the level, and where a branch of the tree does not reach
    /// it, the branch's own region, so that the map has no holes — Taiwan,
    /// Hong Kong and Macao are drawn on a county map of China as the
    /// province-level units they are in the data, 东莞 as its prefecture,
    /// 北京 whole on a prefecture map ([`Hierarchy::cover_at_level`]).
    pub async fn map_regions(&self, level: &str, within: Option<&RegionCode>) -> AppResult<Vec<MapRegion>> {
        if let Some(code) = within {
            self.region(code).await?;
        }
        let regions = self.map_cover(level, within).await?;
        let mut shapes: HashMap<RegionCode, (MultiPolygon, Option<String>)> = HashMap::new();
        let wanted: HashSet<&RegionCode> = regions.iter().map(|r| &r.code).collect();
        let mut boundaries = self.store().boundaries_at_level(level).await?;
        boundaries.retain(|b| wanted.contains(&b.region));
        let others: Vec<RegionCode> = regions.iter().filter(|r| r.level != level).map(|r| r.code.clone()).collect();
        boundaries.extend(self.store().boundaries_of(&others).await?);
        for boundary in boundaries {
            let shape = parse_geometry(&boundary.geojson)
                .map_err(|e| anyhow::anyhow!("stored boundary of {} is invalid: {e}", boundary.region))?;
            shapes.insert(boundary.region, (shape, boundary.source));
        }
        Ok(regions
            .into_iter()
            .map(|r| {
                let (shape, boundary_source) = shapes.remove(&r.code).unwrap_or_default();
                (r, shape, boundary_source)
            })
            .map(|(r, shape, boundary_source)| MapRegion {
                shape,
                boundary_source,
                code: r.code,
                name_zh: r.name_zh,
                name_en: r.name_en,
                level: r.level,
                value: None,
            })
            .collect())
    }

    /// The stored boundaries of `codes` (those that have one), parsed: the
    /// background of point maps (sites, projects, flows).
    pub async fn region_shapes(&self, codes: &[RegionCode]) -> AppResult<Vec<(RegionCode, MultiPolygon)>> {
        let unique: Vec<RegionCode> = codes.iter().cloned().collect::<HashSet<_>>().into_iter().collect();
        let mut shapes = Vec::new();
        for b in self.store().boundaries_of(&unique).await? {
            let shape = parse_geometry(&b.geojson)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("stored boundary of {} is invalid: {e}", b.region)))?;
            shapes.push((b.region, shape));
        }
        shapes.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(shapes)
    }

    /// The regions of [`App::map_regions`], without their boundaries; by
    /// code. A level the scheme does not know, or a tree that does not
    /// hold together at it, gives the regions at the level alone.
    async fn map_cover(&self, level: &str, within: Option<&RegionCode>) -> AppResult<Vec<Region>> {
        let levels = self.scheme().levels();
        let at_level = async || -> AppResult<Vec<Region>> {
            Ok(match within {
                Some(code) => self.descendants(code, Some(level)).await?,
                None => self.store().regions_at_level(level).await?,
            })
        };
        let Some(rank) = levels.iter().position(|l| *l == level) else { return at_level().await };
        let candidates = self.store().map_candidates(&levels[..=rank], levels.get(rank + 1).copied()).await?;
        let tree = Hierarchy::build(candidates.iter().map(|r| (r.code.clone(), r.level.clone(), r.parent.clone())));
        let Ok(tree) = tree else { return at_level().await };
        let roots = match within {
            Some(code) => vec![code],
            None => tree.roots(),
        };
        let cover: HashSet<&RegionCode> =
            roots.into_iter().flat_map(|r| tree.cover_at_level(r, level, levels)).collect();
        Ok(candidates.iter().filter(|r| cover.contains(&r.code)).cloned().collect())
    }

    /// The period an indicator map at `level` shows by default: the latest
    /// broadly covered one ([`revita_methods::observation::broadly_covered`]).
    pub async fn default_map_period(
        &self,
        indicator: &Indicator,
        level: &str,
        within: Option<&RegionCode>,
    ) -> AppResult<Option<String>> {
        let coverage = self.store().period_coverage(&indicator.code, level, within).await?;
        Ok(revita_methods::observation::broadly_covered(&coverage).cloned())
    }

    /// An indicator map; `period` defaults to the latest broadly covered
    /// one at the level.
    pub async fn indicator_map(
        &self,
        level: &str,
        within: Option<&RegionCode>,
        indicator: &str,
        period: Option<&str>,
    ) -> AppResult<MapData> {
        let indicator = self.indicator(indicator).await?;
        let period = match period {
            Some(p) => revita_methods::Period::parse(p).map_err(|e| AppError::Invalid(e.to_string()))?.to_string(),
            None => self
                .default_map_period(&indicator, level, within)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("data for indicator {}", indicator.code)))?,
        };
        let mut regions = self.map_regions(level, within).await?;
        let query = ObservationQuery {
            indicator: Some(indicator.code.clone()),
            level: Some(level.to_string()),
            period: Some(period.clone()),
            ..Default::default()
        };
        let mut values = HashMap::new();
        let mut sources = Vec::new();
        let mut after: Option<ObservationKey> = None;
        loop {
            let page = self.store().observations(&query, after.as_ref(), 20_000).await?;
            let Some(last) = page.last() else { break };
            after = Some(ObservationKey {
                indicator: last.indicator.to_string(),
                region: last.region.to_string(),
                period: last.period.to_string(),
            });
            for o in page {
                if let Some(source) = &o.source
                    && !sources.contains(source)
                {
                    sources.push(source.clone());
                }
                values.insert(o.region, o.value);
            }
        }
        // A region drawn for a branch that does not reach the level (东莞
        // on a county map, 北京 on a prefecture map) shows its own value
        // of a rate or mean, which compares with the level's; not of a
        // sum, whose value at a higher level would dwarf theirs.
        let comparable = !matches!(indicator.aggregation, revita_methods::Aggregation::Sum);
        for region in &mut regions {
            region.value = values.get(&region.code).copied();
            if region.value.is_none() && comparable && region.level != level {
                let own = ObservationQuery { region: Some(region.code.clone()), level: None, ..query.clone() };
                region.value = self.store().observations(&own, None, 1).await?.first().map(|o| o.value);
            }
        }
        Ok(MapData {
            level: level.to_string(),
            within: within.cloned(),
            theme: MapTheme::Indicator { indicator: Box::new(indicator), period, sources },
            regions,
        })
    }

    /// A designation map: 1 where the category holds on `on`, 0 where it
    /// held before and has ended.
    pub async fn designation_map(
        &self,
        level: &str,
        within: Option<&RegionCode>,
        category: &str,
        on: Date,
    ) -> AppResult<MapData> {
        let category = DesignationCategory::parse(category).map_err(|e| AppError::Invalid(e.to_string()))?;
        let mut status: HashMap<RegionCode, f64> = HashMap::new();
        for d in self.store().designations(Some(&category), None).await? {
            let value = if d.is_active_on(on) {
                1.0
            } else if d.valid_from.is_none_or(|f| f <= on) {
                0.0
            } else {
                continue;
            };
            let entry = status.entry(d.region).or_insert(value);
            *entry = entry.max(value);
        }
        let mut regions = self.map_regions(level, within).await?;
        for region in &mut regions {
            region.value = status.get(&region.code).copied();
        }
        Ok(MapData {
            level: level.to_string(),
            within: within.cloned(),
            theme: MapTheme::Designation { category, on },
            regions,
        })
    }
}
