//! Convergence and catching up, for the evidence brief on a region (issue
//! 18): σ-convergence (the dispersion of log values across regions, year by
//! year), β-convergence (growth regressed on the initial level: Barro and
//! Sala-i-Martin 1992; the speed β = −ln(1 + bT)/T and the half-life
//! ln 2/β), trends by least squares on logs, and the years a gap to a
//! reference takes to close at given or trend growth.
//!
//! And the arithmetic of pairing assistance (methods.md §4): a donor's
//! obligation as a share of its revenue of a past year, or an amount
//! growing by a rate each year, and fulfilment against it.

/// A least-squares line y = a + b·x with the standard error of b.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    /// The intercept a.
    pub intercept: f64,
    /// The slope b.
    pub slope: f64,
    /// The standard error of b: √(s² / Sxx), s² = SSR / (n − 2); 0 for a
    /// line through two points.
    pub slope_se: f64,
    /// How many points it was fitted to.
    pub n: usize,
}

/// Ordinary least squares of `y` on `x`; `None` for fewer than two points
/// or when every x is the same (no slope can be fitted).
pub fn least_squares(x: &[f64], y: &[f64]) -> Option<Line> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    let (x, y) = (&x[..n], &y[..n]);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n as f64;
    let (mx, my) = (mean(x), mean(y));
    let sxx: f64 = x.iter().map(|xi| (xi - mx).powi(2)).sum();
    if sxx <= 0.0 || !sxx.is_finite() {
        return None;
    }
    let sxy: f64 = x.iter().zip(y).map(|(xi, yi)| (xi - mx) * (yi - my)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let slope_se = if n > 2 {
        let ssr: f64 = x.iter().zip(y).map(|(xi, yi)| (yi - intercept - slope * xi).powi(2)).sum();
        (ssr / (n - 2) as f64 / sxx).sqrt()
    } else {
        0.0
    };
    Some(Line { intercept, slope, slope_se, n })
}

/// σ-convergence: the standard deviation (population form) of ln y across
/// regions; `None` when a value is not positive or there are none.
pub fn sigma(values: &[f64]) -> Option<f64> {
    if values.is_empty() || values.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return None;
    }
    let logs: Vec<f64> = values.iter().map(|v| v.ln()).collect();
    let mean = logs.iter().sum::<f64>() / logs.len() as f64;
    Some((logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / logs.len() as f64).sqrt())
}

/// β-convergence over `years` years.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BetaConvergence {
    /// The regression of average annual log growth on the initial log level.
    pub line: Line,
    /// The implied speed β = −ln(1 + bT)/T (per year); `None` when 1 + bT
    /// is not positive.
    pub speed: Option<f64>,
    /// ln 2 / β, the years to close half the gap; `None` unless β > 0
    /// (no convergence).
    pub half_life: Option<f64>,
}

/// Absolute β-convergence: regions' average annual growth
/// g_i = ln(y_iT / y_i0) / T regressed on ln y_i0; a negative slope b
/// means the poorer grew faster. `pairs` are (y_i0, y_iT); regions with a
/// value that is not positive are left out.
pub fn beta_convergence(pairs: &[(f64, f64)], years: f64) -> Option<BetaConvergence> {
    if !(years.is_finite() && years > 0.0) {
        return None;
    }
    let kept: Vec<(f64, f64)> =
        pairs.iter().copied().filter(|(a, b)| a.is_finite() && b.is_finite() && *a > 0.0 && *b > 0.0).collect();
    let x: Vec<f64> = kept.iter().map(|(a, _)| a.ln()).collect();
    let g: Vec<f64> = kept.iter().map(|(a, b)| (b / a).ln() / years).collect();
    let line = least_squares(&x, &g)?;
    let base = 1.0 + line.slope * years;
    let speed = (base > 0.0).then(|| -base.ln() / years);
    let half_life = speed.filter(|b| *b > 0.0).map(|b| std::f64::consts::LN_2 / b);
    Some(BetaConvergence { line, speed, half_life })
}

/// Years for a region at `ratio` of a reference (0 < ratio < 1) to reach
/// it when the region grows by `region_growth` a year and the reference by
/// `reference_growth`: ln(1/ratio) / ln((1 + g_r)/(1 + g_n)). `Some(0)`
/// when there is no gap; `None` when the gap does not close at these rates.
pub fn years_to_close(ratio: f64, region_growth: f64, reference_growth: f64) -> Option<f64> {
    if !(ratio.is_finite() && ratio > 0.0) {
        return None;
    }
    if ratio >= 1.0 {
        return Some(0.0);
    }
    let relative = ((1.0 + region_growth) / (1.0 + reference_growth)).ln();
    (relative.is_finite() && relative > 0.0).then(|| (1.0 / ratio).ln() / relative)
}

