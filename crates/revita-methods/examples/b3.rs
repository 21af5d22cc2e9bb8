//! Benchmark B3 (bench SPEC.md): villages in coal-mining subsidence zones.
//!
//!     b3 --zones zones.geojson --points points.csv --out zone_counts.csv
//!
//! Reads the zones (a GeoJSON FeatureCollection of Polygons with an integer
//! `zone_id`) and the points (CSV: point_id, lon, lat, population), counts
//! the points strictly inside each zone and sums their population with
//! [`ZoneIndex`], and writes one row per zone sorted by zone_id. Points are
//! read as CSV only (the Parquet input of the kit is not read here: the core
//! crate takes no arrow/parquet dependency; revita-ingest would). The zones
//! are read and indexed on one thread while the points file, split at line
//! ends into one part per core, is parsed on the others; each part is then
//! counted on its own thread and the parts' counts are added.

use std::error::Error;
use std::fmt::Write;
use std::time::Instant;

use revita_methods::geometry::{Point, Polygon};
use revita_methods::subsidence::{ZoneCounts, ZoneIndex};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

#[derive(serde::Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

#[derive(serde::Deserialize)]
struct Feature {
    properties: Properties,
    geometry: Geometry,
}

#[derive(serde::Deserialize)]
struct Properties {
    zone_id: i64,
}

#[derive(serde::Deserialize)]
struct Geometry {
    #[serde(rename = "type")]
    kind: String,
    coordinates: Vec<Vec<[f64; 2]>>,
}

struct Args {
    zones: String,
    points: String,
    out: String,
}

fn args() -> Result<Args> {
    let mut a = std::env::args().skip(1);
    let (mut zones, mut points, mut out) = (None, None, None);
    while let Some(flag) = a.next() {
        let value = a.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--zones" => zones = Some(value),
            "--points" => points = Some(value),
            "--out" => out = Some(value),
            _ => return Err(format!("unknown argument {flag}").into()),
        }
    }
    let usage = "usage: b3 --zones zones.geojson --points points.csv --out zone_counts.csv";
    Ok(Args { zones: zones.ok_or(usage)?, points: points.ok_or(usage)?, out: out.ok_or(usage)? })
}

fn read_zones(path: &str) -> Result<Vec<(i64, Polygon)>> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let collection: Collection = serde_json::from_slice(&bytes).map_err(|e| format!("{path}: {e}"))?;
    let mut zones = Vec::with_capacity(collection.features.len());
    for (k, f) in collection.features.into_iter().enumerate() {
        if f.geometry.kind != "Polygon" {
            return Err(format!("{path}: feature {k} (from 0) is a {}, not a Polygon", f.geometry.kind).into());
        }
        let rings = f.geometry.coordinates.into_iter().map(|r| r.into_iter().map(|[x, y]| (x, y)).collect()).collect();
        zones.push((f.properties.zone_id, rings));
    }
    Ok(zones)
}

/// The columns lon, lat and population of a header line.
fn columns(header: &[u8]) -> Result<[usize; 3]> {
    let names: Vec<&[u8]> = header.split(|&b| b == b',').map(|s| s.trim_ascii()).collect();
    let find = |name: &str| {
        names.iter().position(|n| *n == name.as_bytes()).ok_or_else(|| format!("the points file has no column {name}"))
    };
    Ok([find("lon")?, find("lat")?, find("population")?])
}

