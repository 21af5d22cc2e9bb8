//! Composite indices for designation (methods.md §1.5–1.7): indicators
//! normalised, weighted by hand, by AHP or by entropy, combined into an
//! index or a TOPSIS closeness; the ARC-style index of ratios to a
//! reference; percentile bands over a ranking.
//!
//! Sources: Appalachian Regional Commission, *Distressed Designation and
//! County Economic Status Classification System* (index of ratios, national
//! rank bands); Saaty (1980), *The Analytic Hierarchy Process* (principal
//! eigenvector, CI = (λmax − n)/(n − 1), CR = CI/RI, RI table as reproduced
//! in methods.md); Shannon entropy weights and Hwang & Yoon (1981) TOPSIS as
//! given in methods.md §1.7.
//!
//! Missing-data rule: these functions take complete matrices; the caller
//! decides (and reports) which regions are excluded or imputed.

use crate::indicator::Direction;

/// Why an index cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CompositeError {
    /// No units or no indicators.
    #[error("there is nothing to index: {0}")]
    Empty(&'static str),
    /// Rows of different lengths, or weights not matching the indicators.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// A value is NaN or infinite, or a reference is zero.
    #[error("invalid value: {0}")]
    Invalid(String),
    /// An AHP matrix that is not positive and reciprocal.
    #[error("not a pairwise comparison matrix: {0}")]
    NotReciprocal(String),
}

/// Columns of a units × indicators matrix.
fn columns(matrix: &[Vec<f64>]) -> Result<usize, CompositeError> {
    let m = matrix.first().map(Vec::len).ok_or(CompositeError::Empty("no units"))?;
    if m == 0 {
        return Err(CompositeError::Empty("no indicators"));
    }
    if let Some(row) = matrix.iter().position(|r| r.len() != m) {
        return Err(CompositeError::Shape(format!("unit {row} has {} values, not {m}", matrix[row].len())));
    }
    if matrix.iter().flatten().any(|v| !v.is_finite()) {
        return Err(CompositeError::Invalid("values must be finite".into()));
    }
    Ok(m)
}

/// How indicators are put on a common scale before they are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalisation {
    /// Range (min–max): (x − min)/(max − min) for higher-is-better,
    /// (max − x)/(max − min) for lower-is-better; in [0, 1], 1 the best. A
    /// constant indicator normalises to 1 for every unit (it separates
    /// nobody).
    MinMax,
    /// z-scores (x − mean)/sd with the population sd, sign-flipped for
    /// lower-is-better so that higher is always better; 0 for a constant
    /// indicator.
    ZScore,
}

/// A normalisation fitted to a matrix: each indicator's (min, max) or
/// (mean, sd) and direction, so that a changed value (a what-if) is scaled
/// exactly as the values it was fitted on.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    kind: Normalisation,
    params: Vec<(f64, f64)>,
    directions: Vec<Direction>,
}

impl Scale {
    /// Fits `kind` to a units × indicators matrix.
    pub fn fit(kind: Normalisation, matrix: &[Vec<f64>], directions: &[Direction]) -> Result<Scale, CompositeError> {
        let m = columns(matrix)?;
        if directions.len() != m {
            return Err(CompositeError::Shape(format!("{} directions for {m} indicators", directions.len())));
        }
        let n = matrix.len() as f64;
        let params = (0..m)
            .map(|j| match kind {
                Normalisation::MinMax => matrix
                    .iter()
                    .map(|r| r[j])
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v))),
                Normalisation::ZScore => {
                    let mean = matrix.iter().map(|r| r[j]).sum::<f64>() / n;
                    (mean, (matrix.iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>() / n).sqrt())
                }
            })
            .collect();
        Ok(Scale { kind, params, directions: directions.to_vec() })
    }

    /// The normalised value of `x` for indicator `j`.
    pub fn apply(&self, j: usize, x: f64) -> f64 {
        let (a, b) = self.params[j];
        let lower_is_better = self.directions[j] == Direction::LowerIsBetter;
        match self.kind {
            Normalisation::MinMax if b == a => 1.0,
            Normalisation::MinMax if lower_is_better => (b - x) / (b - a),
            Normalisation::MinMax => (x - a) / (b - a),
            Normalisation::ZScore if b == 0.0 => 0.0,
            Normalisation::ZScore if lower_is_better => -(x - a) / b,
            Normalisation::ZScore => (x - a) / b,
        }
    }

    /// Every value of a matrix, normalised.
    pub fn apply_all(&self, matrix: &[Vec<f64>]) -> Vec<Vec<f64>> {
        matrix.iter().map(|row| row.iter().enumerate().map(|(j, x)| self.apply(j, *x)).collect()).collect()
    }
}

