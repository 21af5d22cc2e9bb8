//! Which subsidence area (zone) each village or household point lies in, for
//! many points at once (methods.md §7.4: affected villages, households and
//! population per area).
//!
//! Points are tested in the plane of longitude and latitude, and a zone holds
//! only the points **strictly inside** it: a point on its boundary (edge or
//! vertex, decided by exact orientation tests) or in one of its holes is not
//! in it. Zones may overlap in real data; a point inside several zones counts
//! in **every** one of them, so per-zone totals can add up to more than all
//! points (the points in no zone are counted apart).
//!
//! The index lays a grid over all zones; each cell lists the zones whose
//! bounding boxes meet it, found with an R-tree (rstar) of those boxes when
//! the index is built. A point looks up its cell, checks the listed zones'
//! boxes, and tests the few zones left ring by ring: each ring is cut into
//! horizontal slabs listing the edges that reach into them, so a point meets
//! only the few edges of its slab (crossing number, with an exact
//! orientation test wherever the edge's x-range holds the point).

use geo::{Coord, Kernel, Orientation};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::validate::{InvalidFeature, validate_polygon};
use crate::geometry::{Point, Polygon, Ring};

type Robust = geo::algorithm::kernels::RobustKernel;

/// Where a point lies relative to a ring or polygon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Strictly inside.
    Inside,
    /// On an edge or a vertex.
    Boundary,
    /// Outside (for a polygon: also inside one of its holes).
    Outside,
}

/// Why zones cannot be indexed or points counted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ZoneError {
    /// A zone's polygon is refused (the feature number is the zone's 0-based
    /// position in the input).
    #[error(transparent)]
    Invalid(#[from] InvalidFeature),
    /// Not one weight per point.
    #[error("{points} points but {weights} weights: give one weight per point")]
    Lengths {
        /// Points given.
        points: usize,
        /// Weights given.
        weights: usize,
    },
    /// Counts over different numbers of zones cannot be added.
    #[error("counts over {ours} zones cannot take counts over {theirs}")]
    ZonesDiffer {
        /// Zones of the count added to.
        ours: usize,
        /// Zones of the count added.
        theirs: usize,
    },
    /// A zone's sum of weights beyond the range of i64.
    #[error("the weights in zone {zone} sum beyond the range of a 64-bit integer")]
    Overflow {
        /// The zone's 0-based position.
        zone: usize,
    },
}

/// Per-zone counts of points and sums of their weights (e.g. population),
/// aligned with the zones' input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneCounts {
    /// Points strictly inside each zone.
    pub points: Vec<u64>,
    /// Sum of those points' weights.
    pub weights: Vec<i64>,
    /// Points in no zone (including points with a NaN or infinite coordinate).
    pub outside: u64,
}

impl ZoneCounts {
    fn zeros(zones: usize) -> ZoneCounts {
        ZoneCounts { points: vec![0; zones], weights: vec![0; zones], outside: 0 }
    }

    /// Adds another count over the same zones (e.g. of another batch of points).
    pub fn merge(&mut self, other: &ZoneCounts) -> Result<(), ZoneError> {
        if self.points.len() != other.points.len() || other.weights.len() != other.points.len() {
            return Err(ZoneError::ZonesDiffer { ours: self.points.len(), theirs: other.points.len() });
        }
        for (zone, (p, w)) in other.points.iter().zip(&other.weights).enumerate() {
            self.points[zone] += p;
            self.weights[zone] = self.weights[zone].checked_add(*w).ok_or(ZoneError::Overflow { zone })?;
        }
        self.outside += other.outside;
        Ok(())
    }
}

/// Zones (polygons with ids) prepared for point queries.
#[derive(Debug)]
pub struct ZoneIndex<Id> {
    ids: Vec<Id>,
    zones: Vec<PreparedPolygon>,
    grid: Grid,
}

impl<Id> ZoneIndex<Id> {
    /// Validates every polygon (see [`super::validate`]) and indexes them; a
    /// zone's position in `zones` is its number in every answer. A refused
    /// polygon is named by that position (counted from 0).
    pub fn new(zones: Vec<(Id, Polygon)>) -> Result<ZoneIndex<Id>, ZoneError> {
        let (ids, polygons): (Vec<Id>, Vec<Polygon>) = zones.into_iter().unzip();
        let prepared = prepare(&polygons, 0)?;
        Ok(ZoneIndex { ids, grid: Grid::new(&prepared), zones: prepared })
    }

