//! Small-area estimation of means and poverty indicators: direct survey
//! estimators, the Fay–Herriot area-level model and the empirical best
//! predictor (EBP) under the nested-error unit-level model.
//!
//! - [`direct`]: Horvitz–Thompson / Hájek domain means, the FGT headcount and
//!   gap (Foster, Greer & Thorbecke 1984) and the weighted Gini, each with a
//!   linearisation variance under the with-replacement approximation.
//! - [`fh`]: the Fay–Herriot model (Fay & Herriot 1979) fitted by REML or ML
//!   (Fisher scoring), the EBLUP with its Prasad–Rao MSE (Prasad & Rao 1990;
//!   Datta & Lahiri 2000 for ML), a parametric bootstrap MSE, synthetic
//!   predictions for out-of-sample areas and log / arcsine-square-root
//!   transformations.
//! - [`nested`]: the nested-error regression model (Battese, Harter & Fuller
//!   1988) fitted by REML from per-domain sufficient statistics.
//! - [`spatial`]: the spatial Fay–Herriot model with SAR area effects
//!   (Singh, Shukla & Kundu 2005; Petrucci & Salvati 2006) by REML or ML,
//!   its EBLUP with the analytic MSE of Singh et al. and a parametric
//!   bootstrap MSE, and row-standardised contiguity matrices.
//! - [`ebp`]: the census EBP of Molina & Rao (2010) by Monte Carlo, with the
//!   parametric bootstrap MSE of González-Manteiga et al. (2008).
//! - [`table`]: a fast, exact parser for the plain numeric CSV of unit-level
//!   samples and censuses.
//!
//! Everything is pure: random draws come from seeded streams (a `u64` seed is
//! a parameter), and the only concurrency is `std::thread::scope` over domains
//! whose streams are independent of the thread that runs them, so a result
//! depends on the seed alone.

pub mod boxcox;
pub mod direct;
pub mod ebp;
pub mod fh;
mod linalg;
pub mod nested;
#[cfg(test)]
mod reference;
mod rng;
mod root;
#[cfg(target_arch = "x86_64")]
mod simd;
pub mod spatial;
pub mod table;

/// Why a small-area computation cannot be done on its input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SaeError {
    /// No observations (units or areas) to work with.
    #[error("no observations")]
    Empty,
    /// Two inputs that must have matching lengths do not.
    #[error("{what}: expected {expected} values, found {found}")]
    Length {
        /// Which input.
        what: &'static str,
        /// The length implied by the other inputs.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// A value is NaN or infinite.
    #[error("{what}: value {index} is not finite")]
    NonFinite {
        /// Which input.
        what: &'static str,
        /// Its position.
        index: usize,
    },
    /// A value that must be positive (a weight, a variance, an income under a
    /// log) is not.
    #[error("{what}: value {index} must be positive")]
    NonPositive {
        /// Which input.
        what: &'static str,
        /// Its position.
        index: usize,
    },
    /// A value lies outside its allowed range (a proportion outside [0, 1]).
    #[error("{what}: value {index} is out of range")]
    OutOfRange {
        /// Which input.
        what: &'static str,
        /// Its position.
        index: usize,
    },
    /// A value that must not be negative (a proximity weight) is.
    #[error("{what}: value {index} is negative")]
    Negative {
        /// Which input.
        what: &'static str,
        /// Its position.
        index: usize,
    },
    /// A row of a proximity matrix sums to neither 1 nor 0.
    #[error("proximity: row {row} sums to neither 1 nor 0 (not row-standardised)")]
    NotRowStandardised {
        /// The row, counted from 0.
        row: usize,
    },
    /// A domain index is not below the number of domains.
    #[error("domain index {index} is not below the number of domains {domains}")]
    Domain {
        /// The offending index.
        index: usize,
        /// The number of domains.
        domains: usize,
    },
    /// Fewer observations than the model has fixed parameters (plus one for
    /// the variance).
    #[error("{n} observations are too few for {p} regression coefficients")]
    TooFew {
        /// Observations.
        n: usize,
        /// Coefficients.
        p: usize,
    },
    /// The covariates are collinear (X'V⁻¹X is not positive definite).
    #[error("the design matrix is singular (collinear covariates)")]
    Singular,
    /// The variance-component iteration did not converge.
    #[error("the variance estimation did not converge")]
    NoConvergence,
    /// A parameter (replicate count, poverty line, …) is invalid.
    #[error("invalid parameter: {0}")]
    Parameter(&'static str),
}

/// Fails on the first NaN or infinite value.
fn check_finite(what: &'static str, values: &[f64]) -> Result<(), SaeError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(SaeError::NonFinite { what, index }),
        None => Ok(()),
    }
}

/// Fails unless `found == expected`.
fn check_len(what: &'static str, expected: usize, found: usize) -> Result<(), SaeError> {
    if expected == found { Ok(()) } else { Err(SaeError::Length { what, expected, found }) }
}
