//! Test support: the reference outputs of R's `sae` package in
//! `tests/data/sae` (see its README.md for their source) and one tolerance
//! check for comparing with them.

/// The files, embedded at compile time.
pub(crate) const MILK: &str = include_str!("../../tests/data/sae/milk.csv");
pub(crate) const MILK_FH: &str = include_str!("../../tests/data/sae/milk_fh.csv");
pub(crate) const GRAPES: &str = include_str!("../../tests/data/sae/grapes.csv");
pub(crate) const GRAPES_PROX: &str = include_str!("../../tests/data/sae/grapesprox.csv");
pub(crate) const GRAPES_SFH: &str = include_str!("../../tests/data/sae/grapes_sfh.csv");
pub(crate) const GRAPES80_SFH: &str = include_str!("../../tests/data/sae/grapes80_sfh.csv");
pub(crate) const CORNSOYBEAN: &str = include_str!("../../tests/data/sae/cornsoybean.csv");
pub(crate) const CORNSOYBEAN_BHF: &str = include_str!("../../tests/data/sae/cornsoybean_bhf.csv");

/// A numeric column of a plain CSV with a header (no quoting in these files).
pub(crate) fn column(csv: &str, name: &str) -> Vec<f64> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let at = header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}"));
    lines.filter(|l| !l.is_empty()).map(|l| l.split(',').nth(at).expect("a field").parse().expect("a number")).collect()
}

/// The values of one quantity of one method in a results file
/// (`method,quantity,index,value`), in index order.
pub(crate) fn values(csv: &str, method: &str, quantity: &str) -> Vec<f64> {
    let found: Vec<f64> = csv
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0] == method && f[1] == quantity).then(|| f[3].parse().expect("a number"))
        })
        .collect();
    assert!(!found.is_empty(), "no {method} {quantity} in the reference");
    found
}

/// Fails unless every |ours − reference| ≤ rel·|reference| (element-wise).
pub(crate) fn assert_rel(what: &str, ours: &[f64], reference: &[f64], rel: f64) {
    assert_eq!(ours.len(), reference.len(), "{what}: lengths");
    for (i, (a, b)) in ours.iter().zip(reference).enumerate() {
        assert!(
            (a - b).abs() <= rel * b.abs(),
            "{what}[{i}]: ours {a}, sae {b}, relative error {:e}",
            (a - b).abs() / b.abs()
        );
    }
}

/// The largest relative error, to report agreement.
pub(crate) fn max_rel(ours: &[f64], reference: &[f64]) -> f64 {
    ours.iter().zip(reference).map(|(a, b)| (a - b).abs() / b.abs()).fold(0.0, f64::max)
}
