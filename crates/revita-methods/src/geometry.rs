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
}
