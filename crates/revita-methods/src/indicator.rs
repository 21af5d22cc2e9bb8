//! Indicators: what is measured, in which unit, which way is better, and how
//! values of child regions combine into their parent's value.

use std::fmt;

/// An indicator's code: ASCII letters, digits and `_`, `.` or `-`, starting
/// with a letter (e.g. `pop_total`, `urbanization_rate_pct`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IndicatorCode(String);

/// Why an indicator definition is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndicatorError {
    /// The code breaks the code rule.
    #[error("indicator code '{0}' must start with a letter and use only letters, digits, '_', '.' or '-'")]
    BadCode(String),
    /// Unknown direction keyword.
    #[error("direction '{0}' is not one of higher_is_better, lower_is_better, neutral")]
    BadDirection(String),
    /// Unknown aggregation keyword, or a weighted mean without its weight.
    #[error("aggregation '{0}' is not one of sum, weighted_mean (with a weight indicator), mean, none")]
    BadAggregation(String),
    /// The indicator has no name.
    #[error("indicator {0} has no Chinese name")]
    EmptyName(String),
    /// A weighted mean weighted by itself.
    #[error("indicator {0} cannot be weighted by itself")]
    SelfWeighted(String),
    /// A range whose bounds are not numbers or do not rise.
    #[error("indicator {0}: valid_min and valid_max must be numbers with valid_min ≤ valid_max")]
    BadRange(String),
}

impl IndicatorCode {
    /// Checks and wraps a code.
    pub fn parse(text: &str) -> Result<IndicatorCode, IndicatorError> {
        let text = text.trim();
        let mut chars = text.chars();
        let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
        if !starts_with_letter || !chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)) {
            return Err(IndicatorError::BadCode(text.to_string()));
        }
        Ok(IndicatorCode(text.to_string()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IndicatorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which way is better: used when ranking regions and inverting ratios in
/// composite indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// More is better (income, schooling).
    HigherIsBetter,
    /// Less is better (illiteracy, poverty incidence).
    LowerIsBetter,
    /// Neither (population, sex ratio).
    Neutral,
}

impl Direction {
    /// Parses the keyword used in files and the API.
    pub fn parse(text: &str) -> Result<Direction, IndicatorError> {
        match text.trim() {
            "higher_is_better" => Ok(Direction::HigherIsBetter),
            "lower_is_better" => Ok(Direction::LowerIsBetter),
            "neutral" | "" => Ok(Direction::Neutral),
            other => Err(IndicatorError::BadDirection(other.to_string())),
        }
    }

    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher_is_better",
            Direction::LowerIsBetter => "lower_is_better",
            Direction::Neutral => "neutral",
        }
    }
}

/// How children's values roll up to their parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Aggregation {
    /// Add up (populations, households, money).
    Sum,
    /// Mean weighted by another indicator, e.g. a rate weighted by the
    /// population it is a rate of.
    WeightedMean(IndicatorCode),
    /// Unweighted mean of the children.
    Mean,
    /// Does not roll up (ratios whose mean would mislead, e.g. sex ratio).
    None,
}

impl Aggregation {
    /// Parses the keyword and, for a weighted mean, its weight indicator.
    pub fn parse(keyword: &str, weight: Option<&str>) -> Result<Aggregation, IndicatorError> {
        let weight = weight.map(str::trim).filter(|w| !w.is_empty());
        match (keyword.trim(), weight) {
            ("sum", None) => Ok(Aggregation::Sum),
            ("mean", None) => Ok(Aggregation::Mean),
            ("none" | "", None) => Ok(Aggregation::None),
            ("weighted_mean", Some(w)) => Ok(Aggregation::WeightedMean(IndicatorCode::parse(w)?)),
            (other, _) => Err(IndicatorError::BadAggregation(other.to_string())),
        }
    }

    /// The keyword (without the weight).
    pub fn as_str(&self) -> &'static str {
        match self {
            Aggregation::Sum => "sum",
            Aggregation::WeightedMean(_) => "weighted_mean",
            Aggregation::Mean => "mean",
            Aggregation::None => "none",
        }
    }

    /// The weight indicator of a weighted mean.
    pub fn weight(&self) -> Option<&IndicatorCode> {
        match self {
            Aggregation::WeightedMean(w) => Some(w),
            _ => None,
        }
    }
}

/// An indicator definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    /// Unique code.
    pub code: IndicatorCode,
    /// Chinese name.
    pub name_zh: String,
    /// English name, where known.
    pub name_en: Option<String>,
    /// Unit of measurement, e.g. `persons`, `%`, `yuan per person`.
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// How it rolls up the hierarchy.
    pub aggregation: Aggregation,
    /// What it measures and how.
    pub description: Option<String>,
    /// Where the values come from.
    pub source: Option<String>,
    /// The values it can take (a share in percent: 0 to 100); a value
    /// outside is refused on import.
    pub range: ValueRange,
}

/// The values an indicator can take, each bound optional and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ValueRange {
    /// The least value.
    pub min: Option<f64>,
    /// The greatest value.
    pub max: Option<f64>,
}

impl ValueRange {
    /// Whether `value` lies in the range.
    pub fn contains(&self, value: f64) -> bool {
        self.min.is_none_or(|m| value >= m) && self.max.is_none_or(|m| value <= m)
    }

    /// The range as people write it: `0–100`, `≥ 0`, `≤ 1`.
    pub fn describe(&self) -> String {
        match (self.min, self.max) {
            (Some(lo), Some(hi)) => format!("{lo}–{hi}"),
            (Some(lo), None) => format!("≥ {lo}"),
            (None, Some(hi)) => format!("≤ {hi}"),
            (None, None) => "any value".into(),
        }
    }
}

impl Indicator {
    /// Checks the rules no parser can: a name, and no self-weighting.
    pub fn validate(&self) -> Result<(), IndicatorError> {
        if self.name_zh.trim().is_empty() {
            return Err(IndicatorError::EmptyName(self.code.to_string()));
        }
        if self.aggregation.weight() == Some(&self.code) {
            return Err(IndicatorError::SelfWeighted(self.code.to_string()));
        }
        let ValueRange { min, max } = self.range;
        if min.is_some_and(|m| !m.is_finite())
            || max.is_some_and(|m| !m.is_finite())
            || matches!((min, max), (Some(lo), Some(hi)) if lo > hi)
        {
            return Err(IndicatorError::BadRange(self.code.to_string()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
