//! The Box–Cox transformation of a positive response (Box & Cox 1964), as
//! the unit-level EBP uses it (Molina & Rao 2010 with the log; Rojas-Perilla
//! et al. 2020 and R's `emdi::ebp(transformation = "box.cox")` with λ
//! estimated): t = ((y + s)^λ − 1)/λ, the log at λ = 0, with a shift s that
//! makes every y + s positive.
//!
//! λ is chosen by maximising the nested-error model's restricted
//! log-likelihood of the transformed sample plus the log-Jacobian of the
//! transformation, (λ − 1) Σ log(y_i + s), which makes likelihoods of
//! different λ comparable (Box & Cox 1964, §3; the "reml" choice of emdi).

use super::SaeError;
use super::nested::NestedSample;

/// How the response is transformed before the model is fitted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Transformation {
    /// log y (Molina & Rao 2010; benchmark B2).
    Log,
    /// Box–Cox with power λ and shift s.
    BoxCox {
        /// The power.
        lambda: f64,
        /// Added to y before the power (0 for a positive y).
        shift: f64,
    },
}

/// |λ| below this is the log (the limit of the Box–Cox family).
const LOG_LAMBDA: f64 = 1e-9;

/// The range λ is searched over (and may be given in). A negative power
/// maps incomes onto a scale bounded above by −1/λ, so a normal draw beyond
/// the bound has no income at all (the inverse is infinite): the Monte Carlo
/// mean would be too. Powers from 0 (the log) to 2 keep every draw finite.
pub const LAMBDA_RANGE: (f64, f64) = (0.0, 2.0);

impl Transformation {
    /// t(y); NaN where y + s ≤ 0.
    pub fn forward(self, y: f64) -> f64 {
        match self {
            Transformation::Log => y.ln(),
            Transformation::BoxCox { lambda, shift } => {
                let v = y + shift;
                if v <= 0.0 {
                    f64::NAN
                } else if lambda.abs() < LOG_LAMBDA {
                    v.ln()
                } else {
                    (v.powf(lambda) - 1.0) / lambda
                }
            }
        }
    }

    /// y(t), the inverse: (λt + 1)^(1/λ) − s; where λt + 1 ≤ 0 (outside the
    /// transformation's range: the far tail of a draw) the smallest value,
    /// −s for λ > 0 and +∞ for λ < 0.
    pub fn inverse(self, t: f64) -> f64 {
        match self {
            Transformation::Log => t.exp(),
            Transformation::BoxCox { lambda, shift } => {
                if lambda.abs() < LOG_LAMBDA {
                    return t.exp() - shift;
                }
                let base = lambda * t + 1.0;
                if base <= 0.0 {
                    return if lambda > 0.0 { -shift } else { f64::INFINITY };
                }
                base.powf(1.0 / lambda) - shift
            }
        }
    }

    /// The log-Jacobian Σ log |dt/dy| = (λ − 1) Σ log(y + s).
    fn log_jacobian(self, y: &[f64]) -> f64 {
        match self {
            Transformation::Log => -y.iter().map(|y| y.ln()).sum::<f64>(),
            Transformation::BoxCox { lambda, shift } => {
                (lambda - 1.0) * y.iter().map(|y| (y + shift).ln()).sum::<f64>()
            }
        }
    }
}

/// The shift that makes every y + s at least 1 when some y is not positive
/// (emdi's rule), else 0.
pub fn default_shift(y: &[f64]) -> f64 {
    let min = y.iter().copied().fold(f64::INFINITY, f64::min);
    if min > 0.0 { 0.0 } else { 1.0 - min }
}

/// The profile log-likelihood of λ: the sample's response replaced by the
/// transformed `y`, refitted by REML, plus the log-Jacobian.
pub fn profile_log_likelihood(sample: &mut NestedSample, y: &[f64], t: Transformation) -> Result<f64, SaeError> {
    let transformed: Vec<f64> = y.iter().map(|&y| t.forward(y)).collect();
    if transformed.iter().any(|t| !t.is_finite()) {
        return Err(SaeError::Parameter("the transformation is undefined for some y (y + shift ≤ 0)"));
    }
    sample.set_response(&transformed);
    let fit = sample.fit_reml()?;
    Ok(sample.reml_log_likelihood(&fit)? + t.log_jacobian(y))
}