    /// [`ZoneIndex::new`] with the polygons validated and prepared on
    /// `threads` threads (contiguous batches); the same index and, for
    /// several refused polygons, the same (lowest-numbered) refusal.
    pub fn new_in_parallel(zones: Vec<(Id, Polygon)>, threads: usize) -> Result<ZoneIndex<Id>, ZoneError> {
        let (ids, polygons): (Vec<Id>, Vec<Polygon>) = zones.into_iter().unzip();
        let batch = polygons.len().div_ceil(threads.max(1)).max(1);
        let parts: Vec<Result<Vec<PreparedPolygon>, ZoneError>> = std::thread::scope(|s| {
            let handles: Vec<_> =
                polygons.chunks(batch).enumerate().map(|(k, b)| s.spawn(move || prepare(b, k * batch))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
        });
        let mut prepared = Vec::with_capacity(polygons.len());
        for part in parts {
            prepared.extend(part?);
        }
        Ok(ZoneIndex { ids, grid: Grid::new(&prepared), zones: prepared })
    }

    /// How many zones.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there is no zone.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The ids, in zone order.
    pub fn ids(&self) -> &[Id] {
        &self.ids
    }

    /// Calls `f` with every zone strictly containing `p`, in no set order.
    fn for_each_containing(&self, p: Point, mut f: impl FnMut(usize)) {
        if !(p.0.is_finite() && p.1.is_finite()) {
            return;
        }
        for &zone in self.grid.candidates(p) {
            let z = &self.zones[zone as usize];
            let in_box = p.0 >= z.min_x && p.0 <= z.max_x && p.1 >= z.min_y && p.1 <= z.max_y;
            if in_box && z.position(p) == Position::Inside {
                f(zone as usize);
            }
        }
    }

    /// Every zone strictly containing `p`, in ascending zone order.
    pub fn containing(&self, p: Point) -> Vec<usize> {
        let mut found = Vec::new();
        self.for_each_containing(p, |zone| found.push(zone));
        found.sort_unstable();
        found
    }

    /// The lowest-numbered zone strictly containing `p`.
    pub fn first_containing(&self, p: Point) -> Option<usize> {
        let mut first: Option<usize> = None;
        self.for_each_containing(p, |zone| first = Some(first.map_or(zone, |f| f.min(zone))));
        first
    }

    /// Points and summed weights per zone; a point inside several zones
    /// counts in each.
    pub fn count(&self, points: &[Point], weights: &[i64]) -> Result<ZoneCounts, ZoneError> {
        if points.len() != weights.len() {
            return Err(ZoneError::Lengths { points: points.len(), weights: weights.len() });
        }
        let mut counts = ZoneCounts::zeros(self.len());
        let mut overflow = None;
        for (&p, &w) in points.iter().zip(weights) {
            let mut inside = false;
            self.for_each_containing(p, |zone| {
                inside = true;
                counts.points[zone] += 1;
                match counts.weights[zone].checked_add(w) {
                    Some(sum) => counts.weights[zone] = sum,
                    None => overflow = overflow.or(Some(zone)),
                }
            });
            counts.outside += u64::from(!inside);
        }
        match overflow {
            Some(zone) => Err(ZoneError::Overflow { zone }),
            None => Ok(counts),
        }
    }

    /// The points of every zone: for each zone, the indices (into `points`)
    /// of the points strictly inside it, ascending.
    pub fn members(&self, points: &[Point]) -> Vec<Vec<usize>> {
        let mut members = vec![Vec::new(); self.len()];
        for (k, &p) in points.iter().enumerate() {
            self.for_each_containing(p, |zone| members[zone].push(k));
        }
        members
    }
}

impl<Id: Sync> ZoneIndex<Id> {
    /// [`ZoneIndex::count`] over `threads` threads (contiguous batches of the
    /// points, merged); the answer does not depend on `threads`.
    pub fn count_in_parallel(
        &self,
        points: &[Point],
        weights: &[i64],
        threads: usize,
    ) -> Result<ZoneCounts, ZoneError> {
        if points.len() != weights.len() {
            return Err(ZoneError::Lengths { points: points.len(), weights: weights.len() });
        }
        let batch = points.len().div_ceil(threads.max(1)).max(1);
        let parts: Vec<Result<ZoneCounts, ZoneError>> = std::thread::scope(|s| {
            let handles: Vec<_> = points
                .chunks(batch)
                .zip(weights.chunks(batch))
                .map(|(p, w)| s.spawn(move || self.count(p, w)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
        });
        let mut total = ZoneCounts::zeros(self.len());
        for part in parts {
            total.merge(&part?)?;
        }
        Ok(total)
    }
}

/// Validates and prepares polygons numbered from `first`.
fn prepare(polygons: &[Polygon], first: usize) -> Result<Vec<PreparedPolygon>, ZoneError> {
    let mut prepared = Vec::with_capacity(polygons.len());
    for (k, polygon) in polygons.iter().enumerate() {
        validate_polygon(polygon).map_err(|problem| InvalidFeature { feature: first + k, problem })?;
        prepared.push(PreparedPolygon::new(polygon));
    }
    Ok(prepared)
}

/// Where `p` lies relative to a polygon (exterior ring, then holes), without
/// an index: O(vertices).
pub fn polygon_position(polygon: &Polygon, p: Point) -> Position {
    let Some((shell, holes)) = polygon.split_first() else {
        return Position::Outside;
    };
    combine(ring_position(shell, p), holes.iter().map(|h| ring_position(h, p)))
}

/// The polygon's answer from its exterior ring's and its holes'.
fn combine(shell: Position, mut holes: impl Iterator<Item = Position>) -> Position {
    if shell != Position::Inside {
        return shell;
    }
    holes
        .find_map(|h| match h {
            Position::Inside => Some(Position::Outside),
            Position::Boundary => Some(Position::Boundary),
            Position::Outside => None,
        })
        .unwrap_or(Position::Inside)
}

/// Where `p` lies relative to a closed ring (crossing number, exact on the
/// boundary): O(vertices).
pub fn ring_position(ring: &Ring, p: Point) -> Position {
    let mut inside = false;
    for w in ring.windows(2) {
        match edge_step(w[0], w[1], p) {
            Step::Boundary => return Position::Boundary,
            Step::Cross => inside = !inside,
            Step::Pass => {}
        }
    }
    if inside { Position::Inside } else { Position::Outside }
}

/// What one edge says about a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The edge does not cross the ray from the point towards +x.
    Pass,
    /// It crosses it (half-open rule in y, so a vertex on the ray counts once).
    Cross,
    /// The point is on the edge.
    Boundary,
}

/// The crossing-number step of edge a–b for point p; the exact orientation
/// test is made only when the edge's x-range holds p.
#[inline]
fn edge_step(a: Point, b: Point, p: Point) -> Step {
    let (px, py) = p;
    if py < a.1.min(b.1) || py > a.1.max(b.1) {
        return Step::Pass;
    }
    let straddles = (a.1 > py) != (b.1 > py);
    if px > a.0.max(b.0) {
        return Step::Pass;
    }
    if px < a.0.min(b.0) {
        return if straddles { Step::Cross } else { Step::Pass };
    }
    let o = Robust::orient2d(Coord { x: a.0, y: a.1 }, Coord { x: b.0, y: b.1 }, Coord { x: px, y: py });
    match o {
        Orientation::Collinear => Step::Boundary,
        _ if !straddles => Step::Pass,
        Orientation::CounterClockwise if a.1 < b.1 => Step::Cross,
        Orientation::Clockwise if a.1 > b.1 => Step::Cross,
        _ => Step::Pass,
    }
}

/// A grid over the zones' joint bounding box: cell k's zones are
/// `zones[starts[k]..starts[k + 1]]`, every zone whose box meets the cell
/// (enlarged by a millionth of a cell on each side).
#[derive(Debug)]
struct Grid {
    min_x: f64,
    min_y: f64,
    /// Cells per unit of x and of y.
    scale_x: f64,
    scale_y: f64,
    nx: usize,
    ny: usize,
    starts: Vec<usize>,
    zones: Vec<u32>,
}

impl Grid {
    /// About 4 cells per zone (at most 2²⁰), shaped like the joint box; the
    /// zones of each cell come from an R-tree of the zones' boxes.
    fn new(zones: &[PreparedPolygon]) -> Grid {
        let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, u32>> = zones
            .iter()
            .zip(0u32..)
            .map(|(z, k)| GeomWithData::new(Rectangle::from_corners([z.min_x, z.min_y], [z.max_x, z.max_y]), k))
            .collect();
        let tree = RTree::bulk_load(boxes);
        let all = tree.root().envelope();
        let ([min_x, min_y], [max_x, max_y]) = (all.lower(), all.upper());
        let (w, h) = ((max_x - min_x).max(f64::MIN_POSITIVE), (max_y - min_y).max(f64::MIN_POSITIVE));
        let cells = (4 * zones.len()).clamp(1, 1 << 20) as f64;
        let nx = ((cells * w / h).sqrt().round() as usize).clamp(1, 1 << 12);
        let ny = ((cells / nx as f64).round() as usize).clamp(1, 1 << 12);
        let (scale_x, scale_y) = (nx as f64 / w, ny as f64 / h);
        let mut grid = Grid { min_x, min_y, scale_x, scale_y, nx, ny, starts: vec![0], zones: Vec::new() };
        if zones.is_empty() {
            grid.starts = vec![0; nx * ny + 1];
            return grid;
        }
        for cy in 0..ny {
            for cx in 0..nx {
                let (ex, ey) = (1e-6 / scale_x, 1e-6 / scale_y);
                let lower = [min_x + cx as f64 / scale_x - ex, min_y + cy as f64 / scale_y - ey];
                let upper = [min_x + (cx + 1) as f64 / scale_x + ex, min_y + (cy + 1) as f64 / scale_y + ey];
                let mut found: Vec<u32> =
                    tree.locate_in_envelope_intersecting(&AABB::from_corners(lower, upper)).map(|g| g.data).collect();
                found.sort_unstable();
                grid.zones.extend(found);
                grid.starts.push(grid.zones.len());
            }
        }
        grid
    }

