//! Hand-checked runs over three counties, A, B and C, with two indicators:
//! unemployment (%, lower is better) and income (yuan, higher is better).
//!
//! | county | unemployment | income |
//! |--------|--------------|--------|
//! | A      | 10           | 100    |
//! | B      | 5            | 50     |
//! | C      | 15           | 150    |
//!
//! References (universe means): unemployment 10, income 100.

use std::collections::BTreeMap;

use super::*;
use crate::indicator::Direction::{HigherIsBetter, LowerIsBetter, Neutral};
use crate::region::RegionCode;

const A: &str = "520102";
const B: &str = "520103";
const C: &str = "520111";
const D: &str = "520112";

fn spec(method: &str) -> DesignationSpec {
    spec_with(method, "")
}

fn spec_with(method: &str, extra: &str) -> DesignationSpec {
    let text = format!(
        r#"{{"name": "test", "universe": {{"level": "county"}},
            "indicators": [{{"code": "unemployment"}}, {{"code": "income"}}]{extra},
            "method": {method}}}"#
    );
    from_json(&text).unwrap()
}

/// A spec from JSON, checked (as the app reads spec files).
fn from_json(text: &str) -> Result<DesignationSpec, DesignateError> {
    let spec: DesignationSpec = serde_json::from_str(text).map_err(|e| DesignateError::Spec(e.to_string()))?;
    spec.checked()
}

/// Inputs for the given regions (code, unemployment, income).
fn inputs(rows: &[(&str, Option<f64>, Option<f64>)], references: [f64; 2]) -> RunInputs {
    let code = |c: &str| RegionCode::parse(c).unwrap();
    RunInputs {
        year: 2020,
        names: rows.iter().map(|(c, _, _)| (code(c), format!("county {c}"))).collect(),
        values: rows.iter().map(|(c, u, i)| (code(c), vec![*u, *i])).collect::<BTreeMap<_, _>>(),
        directions: vec![LowerIsBetter, HigherIsBetter],
        references: references.to_vec(),
    }
}

fn three() -> RunInputs {
    inputs(&[(A, Some(10.0), Some(100.0)), (B, Some(5.0), Some(50.0)), (C, Some(15.0), Some(150.0))], [10.0, 100.0])
}

fn row<'a>(run: &'a DesignationRun, code: &str) -> &'a RunRow {
    run.rows.iter().find(|r| r.code == code).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

const INDEX: &str =
    r#"{"kind": "index", "bands": [{"upper": 0.5, "label": "distressed"}, {"upper": 1.0, "label": "other"}]}"#;

/// ARC's index: 100 × mean(value/reference), inverted for income.
/// A = 100·(10/10 + 100/100)/2 = 100; B = 100·(5/10 + 100/50)/2 = 125;
/// C = 100·(15/10 + 100/150)/2 = 108⅓. Worst first: B, C, A; positions
/// 0, ⅓, ⅔, so B and C are below the 0.5 band bound and distressed.
#[test]
fn arc_index_ranks_and_bands_by_hand() {
    let run = run(&spec(INDEX), three()).unwrap();
    let order: Vec<&str> = run.rows.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(order, [B, C, A]);
    let (a, b, c) = (row(&run, A), row(&run, B), row(&run, C));
    assert!(close(a.index.unwrap(), 100.0) && close(b.index.unwrap(), 125.0));
    assert!(close(c.index.unwrap(), 108.0 + 1.0 / 3.0));
    assert_eq!((b.rank, c.rank, a.rank), (Some(1), Some(2), Some(3)));
    assert_eq!((b.class.as_str(), c.class.as_str(), a.class.as_str()), ("distressed", "distressed", "other"));
    assert!(close(c.percentile.unwrap(), 1.0 / 3.0));
    assert_eq!(b.ratios, vec![0.5, 0.5]);
    // Each indicator's part, 100·ratio/2, adds up to the index.
    assert_eq!(a.explanation.contributions, vec![50.0, 50.0]);
    assert_eq!(b.explanation.contributions, vec![25.0, 100.0]);
    assert!(close(c.explanation.contributions[0], 75.0) && close(c.explanation.contributions[1], 100.0 / 3.0));
}

