use super::*;

const UP: Direction = Direction::HigherIsBetter;
const DOWN: Direction = Direction::LowerIsBetter;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-4
}

fn assert_all_close(actual: &[f64], expected: &[f64]) {
    assert!(
        actual.len() == expected.len() && actual.iter().zip(expected).all(|(a, b)| close(*a, *b)),
        "{actual:?} vs {expected:?}"
    );
}

#[test]
fn range_normalisation_turns_costs_around() {
    let x = vec![vec![2.0, 2.0, 5.0], vec![4.0, 4.0, 5.0], vec![6.0, 6.0, 5.0]];
    let n = min_max(&x, &[UP, DOWN, UP]).unwrap();
    let col = |j: usize| n.iter().map(|r| r[j]).collect::<Vec<_>>();
    assert_all_close(&col(0), &[0.0, 0.5, 1.0]);
    assert_all_close(&col(1), &[1.0, 0.5, 0.0]);
    assert_all_close(&col(2), &[1.0, 1.0, 1.0]);
}

#[test]
fn z_scores_use_the_population_sd() {
    // [2, 4, 6]: mean 4, sd √(8/3) = 1.63299; z = ∓1.22474, 0.
    let z = z_scores(&[vec![2.0], vec![4.0], vec![6.0]], &[UP]).unwrap();
    assert_all_close(&z.iter().map(|r| r[0]).collect::<Vec<_>>(), &[-1.22474, 0.0, 1.22474]);
}

#[test]
fn entropy_gives_a_constant_indicator_no_weight() {
    // Column 1 [0, .5, 1]: p = [0, 1/3, 2/3], e = (1/3·ln3 + 2/3·ln1.5)/ln3 = 0.57938, d = 0.42062.
    // Column 2 is constant: e = 1, d = 0. So w = [1, 0].
    let x = vec![vec![0.0, 0.5], vec![0.5, 0.5], vec![1.0, 0.5]];
    assert_all_close(&entropy_weights(&x).unwrap(), &[1.0, 0.0]);
    // Two columns with the same spread weigh the same.
    let y = vec![vec![0.0, 1.0], vec![0.5, 0.0], vec![1.0, 0.5]];
    assert_all_close(&entropy_weights(&y).unwrap(), &[0.5, 0.5]);
    assert!(entropy_weights(&[vec![-1.0], vec![1.0]]).is_err());
}

#[test]
fn topsis_closeness_by_hand() {
    // A (1,1), B (0,0), C (1,0); weights ½,½; both benefit criteria.
    // Vector norms √2 and 1 → v_A = (.35355, .5), v_C = (.35355, 0); A+ = (.35355, .5), A− = (0, 0).
    // C: D+ = .5, D− = .35355 → .35355/.85355 = 0.41421.
    let x = vec![vec![1.0, 1.0], vec![0.0, 0.0], vec![1.0, 0.0]];
    assert_all_close(&topsis(&x, &[0.5, 0.5], &[UP, UP]).unwrap(), &[1.0, 0.0, 0.41421]);
    // As a cost criterion, the second column turns the order round for C and A.
    let c = topsis(&x, &[0.5, 0.5], &[UP, DOWN]).unwrap();
    assert!(c[2] > c[0]);
}

#[test]
fn a_consistent_ahp_matrix_has_cr_zero() {
    // a_ij = w_i/w_j with w ∝ (4, 2, 1): weights 4/7, 2/7, 1/7, λmax = 3.
    let a = vec![vec![1.0, 2.0, 4.0], vec![0.5, 1.0, 2.0], vec![0.25, 0.5, 1.0]];
    let r = ahp(&a).unwrap();
    assert_all_close(&r.weights, &[4.0 / 7.0, 2.0 / 7.0, 1.0 / 7.0]);
    assert!(close(r.lambda_max, 3.0) && close(r.cr, 0.0) && r.is_consistent());
}