    /// The zones listed for p's cell (none outside the grid). Cells are
    /// listed with a margin of a millionth of a cell, so that a point's cell
    /// computed here lists every zone whose box holds the point, whatever
    /// the rounding; the box check and the rings then decide exactly.
    #[inline]
    fn candidates(&self, p: Point) -> &[u32] {
        let (fx, fy) = ((p.0 - self.min_x) * self.scale_x, (p.1 - self.min_y) * self.scale_y);
        if !(fx >= 0.0 && fy >= 0.0) {
            return &[];
        }
        let (cx, cy) = (fx as usize, fy as usize);
        let (cx, cy) = (cx.min(self.nx - 1), cy.min(self.ny - 1));
        let k = cy * self.nx + cx;
        &self.zones[self.starts[k]..self.starts[k + 1]]
    }
}

/// A polygon prepared for repeated point tests.
#[derive(Debug)]
struct PreparedPolygon {
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
    rings: Vec<PreparedRing>,
}

impl PreparedPolygon {
    fn new(polygon: &Polygon) -> PreparedPolygon {
        let rings: Vec<PreparedRing> = polygon.iter().map(PreparedRing::new).collect();
        let shell = &polygon[0];
        let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &(x, y) in shell {
            (min_x, min_y, max_x, max_y) = (min_x.min(x), min_y.min(y), max_x.max(x), max_y.max(y));
        }
        PreparedPolygon { min_x, min_y, max_x, max_y, rings }
    }

