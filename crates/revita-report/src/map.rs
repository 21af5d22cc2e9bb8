//! Choropleth maps as SVG: regions projected with [`Albers`], simplified for
//! the drawing's scale, filled by class, each a link with a hover title, and
//! a legend that names every class and the regions without data.
//!
//! Simplification is by screen distance: a vertex closer than
//! `tolerance_px` to the last vertex kept is dropped, and rings smaller than
//! a pixel are left out (but never a region's largest ring, so every region
//! stays visible and clickable). The same boundaries therefore draw light at
//! the scale of the whole country and detailed at the scale of a province.

use std::fmt::Write as _;

use revita_methods::geometry::{Bounds, MultiPolygon, Point, Ring};

use crate::projection::Albers;
use crate::svg::{escape, push_coord};

/// One region on the map.
#[derive(Debug, Clone)]
pub struct Feature<'a> {
    /// Region code (becomes `data-code`).
    pub code: &'a str,
    /// Boundary in lon/lat.
    pub shape: &'a MultiPolygon,
    /// Fill colour.
    pub fill: &'a str,
    /// Hover text, e.g. "南明区: 1,000 persons".
    pub title: String,
    /// Where a click leads.
    pub href: Option<String>,
}

/// One legend row.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    /// Swatch colour.
    pub fill: String,
    /// Text, e.g. "1,000 – 2,000".
    pub label: String,
}

/// A choropleth map.
#[derive(Debug, Clone)]
pub struct Choropleth<'a> {
    /// Title naming indicator and year.
    pub title: String,
    /// Second line: the source.
    pub subtitle: String,
    /// The regions.
    pub features: Vec<Feature<'a>>,
    /// Legend heading (e.g. the unit).
    pub legend_title: String,
    /// Legend rows, in class order.
    pub legend: Vec<LegendEntry>,
    /// Drawing width in SVG units; the height follows the regions' shape.
    pub width: f64,
    /// Vertices closer than this many units to the last one kept are dropped.
    pub tolerance_px: f64,
}

const MARGIN: f64 = 8.0;
const HEADER: f64 = 48.0;
const LEGEND_ROW: f64 = 18.0;

