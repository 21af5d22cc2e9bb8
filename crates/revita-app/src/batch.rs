//! File-to-file batch jobs behind the CLI: the spatial join of points in
//! zones (`revita subsidence join`, benchmark B3) and the site-assignment
//! optimiser over origin, site and link files (`revita relocate assign`,
//! benchmark B4). Both read plain numeric CSV in parallel
//! (`revita_ingest::numeric`), compute in the pure core and write CSV.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use revita_ingest::numeric::{Kind, read_numeric_csv};
use revita_methods::assignment::{Assignment, Link, Options, Origin, Site, assign};
use revita_methods::geometry::Polygon;
use revita_methods::subsidence::{ZoneCounts, ZoneIndex};
use serde_json::Value;

use crate::{AppError, AppResult};

/// The threads a batch job uses: one per core.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A zone's identifier: a whole number, or text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ZoneId {
    /// A whole number (sorted numerically).
    Number(i64),
    /// Text.
    Text(String),
}

impl std::fmt::Display for ZoneId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ZoneId::Number(n) => write!(f, "{n}"),
            ZoneId::Text(t) => f.write_str(t),
        }
    }
}

#[derive(serde::Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

#[derive(serde::Deserialize)]
struct Feature {
    #[serde(default)]
    properties: serde_json::Map<String, Value>,
    geometry: Geometry,
}

#[derive(serde::Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

fn polygon(rings: Vec<Vec<[f64; 2]>>) -> Polygon {
    rings.into_iter().map(|r| r.into_iter().map(|[x, y]| (x, y)).collect()).collect()
}

/// Reads zones from a GeoJSON FeatureCollection of Polygons or
/// MultiPolygons, each identified by the property `id_property`.
pub fn read_zones(path: &Path, id_property: &str) -> AppResult<Vec<(ZoneId, Polygon)>> {
    let file = path.display().to_string();
    let problem = |reason: String| -> AppError {
        revita_ingest::Problems::from(revita_ingest::FileError::new(&file, reason)).into()
    };
    let size = std::fs::metadata(path).map_err(|e| problem(format!("cannot open: {e}")))?.len();
    if size > revita_ingest::numeric::MAX_NUMERIC_BYTES {
        return Err(problem("larger than 4 GiB".into()));
    }
    let bytes = std::fs::read(path).map_err(|e| problem(format!("cannot read: {e}")))?;
    let collection: Collection =
        serde_json::from_slice(&bytes).map_err(|e| problem(format!("not a FeatureCollection of polygons: {e}")))?;
    let mut zones = Vec::with_capacity(collection.features.len());
    for (k, f) in collection.features.into_iter().enumerate() {
        let id = match f.properties.get(id_property) {
            Some(Value::Number(n)) if n.is_i64() => ZoneId::Number(n.as_i64().unwrap_or_default()),
            Some(Value::String(s)) => ZoneId::Text(s.clone()),
            _ => return Err(problem(format!("feature {} has no '{id_property}' property", k + 1))),
        };
        match f.geometry {
            Geometry::Polygon(rings) => zones.push((id, polygon(rings))),
            Geometry::MultiPolygon(polygons) => {
                zones.extend(polygons.into_iter().map(|rings| (id.clone(), polygon(rings))))
            }
        }
    }
    Ok(zones)
}

/// What a join found.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinSummary {
    /// Zones (distinct identifiers).
    pub zones: usize,
    /// Points read.
    pub points: usize,
    /// Points inside some zone.
    pub inside: u64,
}