    fn position(&self, p: Point) -> Position {
        combine(self.rings[0].position(p), self.rings[1..].iter().map(|r| r.position(p)))
    }
}

/// A ring cut into horizontal slabs of equal height; each slab lists (copies
/// of) the edges whose y-range meets it, so a point needs only its slab's.
#[derive(Debug)]
struct PreparedRing {
    min_y: f64,
    max_y: f64,
    /// Slabs per unit of y.
    scale: f64,
    slabs: usize,
    /// Slab k's edges are `edges[starts[k]..starts[k + 1]]`.
    starts: Vec<usize>,
    edges: Vec<(Point, Point)>,
}

impl PreparedRing {
    fn new(ring: &Ring) -> PreparedRing {
        let (min_y, max_y) = ring.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
        let slabs = (ring.len() / 2).clamp(1, 4096);
        let height = max_y - min_y;
        let scale = if height > 0.0 { slabs as f64 / height } else { 0.0 };
        let mut ring_slabs = PreparedRing { min_y, max_y, scale, slabs, starts: vec![0; slabs + 1], edges: Vec::new() };
        ring_slabs.fill(ring);
        ring_slabs
    }

    /// The slab of a y within [min_y, max_y]; monotone in y, so an edge
    /// listed in the slabs of its two ends is found from any y between.
    #[inline]
    fn slab(&self, y: f64) -> usize {
        (((y - self.min_y) * self.scale) as usize).min(self.slabs - 1)
    }

    /// Counting pass, then placing pass (a CSR layout).
    fn fill(&mut self, ring: &Ring) {
        let span = |s: &PreparedRing, a: Point, b: Point| s.slab(a.1.min(b.1))..=s.slab(a.1.max(b.1));
        let mut counts = vec![0usize; self.slabs + 1];
        for w in ring.windows(2) {
            for k in span(self, w[0], w[1]) {
                counts[k + 1] += 1;
            }
        }
        for k in 0..self.slabs {
            counts[k + 1] += counts[k];
        }
        self.starts.clone_from(&counts);
        let mut next = counts;
        self.edges = vec![((0.0, 0.0), (0.0, 0.0)); self.starts[self.slabs]];
        for w in ring.windows(2) {
            for k in span(self, w[0], w[1]) {
                self.edges[next[k]] = (w[0], w[1]);
                next[k] += 1;
            }
        }
    }

    #[inline]
    fn position(&self, p: Point) -> Position {
        if p.1 < self.min_y || p.1 > self.max_y {
            return Position::Outside;
        }
        let k = self.slab(p.1);
        let mut inside = false;
        for &(a, b) in &self.edges[self.starts[k]..self.starts[k + 1]] {
            match edge_step(a, b, p) {
                Step::Boundary => return Position::Boundary,
                Step::Cross => inside = !inside,
                Step::Pass => {}
            }
        }
        if inside { Position::Inside } else { Position::Outside }
    }
}
