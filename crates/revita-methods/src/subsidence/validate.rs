//! Checks on the polygons of subsidence-area features (methods.md §7.4: the
//! area's boundary) before they are stored or joined. Coordinates are
//! longitude, latitude in degrees; CGCS2000 is taken as WGS 84 (they differ
//! by centimetres). A polygon is refused for the first of, in this order:
//! no ring; a ring of fewer than 4 positions; a ring not closed; a position
//! not finite or out of range; a ring of zero area (all its positions on one line); a ring that crosses or
//! touches itself (two edges that are not neighbours meet, or neighbours
//! fold back on each other); two rings that cross or overlap along an edge
//! (touching at single points is allowed, as in OGC simple features); a hole
//! not inside the exterior ring; a hole inside another hole.
//!
//! Ring orientation is not checked (RFC 7946 asks readers not to refuse a
//! clockwise exterior). Consecutive repeated positions are allowed.
//! Not checked: holes touching the shell at two points so that they cut the
//! interior in two.

use geo::{Coord, Kernel, Orientation};

use crate::geometry::{Point, Polygon, Ring};

type Robust = geo::algorithm::kernels::RobustKernel;

/// Why a polygon is refused; rings are numbered from 0 (the exterior), edges
/// and positions from 0 within their ring.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PolygonProblem {
    /// A polygon without any ring.
    #[error("the polygon has no ring")]
    NoRings,
    /// A ring of fewer than 4 positions.
    #[error("ring {ring} has {count} positions; a closed ring needs at least 4")]
    TooFewPositions {
        /// The ring.
        ring: usize,
        /// How many positions it has.
        count: usize,
    },
    /// A ring whose last position is not its first.
    #[error("ring {ring} is not closed: its last position differs from its first")]
    NotClosed {
        /// The ring.
        ring: usize,
    },
    /// A coordinate that is NaN, infinite or outside ±180° / ±90°.
    #[error("ring {ring}, position {position}: ({lon}, {lat}) is not a longitude, latitude in degrees")]
    BadCoordinate {
        /// The ring.
        ring: usize,
        /// The position within it.
        position: usize,
        /// Its longitude.
        lon: f64,
        /// Its latitude.
        lat: f64,
    },
    /// A ring enclosing no area (all its positions on one line).
    #[error("ring {ring} encloses no area")]
    ZeroArea {
        /// The ring.
        ring: usize,
    },
    /// Two edges of one ring meet away from their shared vertex.
    #[error("ring {ring} intersects itself: edges {first} and {second} meet")]
    SelfIntersection {
        /// The ring.
        ring: usize,
        /// The lower-numbered edge (edge k joins positions k and k + 1).
        first: usize,
        /// The other edge.
        second: usize,
    },
    /// Two rings cross, or share a stretch of edge.
    #[error("rings {first} and {second} cross")]
    RingsCross {
        /// The lower-numbered ring.
        first: usize,
        /// The other ring.
        second: usize,
    },
    /// A hole that is not inside the exterior ring.
    #[error("hole (ring {ring}) lies outside the exterior ring")]
    HoleOutsideShell {
        /// The hole's ring.
        ring: usize,
    },
    /// A hole inside another hole.
    #[error("hole (ring {ring}) lies inside hole (ring {outer})")]
    NestedHole {
        /// The inner hole.
        ring: usize,
        /// The hole around it.
        outer: usize,
    },
}

/// A refused feature: its number in the collection, counted from 0 (the
/// first feature is feature 0), and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("feature {feature} (counted from 0): {problem}")]
pub struct InvalidFeature {
    /// The feature's 0-based position in the collection.
    pub feature: usize,
    /// What is wrong with its polygon.
    pub problem: PolygonProblem,
}

/// Checks every feature's polygon, in order; the first refusal is the error.
pub fn validate_features(polygons: &[Polygon]) -> Result<(), InvalidFeature> {
    for (feature, polygon) in polygons.iter().enumerate() {
        validate_polygon(polygon).map_err(|problem| InvalidFeature { feature, problem })?;
    }
    Ok(())
}

