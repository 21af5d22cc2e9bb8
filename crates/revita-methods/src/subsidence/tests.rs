//! Hand-checked cases for subsidence areas (methods.md §7.3, §7.4): every
//! cut-off of the grading tables at the boundary and just beyond, every
//! refusal of the polygon check, and point-in-zone joins on shapes drawn by
//! hand.

use super::*;
use crate::geometry::{Polygon, Ring};

// ---------- building grade (§7.3, 砖混结构建筑物损坏等级) ----------

fn grade(measure: BuildingMeasure, value: f64) -> BuildingGrade {
    building_grade_of(measure, value).unwrap()
}

#[test]
fn strain_cut_offs_belong_to_the_milder_grade() {
    use BuildingGrade::*;
    let s = BuildingMeasure::HorizontalStrain;
    // ≤ 2.0 → I, ≤ 4.0 → II, ≤ 6.0 → III, above → IV (mm/m).
    let cases = [(0.0, I), (2.0, I), (2.0001, II), (4.0, II), (4.0001, III), (6.0, III), (6.0001, IV), (25.0, IV)];
    for (value, expected) in cases {
        assert_eq!(grade(s, value), expected, "ε = {value}");
    }
}

#[test]
fn curvature_and_tilt_cut_offs() {
    use BuildingGrade::*;
    let (k, i) = (BuildingMeasure::Curvature, BuildingMeasure::Tilt);
    // K: ≤ 0.2 / 0.4 / 0.6 (10⁻³/m); i: ≤ 3.0 / 6.0 / 10.0 (mm/m).
    let curvature = [(0.2, I), (0.2001, II), (0.4, II), (0.41, III), (0.6, III), (0.6001, IV)];
    for (value, expected) in curvature {
        assert_eq!(grade(k, value), expected, "K = {value}");
    }
    let tilt = [(3.0, I), (3.01, II), (6.0, II), (6.01, III), (10.0, III), (10.01, IV)];
    for (value, expected) in tilt {
        assert_eq!(grade(i, value), expected, "i = {value}");
    }
}

#[test]
fn negative_values_grade_by_their_size() {
    // Compression −2.0 mm/m is as bad as extension 2.0; sagging as hogging.
    assert_eq!(grade(BuildingMeasure::HorizontalStrain, -2.0), BuildingGrade::I);
    assert_eq!(grade(BuildingMeasure::HorizontalStrain, -2.0001), BuildingGrade::II);
    assert_eq!(grade(BuildingMeasure::Curvature, -0.6), BuildingGrade::III);
    assert_eq!(grade(BuildingMeasure::Tilt, -10.01), BuildingGrade::IV);
}

#[test]
fn a_value_that_is_not_a_number_is_refused() {
    let nan = building_grade_of(BuildingMeasure::HorizontalStrain, f64::NAN);
    assert_eq!(nan, Err(DamageError::NotFinite("horizontal_strain")));
    let inf = building_grade(&BuildingDeformation { tilt: Some(f64::INFINITY), ..Default::default() });
    assert_eq!(inf, Err(DamageError::NotFinite("tilt")));
    assert_eq!(building_grade(&BuildingDeformation::default()), Err(DamageError::NothingToGrade));
    assert_eq!(inf.unwrap_err().to_string(), "tilt must be a finite number");
}

#[test]
fn the_worst_measure_decides_and_the_first_wins_a_tie() {
    // ε 1.5 → I, K 0.5 → III, i 8.0 → III: grade III, decided by curvature
    // (before tilt in the table's column order).
    let d = BuildingDeformation { strain: Some(1.5), curvature: Some(-0.5), tilt: Some(8.0) };
    let a = building_grade(&d).unwrap();
    assert_eq!(a.grade, BuildingGrade::III);
    assert_eq!(a.decided_by, BuildingMeasure::Curvature);
    assert_eq!(
        a.by_measure,
        [
            (BuildingMeasure::HorizontalStrain, 1.5, BuildingGrade::I),
            (BuildingMeasure::Curvature, 0.5, BuildingGrade::III),
            (BuildingMeasure::Tilt, 8.0, BuildingGrade::III),
        ]
    );
    assert_eq!(
        a.explain(),
        "grade III decided by curvature (horizontal_strain 1.5 → I, curvature 0.5 → III, tilt 8 → III)"
    );
    // One measure alone: tilt 10.01 → IV.
    let t = building_grade(&BuildingDeformation { tilt: Some(10.01), ..Default::default() }).unwrap();
    assert_eq!((t.grade, t.decided_by), (BuildingGrade::IV, BuildingMeasure::Tilt));
}