/// Renders the map to an SVG document (a `<svg>` element with its own
/// `<title>` and `<desc>` for screen readers).
pub fn render(map: &Choropleth, projection: &Albers) -> String {
    let projected: Vec<Vec<Vec<Vec<Point>>>> = map
        .features
        .iter()
        .map(|f| {
            f.shape
                .iter()
                .map(|poly| poly.iter().map(|ring| ring.iter().map(|p| projection.project(*p)).collect()).collect())
                .collect()
        })
        .collect();
    let bounds = Bounds::of(projected.iter().flatten().flatten().flatten()).unwrap_or(Bounds {
        min_x: 0.0,
        min_y: 0.0,
        max_x: 1.0,
        max_y: 1.0,
    });
    let scale = (map.width - 2.0 * MARGIN) / bounds.width().max(f64::EPSILON);
    let map_height = bounds.height() * scale;
    let legend_height = LEGEND_ROW * (map.legend.len() as f64 + 1.5);
    let height = HEADER + map_height + MARGIN + legend_height + MARGIN;
    let to_screen = |(x, y): Point| ((x - bounds.min_x) * scale + MARGIN, (bounds.max_y - y) * scale + HEADER);

    let mut svg = String::with_capacity(64 * 1024);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="map-title map-desc" class="choropleth">"#,
        w = map.width.round(),
        h = height.round()
    );
    let _ = write!(
        svg,
        r#"<title id="map-title">{}</title><desc id="map-desc">{}</desc>"#,
        escape(&map.title),
        escape(&map.subtitle)
    );
    svg.push_str("<style>.region path{stroke:#fff;stroke-width:.4;vector-effect:non-scaling-stroke}.region:hover path,.region:focus path{stroke:#000;stroke-width:1.5}text{font-family:sans-serif;fill:#222}</style>");
    let _ = write!(svg, r#"<text x="{MARGIN}" y="20" font-size="15" font-weight="bold">{}</text>"#, escape(&map.title));
    let _ = write!(svg, r#"<text x="{MARGIN}" y="38" font-size="11">{}</text>"#, escape(&map.subtitle));
    svg.push_str(r#"<g class="regions">"#);
    for (feature, shape) in map.features.iter().zip(&projected) {
        let d = path_data(shape, &to_screen, map.tolerance_px);
        if d.is_empty() {
            continue;
        }
        let body = format!(
            r#"<path d="{d}" fill="{}" fill-rule="evenodd"><title>{}</title></path>"#,
            escape(feature.fill),
            escape(&feature.title)
        );
        match &feature.href {
            Some(href) => {
                let _ = write!(
                    svg,
                    r#"<a class="region" href="{}" data-code="{}">{body}</a>"#,
                    escape(href),
                    escape(feature.code)
                );
            }
            None => {
                let _ = write!(svg, r#"<g class="region" data-code="{}">{body}</g>"#, escape(feature.code));
            }
        }
    }
    svg.push_str("</g>");
    legend(&mut svg, map, HEADER + map_height + MARGIN);
    svg.push_str("</svg>");
    svg
}

fn legend(svg: &mut String, map: &Choropleth, top: f64) {
    let _ = write!(svg, r#"<g class="legend" transform="translate({MARGIN} {top})">"#);
    let _ = write!(svg, r#"<text x="0" y="12" font-size="12" font-weight="bold">{}</text>"#, escape(&map.legend_title));
    for (i, entry) in map.legend.iter().enumerate() {
        let y = LEGEND_ROW * (i as f64 + 1.0);
        let _ = write!(
            svg,
            r##"<rect x="0" y="{y}" width="22" height="13" fill="{}" stroke="#555" stroke-width=".5"/><text x="30" y="{}" font-size="12">{}</text>"##,
            escape(&entry.fill),
            y + 11.0,
            escape(&entry.label)
        );
    }
    svg.push_str("</g>");
}

/// SVG path data for a projected shape at the drawing's scale.
fn path_data(shape: &[Vec<Vec<Point>>], to_screen: &impl Fn(Point) -> Point, tolerance: f64) -> String {
    let rings: Vec<Vec<Point>> =
        shape.iter().flatten().map(|ring| ring.iter().map(|p| to_screen(*p)).collect()).collect();
    let largest = rings.iter().enumerate().max_by(|a, b| extent(a.1).total_cmp(&extent(b.1))).map(|(i, _)| i);
    let mut d = String::new();
    for (i, ring) in rings.iter().enumerate() {
        if extent(ring) < 1.0 && Some(i) != largest {
            continue; // smaller than a pixel at this scale
        }
        let kept = thin(ring, if Some(i) == largest { tolerance.min(extent(ring) / 4.0) } else { tolerance });
        if kept.len() < 3 {
            continue;
        }
        for (j, (x, y)) in kept.iter().enumerate() {
            d.push(if j == 0 { 'M' } else { 'L' });
            push_coord(&mut d, *x);
            d.push(' ');
            push_coord(&mut d, *y);
        }
        d.push('Z');
    }
    d
}

/// The larger side of a ring's bounding box.
fn extent(ring: &Ring) -> f64 {
    Bounds::of(ring.iter()).map_or(0.0, |b| b.width().max(b.height()))
}

/// Drops vertices closer than `tolerance` to the last one kept; the closing
/// vertex is left to the path's `Z`.
fn thin(ring: &[Point], tolerance: f64) -> Vec<Point> {
    let mut kept: Vec<Point> = Vec::with_capacity(ring.len());
    let open = if ring.len() > 1 && ring.first() == ring.last() { &ring[..ring.len() - 1] } else { ring };
    for &p in open {
        match kept.last() {
            Some(&(x, y)) if (p.0 - x).hypot(p.1 - y) < tolerance => {}
            _ => kept.push(p),
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(lon: f64, lat: f64, size: f64) -> MultiPolygon {
        vec![vec![vec![(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size), (lon, lat)]]]
    }

    fn map<'a>(shapes: &'a [MultiPolygon]) -> Choropleth<'a> {
        Choropleth {
            title: "常住人口 2020 <census>".into(),
            subtitle: "Source: census".into(),
            features: shapes
                .iter()
                .enumerate()
                .map(|(i, s)| Feature {
                    code: if i == 0 { "520102" } else { "520103" },
                    shape: s,
                    fill: "#21918c",
                    title: format!("region {i}"),
                    href: (i == 0).then(|| "/regions/520102".to_string()),
                })
                .collect(),
            legend_title: "persons".into(),
            legend: vec![LegendEntry { fill: "#21918c".into(), label: "0 – 10".into() }],
            width: 400.0,
            tolerance_px: 0.6,
        }
    }

    #[test]
    fn regions_become_linked_paths_with_titles() {
        let shapes = [square(106.0, 26.0, 1.0), square(107.0, 26.0, 1.0)];
        let svg = render(&map(&shapes), &Albers::china());
        assert!(svg.starts_with("<svg"), "{svg}");
        assert_eq!(svg.matches("<path ").count(), 2);
        assert!(svg.contains(r#"<a class="region" href="/regions/520102" data-code="520102">"#));
        assert!(svg.contains(r#"<g class="region" data-code="520103">"#));
        assert!(svg.contains("<title>region 0</title>"));
        assert!(svg.contains("常住人口 2020 &lt;census&gt;"), "titles are escaped");
        assert!(svg.contains(">0 – 10</text>"));
    }

    #[test]
    fn the_drawing_fills_its_width() {
        let shapes = [square(106.0, 26.0, 1.0), square(110.0, 26.0, 1.0)];
        let svg = render(&map(&shapes), &Albers::china());
        assert!(svg.contains(r#"viewBox="0 0 400 "#));
        // The rightmost vertex lands at width − margin.
        assert!(svg.contains("392"), "{svg}");
    }

    #[test]
    fn thinning_drops_close_vertices_but_keeps_the_shape() {
        let ring = vec![(0.0, 0.0), (0.1, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)];
        assert_eq!(thin(&ring, 0.5), [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]);
    }

    #[test]
    fn a_tiny_region_is_still_drawn() {
        let shapes = [square(106.0, 26.0, 10.0), square(120.0, 26.0, 0.001)];
        let svg = render(&map(&shapes), &Albers::china());
        assert_eq!(svg.matches("<path ").count(), 2, "{svg}");
    }
}