/// Checks one polygon (exterior ring, then holes); see the module doc for
/// the order of the checks.
pub fn validate_polygon(polygon: &Polygon) -> Result<(), PolygonProblem> {
    if polygon.is_empty() {
        return Err(PolygonProblem::NoRings);
    }
    for (ring, points) in polygon.iter().enumerate() {
        check_ring_form(ring, points)?;
    }
    let rings: Vec<Ring> = polygon.iter().map(without_repeats).collect();
    for (ring, points) in rings.iter().enumerate() {
        if collinear(points) {
            return Err(PolygonProblem::ZeroArea { ring });
        }
    }
    check_crossings(&rings)?;
    check_holes(&rings)
}

/// Count, closure and coordinate range of one ring.
fn check_ring_form(ring: usize, points: &Ring) -> Result<(), PolygonProblem> {
    if points.len() < 4 {
        return Err(PolygonProblem::TooFewPositions { ring, count: points.len() });
    }
    for (position, &(lon, lat)) in points.iter().enumerate() {
        if !(lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0) {
            return Err(PolygonProblem::BadCoordinate { ring, position, lon, lat });
        }
    }
    if points.first() != points.last() {
        return Err(PolygonProblem::NotClosed { ring });
    }
    Ok(())
}

/// The ring with consecutive repeated positions dropped (still closed).
fn without_repeats(points: &Ring) -> Ring {
    let mut out: Ring = Vec::with_capacity(points.len());
    for &p in points {
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    out
}

/// Whether every position lies on one line (exact orientation tests), so
/// that the ring encloses no area.
fn collinear(points: &Ring) -> bool {
    let a = points[0];
    let Some(&b) = points.iter().find(|&&p| p != a) else {
        return true;
    };
    points.iter().all(|&p| Robust::orient2d(coord(a), coord(b), coord(p)) == Orientation::Collinear)
}

fn coord(p: Point) -> Coord<f64> {
    Coord { x: p.0, y: p.1 }
}

/// How two segments meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meet {
    /// Not at all.
    Apart,
    /// At one point.
    Touch,
    /// Crossing at an interior point of both.
    Cross,
    /// Along a stretch (collinear and overlapping in more than a point).
    Overlap,
}

/// How segments a–b and c–d meet (exact orientation tests).
fn meet(a: Point, b: Point, c: Point, d: Point) -> Meet {
    let o1 = Robust::orient2d(coord(a), coord(b), coord(c));
    let o2 = Robust::orient2d(coord(a), coord(b), coord(d));
    let o3 = Robust::orient2d(coord(c), coord(d), coord(a));
    let o4 = Robust::orient2d(coord(c), coord(d), coord(b));
    use Orientation::Collinear as C;
    if o1 == C && o2 == C {
        return collinear_meet(a, b, c, d);
    }
    if o1 != C && o2 != C && o3 != C && o4 != C {
        return if o1 != o2 && o3 != o4 { Meet::Cross } else { Meet::Apart };
    }
    let touches = (o1 == C && within_box(a, b, c))
        || (o2 == C && within_box(a, b, d))
        || (o3 == C && within_box(c, d, a))
        || (o4 == C && within_box(c, d, b));
    if touches { Meet::Touch } else { Meet::Apart }
}

/// Whether p (collinear with a–b) lies on the segment.
fn within_box(a: Point, b: Point, p: Point) -> bool {
    a.0.min(b.0) <= p.0 && p.0 <= a.0.max(b.0) && a.1.min(b.1) <= p.1 && p.1 <= a.1.max(b.1)
}

/// Two segments on one line: overlap length by projection on the longer axis.
fn collinear_meet(a: Point, b: Point, c: Point, d: Point) -> Meet {
    let along_x = (a.0 - b.0).abs().max((c.0 - d.0).abs()) >= (a.1 - b.1).abs().max((c.1 - d.1).abs());
    let key = |p: Point| if along_x { p.0 } else { p.1 };
    let (lo1, hi1) = (key(a).min(key(b)), key(a).max(key(b)));
    let (lo2, hi2) = (key(c).min(key(d)), key(c).max(key(d)));
    let (lo, hi) = (lo1.max(lo2), hi1.min(hi2));
    if lo < hi {
        Meet::Overlap
    } else if lo == hi {
        Meet::Touch
    } else {
        Meet::Apart
    }
}