// ---------- farmland class (§7.3, TD/T 1031.3, indicative) ----------

fn class(measure: FarmlandMeasure, value: f64) -> FarmlandClass {
    farmland_class_of(measure, value).unwrap()
}

#[test]
fn farmland_cut_offs_at_the_boundary_and_just_beyond() {
    use FarmlandClass::*;
    use FarmlandMeasure::*;
    let cases = [
        // light ≤ 8, severe > 16 mm/m
        (HorizontalDeformation, 8.0, Light),
        (HorizontalDeformation, 8.01, Moderate),
        (HorizontalDeformation, 16.0, Moderate),
        (HorizontalDeformation, -16.01, Severe),
        // light ≤ 20, severe > 40 mm/m
        (AdditionalSlope, 20.0, Light),
        (AdditionalSlope, 20.1, Moderate),
        (AdditionalSlope, 40.0, Moderate),
        (AdditionalSlope, 40.1, Severe),
        // light ≤ 2, severe > 6 m (a depth given as −2.5 is 2.5 m)
        (SubsidenceDepth, 2.0, Light),
        (SubsidenceDepth, -2.5, Moderate),
        (SubsidenceDepth, 6.0, Moderate),
        (SubsidenceDepth, 6.1, Severe),
        // light ≥ 1.5, severe < 0.5 m; standing water (−0.2) is severe
        (WaterTableDepth, 1.5, Light),
        (WaterTableDepth, 1.49, Moderate),
        (WaterTableDepth, 0.5, Moderate),
        (WaterTableDepth, 0.49, Severe),
        (WaterTableDepth, -0.2, Severe),
        // light ≤ 20, severe > 60 %; a gain is no loss
        (YieldLoss, 20.0, Light),
        (YieldLoss, 20.5, Moderate),
        (YieldLoss, 60.0, Moderate),
        (YieldLoss, 60.5, Severe),
        (YieldLoss, -5.0, Light),
    ];
    for (measure, value, expected) in cases {
        assert_eq!(class(measure, value), expected, "{} = {value}", measure.as_str());
    }
}

#[test]
fn the_worst_farmland_measure_decides() {
    // 5 mm/m → light, water table 0.3 m → severe, loss 30% → moderate.
    let d = FarmlandDeformation {
        horizontal: Some(5.0),
        water_table: Some(0.3),
        yield_loss: Some(30.0),
        ..Default::default()
    };
    let a = farmland_class(&d).unwrap();
    assert_eq!((a.class, a.decided_by), (FarmlandClass::Severe, FarmlandMeasure::WaterTableDepth));
    assert_eq!(a.by_measure.len(), 3);
    assert_eq!(
        a.explain(),
        "severe decided by water_table_depth (horizontal_deformation 5 → light, water_table_depth 0.3 → severe, yield_loss 30 → moderate)"
    );
    let nan = farmland_class(&FarmlandDeformation { slope: Some(f64::NAN), ..Default::default() });
    assert_eq!(nan, Err(DamageError::NotFinite("additional_slope")));
    assert_eq!(farmland_class(&FarmlandDeformation::default()), Err(DamageError::NothingToGrade));
}

// ---------- polygon checks ----------

fn ring(points: &[(f64, f64)]) -> Ring {
    points.to_vec()
}

fn square(x0: f64, y0: f64, side: f64) -> Ring {
    ring(&[(x0, y0), (x0 + side, y0), (x0 + side, y0 + side), (x0, y0 + side), (x0, y0)])
}

fn refusal(polygon: Polygon) -> PolygonProblem {
    validate_polygon(&polygon).unwrap_err()
}