/// Counts the points of a CSV file (`lon`, `lat` and the weight column)
/// strictly inside each zone and sums their weights; writes
/// `zone_id,points,<weight>` sorted by zone (every zone, 0 when none).
pub fn join_files(
    zones_path: &Path,
    points_path: &Path,
    out: &Path,
    id_property: &str,
    weight: &str,
) -> AppResult<JoinSummary> {
    let threads = threads();
    let wanted = [("lon", Kind::Float), ("lat", Kind::Float), (weight, Kind::Int)];
    // The zones are read and indexed while the points are parsed.
    let (index, columns) = std::thread::scope(|s| {
        let zones = s.spawn(|| -> AppResult<ZoneIndex<ZoneId>> {
            let zones = read_zones(zones_path, id_property)?;
            ZoneIndex::new_in_parallel(zones, threads).map_err(|e| {
                let file = zones_path.display().to_string();
                revita_ingest::Problems::from(revita_ingest::FileError::new(&file, e.to_string())).into()
            })
        });
        let columns = read_numeric_csv(points_path, &wanted, threads).map_err(AppError::from);
        let zones = zones.join().map_err(|_| AppError::Internal(anyhow::anyhow!("the zone reader failed")));
        (zones.and_then(|z| z), columns)
    });
    let (index, columns) = (index?, columns?);
    let points: Vec<(f64, f64)> =
        columns[0].floats().iter().copied().zip(columns[1].floats().iter().copied()).collect();
    let weights = columns[2].ints();
    let counts: ZoneCounts = index
        .count_in_parallel(&points, weights, threads)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", points_path.display())))?;
    // Parts of one zone (a MultiPolygon) add up under its identifier.
    let mut by_zone: BTreeMap<&ZoneId, (u64, i64)> = BTreeMap::new();
    for (k, id) in index.ids().iter().enumerate() {
        let entry = by_zone.entry(id).or_default();
        entry.0 += counts.points[k];
        entry.1 = entry.1.saturating_add(counts.weights[k]);
    }
    let mut text = String::with_capacity(32 * by_zone.len() + 32);
    let _ = writeln!(text, "zone_id,points,{weight}");
    for (id, (n, w)) in &by_zone {
        let _ = writeln!(text, "{id},{n},{w}");
    }
    std::fs::write(out, text).map_err(|e| AppError::Invalid(format!("{}: {e}", out.display())))?;
    Ok(JoinSummary { zones: by_zone.len(), points: points.len(), inside: by_zone.values().map(|(n, _)| n).sum() })
}

/// Solves the site assignment over CSV files — origins (`origin_id`,
/// `households`), sites (`site_id`, `capacity`) and links (`origin_id`,
/// `site_id`, `cost`) — and writes `origin_id,site_id,households` for every
/// positive flow, sorted by origin then site.
pub fn assign_files(
    origins: &Path,
    sites: &Path,
    links: &Path,
    out: &Path,
    options: &Options,
) -> AppResult<Assignment<i64>> {
    let threads = threads();
    let read = |path: &Path, columns: &[(&str, Kind)]| -> AppResult<Vec<Vec<i64>>> {
        let cols = read_numeric_csv(path, columns, threads)?;
        Ok(cols.into_iter().map(|c| c.ints().to_vec()).collect())
    };
    let o = read(origins, &[("origin_id", Kind::Int), ("households", Kind::Int)])?;
    let s = read(sites, &[("site_id", Kind::Int), ("capacity", Kind::Int)])?;
    let l = read(links, &[("origin_id", Kind::Int), ("site_id", Kind::Int), ("cost", Kind::Int)])?;
    let origins: Vec<Origin<i64>> =
        o[0].iter().zip(&o[1]).map(|(&id, &households)| Origin { id, households }).collect();
    let sites: Vec<Site<i64>> = s[0].iter().zip(&s[1]).map(|(&id, &capacity)| Site { id, capacity }).collect();
    let links: Vec<Link<i64>> =
        (0..l[0].len()).map(|k| Link { origin: l[0][k], site: l[1][k], cost: l[2][k] }).collect();
    let result = assign(&origins, &sites, &links, options).map_err(|e| AppError::Invalid(e.to_string()))?;
    let mut flows: Vec<(i64, i64, i64)> = result.flows.iter().map(|f| (f.origin, f.site, f.households)).collect();
    flows.sort_unstable();
    let mut text = String::with_capacity(24 * flows.len() + 32);
    text.push_str("origin_id,site_id,households\n");
    for (o, s, h) in flows {
        let _ = writeln!(text, "{o},{s},{h}");
    }
    std::fs::write(out, text).map_err(|e| AppError::Invalid(format!("{}: {e}", out.display())))?;
    Ok(result)
}
