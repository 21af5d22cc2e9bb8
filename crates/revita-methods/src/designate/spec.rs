//! A designation method as a planner writes it: a named, versioned JSON
//! spec naming the universe, the indicators and the method, checked before
//! any run so that a spec that could never run is refused with a reason.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::DesignateError;
use crate::composite;
use crate::rules::{Comparison, Rule, Threshold};

/// A named, versioned designation method, as saved in a JSON file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DesignationSpec {
    /// What the method designates, e.g. "Education-lagging counties".
    pub name: String,
    /// The spec's own version, raised on every change.
    #[serde(default = "one")]
    pub version: u32,
    /// The regions compared.
    pub universe: Universe,
    /// The indicators, in order.
    pub indicators: Vec<SpecIndicator>,
    /// Years averaged, ending at the run's year (3 for a three-year average).
    #[serde(default = "one")]
    pub years: u32,
    /// What to do with a region that lacks a value.
    #[serde(default)]
    pub missing: Missing,
    /// How regions are classified.
    pub method: Method,
}

/// What a designation run does with a region lacking an indicator's value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// Leave the region out (a rule that is decided without the value still
    /// decides it) and list it with the reason.
    #[default]
    Exclude,
    /// Take the universe's (unweighted) mean of the indicator, and mark the
    /// value as imputed.
    Mean,
    /// Take the universe's median of the indicator, and mark it as imputed.
    Median,
}

/// The most years a spec may average (a guard against typos such as 2020).
const MAX_YEARS: u32 = 50;

fn one() -> u32 {
    1
}

/// The regions a method compares.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Universe {
    /// Their level (e.g. `county`).
    pub level: String,
    /// Only those within this region (the whole country when absent).
    pub within: Option<String>,
    /// Only those holding a designation of this category (a keyword such as
    /// `resource_based_city`), e.g. to class the designated resource-based
    /// cities by type.
    #[serde(default)]
    pub designated: Option<String>,
}

/// One indicator of a method.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpecIndicator {
    /// Its code.
    pub code: String,
    /// Overrides the catalogue's direction (`higher_is_better`, `lower_is_better`).
    pub direction: Option<String>,
    /// What its values are compared with (default: the universe's
    /// unweighted mean).
    pub reference: Option<ReferenceSpec>,
}

/// The reference an indicator's values are compared with.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ReferenceSpec {
    /// A fixed value, e.g. a published national rate.
    Fixed(f64),
    /// The mean over a peer group: the universe's regions within this
    /// region (e.g. a province's counties).
    PeerGroup(String),
    /// The universe's mean weighted by another indicator (e.g. population,
    /// so that the reference is the universe's per-head figure, as for the
    /// EU's GDP per head).
    WeightedBy(String),
}

/// How a method classifies.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Method {
    /// ARC-style index and rank with percentile bands, worst first.
    Index {
        /// Bands, worst first, each up to a share of the ranking.
        bands: Vec<Band>,
    },
    /// A threshold rule; regions that meet it are designated.
    Rule {
        /// The rule.
        rule: RuleSpec,
    },
    /// A composite index (methods.md §1.7): indicators normalised, weighted,
    /// combined by a weighted sum or TOPSIS closeness (higher is better),
    /// ranked worst first and classed.
    Composite {
        /// How indicators are scaled before a weighted sum (TOPSIS always
        /// uses vector normalisation).
        #[serde(default)]
        normalisation: NormalisationSpec,
        /// Where the weights come from.
        weights: WeightsSpec,
        /// How the weighted indicators are combined.
        #[serde(default)]
        score: ScoreSpec,
        /// How scores are classed, worst first.
        classes: ClassesSpec,
    },
    /// Two dimensions cut into high and low, their quadrants the four types
    /// of resource-based city (国发〔2013〕45号; [`crate::resource_city`]):
    /// resource-security and sustainable-development capacity, each a
    /// weighted mean of min–max scaled indicators.
    Quadrant {
        /// The indicators of resource-security capacity, with weights.
        security: Vec<DimensionPart>,
        /// The indicators of sustainable-development capacity.
        sustainability: Vec<DimensionPart>,
        /// Where security is cut (default: the median).
        #[serde(default)]
        security_cut: crate::resource_city::Cut,
        /// Where sustainability is cut (default: the median).
        #[serde(default)]
        sustainability_cut: crate::resource_city::Cut,
    },
}

