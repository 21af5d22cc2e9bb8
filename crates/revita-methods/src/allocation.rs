//! Factor-method (因素法) fund allocation (methods.md §10.2):
//! Allocation_i = Total × Σ_k w_k × F_ik / Σ_j F_jk, with Σ_k w_k = 1,
//! and the floor variant "no unit gets less than its prior-year amount × (1 − δ)".
//!
//! Source: methods.md §10.2 (the standard form of the factor method used for
//! 中央财政专项扶贫资金 and its successor 衔接资金; central weights are not
//! published, so weights are always the user's).

/// Why an allocation cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AllocationError {
    /// Weights that do not sum to 1, or are negative.
    #[error("factor weights must be non-negative and sum to 1 (they sum to {0})")]
    Weights(f64),
    /// Shapes that do not match.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// A factor is negative, NaN, or zero for every unit.
    #[error("factor {0} is negative, not a number, or zero for every unit")]
    Factor(usize),
    /// The floors alone exceed the total.
    #[error("the floors ({floors}) exceed the total ({total})")]
    Floors {
        /// Sum of the floors.
        floors: f64,
        /// The total.
        total: f64,
    },
}

/// Splits `total` among units by factors (`factors[i][k]`: factor k of unit
/// i) and weights (one per factor, summing to 1).
pub fn allocate(total: f64, factors: &[Vec<f64>], weights: &[f64]) -> Result<Vec<f64>, AllocationError> {
    let sum: f64 = weights.iter().sum();
    if weights.iter().any(|w| *w < 0.0 || !w.is_finite()) || (sum - 1.0).abs() > 1e-9 {
        return Err(AllocationError::Weights(sum));
    }
    if let Some(i) = factors.iter().position(|f| f.len() != weights.len()) {
        return Err(AllocationError::Shape(format!(
            "unit {i} has {} factors, not {}",
            factors[i].len(),
            weights.len()
        )));
    }
    let mut out = vec![0.0; factors.len()];
    for (k, w) in weights.iter().enumerate() {
        let column_total: f64 = factors.iter().map(|f| f[k]).sum();
        if factors.iter().any(|f| f[k] < 0.0 || !f[k].is_finite()) || column_total <= 0.0 {
            return Err(AllocationError::Factor(k));
        }
        for (i, f) in factors.iter().enumerate() {
            out[i] += total * w * f[k] / column_total;
        }
    }
    Ok(out)
}

/// Raises units below `floors` to their floor and shares what is left among
/// the others in proportion to their formula amounts, repeating until no
/// unit falls below its floor. The total is kept.
pub fn apply_floors(amounts: &[f64], floors: &[f64]) -> Result<Vec<f64>, AllocationError> {
    if amounts.len() != floors.len() {
        return Err(AllocationError::Shape(format!("{} amounts and {} floors", amounts.len(), floors.len())));
    }
    let total: f64 = amounts.iter().sum();
    let floor_sum: f64 = floors.iter().sum();
    if floor_sum > total + 1e-9 {
        return Err(AllocationError::Floors { floors: floor_sum, total });
    }
    let mut fixed = vec![false; amounts.len()];
    loop {
        let fixed_sum: f64 = floors.iter().zip(&fixed).filter(|(_, f)| **f).map(|(x, _)| x).sum();
        let free_formula: f64 = amounts.iter().zip(&fixed).filter(|(_, f)| !**f).map(|(x, _)| x).sum();
        let scale = if free_formula > 0.0 { (total - fixed_sum) / free_formula } else { 0.0 };
        let out: Vec<f64> = (0..amounts.len()).map(|i| if fixed[i] { floors[i] } else { amounts[i] * scale }).collect();
        let newly: Vec<usize> = (0..amounts.len()).filter(|&i| !fixed[i] && out[i] < floors[i] - 1e-9).collect();
        if newly.is_empty() {
            return Ok(out);
        }
        for i in newly {
            fixed[i] = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9)
    }

    #[test]
    fn the_factor_formula_by_hand() {
        // Total 100; factor 1 (weight .6) shares 10:30 → .25/.75; factor 2 (weight .4) 1:1 → .5/.5.
        // Unit 1: 100·(.6·.25 + .4·.5) = 35; unit 2: 100·(.6·.75 + .4·.5) = 65.
        let out = allocate(100.0, &[vec![10.0, 1.0], vec![30.0, 1.0]], &[0.6, 0.4]).unwrap();
        assert!(close(&out, &[35.0, 65.0]), "{out:?}");
    }

    #[test]
    fn bad_weights_and_factors_are_refused() {
        assert_eq!(allocate(1.0, &[vec![1.0]], &[0.9]), Err(AllocationError::Weights(0.9)));
        assert_eq!(allocate(1.0, &[vec![0.0], vec![0.0]], &[1.0]), Err(AllocationError::Factor(0)));
        assert_eq!(allocate(1.0, &[vec![-1.0], vec![2.0]], &[1.0]), Err(AllocationError::Factor(0)));
        assert!(matches!(allocate(1.0, &[vec![1.0, 2.0]], &[1.0]), Err(AllocationError::Shape(_))));
    }

    #[test]
    fn floors_hold_and_the_total_is_kept() {
        // Prior 50/50, at most a 10% cut: floor 45. Formula 35/65 → 45/55.
        assert!(close(&apply_floors(&[35.0, 65.0], &[45.0, 45.0]).unwrap(), &[45.0, 55.0]));
        // Raising one unit can push another under its floor: 10/30/60 with floors 20/28/0
        // → first 20 fixed, 80 shared 30:60 → 26.67 < 28, so 28 fixed too, 52 left.
        assert!(close(&apply_floors(&[10.0, 30.0, 60.0], &[20.0, 28.0, 0.0]).unwrap(), &[20.0, 28.0, 52.0]));
        assert!(matches!(apply_floors(&[10.0, 10.0], &[15.0, 15.0]), Err(AllocationError::Floors { .. })));
    }
}
