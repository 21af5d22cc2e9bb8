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
    /// The caps together are below the total.
    #[error("the caps ({caps}) are below the total ({total})")]
    Caps {
        /// Sum of the caps.
        caps: f64,
        /// The total.
        total: f64,
    },
    /// The total is not a whole number of rounding units.
    #[error("the total {total} is not a whole number of units of {unit}")]
    Unit {
        /// The total.
        total: f64,
        /// The rounding unit.
        unit: f64,
    },
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
    Ok(factor_parts(total, factors, weights)?.iter().map(|parts| parts.iter().sum()).collect())
}

/// Each unit's amount from each factor, Total × w_k × F_ik / Σ_j F_jk: the
/// terms of [`allocate`]'s sum, so that a report can show what each factor
/// contributed.
pub fn factor_parts(total: f64, factors: &[Vec<f64>], weights: &[f64]) -> Result<Vec<Vec<f64>>, AllocationError> {
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
    let mut parts = vec![vec![0.0; weights.len()]; factors.len()];
    for (k, w) in weights.iter().enumerate() {
        let column_total: f64 = factors.iter().map(|f| f[k]).sum();
        if factors.iter().any(|f| f[k] < 0.0 || !f[k].is_finite()) || column_total <= 0.0 {
            return Err(AllocationError::Factor(k));
        }
        for (i, f) in factors.iter().enumerate() {
            parts[i][k] = total * w * f[k] / column_total;
        }
    }
    Ok(parts)
}

/// The inverse-fiscal-capacity factor of methods.md §10.2,
/// F_i = Pop_i × (average revenue per head / revenue per head_i), the
/// average being the whole universe's (Σ revenue / Σ population, i.e. the
/// population-weighted mean of revenue per head). `None` if a revenue per
/// head is not positive or a population is negative.
pub fn inverse_capacity(population: &[f64], revenue_per_head: &[f64]) -> Option<Vec<f64>> {
    if population.len() != revenue_per_head.len()
        || population.iter().any(|p| !(p.is_finite() && *p >= 0.0))
        || revenue_per_head.iter().any(|r| !(r.is_finite() && *r > 0.0))
    {
        return None;
    }
    let people: f64 = population.iter().sum();
    let revenue: f64 = population.iter().zip(revenue_per_head).map(|(p, r)| p * r).sum();
    if people <= 0.0 {
        return None;
    }
    let average = revenue / people;
    Some(population.iter().zip(revenue_per_head).map(|(p, r)| p * average / r).collect())
}

/// Limits on each unit's amount: at least `floors[i]`, at most `caps[i]`
/// (either list empty for none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Limits {
    /// Lowest amounts (prior-year × (1 − δ), a minimum, or the larger of them).
    pub floors: Vec<f64>,
    /// Highest amounts (prior-year × (1 + γ)).
    pub caps: Vec<f64>,
}

/// An allocation worked through every step, for a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Worked {
    /// Each unit's amount from each factor (see [`factor_parts`]).
    pub parts: Vec<Vec<f64>>,
    /// The formula amount: the sum of the parts.
    pub formula: Vec<f64>,
    /// After floors, then caps.
    pub limited: Vec<f64>,
    /// After rounding to the unit (the amount paid).
    pub amounts: Vec<f64>,
}

/// The factor method from formula to payment: the formula amounts, floors
/// raised (the others scaled down to keep the total), caps lowered (the
/// others scaled up), then rounding to whole `unit`s by largest remainder
/// (no rounding for `None`). The total is kept exactly; rounding may move an
/// amount by less than one unit across its floor or cap. Every cap must be
/// at least its floor, or the limits contradict each other.
pub fn work_through(
    total: f64,
    factors: &[Vec<f64>],
    weights: &[f64],
    limits: &Limits,
    unit: Option<f64>,
) -> Result<Worked, AllocationError> {
    let parts = factor_parts(total, factors, weights)?;
    let formula: Vec<f64> = parts.iter().map(|p| p.iter().sum()).collect();
    let mut limited = formula.clone();
    if !limits.floors.is_empty() {
        limited = apply_floors(&limited, &limits.floors)?;
    }
    if !limits.caps.is_empty() {
        if let Some(i) = (0..limits.floors.len().min(limits.caps.len())).find(|&i| limits.caps[i] < limits.floors[i]) {
            return Err(AllocationError::Shape(format!(
                "unit {i}'s cap {} is below its floor {}",
                limits.caps[i], limits.floors[i]
            )));
        }
        limited = apply_caps(&limited, &limits.caps)?;
    }
    let amounts = match unit {
        Some(unit) => round_largest_remainder(&limited, unit)?,
        None => limited.clone(),
    };
    Ok(Worked { parts, formula, limited, amounts })
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
    Ok(hold_limits(amounts, floors, |amount, floor| amount < floor - 1e-9))
}

