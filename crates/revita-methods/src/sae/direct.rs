//! Direct (design-based) estimators of a domain's mean and poverty
//! indicators from a sample with survey weights w_i (inverse inclusion
//! probabilities), each with a linearisation variance.
//!
//! Variances use the with-replacement approximation for a single-stage
//! unstratified design (each unit its own PSU): for an estimator linearised
//! as θ̂ ≈ θ + Σ w_i z_i, v(θ̂) = n/(n−1) Σ (w_i z_i − mean of w z)²
//! (Särndal, Swensson & Wretman 1992, §4.4 and §5.5; Wolter 2007, ch. 6).
//! It overstates the variance of a without-replacement design by about the
//! finite-population correction and ignores clustering and strata.
//!
//! - Horvitz–Thompson mean with known domain size N: Σ w y / N.
//! - Hájek mean: Σ w y / Σ w, z_i = (y_i − ȳ)/N̂.
//! - FGT(α) (Foster, Greer & Thorbecke 1984) for α = 0 (headcount) and 1
//!   (gap): Hájek means of [y < z]·((z − y)/z)^α, the line z fixed.
//! - Gini: G = Σ w_k(2W_k − w_k) y_k / (N̂ Σ w y) − 1 over units sorted by y
//!   (W_k the cumulative weight), i.e. half the weighted mean absolute
//!   difference over the mean; linearised by its influence function
//!   IF(y) = (2yF(y) − 2C(y) − (1 + G)y + (1 − G)μ)/μ with F the weighted
//!   distribution function and C(y) the partial mean Σ_{y_j ≤ y} w_j y_j / N̂
//!   (Monti 1991; Langel & Tillé 2013).

use super::{SaeError, check_finite, check_len};

/// A direct estimate with its estimated variance.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct DirectEstimate {
    /// The estimate.
    pub value: f64,
    /// Its variance (with-replacement linearisation).
    pub variance: f64,
}

/// Checks a sample: equal lengths, finite, positive weights, n ≥ 2 (a
/// variance needs two units).
fn check(y: &[f64], w: &[f64]) -> Result<(), SaeError> {
    if y.is_empty() {
        return Err(SaeError::Empty);
    }
    check_len("weights", y.len(), w.len())?;
    check_finite("y", y)?;
    check_finite("weights", w)?;
    if let Some(index) = w.iter().position(|&w| w <= 0.0) {
        return Err(SaeError::NonPositive { what: "weights", index });
    }
    if y.len() < 2 {
        return Err(SaeError::TooFew { n: y.len(), p: 1 });
    }
    Ok(())
}

/// n/(n−1) Σ (w_i z_i − mean)²: the with-replacement variance of Σ w z.
fn wr_variance(w: &[f64], z: impl Iterator<Item = f64>) -> f64 {
    let t: Vec<f64> = w.iter().zip(z).map(|(w, z)| w * z).collect();
    let n = t.len() as f64;
    let mean = t.iter().sum::<f64>() / n;
    n / (n - 1.0) * t.iter().map(|t| (t - mean).powi(2)).sum::<f64>()
}

/// The Horvitz–Thompson mean Σ w y / N of a domain of known size N.
pub fn ht_mean(y: &[f64], w: &[f64], population: f64) -> Result<DirectEstimate, SaeError> {
    check(y, w)?;
    if !(population > 0.0 && population.is_finite()) {
        return Err(SaeError::Parameter("the population size must be positive"));
    }
    let value = y.iter().zip(w).map(|(y, w)| y * w).sum::<f64>() / population;
    Ok(DirectEstimate { value, variance: wr_variance(w, y.iter().map(|y| y / population)) })
}

/// The Hájek (ratio) mean Σ w y / Σ w.
pub fn hajek_mean(y: &[f64], w: &[f64]) -> Result<DirectEstimate, SaeError> {
    check(y, w)?;
    let n_hat: f64 = w.iter().sum();
    let value = y.iter().zip(w).map(|(y, w)| y * w).sum::<f64>() / n_hat;
    Ok(DirectEstimate { value, variance: wr_variance(w, y.iter().map(|y| (y - value) / n_hat)) })
}