/// An indicator's place in a dimension of the quadrant method.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionPart {
    /// The indicator's code (one of the spec's indicators).
    pub code: String,
    /// Its weight in the dimension (default 1; normalised to sum to 1).
    #[serde(default = "unit_weight")]
    pub weight: f64,
}

fn unit_weight() -> f64 {
    1.0
}

/// The normalisation of a composite index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NormalisationSpec {
    /// Range normalisation to [0, 1], 1 the best.
    #[default]
    MinMax,
    /// z-scores, higher is better.
    ZScore,
}

/// Where a composite index's weights come from.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightsSpec {
    /// Every indicator weighs the same.
    Equal,
    /// The entropy method, from the range-normalised values: indicators that
    /// separate regions more weigh more.
    Entropy,
    /// Set by hand, one per indicator, summing to 1.
    Manual(Vec<f64>),
    /// From an AHP pairwise comparison matrix (Saaty's 1–9 scale): its
    /// principal eigenvector; the run reports the consistency ratio and warns
    /// at CR ≥ 0.1.
    Ahp(Vec<Vec<f64>>),
}

/// How a composite index combines the weighted indicators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreSpec {
    /// Σ w·normalised value.
    #[default]
    WeightedSum,
    /// TOPSIS closeness to the ideal point.
    Topsis,
}

/// How composite scores are classed; labels run worst first.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassesSpec {
    /// Classes of (nearly) equal counts, by quantiles of the scores.
    Quantiles(Vec<String>),
    /// Fisher–Jenks natural breaks of the scores.
    NaturalBreaks(Vec<String>),
    /// Fixed cut points: a score below `cuts[0]` is in the first class, …,
    /// from the last cut up in the last; one more label than cuts.
    Thresholds {
        /// Ascending cut points.
        cuts: Vec<f64>,
        /// Labels, worst (lowest score) first.
        labels: Vec<String>,
    },
}

impl ClassesSpec {
    pub(crate) fn labels(&self) -> &[String] {
        match self {
            ClassesSpec::Quantiles(labels) | ClassesSpec::NaturalBreaks(labels) => labels,
            ClassesSpec::Thresholds { labels, .. } => labels,
        }
    }
}

/// A percentile band: ranks worst first up to `upper` (a share, 0–1].
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Upper bound of the rank position, exclusive (1.0 for the last band).
    pub upper: f64,
    /// Its label, e.g. `distressed`.
    pub label: String,
}

/// A rule as written in a spec: a threshold on an indicator code, or a
/// combination.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleSpec {
    /// The indicator's value is at most `share` × the reference.
    AtMost {
        /// Indicator code.
        indicator: String,
        /// Share of the reference (0.75 for 75%).
        share: f64,
    },
    /// The indicator's value is at least `share` × the reference.
    AtLeast {
        /// Indicator code.
        indicator: String,
        /// Share of the reference.
        share: f64,
    },
    /// The indicator's value is below `share` × the reference (strictly:
    /// the EU's "less than 75%").
    LessThan {
        /// Indicator code.
        indicator: String,
        /// Share of the reference.
        share: f64,
    },
    /// The indicator's value is above `share` × the reference (strictly).
    GreaterThan {
        /// Indicator code.
        indicator: String,
        /// Share of the reference.
        share: f64,
    },
    /// Every rule holds.
    All(Vec<RuleSpec>),
    /// Some rule holds.
    Any(Vec<RuleSpec>),
    /// At least `k` of the rules hold.
    KOfN {
        /// How many must hold.
        k: usize,
        /// The rules.
        rules: Vec<RuleSpec>,
    },
}