/// Lowers units above `caps` to their cap (e.g. prior-year amount × (1 + y)
/// for "growth at most y%") and shares the excess among the others in
/// proportion to their formula amounts, repeating until no unit exceeds its
/// cap. The mirror of [`apply_floors`]; the total is kept.
pub fn apply_caps(amounts: &[f64], caps: &[f64]) -> Result<Vec<f64>, AllocationError> {
    if amounts.len() != caps.len() {
        return Err(AllocationError::Shape(format!("{} amounts and {} caps", amounts.len(), caps.len())));
    }
    let total: f64 = amounts.iter().sum();
    let cap_sum: f64 = caps.iter().sum();
    if cap_sum < total - 1e-9 {
        return Err(AllocationError::Caps { caps: cap_sum, total });
    }
    Ok(hold_limits(amounts, caps, |amount, cap| amount > cap + 1e-9))
}

/// Fixes every unit whose amount breaks its limit at that limit and rescales
/// the free units to keep the total, until no free unit breaks its limit.
/// Each round fixes at least one more unit, so it ends within `n` rounds.
fn hold_limits(amounts: &[f64], limits: &[f64], breaks: impl Fn(f64, f64) -> bool) -> Vec<f64> {
    let total: f64 = amounts.iter().sum();
    let mut fixed = vec![false; amounts.len()];
    loop {
        let fixed_sum: f64 = limits.iter().zip(&fixed).filter(|(_, f)| **f).map(|(x, _)| x).sum();
        let free_formula: f64 = amounts.iter().zip(&fixed).filter(|(_, f)| !**f).map(|(x, _)| x).sum();
        let scale = if free_formula > 0.0 { (total - fixed_sum) / free_formula } else { 0.0 };
        let out: Vec<f64> = (0..amounts.len()).map(|i| if fixed[i] { limits[i] } else { amounts[i] * scale }).collect();
        let newly: Vec<usize> = (0..amounts.len()).filter(|&i| !fixed[i] && breaks(out[i], limits[i])).collect();
        if newly.is_empty() {
            return out;
        }
        for i in newly {
            fixed[i] = true;
        }
    }
}

