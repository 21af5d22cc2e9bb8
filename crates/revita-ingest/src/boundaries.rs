//! Region boundaries from GeoJSON: a `FeatureCollection` whose features carry
//! the region code in a property (default `code`) and a `Polygon` or
//! `MultiPolygon` geometry in lon/lat (WGS 84, RFC 7946). Each geometry is
//! checked — positions in range, rings closed with at least four positions —
//! and stored as compact GeoJSON text.

use std::path::Path;

use revita_methods::RegionCode;
use revita_methods::geometry::{MultiPolygon, Polygon};
use serde_json::Value;

use crate::error::{FileError, Problems, RowError};

/// One feature's region code and geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryRecord {
    /// Feature number, 1-based, as the error messages count them.
    pub feature: u64,
    /// The region code from the code property.
    pub code: RegionCode,
    /// The geometry as compact GeoJSON text.
    pub geometry: String,
}

/// Reads a GeoJSON file of boundaries.
pub fn read_boundaries(path: &Path, code_property: &str) -> Result<Vec<BoundaryRecord>, Problems> {
    let file = path.display().to_string();
    let text = std::fs::read(path).map_err(|e| FileError::new(&file, format!("cannot open: {e}")))?;
    parse_boundaries(&file, &text, code_property)
}

/// Parses GeoJSON bytes (see [`read_boundaries`]).
pub fn parse_boundaries(file: &str, text: &[u8], code_property: &str) -> Result<Vec<BoundaryRecord>, Problems> {
    let json: Value = serde_json::from_slice(text)
        .map_err(|e| FileError::new(file, format!("not valid JSON (line {}, column {}): {e}", e.line(), e.column())))?;
    if json.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(FileError::new(file, "a GeoJSON FeatureCollection is expected").into());
    }
    let features = json
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| FileError::new(file, "the FeatureCollection has no 'features' array"))?;
    if features.is_empty() {
        return Err(FileError::new(file, "the FeatureCollection has no features").into());
    }
    let mut records = Vec::with_capacity(features.len());
    let mut problems = Problems::default();
    for (i, feature) in features.iter().enumerate() {
        let number = i as u64 + 1;
        match parse_feature(feature, code_property) {
            Ok((code, geometry)) => records.push(BoundaryRecord { feature: number, code, geometry }),
            Err(reason) => problems.push(RowError {
                file: file.to_string(),
                row: number,
                column: Some(format!("feature {number}")),
                reason,
            }),
        }
    }
    if problems.is_empty() { Ok(records) } else { Err(problems) }
}

fn parse_feature(feature: &Value, code_property: &str) -> Result<(RegionCode, String), String> {
    let code = match feature.get("properties").and_then(|p| p.get(code_property)) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(format!("has no '{code_property}' property")),
    };
    let code = RegionCode::parse(&code).map_err(|e| e.to_string())?;
    let geometry = feature.get("geometry").ok_or_else(|| format!("region {code}: has no geometry"))?;
    let coordinates =
        geometry.get("coordinates").ok_or_else(|| format!("region {code}: geometry has no coordinates"))?;
    let polygons: Vec<&Value> = match geometry.get("type").and_then(Value::as_str) {
        Some("Polygon") => vec![coordinates],
        Some("MultiPolygon") => coordinates.as_array().map(|a| a.iter().collect()).unwrap_or_default(),
        other => return Err(format!("region {code}: geometry type {other:?} is not Polygon or MultiPolygon")),
    };
    if polygons.is_empty() {
        return Err(format!("region {code}: MultiPolygon has no polygons"));
    }
    for polygon in polygons {
        check_polygon(polygon).map_err(|reason| format!("region {code}: {reason}"))?;
    }
    Ok((code, geometry.to_string()))
}

fn check_polygon(polygon: &Value) -> Result<(), String> {
    let rings = polygon.as_array().filter(|r| !r.is_empty()).ok_or("a polygon has no rings")?;
    for ring in rings {
        let positions = ring.as_array().ok_or("a ring is not an array of positions")?;
        if positions.len() < 4 {
            return Err(format!("a ring has {} positions; at least 4 are needed", positions.len()));
        }
        let mut points = Vec::with_capacity(positions.len());
        for p in positions {
            let (lon, lat) = match p.as_array().map(|a| a.as_slice()) {
                Some([lon, lat, ..]) => (lon.as_f64(), lat.as_f64()),
                _ => (None, None),
            };
            let (Some(lon), Some(lat)) = (lon, lat) else { return Err(format!("position {p} is not [lon, lat]")) };
            if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                return Err(format!("position [{lon}, {lat}] is outside lon/lat range (is it projected?)"));
            }
            points.push((lon, lat));
        }
        if points.first() != points.last() {
            return Err("a ring is not closed (first and last positions differ)".to_string());
        }
    }
    Ok(())
}

