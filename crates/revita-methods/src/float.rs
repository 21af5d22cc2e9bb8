//! Comparing computed numbers: values equal up to float rounding are equal
//! (issue 16), so that an index computed as 0.1 + 0.2 ties with one of 0.3
//! and a value at exactly 75% of a reference is "at most 75%" and not
//! "below 75%" whatever the last bit of the product says.

/// Relative difference below which two values count as equal: far above
/// the rounding of a few arithmetic steps (~1e-16 each), far below any
/// difference a published figure resolves.
pub(crate) const TOLERANCE: f64 = 1e-9;

/// Whether `x` exceeds `y` by more than rounding can explain. A NaN
/// compares by [`f64::total_cmp`], so that sorting stays total.
pub(crate) fn clearly_greater(x: f64, y: f64) -> bool {
    if x.is_nan() || y.is_nan() {
        return x.total_cmp(&y).is_gt();
    }
    x - y > TOLERANCE * x.abs().max(y.abs()).max(f64::MIN_POSITIVE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_not_a_difference() {
        assert!(!clearly_greater(0.1 + 0.2, 0.3));
        assert!(!clearly_greater(0.3, 0.1 + 0.2));
        assert!(clearly_greater(0.3000001, 0.3));
        assert!(clearly_greater(1.0, 0.0) && !clearly_greater(0.0, 0.0));
        assert!(clearly_greater(f64::NAN, 1.0) && !clearly_greater(1.0, f64::NAN));
    }
}