/// Range (min–max) normalisation per indicator ([`Normalisation::MinMax`]).
pub fn min_max(matrix: &[Vec<f64>], directions: &[Direction]) -> Result<Vec<Vec<f64>>, CompositeError> {
    Ok(Scale::fit(Normalisation::MinMax, matrix, directions)?.apply_all(matrix))
}

/// z-scores per indicator ([`Normalisation::ZScore`]).
pub fn z_scores(matrix: &[Vec<f64>], directions: &[Direction]) -> Result<Vec<Vec<f64>>, CompositeError> {
    Ok(Scale::fit(Normalisation::ZScore, matrix, directions)?.apply_all(matrix))
}

/// Entropy weights from a normalised, non-negative matrix (methods.md
/// §1.7): p_ij = x_ij/Σ_i x_ij, e_j = −(1/ln n)·Σ_i p_ij ln p_ij (0·ln 0 = 0),
/// d_j = 1 − e_j, w_j = d_j/Σ d_j. Indicators that vary more weigh more;
/// if none varies, the weights are equal.
pub fn entropy_weights(normalized: &[Vec<f64>]) -> Result<Vec<f64>, CompositeError> {
    let m = columns(normalized)?;
    let n = normalized.len();
    if n < 2 {
        return Err(CompositeError::Empty("entropy weights need at least two units"));
    }
    if normalized.iter().flatten().any(|v| *v < 0.0) {
        return Err(CompositeError::Invalid(
            "entropy weights need non-negative values (normalise by range first)".into(),
        ));
    }
    let divergence: Vec<f64> = (0..m)
        .map(|j| {
            let total: f64 = normalized.iter().map(|r| r[j]).sum();
            if total == 0.0 {
                return 0.0;
            }
            let h: f64 = normalized.iter().map(|r| r[j] / total).filter(|p| *p > 0.0).map(|p| p * p.ln()).sum();
            1.0 - (-h / (n as f64).ln())
        })
        .collect();
    let sum: f64 = divergence.iter().sum();
    Ok(if sum <= 0.0 { vec![1.0 / m as f64; m] } else { divergence.iter().map(|d| d / sum).collect() })
}

/// Σ_j w_j·x_ij for each unit.
pub fn weighted_sum(normalized: &[Vec<f64>], weights: &[f64]) -> Result<Vec<f64>, CompositeError> {
    let m = columns(normalized)?;
    if weights.len() != m {
        return Err(CompositeError::Shape(format!("{} weights for {m} indicators", weights.len())));
    }
    Ok(normalized.iter().map(|r| r.iter().zip(weights).map(|(x, w)| x * w).sum()).collect())
}

/// A TOPSIS model fitted to a matrix (Hwang & Yoon 1981; methods.md §1.7):
/// vector normalisation r_ij = x_ij/√Σ_i x_ij², weighted values
/// v_ij = w_j·r_ij, and the ideal and anti-ideal points taken per direction.
/// Kept whole so that a changed value (a what-if) is scored against the
/// same norms and points.
#[derive(Debug, Clone, PartialEq)]
pub struct Topsis {
    weights: Vec<f64>,
    norms: Vec<f64>,
    /// (ideal, anti-ideal) weighted value of each indicator.
    poles: Vec<(f64, f64)>,
}

