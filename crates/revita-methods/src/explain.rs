//! Explaining a classification: the smallest change in one input that
//! would move a region to another class, everything else held fixed.
//!
//! A planner asks of every designation "how close was it?". For the score
//! methods (the ARC index, weighted sums, TOPSIS) a region's class is a
//! monotone step function of each of its indicator values when the other
//! regions, the reference and the normalisation are held fixed, so the
//! nearest class change is found by bisection. For threshold rules the class
//! can change only at a threshold line, so the candidates are the lines.
//! Holding the rest fixed is an approximation the reports state: one region's
//! change moves a universe mean, a range or a quantile break only slightly.

/// Bisection steps: 2⁻⁴⁴ (about 6·10⁻¹⁴) of the search interval, far below
/// any data's precision.
const STEPS: usize = 44;

/// The input value nearest to `x` within `[lo, hi]` at which `class_at`
/// gives another class than at `x`, or `None` if the class is the same over
/// the whole interval. `class_at` must be monotone (a step function that
/// never returns to a class it left) on each side of `x`.
pub fn nearest_class_change(x: f64, lo: f64, hi: f64, class_at: impl Fn(f64) -> usize) -> Option<f64> {
    let here = class_at(x);
    let edge = |end: f64| -> Option<f64> {
        if end == x || class_at(end) == here {
            return None;
        }
        // Invariant: class_at(inside) == here, class_at(outside) != here.
        let (mut inside, mut outside) = (x, end);
        for _ in 0..STEPS {
            let mid = inside + (outside - inside) / 2.0;
            if mid == inside || mid == outside {
                break;
            }
            if class_at(mid) == here {
                inside = mid;
            } else {
                outside = mid;
            }
        }
        Some(outside)
    };
    match (edge(hi.max(x)), edge(lo.min(x))) {
        (Some(up), Some(down)) => Some(if up - x <= x - down { up } else { down }),
        (up, down) => up.or(down),
    }
}

/// Among `candidates`, the value nearest to `x` at which `class_at` gives
/// another class than at `x` (for classes that change only at known points,
/// such as threshold lines; pass each line and the floats just beside it).
pub fn nearest_change_among(x: f64, candidates: &[f64], class_at: impl Fn(f64) -> usize) -> Option<f64> {
    let here = class_at(x);
    let mut sorted: Vec<f64> = candidates.iter().copied().filter(|c| c.is_finite()).collect();
    sorted.sort_by(|a, b| (a - x).abs().total_cmp(&(b - x).abs()));
    sorted.into_iter().find(|c| class_at(*c) != here)
}

/// A threshold line and the values just either side of it: where a
/// comparison against the line can change its answer. Values within float
/// rounding of the line count as on it ([`crate::float`]), so the sides are
/// twice that tolerance away.
pub fn around(line: f64) -> [f64; 3] {
    let step = (2.0 * crate::float::TOLERANCE * line.abs()).max(f64::MIN_POSITIVE);
    [line - step, line, line + step]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Classes of a score s = 2x + 1 cut at 5 and 9 (0 below 5, 1 in
    /// [5, 9), 2 from 9). From x = 3.1 (s = 7.2, class 1) the class changes
    /// up at x = 4 (s = 9, class 2), 0.9 away, and down just below x = 2
    /// (s = 5 is still class 1), 1.1 away. From x = 2.5 (s = 6) the change
    /// down, just below 2, is nearer than 4.
    #[test]
    fn bisection_finds_the_nearest_step() {
        let class = |x: f64| {
            let s = 2.0 * x + 1.0;
            usize::from(s >= 5.0) + usize::from(s >= 9.0)
        };
        let change = nearest_class_change(3.1, 0.0, 10.0, class).unwrap();
        assert!((change - 4.0).abs() < 1e-9, "{change}");
        let change = nearest_class_change(2.5, 0.0, 10.0, class).unwrap();
        assert!(change < 2.0 && (change - 2.0).abs() < 1e-9, "{change}");
        // Nothing changes within the interval.
        assert_eq!(nearest_class_change(3.0, 2.5, 3.5, class), None);
    }

    #[test]
    fn bisection_lands_on_the_far_side_of_the_step() {
        let class = |x: f64| usize::from(x > 1.0);
        let change = nearest_class_change(0.0, -5.0, 5.0, class).unwrap();
        assert!(change > 1.0 && change - 1.0 < 1e-9);
        assert_eq!(class(change), 1);
    }

    /// An inclusive line at 75: at 80 the rule "x ≤ 75" fails; 75 itself
    /// meets it, so the nearest change is 75, not a value below; from 70
    /// the change is just above 75 (by twice the rounding tolerance,
    /// 1.5e-7).
    #[test]
    fn candidates_give_the_exact_line() {
        let class = |x: f64| usize::from(x <= 75.0);
        assert_eq!(nearest_change_among(80.0, &around(75.0), class), Some(75.0));
        assert_eq!(nearest_change_among(70.0, &around(75.0), class), Some(75.0 + 1.5e-7));
        assert_eq!(nearest_change_among(70.0, &[60.0, 65.0], class), None);
    }
}
