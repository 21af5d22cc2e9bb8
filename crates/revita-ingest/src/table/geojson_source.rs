//! GeoJSON points as a table: a `FeatureCollection` of `Point` features
//! reads like the CSV of the same records — the point's longitude and
//! latitude in columns `lon` and `lat`, then each property a column (a
//! reader finds columns by name, so their order does not matter), strings
//! as they are, numbers in
//! their shortest exact form, `true`/`false` as `1`/`0`, null as an empty
//! cell. A record's row number is its feature's number (1-based), so every
//! problem names the feature.
//!
//! The file is untrusted: it is read whole but bounded ([`MAX_GEOJSON_BYTES`]),
//! a cell is held to the field limit, the columns to the header limit, and a
//! feature that is not a point, or whose property is an object or array, is
//! a problem of that feature, not a panic.

use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};

use super::sheet::Item;
use crate::error::{FileError, RowError};
use crate::limits::Limits;

/// The largest GeoJSON file read as a table: 32 MiB, about 200,000 points
/// with a dozen properties each.
pub const MAX_GEOJSON_BYTES: u64 = 32 << 20;

/// The most features such a file may hold.
pub const MAX_GEOJSON_FEATURES: usize = 1_000_000;

/// The two columns the geometry fills.
const GEOMETRY_COLUMNS: [&str; 2] = ["lon", "lat"];

/// A GeoJSON file's points, ready as rows.
pub(crate) struct GeoJsonSource {
    items: VecDeque<Item>,
}

impl GeoJsonSource {
    /// Reads and checks the file; returns the header and the rows.
    pub(crate) fn open(file: &str, path: &Path, limits: Limits) -> Result<(Vec<String>, GeoJsonSource), FileError> {
        let input = std::fs::File::open(path).map_err(|e| FileError::new(file, format!("cannot open: {e}")))?;
        let mut bytes = Vec::new();
        input
            .take(MAX_GEOJSON_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| FileError::new(file, format!("cannot read: {e}")))?;
        if bytes.len() as u64 > MAX_GEOJSON_BYTES {
            return Err(FileError::new(file, format!("larger than {} MiB", MAX_GEOJSON_BYTES >> 20)));
        }
        points(file, &bytes, limits)
    }
}

impl GeoJsonSource {
    /// The next row, or problem; `None` at the end.
    pub(super) fn next_item(&mut self) -> Option<Item> {
        self.items.pop_front()
    }
}

/// The header and rows of a GeoJSON text of points.
fn points(file: &str, bytes: &[u8], limits: Limits) -> Result<(Vec<String>, GeoJsonSource), FileError> {
    let json: Value = serde_json::from_slice(bytes)
        .map_err(|e| FileError::new(file, format!("not valid JSON (line {}, column {}): {e}", e.line(), e.column())))?;
    if json.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(FileError::new(file, "a GeoJSON FeatureCollection is expected"));
    }
    let features = json
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| FileError::new(file, "the FeatureCollection has no \"features\" array"))?;
    if features.len() > MAX_GEOJSON_FEATURES {
        return Err(FileError::new(file, format!("more than {MAX_GEOJSON_FEATURES} features")));
    }
    let header = header_of(file, features, limits)?;
    let items = features
        .iter()
        .enumerate()
        .map(|(i, feature)| {
            let number = i as u64 + 1;
            match row_of(feature, &header, limits) {
                Ok(cells) => Item::Row(number, cells),
                Err((column, reason)) => Item::Problem(match column {
                    Some(column) => RowError::cell(file, number, &column, reason),
                    None => RowError::row(file, number, reason),
                }),
            }
        })
        .collect();
    Ok((header, GeoJsonSource { items }))
}

/// `lon`, `lat`, then every property name, each once.
fn header_of(file: &str, features: &[Value], limits: Limits) -> Result<Vec<String>, FileError> {
    let mut header: Vec<String> = GEOMETRY_COLUMNS.iter().map(|c| c.to_string()).collect();
    let mut seen: std::collections::HashSet<String> = header.iter().cloned().collect();
    for properties in features.iter().filter_map(|f| f.get("properties").and_then(Value::as_object)) {
        for name in properties.keys() {
            let name = name.trim();
            if !name.is_empty() && seen.insert(name.to_string()) {
                if header.len() == limits.columns {
                    return Err(FileError::new(file, format!("more than {} distinct properties", limits.columns)));
                }
                header.push(name.to_string());
            }
        }
    }
    Ok(header)
}