#[test]
fn a_cyclic_ahp_matrix_is_flagged() {
    // A ≻ B (3), B ≻ C (3), C ≻ A (3): circulant, so w = (⅓, ⅓, ⅓) and
    // λmax = 1 + 3 + ⅓ = 4.3333; CI = 0.6667; CR = 0.6667/0.58 = 1.1494.
    let a = vec![vec![1.0, 3.0, 1.0 / 3.0], vec![1.0 / 3.0, 1.0, 3.0], vec![3.0, 1.0 / 3.0, 1.0]];
    let r = ahp(&a).unwrap();
    assert!(close(r.lambda_max, 13.0 / 3.0) && close(r.cr, (2.0 / 3.0) / 0.58), "{r:?}");
    assert!(!r.is_consistent());
    assert!(matches!(ahp(&[vec![1.0, 2.0], vec![2.0, 1.0]]), Err(CompositeError::NotReciprocal(_))));
}

#[test]
fn the_arc_index_averages_ratios_with_income_inverted() {
    // Unemployment 9% vs 6% → 150; income 20,000 vs 30,000 → 100·30000/20000 = 150;
    // poverty 30% vs 15% → 200. Index = (150 + 150 + 200)/3 = 166.67.
    let index = ratio_index(&[9.0, 20_000.0, 30.0], &[6.0, 30_000.0, 15.0], &[DOWN, UP, DOWN]).unwrap();
    assert!(close(index, 500.0 / 3.0));
    assert!(ratio_index(&[0.0], &[1.0], &[UP]).is_err());
}

#[test]
fn arc_bands_split_twenty_counties_2_3_10_3_2() {
    // Scores 20 (worst) … 1 (best): positions 0–1 distressed, 2–4 at-risk,
    // 5–14 transitional, 15–17 competitive, 18–19 attainment.
    let scores: Vec<f64> = (1..=20).rev().map(f64::from).collect();
    let bands = percentile_bands(&scores, &[0.10, 0.25, 0.75, 0.90, 1.0]);
    let count = |b: usize| bands.iter().filter(|x| **x == b).count();
    assert_eq!([count(0), count(1), count(2), count(3), count(4)], [2, 3, 10, 3, 2]);
    assert_eq!((bands[0], bands[19]), (0, 4));
}

#[test]
fn ties_share_the_better_placed_rank_and_band() {
    // Scores 9, 7, 7, 5: ranks 1, 2, 2, 4 (competition ranking).
    assert_eq!(ranks_worst_first(&[9.0, 7.0, 7.0, 5.0]), vec![1, 2, 2, 4]);
    // Equal up to float rounding is equal: 0.1 + 0.2 = 0.30000000000000004.
    assert_eq!(ranks_worst_first(&[0.1 + 0.2, 0.3, 0.5]), vec![2, 2, 1]);
    assert_eq!(percentile_bands(&[0.1 + 0.2, 0.3, 0.5], &[0.3, 1.0]), vec![1, 1, 0]);
    assert_eq!(ranks_worst_first(&[0.3000001, 0.3]), vec![1, 2], "a real difference still ranks");
    // Ten units, bands [.2, 1]: the 2nd and 3rd worst tie, so both sit at
    // position .1 and fall in the first band; three units are distressed.
    let scores = [10.0, 9.0, 9.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0];
    let bands = percentile_bands(&scores, &[0.2, 1.0]);
    assert_eq!(bands.iter().filter(|b| **b == 0).count(), 3);
}

#[test]
fn permuting_the_regions_changes_no_rank_or_band() {
    let scores = [3.0, 8.0, 8.0, 1.0, 5.0, 5.0, 5.0, 9.0, 2.0, 7.0];
    let bounds = [0.10, 0.25, 0.75, 0.90, 1.0];
    let (ranks, bands) = (ranks_worst_first(&scores), percentile_bands(&scores, &bounds));
    for shift in 1..scores.len() {
        let rotated: Vec<f64> = (0..scores.len()).map(|i| scores[(i + shift) % scores.len()]).collect();
        let (r, b) = (ranks_worst_first(&rotated), percentile_bands(&rotated, &bounds));
        for i in 0..scores.len() {
            let original = (i + shift) % scores.len();
            assert_eq!((r[i], b[i]), (ranks[original], bands[original]), "shift {shift}, unit {i}");
        }
    }
}