/// A leaves "other" when its index passes C's 108⅓: unemployment above
/// 11⅔ (+16.7%: 5u + 50 > 108⅓) or income below 85.714 (−14.3%:
/// 50 + 5000/x > 108⅓); the income change is the smaller. B leaves
/// "distressed" when its index falls below A's 100: unemployment cannot
/// (5u + 100 < 100 needs u < 0), income above 66⅔ can. C: unemployment
/// below 13⅓ (−11.1%) beats income above 200 (+33%).
#[test]
fn arc_index_nearest_changes_by_hand() {
    let run = run(&spec(INDEX), three()).unwrap();
    let nearest = |code: &str| row(&run, code).explanation.nearest_change.clone().unwrap();
    let a = nearest(A);
    assert_eq!((a.indicator.as_str(), a.class.as_str()), ("income", "distressed"));
    assert!((a.to - 600.0 / 7.0).abs() < 1e-3, "{}", a.to);
    assert!((a.change_pct.unwrap() + 100.0 / 7.0).abs() < 1e-3);
    let b = nearest(B);
    assert_eq!((b.indicator.as_str(), b.class.as_str()), ("income", "other"));
    assert!((b.to - 200.0 / 3.0).abs() < 1e-3, "{}", b.to);
    let c = nearest(C);
    assert_eq!((c.indicator.as_str(), c.class.as_str()), ("unemployment", "other"));
    assert!((c.to - 40.0 / 3.0).abs() < 1e-3, "{}", c.to);
    // The index is 8⅓ from the nearest class change for A and C, 25 for B.
    let boundary = |code: &str| row(&run, code).explanation.boundary_distance.unwrap();
    assert!((boundary(A) - 25.0 / 3.0).abs() < 1e-3 && (boundary(C) - 25.0 / 3.0).abs() < 1e-3);
    assert!((boundary(B) - 25.0).abs() < 1e-3);
    assert_eq!(a.describe(), format!("income 100.000000 → {:.6} (-14.3%): distressed", a.to));
}

/// Unemployment at most 0.75 × 10 = 7.5 designates B alone; A and C
/// would be designated at 7.5 (−25%, −50%), B no longer just above it.
#[test]
fn a_threshold_rule_designates_and_explains_by_hand() {
    let rule = r#"{"kind": "rule", "rule": {"at_most": {"indicator": "unemployment", "share": 0.75}}}"#;
    let run = run(&spec(rule), three()).unwrap();
    assert_eq!(run.classes, ["designated", "not designated"]);
    let classes: Vec<(&str, &str)> = run.rows.iter().map(|r| (r.code.as_str(), r.class.as_str())).collect();
    assert_eq!(classes, [(A, "not designated"), (B, "designated"), (C, "not designated")]);
    let a = row(&run, A).explanation.nearest_change.clone().unwrap();
    assert_eq!((a.to, a.change_pct, a.class.as_str()), (7.5, Some(-25.0), "designated"));
    let b = row(&run, B).explanation.nearest_change.clone().unwrap();
    assert_eq!(b.class, "not designated");
    assert!(b.to > 7.5 && b.to < 7.5 + 1e-6, "just above the line: {}", b.to);
    assert_eq!(row(&run, A).index, None);
}

/// "Less than 75%" is strict: B's 5 is below 7.5, a value of exactly 7.5
/// is not; its nearest change is to the line itself.
#[test]
fn a_strict_rule_leaves_the_line_itself_out() {
    let rule = r#"{"kind": "rule", "rule": {"less_than": {"indicator": "unemployment", "share": 0.75}}}"#;
    let at_line = inputs(&[(A, Some(7.5), Some(100.0)), (B, Some(5.0), Some(50.0))], [10.0, 100.0]);
    let run = run(&spec(rule), at_line).unwrap();
    assert_eq!((row(&run, A).class.as_str(), row(&run, B).class.as_str()), ("not designated", "designated"));
    let b = row(&run, B).explanation.nearest_change.clone().unwrap();
    assert_eq!((b.to, b.class.as_str()), (7.5, "not designated"));
}

