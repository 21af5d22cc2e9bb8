use super::*;
use crate::indicator::IndicatorCode;

fn assert_close(actual: f64, expected: f64) {
    assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
}

fn child(value: Option<f64>, weight: Option<f64>) -> ChildValue {
    ChildValue { value, weight }
}

fn weighted() -> Aggregation {
    Aggregation::WeightedMean(IndicatorCode::parse("pop_total").unwrap())
}

#[test]
fn sums_report_partial_coverage() {
    // 100 + 250 from two of three counties: 350, covering 2 / 3.
    let children = [child(Some(100.0), None), child(None, None), child(Some(250.0), None)];
    let res = aggregate(&Aggregation::Sum, &children);
    assert_eq!((res.value, res.reported, res.expected), (Some(350.0), 2, 3));
    assert!(!res.is_complete());
    assert_close(res.coverage(), 2.0 / 3.0);
}

#[test]
fn a_complete_sum_is_complete() {
    let res = aggregate(&Aggregation::Sum, &[child(Some(1.5), None), child(Some(2.5), None)]);
    assert_eq!(res.value, Some(4.0));
    assert!(res.is_complete());
}

#[test]
fn weighted_means_weight_by_the_other_indicator() {
    // Urbanisation 80% of 1,000 people and 20% of 3,000 people:
    // (0.8·1000 + 0.2·3000) / 4000 = 1400 / 4000 = 35%.
    let children = [child(Some(80.0), Some(1000.0)), child(Some(20.0), Some(3000.0))];
    let res = aggregate(&weighted(), &children);
    assert_close(res.value.unwrap(), 35.0);
    assert!(res.is_complete());
}

#[test]
fn a_child_without_weight_does_not_count_as_reported() {
    let children = [child(Some(80.0), Some(1000.0)), child(Some(20.0), None), child(Some(50.0), Some(0.0))];
    let res = aggregate(&weighted(), &children);
    assert_close(res.value.unwrap(), 80.0);
    assert_eq!((res.reported, res.expected), (1, 3));
}

#[test]
fn plain_means_average_the_reporting_children() {
    let res = aggregate(&Aggregation::Mean, &[child(Some(1.0), None), child(Some(4.0), None), child(None, None)]);
    assert_close(res.value.unwrap(), 2.5);
    assert_eq!(res.reported, 2);
}

#[test]
fn nothing_reported_is_no_value_not_zero() {
    let res = aggregate(&Aggregation::Sum, &[child(None, None)]);
    assert_eq!(res.value, None);
    assert!(!res.is_complete());
    let none = aggregate(&Aggregation::None, &[child(Some(104.8), None)]);
    assert_eq!((none.value, none.reported, none.expected), (None, 0, 1));
    let empty = aggregate(&Aggregation::Sum, &[]);
    assert_eq!((empty.value, empty.coverage()), (None, 1.0));
}
