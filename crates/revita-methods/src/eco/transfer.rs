//! The transfer payment for key ecological function zones
//! (重点生态功能区转移支付; 财政部《中央对地方重点生态功能区转移支付办法》,
//! 2017; methods.md §5.3): a county's grant is the sum of its components —
//! the standard revenue–expenditure gap times a subsidy coefficient, the
//! prohibited-development zones by area, the forest rangers by a standard
//! amount — adjusted up or down by the change of its ecological quality;
//! when the budget differs from the formula's sum, the grants are scaled to
//! it by the factor method (one factor, the formula amount) and rounded by
//! largest remainder, so that they add up to the budget exactly.

use crate::allocation::{AllocationError, allocate, round_largest_remainder};

/// One county's inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferCounty {
    /// Its name or code, carried through.
    pub county: String,
    /// Standard fiscal expenditure (标准财政支出, yuan).
    pub standard_expenditure: f64,
    /// Standard fiscal revenue (标准财政收入, yuan).
    pub standard_revenue: f64,
    /// Area of its national prohibited-development zones (km²).
    pub prohibited_area: f64,
    /// Forest rangers hired from registered-poor households (persons).
    pub rangers: f64,
    /// Change of its ecological-environment quality index since the last
    /// assessment (points; negative for deterioration).
    pub quality_change: f64,
}

/// The parameters of a year's grant.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferRule {
    /// The key subsidy's coefficient on the revenue–expenditure gap.
    pub coefficient: f64,
    /// Yuan per km² of prohibited-development zone.
    pub prohibited_rate: f64,
    /// Yuan per ranger a year.
    pub ranger_standard: f64,
    /// Reward per point of quality improvement, as a share of the base
    /// (0.01: 1% of the base for each point).
    pub reward_rate: f64,
    /// Deduction per point of deterioration, as a share of the base.
    pub penalty_rate: f64,
}

/// A county's grant with every component.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferGrant {
    /// The county.
    pub county: String,
    /// The standard revenue–expenditure gap (never below 0).
    pub gap: f64,
    /// gap × coefficient.
    pub key_subsidy: f64,
    /// prohibited area × rate.
    pub prohibited_subsidy: f64,
    /// rangers × standard.
    pub ranger_subsidy: f64,
    /// The sum of the three.
    pub base: f64,
    /// The reward (positive) or deduction (negative) from quality change;
    /// a deduction never exceeds the base.
    pub adjustment: f64,
    /// base + adjustment: what the formula gives.
    pub formula: f64,
    /// What is paid: the formula amount scaled to the budget and rounded
    /// (the formula amount itself without a budget).
    pub grant: f64,
}

/// Why grants cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransferError {
    /// A parameter or input that is negative or not a number.
    #[error("{0} must be a number of at least 0")]
    Negative(String),
    /// The quality change is not a number.
    #[error("the quality change of {0} is not a number")]
    NotANumber(String),
    /// No county gets anything under the formula, so a budget cannot be shared.
    #[error("the formula gives every county 0, so the budget cannot be shared by it")]
    NothingToShare,
    /// Scaling or rounding failed.
    #[error(transparent)]
    Allocation(#[from] AllocationError),
}

fn at_least_zero(value: f64, what: impl FnOnce() -> String) -> Result<f64, TransferError> {
    if value.is_finite() && value >= 0.0 { Ok(value) } else { Err(TransferError::Negative(what())) }
}

