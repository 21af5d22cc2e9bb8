//! Designation runs (methods.md §1): a method spec applied to the regions of
//! a universe, giving a ranked, classified table with the regions left out
//! and why, each region's index explained by its parts and by the smallest
//! change that would move it to another class.
//!
//! The index-and-rank method is ARC's (ratios to the universe reference,
//! inverted where higher is better, averaged ×100, ranked worst first,
//! banded by percentile); the rule method is [`crate::rules`]; the composite
//! index is [`crate::composite`] (min–max or z-scores, equal, entropy,
//! manual or AHP weights, weighted sum or TOPSIS) classed by quantiles,
//! natural breaks or fixed cuts ([`crate::classify`]).
//!
//! The caller gathers the inputs (the universe, each region's averaged
//! values, the references) from stored data; everything from there on is
//! computed here, without IO.

mod compare;
mod run;
mod spec;

pub use compare::{RunComparison, Transition};
pub use run::{
    Consistency, DesignationRun, Excluded, Explanation, NearestChange, RunInputs, RunRow, check_listable, run,
};
pub use spec::{
    Band, ClassesSpec, DesignationSpec, DimensionPart, Method, Missing, NormalisationSpec, ReferenceSpec, RuleSpec,
    ScoreSpec, SpecIndicator, Universe, WeightsSpec,
};

/// Why a spec cannot run, or a run cannot become a list.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DesignateError {
    /// The spec is malformed or could never run.
    #[error("designation spec: {0}")]
    Spec(String),
    /// An index or composite method over an indicator without a direction.
    #[error("{0} has no direction; give one in the spec (higher_is_better or lower_is_better)")]
    NoDirection(String),
    /// A composite index over fewer than two complete regions.
    #[error("a composite index needs at least two regions with every value")]
    TooFewRegions,
    /// The composite index cannot be computed from these values.
    #[error("composite index: {0}")]
    Composite(crate::composite::CompositeError),
    /// The composite scores cannot be classed as asked.
    #[error("composite classes: {0}")]
    Classes(crate::classify::ClassifyError),
    /// The run cannot become a designation list.
    #[error("designation list: {0}")]
    List(String),
}

#[cfg(test)]
mod tests;