/// FGT(α) for α ∈ {0, 1}: the headcount ratio or the poverty gap below the
/// line z (> 0), as a Hájek mean.
pub fn fgt(y: &[f64], w: &[f64], line: f64, alpha: u8) -> Result<DirectEstimate, SaeError> {
    if !(line > 0.0 && line.is_finite()) {
        return Err(SaeError::Parameter("the poverty line must be positive"));
    }
    let indicator: Vec<f64> = match alpha {
        0 => y.iter().map(|&y| f64::from(u8::from(y < line))).collect(),
        1 => y.iter().map(|&y| if y < line { (line - y) / line } else { 0.0 }).collect(),
        _ => return Err(SaeError::Parameter("FGT alpha must be 0 or 1")),
    };
    hajek_mean(&indicator, w)
}

/// The weighted Gini coefficient of y (≥ 0, not all zero).
pub fn gini(y: &[f64], w: &[f64]) -> Result<DirectEstimate, SaeError> {
    check(y, w)?;
    if let Some(index) = y.iter().position(|&y| y < 0.0) {
        return Err(SaeError::OutOfRange { what: "y", index });
    }
    let mut order: Vec<usize> = (0..y.len()).collect();
    order.sort_by(|&a, &b| y[a].total_cmp(&y[b]));
    let n_hat: f64 = w.iter().sum();
    let total: f64 = y.iter().zip(w).map(|(y, w)| y * w).sum();
    if total.is_nan() || total <= 0.0 {
        return Err(SaeError::Parameter("the Gini coefficient needs a positive total"));
    }
    let mu = total / n_hat;
    // Point estimate: Σ w_k (2W_k − w_k) y_k in sorted order (ties in any order).
    let mut cum = 0.0;
    let mut s = 0.0;
    for &k in &order {
        cum += w[k];
        s += w[k] * (2.0 * cum - w[k]) * y[k];
    }
    let g = s / (n_hat * total) - 1.0;
    // F and C at each unit, ties sharing the value at the end of their group.
    let (mut f, mut c) = (vec![0.0; y.len()], vec![0.0; y.len()]);
    let (mut cw, mut cy, mut start) = (0.0, 0.0, 0);
    for i in 0..order.len() {
        let k = order[i];
        cw += w[k];
        cy += w[k] * y[k];
        if i + 1 == order.len() || y[order[i + 1]] != y[k] {
            for &j in &order[start..=i] {
                f[j] = cw / n_hat;
                c[j] = cy / n_hat;
            }
            start = i + 1;
        }
    }
    let z = (0..y.len()).map(|k| (2.0 * y[k] * f[k] - 2.0 * c[k] - (1.0 + g) * y[k] + (1.0 - g) * mu) / (mu * n_hat));
    Ok(DirectEstimate { value: g, variance: wr_variance(w, z) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hajek_mean_by_hand() {
        // y = 1, 2, 6 with weights 1, 1, 2: N̂ = 4, ȳ = (1 + 2 + 12)/4 = 3.75.
        // w z = w(y − ȳ)/N̂ = −0.6875, −0.4375, 1.125 (sum 0);
        // v = 3/2 · (0.47265625 + 0.19140625 + 1.265625) = 2.89453125.
        let e = hajek_mean(&[1.0, 2.0, 6.0], &[1.0, 1.0, 2.0]).unwrap();
        assert!((e.value - 3.75).abs() < 1e-15);
        assert!((e.variance - 2.894_531_25).abs() < 1e-14);
    }

    #[test]
    fn ht_mean_by_hand() {
        // Σ w y = 15, N = 5 → 3. w y / N = 0.2, 0.4, 2.4; mean 1; v = 3/2 · (0.64 + 0.36 + 1.96) = 4.44.
        let e = ht_mean(&[1.0, 2.0, 6.0], &[1.0, 1.0, 2.0], 5.0).unwrap();
        assert!((e.value - 3.0).abs() < 1e-15);
        assert!((e.variance - 4.44).abs() < 1e-13);
    }

    #[test]
    fn fgt_by_hand() {
        // Line 5: poor are y = 1, 2 (weight 2 of 4) → FGT0 = 0.5;
        // gaps (5−1)/5 = 0.8, (5−2)/5 = 0.6, 0 → FGT1 = 1.4/4 = 0.35.
        let y = [1.0, 2.0, 6.0];
        let w = [1.0, 1.0, 2.0];
        assert!((fgt(&y, &w, 5.0, 0).unwrap().value - 0.5).abs() < 1e-15);
        assert!((fgt(&y, &w, 5.0, 1).unwrap().value - 0.35).abs() < 1e-15);
        assert!(fgt(&y, &w, 5.0, 2).is_err());
    }

    #[test]
    fn gini_by_hand() {
        // y = 1..4, equal weights: Σ(2k−1)y_k = 1 + 6 + 15 + 28 = 50, n Σy = 40 → G = 0.25,
        // the mean absolute difference 20/16 = 1.25 over 2μ = 5.
        let g = gini(&[4.0, 1.0, 3.0, 2.0], &[1.0; 4]).unwrap();
        assert!((g.value - 0.25).abs() < 1e-15);
        // Weight 2 on a unit equals duplicating it: y = 1, 1, 2 → pairs' |diff| sum 4 over 9, μ = 4/3:
        // G = (4/9)/(8/3) = 1/6.
        let a = gini(&[1.0, 2.0], &[2.0, 1.0]).unwrap();
        assert!((a.value - 1.0 / 6.0).abs() < 1e-15);
        // Perfect equality.
        assert_eq!(gini(&[3.0, 3.0, 3.0], &[1.0, 2.0, 3.0]).unwrap().value, 0.0);
    }

    #[test]
    fn gini_variance_agrees_with_the_jackknife() {
        // A deterministic skewed sample (log-normal-like via a quadratic map).
        let n = 400;
        let y: Vec<f64> = (0..n).map(|i| ((i * 7919 % n) as f64 / n as f64 * 3.0).exp()).collect();
        let w: Vec<f64> = (0..n).map(|i| 1.0 + (i % 3) as f64).collect();
        let full = gini(&y, &w).unwrap();
        // Delete-one jackknife (with-replacement analogue): (n−1)/n Σ (G₍ᵢ₎ − Ḡ)².
        let reps: Vec<f64> = (0..n)
            .map(|i| {
                let yy: Vec<f64> = y.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, v)| *v).collect();
                let ww: Vec<f64> = w.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, v)| *v).collect();
                gini(&yy, &ww).unwrap().value
            })
            .collect();
        let mean = reps.iter().sum::<f64>() / n as f64;
        let jk = (n as f64 - 1.0) / n as f64 * reps.iter().map(|r| (r - mean).powi(2)).sum::<f64>();
        let ratio = full.variance / jk;
        assert!((ratio - 1.0).abs() < 0.05, "linearised {} vs jackknife {jk}", full.variance);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert_eq!(hajek_mean(&[], &[]), Err(SaeError::Empty));
        assert_eq!(hajek_mean(&[1.0], &[1.0]), Err(SaeError::TooFew { n: 1, p: 1 }));
        assert!(matches!(hajek_mean(&[1.0, 2.0], &[1.0, 0.0]), Err(SaeError::NonPositive { .. })));
        assert!(matches!(hajek_mean(&[1.0, f64::NAN], &[1.0, 1.0]), Err(SaeError::NonFinite { .. })));
        assert!(matches!(gini(&[0.0, 0.0], &[1.0, 1.0]), Err(SaeError::Parameter(_))));
    }
}
