//! Classing values for maps and tables: quantile breaks, Fisher–Jenks
//! natural breaks, and a region's rank and percentile among its peers.
//!
//! Sources: Hyndman & Fan (1996), "Sample quantiles in statistical
//! packages", definition 7 (the default of R and NumPy) for quantiles;
//! Fisher (1958), "On grouping for maximum homogeneity", and Jenks (1977),
//! *Optimal data classification for choropleth maps*, for natural breaks:
//! the partition of the sorted values into k contiguous classes that
//! minimises the total within-class sum of squared deviations, found exactly
//! by dynamic programming.
//!
//! Missing-data rule: callers pass only the values that exist; NaN is
//! rejected by [`ClassifyError::NotFinite`].

/// Why values cannot be classed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassifyError {
    /// No values.
    #[error("there are no values to class")]
    Empty,
    /// Fewer than one class asked for.
    #[error("at least one class is needed")]
    NoClasses,
    /// A value is NaN or infinite.
    #[error("values must be finite numbers")]
    NotFinite,
}

fn sorted(values: &[f64]) -> Result<Vec<f64>, ClassifyError> {
    if values.is_empty() {
        return Err(ClassifyError::Empty);
    }
    if values.iter().any(|v| !v.is_finite()) {
        return Err(ClassifyError::NotFinite);
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Ok(sorted)
}

/// The `p`-quantile (0 ≤ p ≤ 1) of sorted values, Hyndman–Fan definition 7:
/// linear interpolation between order statistics at h = (n − 1)·p.
pub fn quantile_of_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Upper bounds of `k` quantile classes: the i/k-quantiles for i = 1..k,
/// the last being the maximum. Repeated bounds (many equal values) are kept
/// once, so fewer classes may result.
pub fn quantile_breaks(values: &[f64], k: usize) -> Result<Vec<f64>, ClassifyError> {
    if k == 0 {
        return Err(ClassifyError::NoClasses);
    }
    let sorted = sorted(values)?;
    let mut breaks: Vec<f64> = (1..=k).map(|i| quantile_of_sorted(&sorted, i as f64 / k as f64)).collect();
    breaks.dedup();
    Ok(breaks)
}

/// Upper bounds of `k` Fisher–Jenks natural-break classes (the last is the
/// maximum). With fewer distinct values than `k`, each distinct value is a
/// class. O(k·n²) time in the number of values.
pub fn jenks_breaks(values: &[f64], k: usize) -> Result<Vec<f64>, ClassifyError> {
    if k == 0 {
        return Err(ClassifyError::NoClasses);
    }
    let x = sorted(values)?;
    let mut distinct = x.clone();
    distinct.dedup();
    if distinct.len() <= k {
        return Ok(distinct);
    }
    let n = x.len();
    // Prefix sums give the sum of squared deviations of x[i..j] in O(1).
    let mut s1 = vec![0.0; n + 1];
    let mut s2 = vec![0.0; n + 1];
    for (i, v) in x.iter().enumerate() {
        s1[i + 1] = s1[i] + v;
        s2[i + 1] = s2[i] + v * v;
    }
    let ssd = |i: usize, j: usize| {
        let (sum, sq, m) = (s1[j] - s1[i], s2[j] - s2[i], (j - i) as f64);
        (sq - sum * sum / m).max(0.0)
    };
    // cost[c][j]: best cost of the first j values in c + 1 classes;
    // start[c][j]: where the last of those classes starts.
    let mut cost = vec![vec![f64::INFINITY; n + 1]; k];
    let mut start = vec![vec![0usize; n + 1]; k];
    for (j, c) in cost[0].iter_mut().enumerate().skip(1) {
        *c = ssd(0, j);
    }
    for c in 1..k {
        for j in (c + 1)..=n {
            for i in c..j {
                let candidate = cost[c - 1][i] + ssd(i, j);
                if candidate < cost[c][j] {
                    cost[c][j] = candidate;
                    start[c][j] = i;
                }
            }
        }
    }
    let mut breaks = vec![0.0; k];
    let mut end = n;
    for c in (0..k).rev() {
        breaks[c] = x[end - 1];
        end = start[c][end];
    }
    Ok(breaks)
}

/// The class of `value` given class upper bounds: the first bound ≥ value
/// (values above the last bound fall in the last class).
pub fn class_of(value: f64, breaks: &[f64]) -> usize {
    breaks.iter().position(|b| value <= *b).unwrap_or(breaks.len().saturating_sub(1))
}

/// A value's place among its peers, best first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standing {
    /// 1 for the best value (the highest where higher is better, the lowest
    /// where lower is better, the highest for a neutral indicator); ties
    /// share the best rank ("1224" ranking).
    pub rank: usize,
    /// Number of peers with a value (the region included).
    pub of: usize,
    /// Share of the other peers that do worse, in percent (0 for the worst,
    /// 100 for the best; for a neutral indicator, those with a lower value).
    pub percentile: f64,
}

/// The standing of `value` among `peers` (which include it), best first by
/// the indicator's direction (issue 16: an illiteracy rate at the 90th
/// percentile is among the lowest, not the highest). Values equal up to
/// float rounding tie.
pub fn standing(value: f64, peers: &[f64], direction: crate::Direction) -> Standing {
    use crate::float::clearly_greater;
    let better = |p: f64| match direction {
        crate::Direction::LowerIsBetter => clearly_greater(value, p),
        _ => clearly_greater(p, value),
    };
    let worse = |p: f64| match direction {
        crate::Direction::LowerIsBetter => clearly_greater(p, value),
        _ => clearly_greater(value, p),
    };
    let ahead = peers.iter().filter(|p| better(**p)).count();
    let behind = peers.iter().filter(|p| worse(**p)).count();
    let others = peers.len().saturating_sub(1);
    let percentile = if others == 0 { 100.0 } else { 100.0 * behind as f64 / others as f64 };
    Standing { rank: ahead + 1, of: peers.len(), percentile }
}

#[cfg(test)]
mod tests;
