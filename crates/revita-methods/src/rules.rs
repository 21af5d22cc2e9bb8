//! Threshold rules for designation: each indicator against a share of a
//! reference (a universe average, a peer group's average or a fixed
//! published value), combined with AND, OR and "k of n", nested as deeply
//! as a method needs.
//!
//! Sources (methods.md §1): the EU cohesion test "GDP per head (PPS) below
//! 75% of the EU-27 average" is one threshold; ARC's pre-2007 system defines a
//! distressed county as "unemployment ≥ 150% of the U.S. rate, per-capita
//! market income ≤ 67% and poverty ≥ 150%, or poverty ≥ 200% plus one other
//! distressed threshold", which is `Any[All[u, m, p], All[p200, AtLeast(1,
//! [u, m])]]` here.
//!
//! A missing value never passes silently: evaluation is three-valued and a
//! rule that depends on a missing value is [`Outcome::Undetermined`], naming
//! the indicators it lacks. A rule the known values already decide (an OR
//! with one branch met, a "k of n" whose k are met) is decided.

/// Which side of the threshold qualifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// value ≤ share × reference (e.g. income at most 67% of the nation's).
    AtMost,
    /// value ≥ share × reference (e.g. unemployment at least 150%).
    AtLeast,
    /// value < share × reference (the EU's "GDP per head below 75%").
    LessThan,
    /// value > share × reference.
    GreaterThan,
}

/// One indicator against a share of its reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// Index of the indicator in the region's value row.
    pub indicator: usize,
    /// Which side qualifies.
    pub comparison: Comparison,
    /// The share of the reference that marks the line (0.75 for 75%).
    pub share: f64,
}

impl Threshold {
    /// The line itself: share × reference.
    pub fn line(&self, references: &[f64]) -> f64 {
        self.share * references[self.indicator]
    }

    /// Whether `value` is on the qualifying side of the line: inclusive for
    /// at most / at least, strict for less than / greater than, a value
    /// equal to the line up to float rounding counting as on it.
    pub fn is_met(&self, value: f64, references: &[f64]) -> bool {
        use crate::float::clearly_greater;
        let line = self.line(references);
        match self.comparison {
            Comparison::AtMost => !clearly_greater(value, line),
            Comparison::AtLeast => !clearly_greater(line, value),
            Comparison::LessThan => clearly_greater(line, value),
            Comparison::GreaterThan => clearly_greater(value, line),
        }
    }
}

/// A rule: a threshold, or a combination of rules.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// A single threshold.
    Threshold(Threshold),
    /// Every rule holds (AND).
    All(Vec<Rule>),
    /// Some rule holds (OR).
    Any(Vec<Rule>),
    /// At least k of the rules hold ("k of n").
    AtLeast(usize, Vec<Rule>),
}

/// The result of a rule for one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The rule holds.
    Met,
    /// The rule does not hold.
    NotMet,
    /// The rule depends on values the region lacks (indicator indices).
    Undetermined(Vec<usize>),
}

impl Rule {
    /// Evaluates the rule on one region's values (`None` where missing)
    /// against per-indicator references.
    pub fn evaluate(&self, values: &[Option<f64>], references: &[f64]) -> Outcome {
        match self {
            Rule::Threshold(t) => match values[t.indicator] {
                Some(v) if t.is_met(v, references) => Outcome::Met,
                Some(_) => Outcome::NotMet,
                None => Outcome::Undetermined(vec![t.indicator]),
            },
            Rule::All(rules) => Self::at_least(rules.len(), rules, values, references),
            // An empty OR holds nowhere (k = 1 cannot be reached); an empty AND everywhere.
            Rule::Any(rules) => Self::at_least(1, rules, values, references),
            Rule::AtLeast(k, rules) => Self::at_least(*k, rules, values, references),
        }
    }

    /// "k of n" in three-valued logic: met once k are known to hold, not met
    /// once even the unknown ones could not reach k, undetermined otherwise.
    fn at_least(k: usize, rules: &[Rule], values: &[Option<f64>], references: &[f64]) -> Outcome {
        let (mut met, mut missing) = (0, Vec::new());
        let mut unknown = 0;
        for rule in rules {
            match rule.evaluate(values, references) {
                Outcome::Met => met += 1,
                Outcome::NotMet => {}
                Outcome::Undetermined(lacking) => {
                    unknown += 1;
                    missing.extend(lacking);
                }
            }
        }
        if met >= k {
            Outcome::Met
        } else if met + unknown < k {
            Outcome::NotMet
        } else {
            missing.sort_unstable();
            missing.dedup();
            Outcome::Undetermined(missing)
        }
    }

    /// Every threshold in the rule, depth first: what a report lists as the
    /// rule's lines, and where an explanation measures each region's margin.
    pub fn thresholds(&self) -> Vec<&Threshold> {
        match self {
            Rule::Threshold(t) => vec![t],
            Rule::All(rules) | Rule::Any(rules) | Rule::AtLeast(_, rules) => {
                rules.iter().flat_map(Rule::thresholds).collect()
            }
        }
    }
}