/// λ̂ maximising [`profile_log_likelihood`] over [`LAMBDA_RANGE`] for the
/// shift given: a grid of 21 points, then golden-section search in the
/// bracket around the best (to 1e-6). `sample` is left holding the
/// response transformed by the λ̂ found.
pub fn choose_lambda(sample: &mut NestedSample, y: &[f64], shift: f64) -> Result<f64, SaeError> {
    let mut ll = |lambda: f64| profile_log_likelihood(sample, y, Transformation::BoxCox { lambda, shift });
    let (lo, hi) = LAMBDA_RANGE;
    const GRID: usize = 21;
    let grid: Vec<f64> = (0..GRID).map(|i| lo + (hi - lo) * i as f64 / (GRID - 1) as f64).collect();
    let mut best = (f64::NEG_INFINITY, 0);
    for (i, &lambda) in grid.iter().enumerate() {
        if let Ok(v) = ll(lambda)
            && v > best.0
        {
            best = (v, i);
        }
    }
    if !best.0.is_finite() {
        return Err(SaeError::NoConvergence);
    }
    let (mut a, mut b) = (grid[best.1.saturating_sub(1)], grid[(best.1 + 1).min(GRID - 1)]);
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    let (mut c, mut d) = (b - phi * (b - a), a + phi * (b - a));
    let (mut fc, mut fd) = (ll(c)?, ll(d)?);
    while b - a > 1e-6 {
        if fc < fd {
            (a, c, fc) = (c, d, fd);
            d = a + phi * (b - a);
            fd = ll(d)?;
        } else {
            (b, d, fd) = (d, c, fc);
            c = b - phi * (b - a);
            fc = ll(c)?;
        }
    }
    let middle = (a + b) / 2.0;
    let lambda = if ll(middle)? >= best.0 { middle } else { grid[best.1] };
    // Leave the sample on the chosen λ.
    ll(lambda)?;
    Ok(lambda)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transformation_and_its_inverse_by_hand() {
        let sqrt = Transformation::BoxCox { lambda: 0.5, shift: 0.0 };
        // ((9)^0.5 − 1)/0.5 = 4; back: (0.5·4 + 1)^2 = 9.
        assert_eq!(sqrt.forward(9.0), 4.0);
        assert_eq!(sqrt.inverse(4.0), 9.0);
        let shifted = Transformation::BoxCox { lambda: 0.0, shift: 2.0 };
        assert!((shifted.forward(-1.0) - 0.0).abs() < 1e-15, "log(−1 + 2) = 0");
        assert!((shifted.inverse(0.0) - -1.0).abs() < 1e-15);
        assert!(sqrt.forward(-1.0).is_nan());
        // Below the range of λ = 0.5: the smallest value, −s.
        assert_eq!(sqrt.inverse(-3.0), 0.0);
        assert_eq!(Transformation::BoxCox { lambda: -0.5, shift: 0.0 }.inverse(2.5), f64::INFINITY);
        for y in [0.5, 1.0, 7.0, 12_345.6] {
            for lambda in [-0.7, 0.0, 0.3, 1.0, 1.8] {
                let t = Transformation::BoxCox { lambda, shift: 0.0 };
                assert!((t.inverse(t.forward(y)) - y).abs() <= 1e-9 * y, "{lambda} {y}");
            }
            assert!((Transformation::Log.inverse(Transformation::Log.forward(y)) - y).abs() <= 1e-12 * y);
        }
        assert_eq!(default_shift(&[3.0, 0.5]), 0.0);
        assert_eq!(default_shift(&[3.0, -2.0]), 3.0);
    }

    /// A sample of 6 domains × 30 units whose log is normal with a domain
    /// effect: the chosen λ is near 0.
    fn lognormal_sample() -> (NestedSample, Vec<f64>) {
        let mut state: u64 = 7;
        let mut uniform = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let (mut y, mut x, mut dom) = (Vec::new(), Vec::new(), Vec::new());
        for d in 0..6 {
            let u = [0.3, -0.2, 0.1, -0.4, 0.25, 0.0][d];
            for _ in 0..30 {
                let xi = uniform() * 2.0;
                // Box–Muller for a normal error.
                let e = (-2.0 * uniform().ln()).sqrt() * (std::f64::consts::TAU * uniform()).cos();
                y.push((8.0 + 0.5 * xi + u + 0.4 * e).exp());
                x.push(xi);
                dom.push(d);
            }
        }
        let logs: Vec<f64> = y.iter().map(|v| v.ln()).collect();
        (NestedSample::new(&logs, &x, 1, &dom, 6).unwrap(), y)
    }

    #[test]
    fn lambda_is_near_zero_for_a_lognormal_response() {
        let (mut sample, y) = lognormal_sample();
        let lambda = choose_lambda(&mut sample, &y, 0.0).unwrap();
        assert!(lambda.abs() < 0.15, "{lambda}");
        // It maximises the profile: neighbours are no higher.
        let mut at =
            |l: f64| profile_log_likelihood(&mut sample, &y, Transformation::BoxCox { lambda: l, shift: 0.0 }).unwrap();
        let best = at(lambda);
        assert!(best >= at(lambda - 0.05) && best >= at(lambda + 0.05) && best >= at(1.0));
        let at_zero = at(0.0);
        // And the log is λ = 0 of the family, likelihood and all.
        let log = profile_log_likelihood(&mut sample, &y, Transformation::Log).unwrap();
        assert!((log - at_zero).abs() < 1e-9, "{log}");
    }

    #[test]
    fn lambda_is_near_a_half_for_a_squared_normal_response() {
        let (mut sample, y) = lognormal_sample();
        // √y normal (≈ 5 + domain effect + noise): y = that squared.
        let logs: Vec<f64> = y.iter().map(|v| v.ln()).collect();
        let squared: Vec<f64> = logs.iter().map(|t| (3.0 * (t - 8.5) + 6.0).powi(2)).collect();
        let lambda = choose_lambda(&mut sample, &squared, 0.0).unwrap();
        assert!((lambda - 0.5).abs() < 0.25, "{lambda}");
    }
}