/// The years to close a gap at its recent trend, with an interval: the
/// region-to-reference ratio's log is fitted against the year; at the
/// slope m the gap closes in −ln(r_last)/m years, and the interval takes
/// m ± 1.96 standard errors (a normal approximation; at a bound that does
/// not close the gap, that end is open: `None`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CatchingUp {
    /// The fitted trend of ln(ratio) per year.
    pub trend: Line,
    /// Years to close at the trend, if it narrows the gap.
    pub years: Option<f64>,
    /// Years at the faster end of the interval.
    pub soonest: Option<f64>,
    /// Years at the slower end (`None`: it may never close).
    pub latest: Option<f64>,
}

/// [`CatchingUp`] from `(year, ratio)` points, the last the latest.
pub fn catching_up(points: &[(i32, f64)]) -> Option<CatchingUp> {
    let kept: Vec<(f64, f64)> =
        points.iter().filter(|(_, r)| r.is_finite() && *r > 0.0).map(|(y, r)| (f64::from(*y), r.ln())).collect();
    let (x, y): (Vec<f64>, Vec<f64>) = kept.iter().copied().unzip();
    let trend = least_squares(&x, &y)?;
    let last = *y.last()?;
    let gap = -last;
    let at = |m: f64| {
        if gap <= 0.0 { Some(0.0) } else { (m > 0.0).then(|| gap / m) }
    };
    let spread = 1.96 * trend.slope_se;
    Some(CatchingUp {
        trend,
        years: at(trend.slope),
        soonest: at(trend.slope + spread),
        latest: at(trend.slope - spread),
    })
}

/// How a donor's yearly obligation is set (methods.md §4).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ObligationRule {
    /// A share of the donor's fiscal revenue `lag` years before (0.003 to
    /// 0.006 for Xinjiang, 0.001 for Tibet, 0.01 for disaster counterpart
    /// aid, with a lag of one year).
    RevenueShare {
        /// The share.
        share: f64,
        /// Which earlier year's revenue: 1 for the previous year.
        lag: i32,
    },
    /// An amount in the first year, growing by `growth` a year (0.08: the
    /// 8% a year of aid to each Xinjiang recipient).
    Growing {
        /// The first year's amount.
        base: f64,
        /// The yearly growth.
        growth: f64,
    },
}

/// The obligation in `year` of a pairing that started in `start`:
/// share × revenue(year − lag), `revenue` giving a donor's revenue of a
/// year; or base × (1 + growth)^(year − start). `None` when the revenue
/// of the year it needs is not known, or the year is before the start.
pub fn obligation(rule: ObligationRule, start: i32, year: i32, revenue: impl Fn(i32) -> Option<f64>) -> Option<f64> {
    if year < start {
        return None;
    }
    match rule {
        ObligationRule::RevenueShare { share, lag } => revenue(year - lag).map(|r| share * r),
        ObligationRule::Growing { base, growth } => Some(base * (1.0 + growth).powi(year - start)),
    }
}

/// Fulfilment: what was delivered over what was due (`None` when nothing
/// was due).
pub fn fulfilment(delivered: f64, due: f64) -> Option<f64> {
    (due > 0.0).then(|| delivered / due)
}

/// A recommendation the evidence brief draws from an indicator's standing
/// and trend, by stated thresholds (issue 18).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Recommendation {
    /// Far behind the reference (standing below [`FAR_BEHIND`]) and the gap
    /// widening: a priority for support.
    Priority {
        /// The standing (region ÷ reference, oriented so that 1 is par).
        standing: f64,
    },
    /// Behind and the gap widening: reverse the trend.
    Widening {
        /// The standing.
        standing: f64,
    },
    /// Behind, and at the trend the gap closes only after more than
    /// [`SLOW_YEARS`] years: speed up.
    Slow {
        /// Years to close at the trend.
        years: f64,
    },
    /// Behind but catching up in reasonable time: keep the course.
    Closing {
        /// Years to close at the trend.
        years: f64,
    },
    /// At or above the reference.
    AtPar,
}

/// Below this standing a region is far behind (60% of the reference).
pub const FAR_BEHIND: f64 = 0.6;
/// A gap that takes longer than this to close at the trend closes slowly.
pub const SLOW_YEARS: f64 = 20.0;

/// The recommendation for an indicator at `standing` (region ÷ reference,
/// oriented so that below 1 is behind) whose gap evolves as `trend` (from
/// [`catching_up`]; `None` when there is no series to fit).
pub fn recommend(standing: f64, trend: Option<&CatchingUp>) -> Recommendation {
    if standing >= 1.0 {
        return Recommendation::AtPar;
    }
    let widening = trend.is_some_and(|t| t.trend.slope < 0.0);
    match (widening, trend.and_then(|t| t.years)) {
        (true, _) if standing < FAR_BEHIND => Recommendation::Priority { standing },
        (true, _) => Recommendation::Widening { standing },
        (false, Some(years)) if years > SLOW_YEARS => Recommendation::Slow { years },
        (false, Some(years)) => Recommendation::Closing { years },
        (false, None) if standing < FAR_BEHIND => Recommendation::Priority { standing },
        (false, None) => Recommendation::Widening { standing },
    }
}

#[cfg(test)]
mod tests;