/// Each county's grant by the formula; scaled to `budget` when one is given
/// and rounded to whole `unit`s (e.g. 10,000 yuan) by largest remainder.
pub fn key_zone_transfer(
    counties: &[TransferCounty],
    rule: &TransferRule,
    budget: Option<f64>,
    unit: Option<f64>,
) -> Result<Vec<TransferGrant>, TransferError> {
    for (value, name) in [
        (rule.coefficient, "the coefficient"),
        (rule.prohibited_rate, "the rate per km²"),
        (rule.ranger_standard, "the ranger standard"),
        (rule.reward_rate, "the reward rate"),
        (rule.penalty_rate, "the penalty rate"),
    ] {
        at_least_zero(value, || name.to_string())?;
    }
    let mut grants = Vec::with_capacity(counties.len());
    for c in counties {
        let named = |what: &str| format!("the {what} of {}", c.county);
        at_least_zero(c.standard_expenditure, || named("standard expenditure"))?;
        at_least_zero(c.standard_revenue, || named("standard revenue"))?;
        let area = at_least_zero(c.prohibited_area, || named("prohibited-zone area"))?;
        let rangers = at_least_zero(c.rangers, || named("ranger count"))?;
        if !c.quality_change.is_finite() {
            return Err(TransferError::NotANumber(c.county.clone()));
        }
        let gap = (c.standard_expenditure - c.standard_revenue).max(0.0);
        let key_subsidy = gap * rule.coefficient;
        let prohibited_subsidy = area * rule.prohibited_rate;
        let ranger_subsidy = rangers * rule.ranger_standard;
        let base = key_subsidy + prohibited_subsidy + ranger_subsidy;
        let adjustment = if c.quality_change >= 0.0 {
            base * rule.reward_rate * c.quality_change
        } else {
            (base * rule.penalty_rate * c.quality_change).max(-base)
        };
        let formula = base + adjustment;
        grants.push(TransferGrant {
            county: c.county.clone(),
            gap,
            key_subsidy,
            prohibited_subsidy,
            ranger_subsidy,
            base,
            adjustment,
            formula,
            grant: formula,
        });
    }
    if let Some(budget) = budget {
        at_least_zero(budget, || "the budget".to_string())?;
        if grants.iter().all(|g| g.formula <= 0.0) {
            return Err(TransferError::NothingToShare);
        }
        let factor: Vec<Vec<f64>> = grants.iter().map(|g| vec![g.formula]).collect();
        let scaled = allocate(budget, &factor, &[1.0])?;
        let paid = match unit {
            Some(unit) => round_largest_remainder(&scaled, unit)?,
            None => scaled,
        };
        for (g, amount) in grants.iter_mut().zip(paid) {
            g.grant = amount;
        }
    }
    Ok(grants)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn county(name: &str, expenditure: f64, revenue: f64, area: f64, rangers: f64, change: f64) -> TransferCounty {
        TransferCounty {
            county: name.into(),
            standard_expenditure: expenditure,
            standard_revenue: revenue,
            prohibited_area: area,
            rangers,
            quality_change: change,
        }
    }

    fn rule() -> TransferRule {
        TransferRule {
            coefficient: 0.5,
            prohibited_rate: 1_000.0,
            ranger_standard: 10_000.0,
            reward_rate: 0.01,
            penalty_rate: 0.02,
        }
    }

    #[test]
    fn a_grant_is_the_sum_of_its_components_adjusted_by_quality() {
        // A: gap 800 − 300 = 500 yuan × 0.5 = 250; 100 km² ×
        // 1,000 = 100,000; 20 rangers × 10,000 = 200,000. Base 300,250;
        // quality +2 points → reward 1% × 2 = 2% of the base = 6,005.
        // B: revenue above expenditure → gap 0; 50 km² → 50,000; no rangers;
        // quality −3 → deduction 2% × 3 = 6% of 50,000 = 3,000.
        let counties = [county("A", 800.0, 300.0, 100.0, 20.0, 2.0), county("B", 100.0, 400.0, 50.0, 0.0, -3.0)];
        let grants = key_zone_transfer(&counties, &rule(), None, None).unwrap();
        let a = &grants[0];
        assert_eq!(
            (a.gap, a.key_subsidy, a.prohibited_subsidy, a.ranger_subsidy),
            (500.0, 250.0, 100_000.0, 200_000.0)
        );
        assert_eq!(a.base, 300_250.0);
        assert!((a.adjustment - 6_005.0).abs() < 1e-9 && (a.grant - 306_255.0).abs() < 1e-9);
        let b = &grants[1];
        assert_eq!((b.gap, b.base), (0.0, 50_000.0));
        assert!((b.adjustment + 3_000.0).abs() < 1e-9 && (b.formula - 47_000.0).abs() < 1e-9);
    }

    #[test]
    fn a_deduction_never_takes_more_than_the_base() {
        // −60 points × 2% = −120% of the base: capped at −100%.
        let grants = key_zone_transfer(&[county("C", 0.0, 0.0, 10.0, 0.0, -60.0)], &rule(), None, None).unwrap();
        assert_eq!((grants[0].adjustment, grants[0].formula), (-10_000.0, 0.0));
    }

    #[test]
    fn a_budget_is_shared_in_proportion_to_the_formula_and_adds_up_exactly() {
        // Formula 306,255 and 47,000 (sum 353,255); a budget of 100,000 in
        // whole 1,000s: 86,695.1… and 13,304.9… → 86,000 + 13,000 = 99,000,
        // the last 1,000 to the larger remainder (0.695 of A over 0.305 of B).
        let counties = [county("A", 800.0, 300.0, 100.0, 20.0, 2.0), county("B", 100.0, 400.0, 50.0, 0.0, -3.0)];
        let grants = key_zone_transfer(&counties, &rule(), Some(100_000.0), Some(1_000.0)).unwrap();
        assert_eq!(grants.iter().map(|g| g.grant).collect::<Vec<_>>(), [87_000.0, 13_000.0]);
        assert!((grants[0].formula - 306_255.0).abs() < 1e-9, "the formula amount is kept beside the grant");
    }

    #[test]
    fn inputs_that_cannot_be_granted_are_refused() {
        let bad = [county("D", 1.0, 0.0, -1.0, 0.0, 0.0)];
        assert_eq!(
            key_zone_transfer(&bad, &rule(), None, None),
            Err(TransferError::Negative("the prohibited-zone area of D".into()))
        );
        let nothing = [county("E", 0.0, 0.0, 0.0, 0.0, 0.0)];
        assert_eq!(key_zone_transfer(&nothing, &rule(), Some(1.0), None), Err(TransferError::NothingToShare));
        let rule = TransferRule { coefficient: f64::NAN, ..rule() };
        assert!(key_zone_transfer(&nothing, &rule, None, None).is_err());
    }
}