impl Topsis {
    /// Fits the model.
    pub fn fit(matrix: &[Vec<f64>], weights: &[f64], directions: &[Direction]) -> Result<Topsis, CompositeError> {
        let m = columns(matrix)?;
        if weights.len() != m || directions.len() != m {
            return Err(CompositeError::Shape(format!(
                "{} weights and {} directions for {m} indicators",
                weights.len(),
                directions.len()
            )));
        }
        let norms: Vec<f64> = (0..m).map(|j| matrix.iter().map(|r| r[j] * r[j]).sum::<f64>().sqrt()).collect();
        let mut model = Topsis { weights: weights.to_vec(), norms, poles: Vec::new() };
        model.poles = (0..m)
            .map(|j| {
                let (lo, hi) = matrix
                    .iter()
                    .map(|r| model.weighted(j, r[j]))
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
                if directions[j] == Direction::LowerIsBetter { (lo, hi) } else { (hi, lo) }
            })
            .collect();
        Ok(model)
    }

    /// The weighted normalised value v_j of `x` for indicator `j`.
    pub fn weighted(&self, j: usize, x: f64) -> f64 {
        if self.norms[j] == 0.0 { 0.0 } else { self.weights[j] * x / self.norms[j] }
    }

    /// Closeness C = D⁻/(D⁺ + D⁻) of a unit's raw values, in [0, 1] for
    /// units of the fitted matrix, higher is better (1 when D⁺ + D⁻ = 0).
    pub fn closeness(&self, row: &[f64]) -> f64 {
        self.closeness_with(row, usize::MAX, 0.0)
    }

    /// The closeness of `row` with indicator `k`'s value replaced by `x` (a
    /// what-if, without copying the row).
    pub fn closeness_with(&self, row: &[f64], k: usize, x: f64) -> f64 {
        let (mut best, mut worst) = (0.0, 0.0);
        for (j, value) in row.iter().enumerate() {
            let v = self.weighted(j, if j == k { x } else { *value });
            best += (v - self.poles[j].0).powi(2);
            worst += (v - self.poles[j].1).powi(2);
        }
        let (d_best, d_worst) = (f64::sqrt(best), f64::sqrt(worst));
        if d_best + d_worst == 0.0 { 1.0 } else { d_worst / (d_best + d_worst) }
    }

    /// Each indicator's share of the unit's squared distance from the
    /// anti-ideal point (what lifts it above the worst); sums to 1, or all 0
    /// at the anti-ideal point itself.
    pub fn shares(&self, row: &[f64]) -> Vec<f64> {
        let parts: Vec<f64> =
            row.iter().enumerate().map(|(j, x)| (self.weighted(j, *x) - self.poles[j].1).powi(2)).collect();
        let total: f64 = parts.iter().sum();
        parts.iter().map(|p| if total > 0.0 { p / total } else { 0.0 }).collect()
    }
}

/// TOPSIS closeness of every unit (see [`Topsis`]).
pub fn topsis(matrix: &[Vec<f64>], weights: &[f64], directions: &[Direction]) -> Result<Vec<f64>, CompositeError> {
    let model = Topsis::fit(matrix, weights, directions)?;
    Ok(matrix.iter().map(|row| model.closeness(row)).collect())
}

/// Saaty's random consistency index by matrix size (n = 1..10), the table
/// methods.md reproduces; record it with every CR (tables differ).
pub const SAATY_RI: [f64; 10] = [0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49];

/// The result of an AHP comparison matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Ahp {
    /// Weights (the principal eigenvector, summing to 1).
    pub weights: Vec<f64>,
    /// The principal eigenvalue λmax.
    pub lambda_max: f64,
    /// Consistency index (λmax − n)/(n − 1).
    pub ci: f64,
    /// Consistency ratio CI/RI (0 for n ≤ 2).
    pub cr: f64,
}

impl Ahp {
    /// Saaty's rule: judgements are consistent enough when CR < 0.1.
    pub fn is_consistent(&self) -> bool {
        self.cr < 0.1
    }
}