/// A feature's cells in the header's order, or the column and reason it
/// cannot be read.
fn row_of(feature: &Value, header: &[String], limits: Limits) -> Result<Vec<String>, (Option<String>, String)> {
    let geometry = feature.get("geometry").ok_or((Some("geometry".into()), "the feature has no geometry".into()))?;
    let (lon, lat) = point(geometry).map_err(|reason| (Some("geometry".to_string()), reason))?;
    let empty = Map::new();
    let properties = match feature.get("properties") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(p)) => p,
        Some(_) => return Err((None, "\"properties\" is not an object".into())),
    };
    let mut cells = vec![String::new(); header.len()];
    cells[0] = lon;
    cells[1] = lat;
    for (name, value) in properties {
        let name = name.trim();
        if GEOMETRY_COLUMNS.contains(&name) {
            return Err((
                Some(name.to_string()),
                format!("the property '{name}' would hide the point's own coordinate: remove it"),
            ));
        }
        let Some(column) = header.iter().position(|h| h == name) else { continue };
        let text = match value {
            Value::Null => String::new(),
            Value::Bool(b) => if *b { "1" } else { "0" }.to_string(),
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            Value::Array(_) | Value::Object(_) => {
                return Err((Some(name.to_string()), "is a list or object, not a single value".into()));
            }
        };
        if text.len() > limits.field_bytes {
            return Err((Some(name.to_string()), format!("longer than {} bytes", limits.field_bytes)));
        }
        cells[column] = text;
    }
    Ok(cells)
}

/// A `Point` geometry's longitude and latitude, as text.
fn point(geometry: &Value) -> Result<(String, String), String> {
    match geometry.get("type").and_then(Value::as_str) {
        Some("Point") => {}
        Some(other) => return Err(format!("a {other}, not a Point")),
        None => return Err("the geometry has no type".into()),
    }
    let coordinates = geometry
        .get("coordinates")
        .and_then(Value::as_array)
        .filter(|c| c.len() == 2 || c.len() == 3)
        .ok_or("a Point needs coordinates [lon, lat]")?;
    let number = |v: &Value| v.as_f64().filter(|x| x.is_finite()).ok_or("a coordinate is not a number");
    let (lon, lat) = (number(&coordinates[0])?, number(&coordinates[1])?);
    Ok((lon.to_string(), lat.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<(Vec<String>, Vec<Item>), FileError> {
        let (header, mut source) = points("sites.geojson", text.as_bytes(), Limits::DEFAULT)?;
        let items = std::iter::from_fn(|| source.next_item()).collect();
        Ok((header, items))
    }

    #[test]
    fn points_read_as_rows_numbered_by_feature() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[106.5,26.25]},
             "properties":{"code":"S1","capacity_people":1200,"school":true,"township":null}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[107,27,1500]},
             "properties":{"code":"S2","clinic":false}}]}"#;
        let (header, items) = read(text).unwrap();
        assert_eq!(header, ["lon", "lat", "capacity_people", "code", "school", "township", "clinic"]);
        let rows: Vec<(u64, Vec<String>)> = items
            .into_iter()
            .map(|i| match i {
                Item::Row(n, cells) => (n, cells),
                _ => panic!("a problem"),
            })
            .collect();
        assert_eq!(
            rows[0],
            (1, vec!["106.5".into(), "26.25".into(), "1200".into(), "S1".into(), "1".into(), "".into(), "".into()])
        );
        assert_eq!(
            rows[1],
            (2, vec!["107".into(), "27".into(), "".into(), "S2".into(), "".into(), "".into(), "0".into()])
        );
    }

    #[test]
    fn a_feature_that_is_not_a_point_is_a_problem_of_that_feature() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"code":"A"}},
            {"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]},"properties":{"code":"B"}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[1,"x"]},"properties":{"code":"C"}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"code":{"a":1}}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"lat":5}}]}"#;
        let (_, items) = read(text).unwrap();
        let problems: Vec<String> = items
            .iter()
            .filter_map(|i| match i {
                Item::Problem(e) => Some(e.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].contains("row 2") && problems[0].contains("LineString"), "{problems:?}");
        assert!(problems[1].contains("row 3") && problems[1].contains("not a number"), "{problems:?}");
        assert!(problems[2].contains("row 4") && problems[2].contains("code"), "{problems:?}");
        assert!(problems[3].contains("row 5") && problems[3].contains("lat"), "{problems:?}");
    }

    #[test]
    fn what_is_not_a_feature_collection_is_refused_whole() {
        for text in ["", "[]", r#"{"type":"Feature"}"#, r#"{"type":"FeatureCollection"}"#, "{\"type\":"] {
            assert!(read(text).is_err(), "{text}");
        }
    }
}
