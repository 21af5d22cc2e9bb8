//! Coal-mining subsidence areas from GeoJSON (issue 20): a
//! `FeatureCollection` whose features carry the area's `code`, `name` and
//! `county_code` and, optionally, its profile (mines, ownership, areas,
//! depths, stability, waterlogging, remediation), with a `Polygon` or
//! `MultiPolygon` in lon/lat — CGCS2000 is treated as WGS 84 (they differ by
//! centimetres). Every polygon is checked by
//! [`revita_methods::subsidence::validate_polygon`]: a ring too short, not
//! closed, out of range, of no area, crossing itself or another ring is
//! refused with the feature's number.

use revita_methods::RegionCode;
use revita_methods::geometry::MultiPolygon;
use serde_json::{Map, Value};

use crate::error::{FileError, Problems, RowError};

/// The largest GeoJSON file of areas read (bytes).
pub const MAX_AREAS_BYTES: usize = 64 << 20;

/// The most features a file may hold.
pub const MAX_AREAS: usize = 100_000;

/// One feature of a file of subsidence areas.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaRecord {
    /// Feature number, 1-based.
    pub feature: u64,
    /// The area's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The county whose office keeps it.
    pub county: RegionCode,
    /// The outline, as compact GeoJSON text.
    pub geometry: String,
    /// The outline as polygons.
    pub shape: MultiPolygon,
    /// The other properties (the profile), as given.
    pub properties: Map<String, Value>,
}

/// Parses a GeoJSON file's bytes into areas, every problem by feature.
pub fn parse_areas(file: &str, bytes: &[u8]) -> Result<Vec<AreaRecord>, Problems> {
    if bytes.len() > MAX_AREAS_BYTES {
        return Err(FileError::new(file, format!("larger than {} MiB", MAX_AREAS_BYTES >> 20)).into());
    }
    let json: Value = serde_json::from_slice(bytes)
        .map_err(|e| FileError::new(file, format!("not valid JSON (line {}, column {}): {e}", e.line(), e.column())))?;
    if json.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(FileError::new(file, "a GeoJSON FeatureCollection is expected").into());
    }
    let features = json
        .get("features")
        .and_then(Value::as_array)
        .filter(|f| !f.is_empty())
        .ok_or_else(|| FileError::new(file, "the FeatureCollection has no features"))?;
    if features.len() > MAX_AREAS {
        return Err(FileError::new(file, format!("more than {MAX_AREAS} features")).into());
    }
    let mut records = Vec::with_capacity(features.len());
    let mut problems = Problems::default();
    for (i, feature) in features.iter().enumerate() {
        let number = i as u64 + 1;
        match parse_feature(number, feature) {
            Ok(record) => records.push(record),
            Err((column, reason)) => {
                problems.push(RowError { file: file.to_string(), row: number, column: Some(column), reason })
            }
        }
    }
    let mut seen = std::collections::HashMap::new();
    for r in &records {
        if let Some(first) = seen.insert(r.code.clone(), r.feature) {
            problems.push(RowError::cell(file, r.feature, "code", format!("{} is already feature {first}", r.code)));
        }
    }
    if problems.is_empty() {
        Ok(records)
    } else {
        problems.sort_by_row();
        Err(problems)
    }
}

type FeatureProblem = (String, String);

fn text_property(properties: &Map<String, Value>, key: &str) -> Result<String, FeatureProblem> {
    let text = match properties.get(key) {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err((key.to_string(), format!("has no '{key}' property"))),
    };
    if text.is_empty() || text.chars().count() > 200 || text.chars().any(char::is_control) {
        return Err((key.to_string(), "must be one line of 1 to 200 characters".to_string()));
    }
    Ok(text)
}