impl RuleSpec {
    /// The rule over indicator positions, refusing what could never be
    /// decided sensibly: an unknown indicator, a share that is not a
    /// positive number, an empty combination, or k greater than n.
    pub(crate) fn compile(&self, index: &HashMap<&str, usize>) -> Result<Rule, DesignateError> {
        fn invalid<T>(reason: String) -> Result<T, DesignateError> {
            Err(DesignateError::Spec(reason))
        }
        let threshold = |code: &str, comparison, share: f64| {
            let Some(&indicator) = index.get(code) else {
                return invalid(format!("the rule names {code}, which is not among the indicators"));
            };
            if !(share.is_finite() && share > 0.0) {
                return invalid(format!("the share for {code} must be a positive number, not {share}"));
            }
            Ok(Rule::Threshold(Threshold { indicator, comparison, share }))
        };
        let all = |rules: &[RuleSpec]| {
            if rules.is_empty() {
                return invalid("all, any and k_of_n need at least one rule".into());
            }
            rules.iter().map(|r| r.compile(index)).collect::<Result<Vec<_>, _>>()
        };
        match self {
            RuleSpec::AtMost { indicator, share } => threshold(indicator, Comparison::AtMost, *share),
            RuleSpec::AtLeast { indicator, share } => threshold(indicator, Comparison::AtLeast, *share),
            RuleSpec::LessThan { indicator, share } => threshold(indicator, Comparison::LessThan, *share),
            RuleSpec::GreaterThan { indicator, share } => threshold(indicator, Comparison::GreaterThan, *share),
            RuleSpec::All(rules) => Ok(Rule::All(all(rules)?)),
            RuleSpec::Any(rules) => Ok(Rule::Any(all(rules)?)),
            RuleSpec::KOfN { k, rules } if *k > rules.len() => {
                invalid(format!("k_of_n asks for {k} of only {} rules", rules.len()))
            }
            RuleSpec::KOfN { k, rules } => Ok(Rule::AtLeast(*k, all(rules)?)),
        }
    }
}

impl DesignationSpec {
    /// The spec as read (from its JSON form), if it could ever run: at
    /// least one indicator, 1 to 50 years, usable references, bands, rules,
    /// weights and classes; otherwise what is wrong.
    pub fn checked(self) -> Result<DesignationSpec, DesignateError> {
        let spec = self;
        if spec.indicators.is_empty() || !(1..=MAX_YEARS).contains(&spec.years) {
            return Err(DesignateError::Spec(format!("needs at least one indicator, and 1 to {MAX_YEARS} years")));
        }
        for i in &spec.indicators {
            if let Some(ReferenceSpec::Fixed(v)) = &i.reference
                && !(v.is_finite() && *v != 0.0)
            {
                return Err(DesignateError::Spec(format!(
                    "the fixed reference for {} must be a non-zero number",
                    i.code
                )));
            }
        }
        match &spec.method {
            Method::Index { bands } => {
                let ascending = bands.windows(2).all(|w| w[0].upper < w[1].upper);
                let bounded =
                    bands.first().is_some_and(|b| b.upper > 0.0) && bands.last().is_some_and(|b| b.upper == 1.0);
                if !ascending || !bounded {
                    return Err(DesignateError::Spec(
                        "bands must rise strictly from above 0 and the last must end at 1.0".into(),
                    ));
                }
            }
            Method::Rule { rule } => {
                rule.compile(&spec.indicator_positions())?;
            }
            Method::Composite { normalisation, weights, score, classes } => {
                check_composite(spec.indicators.len(), *normalisation, weights, *score, classes)?
            }
            Method::Quadrant { security, sustainability, security_cut, sustainability_cut } => check_quadrant(
                &spec.indicator_positions(),
                security,
                sustainability,
                [*security_cut, *sustainability_cut],
            )?,
        }
        Ok(spec)
    }