/// Weights from a pairwise comparison matrix (a_ij > 0, a_ji = 1/a_ij) by
/// power iteration to the principal eigenvector, with CI and CR.
pub fn ahp(matrix: &[Vec<f64>]) -> Result<Ahp, CompositeError> {
    let n = columns(matrix)?;
    if matrix.len() != n {
        return Err(CompositeError::Shape(format!("{} rows for {n} columns", matrix.len())));
    }
    if n > SAATY_RI.len() {
        return Err(CompositeError::Shape(format!("the RI table stops at {} criteria", SAATY_RI.len())));
    }
    for (i, row) in matrix.iter().enumerate() {
        for (j, &a) in row.iter().enumerate() {
            let b = matrix[j][i];
            if a <= 0.0 || (a * b - 1.0).abs() > 1e-6 {
                return Err(CompositeError::NotReciprocal(format!("a[{i}][{j}] = {a} but a[{j}][{i}] = {b}")));
            }
        }
    }
    let mut w = vec![1.0 / n as f64; n];
    for _ in 0..1000 {
        let next: Vec<f64> = (0..n).map(|i| (0..n).map(|j| matrix[i][j] * w[j]).sum()).collect();
        let sum: f64 = next.iter().sum();
        let next: Vec<f64> = next.iter().map(|x| x / sum).collect();
        let change = next.iter().zip(&w).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        w = next;
        if change < 1e-12 {
            break;
        }
    }
    let lambda_max = (0..n).map(|i| (0..n).map(|j| matrix[i][j] * w[j]).sum::<f64>() / w[i]).sum::<f64>() / n as f64;
    let ci = if n > 1 { (lambda_max - n as f64) / (n as f64 - 1.0) } else { 0.0 };
    let ri = SAATY_RI[n - 1];
    Ok(Ahp { weights: w, lambda_max, ci, cr: if ri > 0.0 { ci / ri } else { 0.0 } })
}

/// The ARC-style index of ratios to a reference (×100), each ratio inverted
/// for higher-is-better indicators so that higher always means worse, then
/// averaged: (r_U + r_M + r_P)/3 with r_M = 100·PCMI_ref/PCMI.
pub fn ratio_index(values: &[f64], references: &[f64], directions: &[Direction]) -> Result<f64, CompositeError> {
    if values.is_empty() || values.len() != references.len() || values.len() != directions.len() {
        return Err(CompositeError::Shape("values, references and directions must match".into()));
    }
    let mut sum = 0.0;
    for ((v, r), d) in values.iter().zip(references).zip(directions) {
        let ratio = if *d == Direction::HigherIsBetter { r / v } else { v / r };
        if !ratio.is_finite() || *v == 0.0 || *r == 0.0 {
            return Err(CompositeError::Invalid(format!("ratio of {v} to reference {r} is undefined")));
        }
        sum += 100.0 * ratio;
    }
    Ok(sum / values.len() as f64)
}

/// Ranks worst first by competition ranking ("1224"): a unit's rank is one
/// more than the number of units strictly worse (higher score), so tied
/// units share the better-placed rank and no tie is ever broken by the order
/// in which the regions happen to be listed. Scores equal up to float
/// rounding are tied: an index computed as 0.1 + 0.2 ties with one of 0.3.
pub fn ranks_worst_first(scores_worst_high: &[f64]) -> Vec<usize> {
    let mut sorted: Vec<f64> = scores_worst_high.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    scores_worst_high.iter().map(|s| 1 + sorted.partition_point(|x| crate::float::clearly_greater(*x, *s))).collect()
}

/// Bands over a ranking, worst first: unit i at rank position
/// p = (rank − 1)/N (rank from [`ranks_worst_first`], so tied units share a
/// band) falls in the first band whose upper bound exceeds p (half-open
/// intervals). ARC's bands are `[0.10, 0.25, 0.75, 0.90, 1.0]` for
/// distressed, at-risk, transitional, competitive, attainment (methods.md §1).
pub fn percentile_bands(scores_worst_high: &[f64], upper_bounds: &[f64]) -> Vec<usize> {
    let n = scores_worst_high.len() as f64;
    ranks_worst_first(scores_worst_high)
        .into_iter()
        .map(|rank| {
            let p = (rank - 1) as f64 / n;
            upper_bounds.iter().position(|u| p < *u).unwrap_or(upper_bounds.len().saturating_sub(1))
        })
        .collect()
}

#[cfg(test)]
mod tests;