fn parse_feature(number: u64, feature: &Value) -> Result<AreaRecord, FeatureProblem> {
    let at = |reason: String| (format!("feature {number}"), reason);
    let mut properties =
        feature.get("properties").and_then(Value::as_object).cloned().ok_or_else(|| at("has no properties".into()))?;
    let code = text_property(&properties, "code")?;
    let name = text_property(&properties, "name")?;
    let county = RegionCode::parse(&text_property(&properties, "county_code")?)
        .map_err(|e| ("county_code".to_string(), e.to_string()))?;
    for key in ["code", "name", "county_code"] {
        properties.remove(key);
    }
    let geometry = feature.get("geometry").filter(|g| !g.is_null()).ok_or_else(|| at("has no geometry".into()))?;
    let text = geometry.to_string();
    let shape = crate::boundaries::parse_geometry(&text).map_err(at)?;
    if shape.is_empty() {
        return Err(at("the MultiPolygon has no polygons".into()));
    }
    for (i, polygon) in shape.iter().enumerate() {
        revita_methods::subsidence::validate_polygon(polygon).map_err(|problem| {
            let which = if shape.len() > 1 { format!("polygon {}: ", i + 1) } else { String::new() };
            at(format!("{which}{problem}"))
        })?;
    }
    Ok(AreaRecord { feature: number, code, name, county, geometry: text, shape, properties })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collection(features: &[&str]) -> Vec<u8> {
        format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(",")).into_bytes()
    }

    fn feature(code: &str, ring: &str) -> String {
        format!(
            r#"{{"type":"Feature","properties":{{"code":"{code}","name":"沉陷区 {code}","county_code":"140202","stability":"stable"}},
            "geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}"#
        )
    }

    const SQUARE: &str = "[[113,40],[113.1,40],[113.1,40.1],[113,40.1],[113,40]]";
    /// A bow tie: the edges (0,0)–(1,1) and (1,0)–(0,1) cross.
    const BOW_TIE: &str = "[[113,40],[113.1,40.1],[113.1,40],[113,40.1],[113,40]]";

    #[test]
    fn reads_areas_with_their_profile() {
        let areas = parse_areas("a.geojson", &collection(&[&feature("A1", SQUARE)])).unwrap();
        assert_eq!(areas.len(), 1);
        assert_eq!(areas[0].code, "A1");
        assert_eq!(areas[0].county.as_str(), "140202");
        assert_eq!(areas[0].properties.get("stability").and_then(Value::as_str), Some("stable"));
        assert!(!areas[0].properties.contains_key("code"));
    }

    #[test]
    fn refuses_a_self_intersecting_polygon_by_its_feature_number() {
        let file = collection(&[&feature("A1", SQUARE), &feature("A2", BOW_TIE)]);
        let problems = parse_areas("a.geojson", &file).unwrap_err();
        let text = problems.to_string();
        assert!(text.contains("a.geojson") && text.contains("feature 2"), "{text}");
        assert!(text.contains("intersects itself"), "{text}");
    }

    #[test]
    fn refuses_bad_files_and_features() {
        for (bytes, expected) in [
            (b"not json".to_vec(), "not valid JSON"),
            (br#"{"type":"Feature"}"#.to_vec(), "FeatureCollection"),
            (collection(&[]), "no features"),
            (collection(&[&feature("A1", "[[113,40],[113.1,40],[113,40]]")]), "positions"),
            (collection(&[&feature("A1", "[[113,40],[113.1,40],[113.1,40.1],[113,40.1]]")]), "closed"),
            (collection(&[&feature("A1", "[[500,40],[113.1,40],[113.1,40.1],[500,40]]")]), "longitude"),
            (collection(&[&feature("A1", SQUARE), &feature("A1", SQUARE)]), "already feature 1"),
            (collection(&[r#"{"type":"Feature","properties":{"code":"A"},"geometry":null}"#]), "name"),
        ] {
            let problems = parse_areas("a.geojson", &bytes).unwrap_err().to_string();
            assert!(problems.contains(expected), "{expected}: {problems}");
        }
    }

    #[test]
    fn never_panics_on_odd_geometry() {
        for geometry in [
            r#"{"type":"Point","coordinates":[1,2]}"#,
            r#"{"type":"Polygon","coordinates":[]}"#,
            r#"{"type":"Polygon","coordinates":[[["a","b"]]]}"#,
            r#"{"type":"MultiPolygon","coordinates":[]}"#,
            r#"{"type":"Polygon"}"#,
        ] {
            let f = format!(
                r#"{{"type":"Feature","properties":{{"code":"A","name":"A","county_code":"140202"}},"geometry":{geometry}}}"#
            );
            assert!(parse_areas("a.geojson", &collection(&[&f])).is_err(), "{geometry}");
        }
    }
}