#[test]
fn valid_polygons_pass() {
    assert_eq!(validate_polygon(&vec![square(110.0, 36.0, 1.0)]), Ok(()));
    // A hole, and a second hole touching the shell at one vertex (allowed).
    let holes = vec![
        square(110.0, 36.0, 4.0),
        square(111.0, 37.0, 1.0),
        ring(&[(110.0, 36.0), (110.5, 36.2), (110.2, 36.5), (110.0, 36.0)]),
    ];
    assert_eq!(validate_polygon(&holes), Ok(()));
    // Repeated consecutive positions are allowed.
    let repeats = ring(&[(0.0, 0.0), (1.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]);
    assert_eq!(validate_polygon(&vec![repeats]), Ok(()));
}

#[test]
fn each_refusal_names_its_reason() {
    use PolygonProblem::*;
    assert_eq!(refusal(vec![]), NoRings);
    assert_eq!(refusal(vec![ring(&[(0.0, 0.0), (1.0, 0.0), (0.0, 0.0)])]), TooFewPositions { ring: 0, count: 3 });
    let open = ring(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]);
    assert_eq!(refusal(vec![open]), NotClosed { ring: 0 });
    let mut nan = square(0.0, 0.0, 1.0);
    nan[2].1 = f64::NAN;
    assert!(matches!(refusal(vec![nan]), BadCoordinate { ring: 0, position: 2, .. }));
    let mut east = square(0.0, 0.0, 1.0);
    east[1].0 = 181.0;
    assert!(matches!(refusal(vec![east]), BadCoordinate { ring: 0, position: 1, lon, .. } if lon == 181.0));
    let mut south = square(0.0, 0.0, 1.0);
    south[3].1 = -90.5;
    assert!(matches!(refusal(vec![south]), BadCoordinate { ring: 0, position: 3, .. }));
    let mut inf = square(0.0, 0.0, 1.0);
    inf[0].0 = f64::INFINITY;
    assert!(matches!(refusal(vec![inf]), BadCoordinate { ring: 0, position: 0, .. }));
    let flat = ring(&[(0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (0.0, 0.0)]);
    assert_eq!(refusal(vec![flat]), ZeroArea { ring: 0 });
}

#[test]
fn self_intersections_are_refused() {
    use PolygonProblem::*;
    // Bow tie: edge 0 (0,0)–(2,2) crosses edge 2 (2,0)–(0,2).
    let bowtie = ring(&[(0.0, 0.0), (2.0, 2.0), (2.0, 0.0), (0.0, 2.0), (0.0, 0.0)]);
    assert_eq!(refusal(vec![bowtie]), SelfIntersection { ring: 0, first: 0, second: 2 });
    // Figure eight through one vertex (1,1): edges 1 and 4 touch there.
    let eight = ring(&[(0.0, 0.0), (2.0, 0.0), (1.0, 1.0), (2.0, 2.0), (0.0, 2.0), (1.0, 1.0), (0.0, 0.0)]);
    assert!(matches!(refusal(vec![eight]), SelfIntersection { ring: 0, .. }));
    // A spike: out along y = 4 to (6,4) and straight back (neighbours fold).
    let spike = ring(&[(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (6.0, 4.0), (5.0, 4.0), (0.0, 4.0), (0.0, 0.0)]);
    assert!(matches!(refusal(vec![spike]), SelfIntersection { ring: 0, .. }));
    // A vertex landing on a non-neighbouring edge (T-junction).
    let t = ring(&[(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (2.0, 0.0), (0.0, 4.0), (0.0, 0.0)]);
    assert!(matches!(refusal(vec![t]), SelfIntersection { ring: 0, .. }));
}

#[test]
fn holes_must_lie_inside_the_shell_and_outside_each_other() {
    use PolygonProblem::*;
    let shell = square(0.0, 0.0, 10.0);
    let crossing = vec![shell.clone(), square(8.0, 8.0, 4.0)];
    assert_eq!(refusal(crossing), RingsCross { first: 0, second: 1 });
    let outside = vec![shell.clone(), square(20.0, 20.0, 1.0)];
    assert_eq!(refusal(outside), HoleOutsideShell { ring: 1 });
    let nested = vec![shell.clone(), square(2.0, 2.0, 6.0), square(4.0, 4.0, 1.0)];
    assert_eq!(refusal(nested), NestedHole { ring: 2, outer: 1 });
    let hole_crossing_hole = vec![shell, square(2.0, 2.0, 3.0), square(4.0, 4.0, 3.0)];
    assert_eq!(refusal(hole_crossing_hole), RingsCross { first: 1, second: 2 });
}

#[test]
fn a_refused_feature_is_named_by_its_number_from_zero() {
    let open = ring(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]);
    let err = validate_features(&[vec![square(0.0, 0.0, 1.0)], vec![open]]).unwrap_err();
    assert_eq!(err.feature, 1);
    assert_eq!(
        err.to_string(),
        "feature 1 (counted from 0): ring 0 is not closed: its last position differs from its first"
    );
}

/// A star with `n` points around (cx, cy): concave, simple.
fn star(n: usize, cx: f64, cy: f64, r: f64) -> Ring {
    let mut out: Ring = (0..2 * n)
        .map(|k| {
            let t = std::f64::consts::PI * k as f64 / n as f64;
            let rr = if k % 2 == 0 { r } else { r * 0.6 };
            (cx + rr * t.cos(), cy + rr * t.sin())
        })
        .collect();
    out.push(out[0]);
    out
}

/// A wavy closed boundary of `n` vertices around (cx, cy), like a surveyed
/// outline: short edges, concave in places, simple.
fn wavy(n: usize, cx: f64, cy: f64, r: f64) -> Ring {
    let mut out: Ring = (0..n)
        .map(|k| {
            let t = 2.0 * std::f64::consts::PI * k as f64 / n as f64;
            let rr = r * (1.0 + 0.2 * (37.0 * t).sin());
            (cx + rr * t.cos(), cy + rr * t.sin())
        })
        .collect();
    out.push(out[0]);
    out
}

#[test]
fn long_rings_are_checked_quickly() {
    // 50,000 edges: only edges whose x-ranges overlap are compared (a
    // quadratic scan would make 1.25e9 comparisons).
    let big = wavy(50_000, 110.0, 36.0, 0.5);
    assert_eq!(validate_polygon(&vec![big.clone()]), Ok(()));
    // Pull one vertex across the centre: its edges cross the far side.
    let mut bad = big;
    bad[1000] = (109.0, 36.001);
    assert!(matches!(validate_polygon(&vec![bad]), Err(PolygonProblem::SelfIntersection { .. })));
}

// ---------- point in zone ----------

fn index(zones: Vec<Polygon>) -> ZoneIndex<i64> {
    ZoneIndex::new(zones.into_iter().enumerate().map(|(k, z)| (100 + k as i64, z)).collect()).unwrap()
}

/// A U shape (concave): the square [0,6]² without the notch [2,4]×[2,6].
fn u_shape() -> Ring {
    ring(&[(0.0, 0.0), (6.0, 0.0), (6.0, 6.0), (4.0, 6.0), (4.0, 2.0), (2.0, 2.0), (2.0, 6.0), (0.0, 6.0), (0.0, 0.0)])
}

#[test]
fn points_in_squares_triangles_and_a_concave_zone() {
    let triangle = ring(&[(10.0, 0.0), (14.0, 0.0), (12.0, 3.0), (10.0, 0.0)]);
    let zones = index(vec![vec![u_shape()], vec![triangle], vec![square(20.0, 0.0, 2.0)]]);
    assert_eq!(zones.ids(), [100, 101, 102]);
    assert_eq!(zones.containing((1.0, 5.0)), [0]); // left arm of the U
    assert_eq!(zones.containing((3.0, 4.0)), Vec::<usize>::new()); // in the notch
    assert_eq!(zones.containing((3.0, 1.0)), [0]); // the U's base
    assert_eq!(zones.containing((12.0, 1.0)), [1]);
    // (13.5, 2.5) is inside the triangle's bounding box, not the triangle.
    assert_eq!(zones.containing((13.5, 2.5)), Vec::<usize>::new());
    assert_eq!(zones.first_containing((21.0, 1.0)), Some(2));
    // Just outside the square's box, and on its edge and vertex: not strictly inside.
    assert_eq!(zones.first_containing((22.000001, 1.0)), None);
    assert_eq!(zones.first_containing((22.0, 1.0)), None);
    assert_eq!(zones.first_containing((20.0, 0.0)), None);
    // On the notch's inner edge (x = 4) and at the U's reflex vertex.
    assert_eq!(zones.first_containing((4.0, 3.0)), None);
    assert_eq!(zones.first_containing((4.0, 2.0)), None);
    assert_eq!(zones.first_containing((f64::NAN, 1.0)), None);
}

#[test]
fn a_point_in_a_hole_is_not_in_the_zone() {
    let zones = index(vec![vec![square(0.0, 0.0, 10.0), square(4.0, 4.0, 2.0)]]);
    assert_eq!(zones.containing((5.0, 5.0)), Vec::<usize>::new());
    assert_eq!(zones.containing((4.0, 5.0)), Vec::<usize>::new()); // on the hole's edge
    assert_eq!(zones.containing((3.0, 5.0)), [0]);
    assert_eq!(polygon_position(&vec![square(0.0, 0.0, 10.0), square(4.0, 4.0, 2.0)], (4.0, 5.0)), Position::Boundary);
}

#[test]
fn overlapping_zones_each_count_the_point() {
    // Squares [0,4]² and [2,6]² overlap in [2,4]²; (3,3) is in both.
    let zones = index(vec![vec![square(0.0, 0.0, 4.0)], vec![square(2.0, 2.0, 4.0)]]);
    assert_eq!(zones.containing((3.0, 3.0)), [0, 1]);
    assert_eq!(zones.first_containing((3.0, 3.0)), Some(0));
    let points = [(3.0, 3.0), (1.0, 1.0), (5.0, 5.0), (9.0, 9.0), (1.0, 1.5)];
    let weights = [10, 20, 30, 40, 50];
    let counts = zones.count(&points, &weights).unwrap();
    // Zone 0: (3,3), (1,1), (1,1.5) → 3 points, 80 people; zone 1: (3,3), (5,5) → 2, 40.
    assert_eq!(counts, ZoneCounts { points: vec![3, 2], weights: vec![80, 40], outside: 1 });
    assert_eq!(zones.members(&points), [vec![0, 1, 4], vec![0, 2]]);
    assert_eq!(zones.count_in_parallel(&points, &weights, 2).unwrap(), counts);
    assert_eq!(zones.count_in_parallel(&points, &weights, 7).unwrap(), counts);
    let built_in_parallel =
        ZoneIndex::new_in_parallel(vec![(100, vec![square(0.0, 0.0, 4.0)]), (101, vec![square(2.0, 2.0, 4.0)])], 2);
    assert_eq!(built_in_parallel.unwrap().count(&points, &weights).unwrap(), counts);
}

#[test]
fn counting_refuses_bad_inputs() {
    let zones = index(vec![vec![square(0.0, 0.0, 4.0)]]);
    assert_eq!(zones.count(&[(1.0, 1.0)], &[]), Err(ZoneError::Lengths { points: 1, weights: 0 }));
    assert_eq!(zones.count(&[(1.0, 1.0), (2.0, 2.0)], &[i64::MAX, 1]), Err(ZoneError::Overflow { zone: 0 }));
    assert_eq!(
        zones.count_in_parallel(&[(1.0, 1.0), (2.0, 2.0)], &[i64::MAX, 1], 2),
        Err(ZoneError::Overflow { zone: 0 })
    );
    let open = ring(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]);
    let err = ZoneIndex::new(vec![(7, vec![square(0.0, 0.0, 1.0)]), (8, vec![open])]).unwrap_err();
    assert!(matches!(err, ZoneError::Invalid(InvalidFeature { feature: 1, .. })));
    let mut one = zones.count(&[(1.0, 1.0)], &[3]).unwrap();
    let other = ZoneCounts { points: vec![1, 2], weights: vec![5, 6], outside: 0 };
    assert_eq!(one.merge(&other), Err(ZoneError::ZonesDiffer { ours: 1, theirs: 2 }));
    let open = ring(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]);
    let many: Vec<(i64, Polygon)> = (0..9)
        .map(|k| (k, if k == 5 || k == 8 { vec![open.clone()] } else { vec![square(k as f64, 0.0, 1.0)] }))
        .collect();
    for threads in [1, 2, 4] {
        let err = ZoneIndex::new_in_parallel(many.clone(), threads).unwrap_err();
        assert!(matches!(err, ZoneError::Invalid(InvalidFeature { feature: 5, .. })), "{threads}: {err}");
    }
    let empty: ZoneIndex<i64> = ZoneIndex::new_in_parallel(Vec::new(), 2).unwrap();
    assert!(empty.is_empty());
    assert_eq!(empty.count(&[(0.0, 0.0)], &[5]).unwrap(), ZoneCounts { points: vec![], weights: vec![], outside: 1 });
}

#[test]
fn the_index_agrees_with_geo_on_a_star_with_a_hole() {
    use geo::Contains;
    // A 300-point star with a square hole, and a grid of points over its box
    // (with vertex coordinates among them): the slab index, the plain ring
    // walk and geo's `Contains` (strict interior) must agree everywhere.
    let polygon = vec![star(300, 0.0, 0.0, 10.0), square(-1.0, -1.0, 2.0)];
    let zones = index(vec![polygon.clone()]);
    let shape = crate::geometry::to_geo(&polygon);
    let mut inside = 0;
    for i in -110..=110 {
        for j in -110..=110 {
            let p = (i as f64 / 10.0, j as f64 / 10.0);
            let expected = shape.contains(&geo::Point::new(p.0, p.1));
            assert_eq!(zones.first_containing(p).is_some(), expected, "{p:?}");
            assert_eq!(polygon_position(&polygon, p) == Position::Inside, expected, "{p:?}");
            inside += usize::from(expected);
        }
    }
    assert!(inside > 12_000, "{inside}");
}
