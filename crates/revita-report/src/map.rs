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
/// A place marked on a map: a dot with its name beside it (an assessment
/// section, a project site).
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Where it is (lon, lat).
    pub at: Point,
    /// Its name, drawn beside the dot.
    pub label: String,
    /// The dot's colour.
    pub fill: String,
    /// Its hover text.
    pub title: String,
}

/// A line from one place to another (donor to recipient), its width
/// proportional to what flows along it.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Where it starts (lon, lat).
    pub from: Point,
    /// Where it ends.
    pub to: Point,
    /// Its stroke width in drawing units.
    pub width: f64,
    /// Its hover text.
    pub title: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    /// Swatch colour.
    pub fill: String,
    /// Text, e.g. "1,000 – 2,000".
    pub label: String,
}

/// A second frame in the lower right of a national map, showing an area
/// the main frame leaves out — as official maps of China show the South
/// China Sea islands and the dashed national boundary line in an inset.
#[derive(Debug, Clone)]
pub struct Inset<'a> {
    /// The area it shows, in degrees: west, south, east, north.
    pub area: (f64, f64, f64, f64),
    /// The main frame ends at this latitude: what lies south of it is
    /// shown in the inset only.
    pub main_south: f64,
    /// Lines drawn in both frames (the dashed national boundary line), as
    /// lon/lat polylines.
    pub lines: &'a [Vec<Point>],
    /// The inset's caption, e.g. "南海诸岛".
    pub caption: String,
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
    /// The inset of a national map, if it has one.
    pub inset: Option<Inset<'a>>,
    /// Lines under the legend: the map's approval number, where its
    /// boundaries come from.
    pub footer: Vec<String>,
    /// Places marked over the regions.
    pub markers: Vec<Marker>,
    /// Lines drawn over the regions, under the markers.
    pub links: Vec<Link>,
}

impl<'a> Choropleth<'a> {
    /// A map at a page's width (760 units, vertices 0.6 apart at least),
    /// without inset or footer.
    pub fn page(
        title: String,
        subtitle: String,
        features: Vec<Feature<'a>>,
        legend_title: String,
        legend: Vec<LegendEntry>,
    ) -> Choropleth<'a> {
        Choropleth {
            title,
            subtitle,
            features,
            legend_title,
            legend,
            width: 760.0,
            tolerance_px: 0.6,
            inset: None,
            footer: Vec::new(),
            markers: Vec::new(),
            links: Vec::new(),
        }
    }
}

