//! Plane geometry of region boundaries: polygons with holes, in lon/lat
//! degrees (WGS 84) or in projected units, as plain vectors.

/// A point: (x, y), i.e. (longitude, latitude) in degrees before projection.
pub type Point = (f64, f64);

/// A closed ring of points (the first point repeated at the end).
pub type Ring = Vec<Point>;

/// A polygon: an exterior ring followed by its holes.
pub type Polygon = Vec<Ring>;

/// A region's shape: one or more polygons (islands, exclaves).
pub type MultiPolygon = Vec<Polygon>;

/// An axis-aligned bounding box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Smallest x.
    pub min_x: f64,
    /// Smallest y.
    pub min_y: f64,
    /// Largest x.
    pub max_x: f64,
    /// Largest y.
    pub max_y: f64,
}

impl Bounds {
    /// The bounds of all points, or `None` when there are none.
    pub fn of<'a>(points: impl IntoIterator<Item = &'a Point>) -> Option<Bounds> {
        let mut points = points.into_iter();
        let &(x, y) = points.next()?;
        Some(points.fold(Bounds { min_x: x, min_y: y, max_x: x, max_y: y }, |b, &(x, y)| Bounds {
            min_x: b.min_x.min(x),
            min_y: b.min_y.min(y),
            max_x: b.max_x.max(x),
            max_y: b.max_y.max(y),
        }))
    }

    /// Width.
    pub fn width(&self) -> f64 {
        self.max_x - self.min_x
    }

    /// Height.
    pub fn height(&self) -> f64 {
        self.max_y - self.min_y
    }
}

/// Every point of a shape.
pub fn points(shape: &MultiPolygon) -> impl Iterator<Item = &Point> {
    shape.iter().flatten().flatten()
}

/// The same polygon as a `geo` polygon (exterior ring, then holes), for
/// geo's algorithms; an empty polygon gives an empty one.
pub fn to_geo(polygon: &Polygon) -> geo::Polygon<f64> {
    let ring = |r: &Ring| r.iter().copied().collect::<geo::LineString<f64>>();
    match polygon.split_first() {
        Some((shell, holes)) => geo::Polygon::new(ring(shell), holes.iter().map(ring).collect()),
        None => geo::Polygon::new(geo::LineString::new(Vec::new()), Vec::new()),
    }
}

/// Which shapes touch: the pairs `(i, j)`, `i < j`, sorted, of shapes that
/// share a boundary point — a vertex of one within `tolerance` (degrees,
/// in both coordinates) of a vertex of the other (queen contiguity, the
/// neighbour relation spatial models of areas use; Anselin 1988, ch. 3).
///
/// Boundaries cut from one topologically clean source (as administrative
/// boundaries are) share the vertices of their common border, so vertices
/// suffice; a tolerance of about 1e-6° (0.1 m) absorbs rounding in the
/// stored text. Each vertex is hashed into a grid of `tolerance` cells and
/// compared with the 3 × 3 cells around it: linear in the vertices.
pub fn touching_pairs(shapes: &[&MultiPolygon], tolerance: f64) -> Vec<(usize, usize)> {
    use std::collections::{BTreeSet, HashMap};
    let tolerance = if tolerance.is_finite() && tolerance > 0.0 { tolerance } else { 1e-9 };
    let cell = |v: f64| (v / tolerance).floor() as i64;
    let mut grid: HashMap<(i64, i64), Vec<(usize, Point)>> = HashMap::new();
    for (i, shape) in shapes.iter().enumerate() {
        for &(x, y) in points(shape).filter(|(x, y)| x.is_finite() && y.is_finite()) {
            let owners = grid.entry((cell(x), cell(y))).or_default();
            if !owners.iter().any(|(j, p)| *j == i && *p == (x, y)) {
                owners.push((i, (x, y)));
            }
        }
    }
    let mut pairs = BTreeSet::new();
    for (&(cx, cy), here) in &grid {
        for dx in -1..=1 {
            for dy in -1..=1 {
                let Some(there) = grid.get(&(cx + dx, cy + dy)) else { continue };
                for &(i, (x, y)) in here {
                    for &(j, (u, v)) in there {
                        if i < j && (x - u).abs() <= tolerance && (y - v).abs() <= tolerance {
                            pairs.insert((i, j));
                        }
                    }
                }
            }
        }
    }
    pairs.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_cover_every_point() {
        let square: MultiPolygon = vec![vec![vec![(106.0, 26.0), (107.5, 26.0), (107.5, 27.0), (106.0, 26.0)]]];
        let b = Bounds::of(points(&square)).unwrap();
        assert_eq!((b.min_x, b.min_y, b.max_x, b.max_y), (106.0, 26.0, 107.5, 27.0));
        assert_eq!((b.width(), b.height()), (1.5, 1.0));
        assert!(Bounds::of(points(&Vec::new())).is_none());
    }

    fn square(x: f64, y: f64) -> MultiPolygon {
        vec![vec![vec![(x, y), (x + 1.0, y), (x + 1.0, y + 1.0), (x, y + 1.0), (x, y)]]]
    }

    #[test]
    fn squares_touch_along_edges_and_at_corners() {
        // A 2 × 2 block and a square apart: 0 1 / 2 3, and 4 far away.
        let (a, b, c, d, far) =
            (square(0.0, 0.0), square(1.0, 0.0), square(0.0, 1.0), square(1.0, 1.0), square(5.0, 5.0));
        let pairs = touching_pairs(&[&a, &b, &c, &d, &far], 1e-6);
        // Edges (0,1) (0,2) (1,3) (2,3) and corners (0,3) (1,2): queen contiguity.
        assert_eq!(pairs, [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]);
    }

    #[test]
    fn rounding_within_the_tolerance_still_touches() {
        let a = square(0.0, 0.0);
        let mut b = square(1.0, 0.0);
        b[0][0][0].0 += 4e-7;
        b[0][0][3].0 -= 4e-7;
        b[0][0][4].0 += 4e-7;
        assert_eq!(touching_pairs(&[&a, &b], 1e-6), [(0, 1)]);
        let gap = square(1.01, 0.0);
        assert!(touching_pairs(&[&a, &gap], 1e-6).is_empty());
    }
}