    /// Each indicator code's position in the spec.
    pub(crate) fn indicator_positions(&self) -> HashMap<&str, usize> {
        self.indicators.iter().enumerate().map(|(k, i)| (i.code.as_str(), k)).collect()
    }
}

/// Refuses a composite method that could not run: weights that do not fit
/// the indicators, an AHP matrix that is not reciprocal, TOPSIS with
/// z-scores, classes without labels or cuts that do not rise.
fn check_composite(
    indicators: usize,
    normalisation: NormalisationSpec,
    weights: &WeightsSpec,
    score: ScoreSpec,
    classes: &ClassesSpec,
) -> Result<(), DesignateError> {
    let invalid = |reason: String| Err(DesignateError::Spec(reason));
    match weights {
        WeightsSpec::Manual(w) if w.len() != indicators => {
            return invalid(format!("{} manual weights for {indicators} indicators", w.len()));
        }
        WeightsSpec::Manual(w) if w.iter().any(|x| !(x.is_finite() && *x >= 0.0)) => {
            return invalid("manual weights must be non-negative numbers".into());
        }
        WeightsSpec::Manual(w) if (w.iter().sum::<f64>() - 1.0).abs() > 1e-6 => {
            return invalid(format!("manual weights must sum to 1, not {}", w.iter().sum::<f64>()));
        }
        WeightsSpec::Ahp(matrix) if matrix.len() != indicators => {
            return invalid(format!("the AHP matrix has {} rows for {indicators} indicators", matrix.len()));
        }
        WeightsSpec::Ahp(matrix) => {
            if let Err(e) = composite::ahp(matrix) {
                return invalid(format!("AHP: {e}"));
            }
        }
        _ => {}
    }
    if score == ScoreSpec::Topsis && normalisation == NormalisationSpec::ZScore {
        return invalid("TOPSIS uses vector normalisation; leave normalisation out or set it to min_max".into());
    }
    if classes.labels().is_empty() {
        return invalid("classes need at least one label".into());
    }
    if let ClassesSpec::Thresholds { cuts, labels } = classes
        && (labels.len() != cuts.len() + 1
            || !cuts.windows(2).all(|w| w[0] < w[1])
            || cuts.iter().any(|c| !c.is_finite()))
    {
        return invalid("thresholds need rising cuts and one more label than cuts".into());
    }
    Ok(())
}

/// Refuses a quadrant method whose dimensions are empty, name indicators
/// the spec lacks (or one twice), weigh by a non-positive number, or cut
/// outside [0, 1].
fn check_quadrant(
    positions: &HashMap<&str, usize>,
    security: &[DimensionPart],
    sustainability: &[DimensionPart],
    cuts: [crate::resource_city::Cut; 2],
) -> Result<(), DesignateError> {
    let invalid = |reason: String| Err(DesignateError::Spec(reason));
    let mut seen = std::collections::HashSet::new();
    for (name, parts) in [("security", security), ("sustainability", sustainability)] {
        if parts.is_empty() {
            return invalid(format!("the {name} dimension needs at least one indicator"));
        }
        for p in parts {
            if !positions.contains_key(p.code.as_str()) {
                return invalid(format!("{name}: {} is not one of the spec's indicators", p.code));
            }
            if !seen.insert(p.code.as_str()) {
                return invalid(format!("{} is in a dimension twice", p.code));
            }
            if !(p.weight.is_finite() && p.weight > 0.0) {
                return invalid(format!("{name}: the weight of {} must be a positive number", p.code));
            }
        }
    }
    for cut in cuts {
        if let crate::resource_city::Cut::Fixed(v) = cut
            && !(0.0..=1.0).contains(&v)
        {
            return invalid(format!("a fixed cut of {v} is outside 0 to 1 (scores are scaled to 0–1)"));
        }
    }
    Ok(())
}