/// Parses one part of the points file (whole lines, no header). SPEC's CSV
/// has no quoting, so a line is split at its commas; numbers go through the
/// standard library's (correctly rounded) parsers.
fn parse_points(part: &[u8], cols: [usize; 3]) -> Result<(Vec<Point>, Vec<i64>)> {
    let text = std::str::from_utf8(part).map_err(|e| format!("points: not UTF-8: {e}"))?;
    let rows = part.len() / 32;
    let (mut points, mut weights) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
    let [lon_col, lat_col, pop_col] = cols;
    let (mut lon, mut lat, mut pop) = ("", "", "");
    for line in text.lines() {
        if line.is_empty() {
            continue;
        }
        let mut found = 0;
        for (k, field) in line.split(',').enumerate() {
            if k == lon_col {
                (lon, found) = (field, found + 1);
            } else if k == lat_col {
                (lat, found) = (field, found + 1);
            } else if k == pop_col {
                (pop, found) = (field, found + 1);
            }
        }
        let bad = || format!("points: bad line '{line}'");
        if found < 3 {
            return Err(bad().into());
        }
        let p = (lon.parse().map_err(|_| bad())?, lat.parse().map_err(|_| bad())?);
        points.push(p);
        weights.push(pop.parse().map_err(|_| bad())?);
    }
    Ok((points, weights))
}

/// The body split at line ends into `parts` pieces of about equal size.
fn split_lines(body: &[u8], parts: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(parts);
    let mut rest = body;
    for k in (1..=parts).rev() {
        let target = rest.len() / k;
        let cut = if k == 1 {
            rest.len()
        } else {
            rest[target..].iter().position(|&b| b == b'\n').map_or(rest.len(), |p| target + p + 1)
        };
        let (head, tail) = rest.split_at(cut);
        out.push(head);
        rest = tail;
    }
    out
}

fn main() -> Result<()> {
    let started = Instant::now();
    let a = args()?;
    if a.points.ends_with(".parquet") {
        return Err("this example reads points from CSV only".into());
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let bytes = std::fs::read(&a.points).map_err(|e| format!("{}: {e}", a.points))?;
    let header_end = bytes.iter().position(|&b| b == b'\n').unwrap_or(bytes.len());
    let cols = columns(&bytes[..header_end])?;
    let body = &bytes[(header_end + 1).min(bytes.len())..];
    // The zones are read and indexed on one thread while the points are
    // parsed on the others; then every part is counted on its own thread.
    type Parts = Vec<(Vec<Point>, Vec<i64>)>;
    let (zones, parts) = std::thread::scope(|s| -> Result<(ZoneIndex<i64>, Parts)> {
        let zones =
            s.spawn(|| -> Result<ZoneIndex<i64>> { Ok(ZoneIndex::new_in_parallel(read_zones(&a.zones)?, threads)?) });
        let parsers: Vec<_> =
            split_lines(body, threads).into_iter().map(|part| s.spawn(move || parse_points(part, cols))).collect();
        let parts = parsers
            .into_iter()
            .map(|parser| parser.join().map_err(|_| "a parsing thread failed")?)
            .collect::<Result<Parts>>()?;
        Ok((zones.join().map_err(|_| "the zone reader failed")??, parts))
    })?;
    let read = Instant::now();
    let counts = std::thread::scope(|s| -> Result<ZoneCounts> {
        let counters: Vec<_> = parts.iter().map(|(points, weights)| s.spawn(|| zones.count(points, weights))).collect();
        let mut total = ZoneCounts { points: vec![0; zones.len()], weights: vec![0; zones.len()], outside: 0 };
        for counter in counters {
            total.merge(&counter.join().map_err(|_| "a counting thread failed")??)?;
        }
        Ok(total)
    })?;
    let computed = Instant::now();
    let mut order: Vec<usize> = (0..zones.len()).collect();
    order.sort_by_key(|&k| zones.ids()[k]);
    let mut out = String::with_capacity(32 * order.len() + 32);
    out.push_str("zone_id,points,population\n");
    for k in order {
        let _ = writeln!(out, "{},{},{}", zones.ids()[k], counts.points[k], counts.weights[k]);
    }
    std::fs::write(&a.out, out).map_err(|e| format!("{}: {e}", a.out))?;
    let done = Instant::now();
    let secs = |from: Instant, to: Instant| (to - from).as_secs_f64();
    let (r, c, w) = (secs(started, read), secs(read, computed), secs(computed, done));
    // "read" includes indexing the zones (done while the points are parsed).
    println!("TIME read={r:.3} compute={c:.3} write={w:.3} total={:.3}", r + c + w);
    Ok(())
}