/// An edge of a ring, with its bounding box.
#[derive(Debug, Clone, Copy)]
struct Edge {
    ring: usize,
    index: usize,
    a: Point,
    b: Point,
    min_x: f64,
    max_x: f64,
    min_y: f64,
    max_y: f64,
}

fn edges(rings: &[Ring]) -> Vec<Edge> {
    let mut out = Vec::with_capacity(rings.iter().map(Vec::len).sum());
    for (ring, points) in rings.iter().enumerate() {
        for (index, w) in points.windows(2).enumerate() {
            let (a, b) = (w[0], w[1]);
            let (min_x, max_x) = (a.0.min(b.0), a.0.max(b.0));
            let (min_y, max_y) = (a.1.min(b.1), a.1.max(b.1));
            out.push(Edge { ring, index, a, b, min_x, max_x, min_y, max_y });
        }
    }
    out
}

/// Every pair of edges whose bounding boxes overlap, checked exactly. The
/// edges are sorted by their left end and each is compared only with the
/// edges that start before its right end (sort-and-sweep along x, then a
/// y-overlap test): O(n log n) plus the pairs whose x-ranges overlap, a
/// handful per edge for a surveyed boundary. (Rings whose edges pile up over
/// the same x-range, such as long vertical zigzags, approach the quadratic
/// worst case.)
fn check_crossings(rings: &[Ring]) -> Result<(), PolygonProblem> {
    let mut all = edges(rings);
    all.sort_by(|p, q| p.min_x.total_cmp(&q.min_x));
    let ring_edges: Vec<usize> = rings.iter().map(|r| r.len() - 1).collect();
    for (k, e) in all.iter().enumerate() {
        for f in &all[k + 1..] {
            if f.min_x > e.max_x {
                break;
            }
            if f.min_y <= e.max_y && f.max_y >= e.min_y {
                check_pair(e, f, &ring_edges)?;
            }
        }
    }
    Ok(())
}

fn check_pair(e: &Edge, f: &Edge, ring_edges: &[usize]) -> Result<(), PolygonProblem> {
    let found = meet(e.a, e.b, f.a, f.b);
    if e.ring != f.ring {
        return match found {
            Meet::Cross | Meet::Overlap => {
                Err(PolygonProblem::RingsCross { first: e.ring.min(f.ring), second: e.ring.max(f.ring) })
            }
            Meet::Apart | Meet::Touch => Ok(()),
        };
    }
    let n = ring_edges[e.ring];
    let (i, j) = (e.index.min(f.index), e.index.max(f.index));
    let neighbours = j == i + 1 || (i == 0 && j == n - 1);
    let bad = if neighbours { found == Meet::Overlap } else { found != Meet::Apart };
    if bad { Err(PolygonProblem::SelfIntersection { ring: e.ring, first: i, second: j }) } else { Ok(()) }
}

/// Every hole inside the exterior ring and outside every other hole, tested
/// at a vertex not on the other ring (rings do not cross, checked before).
fn check_holes(rings: &[Ring]) -> Result<(), PolygonProblem> {
    for (ring, hole) in rings.iter().enumerate().skip(1) {
        if relate(hole, &rings[0]) == Some(false) {
            return Err(PolygonProblem::HoleOutsideShell { ring });
        }
        for (outer, other) in rings.iter().enumerate().skip(1) {
            if outer != ring && relate(hole, other) == Some(true) {
                return Err(PolygonProblem::NestedHole { ring, outer });
            }
        }
    }
    Ok(())
}

/// Whether `inner` lies inside `outer`, judged at its first vertex off
/// `outer`'s boundary; `None` when every vertex is on it.
fn relate(inner: &Ring, outer: &Ring) -> Option<bool> {
    inner.iter().find_map(|&p| match super::zones::ring_position(outer, p) {
        super::zones::Position::Boundary => None,
        pos => Some(pos == super::zones::Position::Inside),
    })
}