/// The reference a universe of regions sets for one indicator: the mean of
/// the known values, weighted (e.g. by population, so that the reference is
/// the universe's per-head figure) or not. `None` when nothing is known.
pub fn universe_mean(values: &[Option<f64>], weights: Option<&[f64]>) -> Option<f64> {
    let (mut sum, mut weight) = (0.0, 0.0);
    for (i, value) in values.iter().enumerate() {
        if let Some(v) = value {
            let w = weights.map_or(1.0, |w| w[i]);
            sum += w * v;
            weight += w;
        }
    }
    (weight > 0.0).then(|| sum / weight)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_least(indicator: usize, share: f64) -> Rule {
        Rule::Threshold(Threshold { indicator, comparison: Comparison::AtLeast, share })
    }

    fn at_most(indicator: usize, share: f64) -> Rule {
        Rule::Threshold(Threshold { indicator, comparison: Comparison::AtMost, share })
    }

    /// ARC's pre-2007 distressed rule over [unemployment, PCMI, poverty].
    fn arc_distressed() -> Rule {
        let (u, m, p) = (at_least(0, 1.5), at_most(1, 0.67), at_least(2, 1.5));
        Rule::Any(vec![
            Rule::All(vec![u.clone(), m.clone(), p]),
            Rule::All(vec![at_least(2, 2.0), Rule::AtLeast(1, vec![u, m])]),
        ])
    }

    #[test]
    fn the_eu_seventy_five_percent_test() {
        // EU average 30,000 PPS: 20,000 is 66.7% (less developed), 22,500 is
        // exactly 75% (the line is inclusive), 24,000 is 80%.
        let rule = at_most(0, 0.75);
        let references = [30_000.0];
        assert_eq!(rule.evaluate(&[Some(20_000.0)], &references), Outcome::Met);
        assert_eq!(rule.evaluate(&[Some(22_500.0)], &references), Outcome::Met);
        assert_eq!(rule.evaluate(&[Some(24_000.0)], &references), Outcome::NotMet);
        // The regulation's own words are "less than 75%": exactly 75% is out.
        let below = Rule::Threshold(Threshold { indicator: 0, comparison: Comparison::LessThan, share: 0.75 });
        assert_eq!(below.evaluate(&[Some(20_000.0)], &references), Outcome::Met);
        assert_eq!(below.evaluate(&[Some(22_500.0)], &references), Outcome::NotMet);
        // A value at the line up to rounding (0.1 + 0.2 against 0.3) is on it.
        let on_line = [Some(0.1 + 0.2)];
        assert_eq!(at_most(0, 0.3).evaluate(&on_line, &[1.0]), Outcome::Met);
        assert_eq!(at_least(0, 0.3).evaluate(&on_line, &[1.0]), Outcome::Met);
        let above = Rule::Threshold(Threshold { indicator: 0, comparison: Comparison::GreaterThan, share: 0.3 });
        assert_eq!(above.evaluate(&on_line, &[1.0]), Outcome::NotMet);
        assert_eq!(above.evaluate(&[Some(0.31)], &[1.0]), Outcome::Met);
    }

    #[test]
    fn arcs_distressed_rule_by_hand() {
        // U.S.: unemployment 4%, PCMI 30,000, poverty 12%. Lines: u ≥ 6%,
        // m ≤ 20,100, p ≥ 18%; the alternative p ≥ 24% with u or m.
        let us = [4.0, 30_000.0, 12.0];
        let rule = arc_distressed();
        // All three met.
        assert_eq!(rule.evaluate(&[Some(6.5), Some(20_000.0), Some(19.0)], &us), Outcome::Met);
        // Income too high, but poverty 25% ≥ 24% and unemployment 6.5% ≥ 6%.
        assert_eq!(rule.evaluate(&[Some(6.5), Some(25_000.0), Some(25.0)], &us), Outcome::Met);
        // Poverty 25% alone is not enough.
        assert_eq!(rule.evaluate(&[Some(5.0), Some(25_000.0), Some(25.0)], &us), Outcome::NotMet);
    }

    #[test]
    fn missing_values_are_undetermined_unless_the_known_ones_decide() {
        let us = [4.0, 30_000.0, 12.0];
        let rule = arc_distressed();
        // Poverty unknown: both branches need it, so nothing can be said.
        assert_eq!(rule.evaluate(&[Some(6.5), Some(20_000.0), None], &us), Outcome::Undetermined(vec![2]));
        // Unemployment unknown, but 6% < 18% poverty rules out both branches.
        assert_eq!(rule.evaluate(&[None, Some(20_000.0), Some(10.0)], &us), Outcome::NotMet);
        // Income unknown, but poverty 25% and unemployment 7% meet the second branch.
        assert_eq!(rule.evaluate(&[Some(7.0), None, Some(25.0)], &us), Outcome::Met);
    }

    #[test]
    fn k_of_n_counts_met_rules() {
        let rule = Rule::AtLeast(2, vec![at_least(0, 1.0), at_least(1, 1.0), at_least(2, 1.0)]);
        let references = [1.0, 1.0, 1.0];
        assert_eq!(rule.evaluate(&[Some(2.0), Some(0.0), Some(2.0)], &references), Outcome::Met);
        assert_eq!(rule.evaluate(&[Some(2.0), Some(0.0), Some(0.0)], &references), Outcome::NotMet);
        assert_eq!(rule.evaluate(&[Some(2.0), None, Some(0.0)], &references), Outcome::Undetermined(vec![1]));
        assert_eq!(rule.thresholds().len(), 3);
    }

    #[test]
    fn an_empty_or_holds_nowhere_and_an_empty_and_everywhere() {
        assert_eq!(Rule::Any(vec![]).evaluate(&[], &[]), Outcome::NotMet);
        assert_eq!(Rule::All(vec![]).evaluate(&[], &[]), Outcome::Met);
    }

    #[test]
    fn the_universe_mean_skips_missing_values_and_can_be_weighted() {
        assert_eq!(universe_mean(&[Some(1.0), None, Some(3.0)], None), Some(2.0));
        // Per-head income of two regions, 10 and 1 people: (10·1 + 1·12)/11 = 2.
        assert_eq!(universe_mean(&[Some(1.0), Some(12.0)], Some(&[10.0, 1.0])), Some(2.0));
        assert_eq!(universe_mean(&[None], None), None);
    }
}
