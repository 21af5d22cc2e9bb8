//! Rolling child regions' values up to their parent, with coverage.
//!
//! A parent's total is only as good as the children that reported. Every
//! roll-up therefore returns how many children were expected and how many
//! contributed, so that a partial sum is never shown as complete: a province
//! total from 80 of its 88 counties is labelled "80 / 88", not passed off as
//! the province's figure.
//!
//! Rules (revita's own, documented in the user guide):
//! - `sum`: Σ v over children with a value.
//! - `mean`: (Σ v) / n over children with a value.
//! - `weighted_mean` by indicator w: (Σ w·v) / (Σ w) over children with both a
//!   value and a positive weight; a child with a value but no weight does not
//!   count as reported, because it cannot be placed in the mean.
//! - `none`: no value; the indicator does not roll up.
//!
//! With no contributing child the value is `None`, never 0.

use crate::indicator::Aggregation;

/// One child's value and, for weighted means, its weight.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ChildValue {
    /// The child's value, if reported.
    pub value: Option<f64>,
    /// The child's weight, if reported (only read by weighted means).
    pub weight: Option<f64>,
}

/// A rolled-up value with its coverage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aggregate {
    /// The parent's value from the contributing children, if any.
    pub value: Option<f64>,
    /// Children that contributed.
    pub reported: usize,
    /// Children there are.
    pub expected: usize,
}

impl Aggregate {
    /// Whether every child contributed.
    pub fn is_complete(&self) -> bool {
        self.value.is_some() && self.reported == self.expected
    }

    /// Share of children that contributed, in [0, 1] (1 when there are none).
    pub fn coverage(&self) -> f64 {
        if self.expected == 0 { 1.0 } else { self.reported as f64 / self.expected as f64 }
    }
}

/// Rolls `children` up by `method`. `children` holds one entry per child
/// region, reported or not, so that coverage can be counted.
pub fn aggregate(method: &Aggregation, children: &[ChildValue]) -> Aggregate {
    let expected = children.len();
    let (value, reported) = match method {
        Aggregation::Sum => {
            let values: Vec<f64> = children.iter().filter_map(|c| c.value).collect();
            (non_empty(&values).map(|v| v.iter().sum()), values.len())
        }
        Aggregation::Mean => {
            let values: Vec<f64> = children.iter().filter_map(|c| c.value).collect();
            (non_empty(&values).map(|v| v.iter().sum::<f64>() / v.len() as f64), values.len())
        }
        Aggregation::WeightedMean(_) => weighted_mean(children),
        Aggregation::None => (None, 0),
    };
    Aggregate { value, reported, expected }
}

fn non_empty(values: &[f64]) -> Option<&[f64]> {
    (!values.is_empty()).then_some(values)
}

fn weighted_mean(children: &[ChildValue]) -> (Option<f64>, usize) {
    let pairs: Vec<(f64, f64)> =
        children.iter().filter_map(|c| Some((c.value?, c.weight.filter(|w| *w > 0.0)?))).collect();
    let total_weight: f64 = pairs.iter().map(|(_, w)| w).sum();
    if pairs.is_empty() {
        return (None, 0);
    }
    let weighted: f64 = pairs.iter().map(|(v, w)| v * w).sum();
    (Some(weighted / total_weight), pairs.len())
}

#[cfg(test)]
mod tests;
