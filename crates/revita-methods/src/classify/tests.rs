use super::*;

fn assert_all_close(actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() < 1e-9, "{actual:?} vs {expected:?}");
    }
}

#[test]
fn quantiles_follow_hyndman_fan_definition_7() {
    // x = 1..10, n = 9 gaps: the 0.25-quantile sits at h = 2.25 → 3 + 0.25·(4 − 3) = 3.25,
    // as R's quantile(1:10, 0.25) gives.
    let x: Vec<f64> = (1..=10).map(f64::from).collect();
    assert!((quantile_of_sorted(&x, 0.25) - 3.25).abs() < 1e-12);
    assert!((quantile_of_sorted(&x, 0.5) - 5.5).abs() < 1e-12);
    assert_all_close(&quantile_breaks(&x, 4).unwrap(), &[3.25, 5.5, 7.75, 10.0]);
}

#[test]
fn repeated_quantile_bounds_collapse() {
    assert_all_close(&quantile_breaks(&[1.0, 1.0, 1.0, 1.0, 2.0], 4).unwrap(), &[1.0, 2.0]);
}

#[test]
fn natural_breaks_find_the_obvious_groups() {
    // Three well-separated groups: total within-class SSD is 2+2+2 = 6 with the
    // breaks at 3, 12, 22; any other cut mixes groups and costs more.
    let x = [20.0, 1.0, 11.0, 2.0, 22.0, 3.0, 10.0, 12.0, 21.0];
    assert_all_close(&jenks_breaks(&x, 3).unwrap(), &[3.0, 12.0, 22.0]);
}

#[test]
fn natural_breaks_on_an_uneven_series() {
    // [1, 2, 4, 5, 7, 100] in two classes: {1..7} | {100} (SSD 22.8) beats
    // {1,2,4,5} | {7,100} (SSD 4805) and every other cut.
    assert_all_close(&jenks_breaks(&[1.0, 2.0, 4.0, 5.0, 7.0, 100.0], 2).unwrap(), &[7.0, 100.0]);
}

#[test]
fn few_distinct_values_give_one_class_each() {
    assert_all_close(&jenks_breaks(&[5.0, 5.0, 9.0], 5).unwrap(), &[5.0, 9.0]);
}

#[test]
fn empty_or_nan_input_is_rejected() {
    assert_eq!(jenks_breaks(&[], 3), Err(ClassifyError::Empty));
    assert_eq!(quantile_breaks(&[1.0, f64::NAN], 3), Err(ClassifyError::NotFinite));
    assert_eq!(quantile_breaks(&[1.0], 0), Err(ClassifyError::NoClasses));
}

#[test]
fn values_fall_in_the_first_class_whose_bound_they_do_not_exceed() {
    let breaks = [3.0, 12.0, 22.0];
    assert_eq!(
        [class_of(1.0, &breaks), class_of(3.0, &breaks), class_of(3.5, &breaks), class_of(99.0, &breaks)],
        [0, 0, 1, 2]
    );
}

#[test]
fn standing_ranks_best_first_with_shared_ties() {
    use crate::Direction::{HigherIsBetter, LowerIsBetter, Neutral};
    let peers = [10.0, 30.0, 20.0, 30.0, 5.0];
    // Higher is better, 20: two peers higher → rank 3 of 5; lower: 10 and 5
    // → 2 of 4 others do worse = 50%.
    assert_eq!(standing(20.0, &peers, HigherIsBetter), Standing { rank: 3, of: 5, percentile: 50.0 });
    assert_eq!(standing(30.0, &peers, HigherIsBetter).rank, 1);
    assert_eq!(standing(5.0, &peers, HigherIsBetter).percentile, 0.0);
    assert_eq!(standing(7.0, &[7.0], HigherIsBetter).percentile, 100.0);
    // Lower is better (an illiteracy rate), 5: the best, rank 1, 100%;
    // 30: two share the last place, rank 4 of 5, 0%.
    assert_eq!(standing(5.0, &peers, LowerIsBetter), Standing { rank: 1, of: 5, percentile: 100.0 });
    assert_eq!(standing(30.0, &peers, LowerIsBetter), Standing { rank: 4, of: 5, percentile: 0.0 });
    assert_eq!(standing(20.0, &peers, LowerIsBetter), Standing { rank: 3, of: 5, percentile: 50.0 });
    // Neutral (population): by value, highest first.
    assert_eq!(standing(30.0, &peers, Neutral).rank, 1);
    // Equal up to rounding is a tie.
    assert_eq!(standing(0.1 + 0.2, &[0.3, 0.1 + 0.2, 0.5], HigherIsBetter).rank, 2);
}