/// Parses a stored GeoJSON `Polygon` or `MultiPolygon` geometry into plain
/// vectors (positions beyond x and y are ignored).
pub fn parse_geometry(text: &str) -> Result<MultiPolygon, String> {
    let geometry: Value = serde_json::from_str(text).map_err(|e| format!("geometry is not JSON: {e}"))?;
    let coordinates = geometry.get("coordinates").ok_or("geometry has no coordinates")?;
    let polygon = |value: &Value| -> Result<Polygon, String> {
        let rings = value.as_array().ok_or("a polygon is not an array of rings")?;
        rings
            .iter()
            .map(|ring| {
                let positions = ring.as_array().ok_or("a ring is not an array")?;
                positions
                    .iter()
                    .map(|p| match p.as_array().map(|a| a.as_slice()) {
                        Some([x, y, ..]) => Ok((x.as_f64().ok_or("bad x")?, y.as_f64().ok_or("bad y")?)),
                        _ => Err("a position is not [x, y]".to_string()),
                    })
                    .collect()
            })
            .collect()
    };
    match geometry.get("type").and_then(Value::as_str) {
        Some("Polygon") => Ok(vec![polygon(coordinates)?]),
        Some("MultiPolygon") => coordinates.as_array().ok_or("bad MultiPolygon")?.iter().map(polygon).collect(),
        other => Err(format!("geometry type {other:?} is not Polygon or MultiPolygon")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<BoundaryRecord>, Problems> {
        parse_boundaries("b.geojson", text.as_bytes(), "code")
    }

    const SQUARE: &str = "[[[106,26],[107,26],[107,27],[106,26]]]";

    #[test]
    fn polygons_and_multipolygons_are_read() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
            {{"type":"Feature","properties":{{"code":"520102"}},"geometry":{{"type":"Polygon","coordinates":{SQUARE}}}}},
            {{"type":"Feature","properties":{{"code":520103}},"geometry":{{"type":"MultiPolygon","coordinates":[{SQUARE}]}}}}]}}"#
        );
        let records = parse(&text).unwrap();
        assert_eq!(records.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["520102", "520103"]);
        assert!(records[0].geometry.starts_with(r#"{"coordinates":"#) || records[0].geometry.contains("Polygon"));
    }

    #[test]
    fn broken_features_are_named() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"name":"x"},"geometry":null},
            {"type":"Feature","properties":{"code":"1"},"geometry":{"type":"Polygon","coordinates":[[[1,1],[2,2],[1,1]]]}},
            {"type":"Feature","properties":{"code":"2"},"geometry":{"type":"Polygon","coordinates":[[[500000,1],[2,2],[3,3],[500000,1]]]}},
            {"type":"Feature","properties":{"code":"3"},"geometry":{"type":"Point","coordinates":[1,1]}}]}"#;
        let problems = parse(text).unwrap_err();
        let reasons: Vec<_> = problems.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(reasons[0], "b.geojson, row 1, column 'feature 1': has no 'code' property");
        assert!(reasons[1].ends_with("region 1: a ring has 3 positions; at least 4 are needed"), "{}", reasons[1]);
        assert!(reasons[2].contains("outside lon/lat range"), "{}", reasons[2]);
        assert!(reasons[3].contains("is not Polygon or MultiPolygon"), "{}", reasons[3]);
    }

    #[test]
    fn stored_geometries_parse_into_rings() {
        let shape = parse_geometry(r#"{"type":"MultiPolygon","coordinates":[[[[1,2],[3,2],[3,4],[1,2]]]]}"#).unwrap();
        assert_eq!(shape, vec![vec![vec![(1.0, 2.0), (3.0, 2.0), (3.0, 4.0), (1.0, 2.0)]]]);
        assert!(parse_geometry(r#"{"type":"Point","coordinates":[1,2]}"#).is_err());
    }

    #[test]
    fn non_geojson_is_rejected_whole() {
        assert!(parse("{").unwrap_err().errors[0].reason.starts_with("not valid JSON"));
        assert_eq!(
            parse(r#"{"type":"Feature"}"#).unwrap_err().errors[0].reason,
            "a GeoJSON FeatureCollection is expected"
        );
    }
}