/// Rounds amounts to whole multiples of `unit` (e.g. 10,000 yuan) so that
/// they still sum exactly to their total, by the largest-remainder (Hamilton)
/// method: every unit first gets the whole units it has earned, then the
/// units left over go one each to the largest fractional remainders. Ties
/// between equal remainders go to the unit listed first, so the result does
/// not depend on anything but the input order the caller chose.
pub fn round_largest_remainder(amounts: &[f64], unit: f64) -> Result<Vec<f64>, AllocationError> {
    let total: f64 = amounts.iter().sum();
    let whole = (total / unit).round();
    if unit.is_nan() || unit <= 0.0 || (total / unit - whole).abs() > 1e-6 {
        return Err(AllocationError::Unit { total, unit });
    }
    let shares: Vec<f64> = amounts.iter().map(|a| a / unit).collect();
    let mut counts: Vec<f64> = shares.iter().map(|s| (s + 1e-9).floor()).collect();
    let left = (whole - counts.iter().sum::<f64>()).round() as usize;
    let mut order: Vec<usize> = (0..amounts.len()).collect();
    // A stable sort keeps the listing order among equal remainders.
    order.sort_by(|&a, &b| (shares[b] - counts[b]).total_cmp(&(shares[a] - counts[a])));
    for &i in order.iter().take(left) {
        counts[i] += 1.0;
    }
    Ok(counts.iter().map(|c| c * unit).collect())
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

    #[test]
    fn caps_hold_and_the_total_is_kept() {
        // Prior 40/40/20, growth at most 10%: caps 44/44/22. Formula 20/50/30:
        // 30 → 22 frees 8, shared 20:50 → 22.29/55.71; 55.71 > 44 → fixed at 44,
        // so unit 1 gets 100 − 44 − 22 = 34.
        assert!(close(&apply_caps(&[20.0, 50.0, 30.0], &[44.0, 44.0, 22.0]).unwrap(), &[34.0, 44.0, 22.0]));
        assert!(matches!(apply_caps(&[10.0, 10.0], &[5.0, 5.0]), Err(AllocationError::Caps { .. })));
    }

    #[test]
    fn largest_remainder_rounding_sums_exactly() {
        // 100 in units of 10 over 33.4/33.3/33.3: whole units 3/3/3 = 90, one
        // unit left goes to the largest remainder .34 (unit 0) → 40/30/30.
        assert_eq!(round_largest_remainder(&[33.4, 33.3, 33.3], 10.0).unwrap(), vec![40.0, 30.0, 30.0]);
        // Equal remainders: the unit listed first wins (the documented tie rule).
        assert_eq!(round_largest_remainder(&[15.0, 15.0, 10.0], 10.0).unwrap(), vec![20.0, 10.0, 10.0]);
        assert_eq!(round_largest_remainder(&[15.0, 10.0, 15.0], 10.0).unwrap(), vec![20.0, 10.0, 10.0]);
        assert!(matches!(round_largest_remainder(&[5.0, 10.0], 10.0), Err(AllocationError::Unit { .. })));
    }

    #[test]
    fn each_factor_contributes_its_weighted_share() {
        // The example above: unit 1 gets 15 from factor 1 (100·.6·.25) and 20
        // from factor 2 (100·.4·.5).
        let parts = factor_parts(100.0, &[vec![10.0, 1.0], vec![30.0, 1.0]], &[0.6, 0.4]).unwrap();
        assert!(close(&parts[0], &[15.0, 20.0]) && close(&parts[1], &[45.0, 20.0]));
    }

    #[test]
    fn inverse_capacity_by_hand() {
        // Populations 100 and 300, revenue per head 400 and 200: the average
        // is (40,000 + 60,000)/400 = 250, so F = 100·250/400 = 62.5 and
        // 300·250/200 = 375: the poorer unit weighs six times as much.
        assert_eq!(inverse_capacity(&[100.0, 300.0], &[400.0, 200.0]).unwrap(), vec![62.5, 375.0]);
        assert_eq!(inverse_capacity(&[100.0], &[0.0]), None);
        assert_eq!(inverse_capacity(&[-1.0], &[5.0]), None);
    }

    #[test]
    fn worked_through_floors_caps_and_rounding() {
        // Total 1,000,000 over three units with one factor 1:2:7 → 100k,
        // 200k, 700k. Prior year 300k each, floors at 90% (270k), caps at
        // +50% (450k): units 0 and 1 rise to their floor, 270k, leaving 460k
        // for unit 2, which its cap lowers to 450k; the 10k excess goes to the
        // other two in proportion to their amounts, 275k each (still above
        // their floors). Rounded to 10,000: 27.5 + 27.5 + 45 units, 99 whole,
        // the one left goes to the first of the tied remainders: 280k, 270k,
        // 450k.
        let limits = Limits { floors: vec![270_000.0; 3], caps: vec![450_000.0; 3] };
        let worked =
            work_through(1_000_000.0, &[vec![1.0], vec![2.0], vec![7.0]], &[1.0], &limits, Some(10_000.0)).unwrap();
        assert!(close(&worked.formula, &[100_000.0, 200_000.0, 700_000.0]));
        assert!(close(&worked.limited, &[275_000.0, 275_000.0, 450_000.0]), "{:?}", worked.limited);
        assert_eq!(worked.amounts, vec![280_000.0, 270_000.0, 450_000.0]);
        let contradictory = Limits { floors: vec![500_000.0, 0.0, 0.0], caps: vec![400_000.0; 3] };
        assert!(work_through(1_000_000.0, &[vec![1.0], vec![2.0], vec![7.0]], &[1.0], &contradictory, None).is_err());
    }

    #[test]
    fn allocations_are_non_negative_and_sum_to_the_total_for_many_inputs() {
        // A small deterministic generator stands in for a property-test crate.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % 1000) as f64
        };
        for units in 1..40 {
            let factors: Vec<Vec<f64>> = (0..units).map(|_| vec![next() + 1.0, next() + 1.0]).collect();
            let total = 1_000_000.0 * units as f64;
            let amounts = allocate(total, &factors, &[0.7, 0.3]).unwrap();
            let rounded = round_largest_remainder(&amounts, 10_000.0).unwrap();
            assert!(rounded.iter().all(|a| *a >= 0.0));
            assert_eq!(rounded.iter().sum::<f64>(), total);
        }
    }
}