const MARGIN: f64 = 8.0;
const HEADER: f64 = 48.0;
const LEGEND_ROW: f64 = 18.0;
const FOOTER_ROW: f64 = 14.0;
/// The inset's width, as a share of the map's.
const INSET_SHARE: f64 = 0.16;

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
    // With an inset, the main frame fits what lies north of its edge.
    let south = map.inset.as_ref().map_or(f64::NEG_INFINITY, |i| i.main_south);
    let in_main = map
        .features
        .iter()
        .flat_map(|f| f.shape.iter().flatten().flatten())
        .filter(|p| p.1 >= south)
        .map(|p| projection.project(*p))
        .collect::<Vec<_>>();
    let bounds = Bounds::of(in_main.iter()).unwrap_or(Bounds { min_x: 0.0, min_y: 0.0, max_x: 1.0, max_y: 1.0 });
    let scale = (map.width - 2.0 * MARGIN) / bounds.width().max(f64::EPSILON);
    let map_height = bounds.height() * scale;
    let legend_height = LEGEND_ROW * (map.legend.len() as f64 + 1.5);
    let footer_height = FOOTER_ROW * map.footer.len() as f64;
    let height = HEADER + map_height + MARGIN + legend_height + footer_height + MARGIN;
    let to_screen = |(x, y): Point| ((x - bounds.min_x) * scale + MARGIN, (bounds.max_y - y) * scale + HEADER);
    let frame = format!("frame-{}", frame_id(map));
    // The inset sits in the lower right, east of whatever the main frame
    // draws beside it (Taiwan), the drawing widened to hold it.
    let inset = map.inset.as_ref().and_then(|inset| {
        let place = InsetPlace::new(inset, projection, map.width)?;
        let top = HEADER + map_height - place.height;
        let lines = inset.lines.iter().flatten().filter(|p| p.1 >= south).map(|p| projection.project(*p));
        let beside = in_main.iter().copied().chain(lines).map(to_screen).filter(|p| p.1 >= top).map(|p| p.0);
        let left = beside.fold(map.width - MARGIN - place.width, |l, x| l.max(x + 6.0));
        Some((inset, place, (left, top)))
    });
    let total_width =
        inset.as_ref().map_or(map.width, |(_, place, (left, _))| (left + place.width + MARGIN).max(map.width));

    let mut svg = String::with_capacity(64 * 1024);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="map-title map-desc" class="choropleth">"#,
        w = total_width.round(),
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
    let _ = write!(
        svg,
        r#"<defs><clipPath id="{frame}"><rect x="{MARGIN}" y="{HEADER}" width="{}" height="{}"/></clipPath></defs>"#,
        (map.width - 2.0 * MARGIN).round(),
        map_height.ceil()
    );
    let _ = write!(svg, r#"<g class="regions" clip-path="url(#{frame})">"#);
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
    if let Some(inset) = &map.inset {
        boundary_lines(&mut svg, inset.lines, &|p| to_screen(projection.project(p)));
    }
    for link in &map.links {
        let (x1, y1) = to_screen(projection.project(link.from));
        let (x2, y2) = to_screen(projection.project(link.to));
        let _ = write!(
            svg,
            r##"<g class="link"><line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="#D55E00" stroke-opacity="0.7" stroke-width="{:.1}" stroke-linecap="round"><title>{}</title></line><circle cx="{x2:.1}" cy="{y2:.1}" r="2.5" fill="#D55E00"/></g>"##,
            link.width.clamp(0.5, 12.0),
            escape(&link.title)
        );
    }
    for marker in &map.markers {
        let (x, y) = to_screen(projection.project(marker.at));
        let _ = write!(
            svg,
            r##"<g class="marker"><circle cx="{x:.1}" cy="{y:.1}" r="5" fill="{}" stroke="#fff" stroke-width="1.5"><title>{}</title></circle><text x="{:.1}" y="{:.1}" font-size="11">{}</text></g>"##,
            escape(&marker.fill),
            escape(&marker.title),
            x + 7.0,
            y + 4.0,
            escape(&marker.label)
        );
    }
    svg.push_str("</g>");
    if let Some((inset, place, corner)) = &inset {
        draw_inset(&mut svg, map, inset, place, projection, &projected, *corner, &frame);
    }
    let legend_top = HEADER + map_height + MARGIN;
    legend(&mut svg, map, legend_top);
    for (i, line) in map.footer.iter().enumerate() {
        let y = legend_top + legend_height + FOOTER_ROW * (i as f64 + 0.5);
        let _ =
            write!(svg, r#"<text class="map-footer" x="{MARGIN}" y="{y:.1}" font-size="10">{}</text>"#, escape(line));
    }
    svg.push_str("</svg>");
    svg
}

/// Where an inset's area lands: its projected bounds, and its size on the
/// drawing.
#[derive(Debug, Clone, Copy)]
struct InsetPlace {
    area: Bounds,
    scale: f64,
    width: f64,
    height: f64,
}

impl InsetPlace {
    fn new(inset: &Inset, projection: &Albers, map_width: f64) -> Option<InsetPlace> {
        let (west, south, east, north) = inset.area;
        // The area's edge, projected (a conic's parallels are arcs).
        let steps = 16;
        let edge: Vec<Point> = (0..=steps)
            .flat_map(|i| {
                let t = f64::from(i) / f64::from(steps);
                let lon = west + (east - west) * t;
                let lat = south + (north - south) * t;
                [(lon, south), (lon, north), (west, lat), (east, lat)]
            })
            .map(|p| projection.project(p))
            .collect();
        let area = Bounds::of(edge.iter())?;
        let width = (map_width * INSET_SHARE).max(60.0);
        let scale = width / area.width().max(f64::EPSILON);
        Some(InsetPlace { area, scale, width, height: area.height() * scale })
    }
}

/// The inset at `(left, top)`: a white frame with the regions that reach
/// into its area, the boundary lines and the caption. Its regions are not
/// links (the main frame's are), and screen readers skip it.
#[allow(clippy::too_many_arguments)]
fn draw_inset(
    svg: &mut String,
    map: &Choropleth,
    inset: &Inset,
    place: &InsetPlace,
    projection: &Albers,
    projected: &[Vec<Vec<Vec<Point>>>],
    (left, top): Point,
    frame: &str,
) {
    let InsetPlace { area, scale, width, height } = *place;
    let to_inset = |(x, y): Point| ((x - area.min_x) * scale + left, (area.max_y - y) * scale + top);
    let _ = write!(
        svg,
        r##"<g class="inset" aria-hidden="true"><defs><clipPath id="{frame}-inset"><rect x="{left:.1}" y="{top:.1}" width="{width:.1}" height="{height:.1}"/></clipPath></defs><rect x="{left:.1}" y="{top:.1}" width="{width:.1}" height="{height:.1}" fill="#fff" stroke="#333" stroke-width=".8"/><g clip-path="url(#{frame}-inset)">"##
    );
    for (feature, shape) in map.features.iter().zip(projected) {
        let reaches = shape
            .iter()
            .flatten()
            .flatten()
            .any(|&(x, y)| x >= area.min_x && x <= area.max_x && y >= area.min_y && y <= area.max_y);
        if !reaches {
            continue;
        }
        let d = path_data(shape, &to_inset, map.tolerance_px);
        if !d.is_empty() {
            let _ = write!(
                svg,
                r##"<path d="{d}" fill="{}" fill-rule="evenodd" stroke="#fff" stroke-width=".3"/>"##,
                escape(feature.fill)
            );
        }
    }
    boundary_lines(svg, inset.lines, &|p| to_inset(projection.project(p)));
    let _ = write!(
        svg,
        r#"</g><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{}</text></g>"#,
        left + width - 4.0,
        top + height - 5.0,
        escape(&inset.caption)
    );
}

/// The boundary lines as one path, each part a stroke of its own.
fn boundary_lines(svg: &mut String, lines: &[Vec<Point>], to_screen: &impl Fn(Point) -> Point) {
    let mut d = String::new();
    for line in lines {
        for (j, p) in line.iter().enumerate() {
            let (x, y) = to_screen(*p);
            d.push(if j == 0 { 'M' } else { 'L' });
            push_coord(&mut d, x);
            d.push(' ');
            push_coord(&mut d, y);
        }
    }
    if !d.is_empty() {
        let _ = write!(
            svg,
            r##"<path class="boundary-line" d="{d}" fill="none" stroke="#444" stroke-width="1.2" stroke-linecap="round"/>"##
        );
    }
}

/// A name for the map's clip paths that another map on the same page is
/// unlikely to share (FNV-1a over its title and size).
fn frame_id(map: &Choropleth) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let size = format!("{}|{}|{}", map.title, map.features.len(), map.width);
    for byte in size.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:x}", hash & 0xffff_ffff)
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
            inset: None,
            footer: Vec::new(),
            markers: Vec::new(),
            links: Vec::new(),
        }
    }

    #[test]
    fn links_run_between_their_places() {
        let shapes = [square(106.0, 26.0, 1.0), square(107.0, 26.0, 1.0)];
        let mut m = map(&shapes);
        m.links.push(Link { from: (106.5, 26.5), to: (107.5, 26.5), width: 30.0, title: "广东 → 疏附".into() });
        let svg = render(&m, &Albers::china());
        assert!(svg.contains("stroke-width=\"12.0\"") && svg.contains("<title>广东 → 疏附</title>"), "{svg}");
    }

    #[test]
    fn markers_are_drawn_where_they_are_with_their_names() {
        // Two squares 106–107°E and 107–108°E: a marker at their shared
        // edge lands in the middle of the drawing's width.
        let shapes = [square(106.0, 26.0, 1.0), square(107.0, 26.0, 1.0)];
        let mut m = map(&shapes);
        m.markers.push(Marker {
            at: (107.0, 26.5),
            label: "街口".into(),
            fill: "#D55E00".into(),
            title: "P <1>".into(),
        });
        let svg = render(&m, &Albers::china());
        assert!(svg.contains(">街口</text>") && svg.contains("<title>P &lt;1&gt;</title>"), "{svg}");
        let cx: f64 = svg.split("cx=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        assert!((cx - 200.0).abs() < 2.0, "{cx}");
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

    #[test]
    fn an_inset_shows_what_the_main_frame_leaves_out_with_the_boundary_line() {
        // The mainland square and a small island far to the south.
        let shapes = [square(110.0, 20.0, 4.0), square(114.0, 10.0, 0.5)];
        let line = vec![vec![(112.0, 12.0), (113.0, 11.0)]];
        let mut m = map(&shapes);
        m.inset =
            Some(Inset {
                area: (105.0, 3.0, 123.0, 24.0), main_south: 17.0, lines: &line, caption: "南海诸岛".into()
            });
        m.footer = vec!["审图号：GS(2024)0650号".into()];
        let svg = render(&m, &Albers::china());
        // The main frame fits the mainland alone: the island would make
        // the drawing twice as tall.
        let height: f64 = svg.split("height=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        let without = render(&map(&shapes), &Albers::china());
        let full: f64 = without.split("height=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        assert!(height < full * 0.75, "{height} vs {full}");
        let inset = svg.split(r#"<g class="inset""#).nth(1).expect("an inset");
        assert_eq!(inset.matches("<path d=").count(), 2, "both regions reach into it: {inset}");
        assert!(inset.contains("boundary-line") && inset.contains(">南海诸岛</text>"), "{inset}");
        assert!(svg.contains(">审图号：GS(2024)0650号</text>"));
        assert_eq!(svg.matches("clip-path=").count(), 2, "main frame and inset are clipped");
    }
}