/// A seeded generator (64-bit LCG) for the property tests below: many
/// random matrices, the same every run.
struct Lcg(u64);

impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn matrix(&mut self, units: usize, indicators: usize) -> Vec<Vec<f64>> {
        (0..units).map(|_| (0..indicators).map(|_| 1.0 + 99.0 * self.unit()).collect()).collect()
    }
}

const DIRECTIONS: [Direction; 3] = [Direction::HigherIsBetter, Direction::LowerIsBetter, Direction::HigherIsBetter];

/// Scores worst-high for ranking: the negated composite.
fn worst_high(scores: &[f64]) -> Vec<f64> {
    scores.iter().map(|s| -s).collect()
}

#[test]
fn property_min_max_ranks_are_unchanged_by_scaling_a_benefit_indicator() {
    let mut rng = Lcg(17);
    for case in 0..200 {
        let matrix = rng.matrix(12, 3);
        let factor = 0.01 + 1000.0 * rng.unit();
        let scaled: Vec<Vec<f64>> = matrix.iter().map(|r| vec![r[0] * factor, r[1], r[2]]).collect();
        let weights = [0.5, 0.3, 0.2];
        let score = |m: &[Vec<f64>]| weighted_sum(&min_max(m, &DIRECTIONS).unwrap(), &weights).unwrap();
        let (before, after) = (score(&matrix), score(&scaled));
        assert_eq!(
            ranks_worst_first(&worst_high(&before)),
            ranks_worst_first(&worst_high(&after)),
            "case {case}, factor {factor}"
        );
        assert_all_close(&before, &after);
    }
}

#[test]
fn property_permuting_the_regions_permutes_every_score() {
    let mut rng = Lcg(5);
    for case in 0..100 {
        let matrix = rng.matrix(9, 3);
        let shift = 1 + case % 8;
        let rotated: Vec<Vec<f64>> = (0..9).map(|i| matrix[(i + shift) % 9].clone()).collect();
        let normalised = min_max(&matrix, &DIRECTIONS).unwrap();
        let entropy = entropy_weights(&normalised).unwrap();
        let entropy_rotated = entropy_weights(&min_max(&rotated, &DIRECTIONS).unwrap()).unwrap();
        assert_all_close(&entropy, &entropy_rotated);
        for scores in [
            |m: &[Vec<f64>]| weighted_sum(&min_max(m, &DIRECTIONS).unwrap(), &[0.2, 0.5, 0.3]).unwrap(),
            |m: &[Vec<f64>]| weighted_sum(&z_scores(m, &DIRECTIONS).unwrap(), &[0.2, 0.5, 0.3]).unwrap(),
            |m: &[Vec<f64>]| topsis(m, &[0.2, 0.5, 0.3], &DIRECTIONS).unwrap(),
        ] {
            let (a, b) = (scores(&matrix), scores(&rotated));
            for i in 0..9 {
                assert!(close(b[i], a[(i + shift) % 9]), "case {case}, unit {i}");
            }
        }
    }
}

#[test]
fn property_topsis_closeness_stays_in_the_unit_interval_and_the_fitted_model_agrees() {
    let mut rng = Lcg(99);
    for _ in 0..100 {
        let matrix = rng.matrix(7, 3);
        let weights = [0.6, 0.1, 0.3];
        let model = Topsis::fit(&matrix, &weights, &DIRECTIONS).unwrap();
        for (row, c) in matrix.iter().zip(topsis(&matrix, &weights, &DIRECTIONS).unwrap()) {
            assert!((0.0..=1.0).contains(&c));
            assert_eq!(model.closeness(row), c);
            // Shares add up to 1, except at the anti-ideal point itself.
            let total: f64 = model.shares(row).iter().sum();
            assert!(close(total, 1.0) || (total == 0.0 && c == 0.0), "{total} at closeness {c}");
        }
    }
}