/// D lacks unemployment; the others have 10, 5 and 30 (mean 15, median
/// 10). With a fixed reference of 12 and "at most 1 × 12", D is left out
/// (exclude), not designated (mean, 15 > 12) or designated (median, 10).
#[test]
fn missing_values_are_excluded_or_imputed_by_mean_or_median() {
    let rows =
        [(A, Some(10.0), Some(100.0)), (B, Some(5.0), Some(50.0)), (C, Some(30.0), Some(150.0)), (D, None, Some(80.0))];
    let rule = r#"{"kind": "rule", "rule": {"at_most": {"indicator": "unemployment", "share": 1.0}}}"#;
    let with = |missing: &str| {
        let spec = spec_with(rule, &format!(r#", "missing": "{missing}""#));
        run(&spec, inputs(&rows, [12.0, 100.0])).unwrap()
    };
    let excluded = with("exclude");
    assert_eq!(excluded.excluded.len(), 1);
    assert_eq!(excluded.excluded[0].code, D);
    assert!(excluded.excluded[0].reason.contains("unemployment"), "{}", excluded.excluded[0].reason);
    let mean = with("mean");
    assert_eq!((row(&mean, D).values[0], row(&mean, D).class.as_str()), (15.0, "not designated"));
    assert_eq!(row(&mean, D).imputed, ["unemployment"]);
    assert!(row(&mean, A).imputed.is_empty());
    let median = with("median");
    assert_eq!((row(&median, D).values[0], row(&median, D).class.as_str()), (10.0, "designated"));
}

/// Min–max scaling, 1 the best: unemployment (15 − u)/10 gives A 0.5,
/// B 1, C 0; income (x − 50)/100 gives A 0.5, B 0, C 1. Weights ¾, ¼:
/// A 0.5, B 0.75, C 0.25; below the cut 0.4 only C is lagging.
#[test]
fn a_weighted_composite_index_by_hand() {
    let composite = r#"{"kind": "composite", "weights": {"manual": [0.75, 0.25]},
        "classes": {"thresholds": {"cuts": [0.4], "labels": ["lagging", "other"]}}}"#;
    let run = run(&spec(composite), three()).unwrap();
    assert_eq!(run.weights, [0.75, 0.25]);
    let scores: Vec<(&str, f64, &str)> =
        run.rows.iter().map(|r| (r.code.as_str(), r.index.unwrap(), r.class.as_str())).collect();
    assert_eq!(scores, [(C, 0.25, "lagging"), (A, 0.5, "other"), (B, 0.75, "other")]);
    assert_eq!(row(&run, A).normalised, [0.5, 0.5]);
    assert_eq!(row(&run, A).explanation.contributions, [0.375, 0.125]);
    // C reaches the cut 0.4 when its unemployment scaled value is 0.2
    // (0.75·s = 0.15): unemployment 13, −13.3%.
    let c = row(&run, C).explanation.nearest_change.clone().unwrap();
    assert_eq!((c.indicator.as_str(), c.class.as_str()), ("unemployment", "other"));
    assert!((c.to - 13.0).abs() < 1e-3, "{}", c.to);
}

/// Two rules, 7.5 and 10.5: A moves from "not designated" to
/// "designated", B and C stay.
#[test]
fn two_runs_compare_region_by_region() {
    let rule = |share: f64| {
        format!(r#"{{"kind": "rule", "rule": {{"at_most": {{"indicator": "unemployment", "share": {share}}}}}}}"#)
    };
    let strict = run(&spec(&rule(0.75)), three()).unwrap();
    let loose = run(&spec(&rule(1.05)), three()).unwrap();
    let comparison = strict.compare(&loose);
    assert!(comparison.same_classes);
    assert_eq!(comparison.matrix, [[1, 0], [1, 1]]);
    let changed: Vec<&str> = comparison.regions.iter().filter(|t| t.changed()).map(|t| t.code.as_str()).collect();
    assert_eq!(changed, [A]);
    assert!(comparison.unmatched.is_empty());
}

#[test]
fn methods_that_cannot_run_say_why() {
    let mut no_direction = three();
    no_direction.directions[1] = Neutral;
    assert_eq!(run(&spec(INDEX), no_direction).unwrap_err(), DesignateError::NoDirection("income".into()));
    let composite = r#"{"kind": "composite", "weights": "equal", "classes": {"quantiles": ["low", "high"]}}"#;
    let one = inputs(&[(A, Some(10.0), Some(100.0)), (B, None, Some(50.0))], [10.0, 100.0]);
    assert_eq!(run(&spec(composite), one).unwrap_err(), DesignateError::TooFewRegions);
    // A zero value has no ratio: the region is excluded, the run goes on.
    let zero = inputs(&[(A, Some(10.0), Some(100.0)), (B, Some(0.0), Some(50.0))], [10.0, 100.0]);
    let run_with_zero = run(&spec(INDEX), zero).unwrap();
    assert_eq!(run_with_zero.excluded[0].code, B);
}

#[test]
fn specs_that_could_never_run_are_refused() {
    let refused = |method: &str| {
        let text = format!(
            r#"{{"name": "t", "universe": {{"level": "county"}}, "indicators": [{{"code": "u"}}], "method": {method}}}"#
        );
        from_json(&text).unwrap_err().to_string()
    };
    assert!(refused(r#"{"kind": "index", "bands": [{"upper": 0.5, "label": "x"}]}"#).contains("end at 1.0"));
    assert!(refused(r#"{"kind": "rule", "rule": {"at_most": {"indicator": "v", "share": 1}}}"#).contains("names v"));
    assert!(refused(r#"{"kind": "rule", "rule": {"at_most": {"indicator": "u", "share": -1}}}"#).contains("positive"));
    let k_of_n =
        r#"{"kind": "rule", "rule": {"k_of_n": {"k": 2, "rules": [{"at_most": {"indicator": "u", "share": 1}}]}}}"#;
    assert!(refused(k_of_n).contains("2 of only 1"));
    let weights = r#"{"kind": "composite", "weights": {"manual": [0.5, 0.5]}, "classes": {"quantiles": ["a"]}}"#;
    assert!(refused(weights).contains("2 manual weights for 1 indicators"));
    assert!(refused(r#"{"kind": "magic"}"#).starts_with("designation spec: "));
}

/// A run that classifies fewer regions than it excludes makes no list.
#[test]
fn a_run_mostly_without_data_cannot_become_a_list() {
    let sparse = inputs(
        &[(A, Some(10.0), Some(100.0)), (B, None, Some(50.0)), (C, None, None), (D, Some(4.0), Some(60.0))],
        [10.0, 100.0],
    );
    let mut run = run(&spec(INDEX), sparse).unwrap();
    assert_eq!((run.rows.len(), run.excluded.len()), (2, 2));
    assert_eq!(check_listable(&run), Ok(()));
    run.rows.pop();
    assert!(matches!(check_listable(&run), Err(DesignateError::List(reason)) if reason.contains("fewer than half")));
}

/// The quadrant method over A, B, C with income as security (higher is
/// better) and unemployment as sustainability (lower is better).
/// Income 100, 50, 150 → scaled 0.5, 0, 1 (median cut 0.5); unemployment
/// 10, 5, 15 → scaled (15 − u)/10 = 0.5, 1, 0 (median cut 0.5).
/// A: 0.5 ≥ 0.5 and 0.5 ≥ 0.5 → mature; B: 0 < 0.5, 1 ≥ 0.5 →
/// regenerating; C: 1 ≥ 0.5, 0 < 0.5 → growing.
#[test]
fn quadrant_classes_resource_cities_by_two_dimensions() {
    let method = r#"{"kind": "quadrant", "security": [{"code": "income"}],
        "sustainability": [{"code": "unemployment"}]}"#;
    let run = run(&spec(method), three()).unwrap();
    assert_eq!(run.classes, ["growing", "mature", "declining", "regenerating"]);
    assert_eq!(row(&run, A).class, "mature");
    assert_eq!(row(&run, B).class, "regenerating");
    assert_eq!(row(&run, C).class, "growing");
    assert_eq!(row(&run, B).dimensions, vec![0.0, 1.0]);
    // A sits on both cuts: margin 0; its parts are its scaled values
    // (weights 1 within each dimension), in spec order.
    assert_eq!(row(&run, A).explanation.boundary_distance, Some(0.0));
    assert_eq!(row(&run, A).explanation.contributions, vec![0.5, 0.5]);
}

#[test]
fn quadrant_specs_that_could_never_run_are_refused() {
    for (method, expected) in [
        (r#"{"kind": "quadrant", "security": [], "sustainability": [{"code": "income"}]}"#, "at least one"),
        (r#"{"kind": "quadrant", "security": [{"code": "gdp"}], "sustainability": [{"code": "income"}]}"#, "gdp"),
        (r#"{"kind": "quadrant", "security": [{"code": "income"}], "sustainability": [{"code": "income"}]}"#, "twice"),
        (
            r#"{"kind": "quadrant", "security": [{"code": "income", "weight": 0}],
                "sustainability": [{"code": "unemployment"}]}"#,
            "positive",
        ),
        (
            r#"{"kind": "quadrant", "security": [{"code": "income"}], "sustainability": [{"code": "unemployment"}],
                "security_cut": {"kind": "fixed", "value": 2}}"#,
            "outside 0 to 1",
        ),
    ] {
        let text = format!(
            r#"{{"name": "t", "universe": {{"level": "county"}},
                "indicators": [{{"code": "unemployment"}}, {{"code": "income"}}], "method": {method}}}"#
        );
        let err = from_json(&text).unwrap_err().to_string();
        assert!(err.contains(expected), "{expected}: {err}");
    }
}
