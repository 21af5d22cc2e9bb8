//! The allocation form (issue 16): an allocation spec built from form
//! fields — the fund in 万元, the regions that share it, up to [`ROWS`]
//! factors (an indicator, optionally only where a designation holds, with
//! its weight), floors, caps, a minimum and the rounding — shown as JSON
//! beside it, to be edited further (inverse fiscal capacity, scenarios),
//! saved and shared.

use std::collections::HashMap;

use revita_app::allocate::{AllocationSpec, FactorSpec, MissingRule, Previous};
use revita_app::designate::Universe;
use revita_app::{AppError, AppResult};
use serde::{Deserialize, Serialize};

/// How many factor rows the form offers.
pub const ROWS: usize = 5;

/// Yuan in a 万元, the unit budgets are written in.
pub const WAN: f64 = 10_000.0;

/// One factor row.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct FactorRow {
    pub name: String,
    pub weight: String,
    pub indicator: String,
    /// Only where a designation of this category holds (empty: everywhere).
    pub only_designated: String,
    /// The day the designation is looked at (`YYYY-MM-DD`; empty: the end
    /// of the run's year).
    pub as_of: String,
}

/// The allocation form's fields; amounts in 万元.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct AllocationForm {
    pub name: String,
    pub total_wan: String,
    pub level: String,
    pub within: String,
    pub years: String,
    pub missing: String,
    pub rows: Vec<FactorRow>,
    pub minimum_wan: String,
    pub rounding_wan: String,
    pub floor_share: String,
    pub cap_growth: String,
    pub previous: String,
}

impl Default for AllocationForm {
    fn default() -> AllocationForm {
        AllocationForm {
            name: String::new(),
            total_wan: String::new(),
            level: "county".into(),
            within: String::new(),
            years: "1".into(),
            missing: "exclude".into(),
            rows: vec![FactorRow::default(); ROWS],
            minimum_wan: String::new(),
            rounding_wan: "1".into(),
            floor_share: String::new(),
            cap_growth: String::new(),
            previous: String::new(),
        }
    }
}

fn invalid<T>(field: &str, reason: impl std::fmt::Display) -> AppResult<T> {
    Err(AppError::Invalid(format!("{field}: {reason}")))
}

/// A number from a field; `None` when blank.
fn optional(field: &str, text: &str) -> AppResult<Option<f64>> {
    match text.trim() {
        "" => Ok(None),
        t => match t.replace(',', "").parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => invalid(field, format!("'{t}' is not a number")),
        },
    }
}

/// Text from a field; `None` when blank.
fn text(value: &str) -> Option<String> {
    Some(value.trim().to_string()).filter(|t| !t.is_empty())
}

impl AllocationForm {
    /// The form from a query's fields: `a_name`, `a_total_wan`, …, and each
    /// row's `a_<n>_name`, `a_<n>_weight`, … (n from 0).
    pub fn from_query(fields: &HashMap<String, String>) -> AllocationForm {
        let get = |name: &str| fields.get(&format!("a_{name}")).cloned();
        let mut form = AllocationForm::default();
        for (target, name) in [
            (&mut form.name, "name"),
            (&mut form.total_wan, "total_wan"),
            (&mut form.level, "level"),
            (&mut form.within, "within"),
            (&mut form.years, "years"),
            (&mut form.missing, "missing"),
            (&mut form.minimum_wan, "minimum_wan"),
            (&mut form.rounding_wan, "rounding_wan"),
            (&mut form.floor_share, "floor_share"),
            (&mut form.cap_growth, "cap_growth"),
            (&mut form.previous, "previous"),
        ] {
            if let Some(value) = get(name) {
                *target = value;
            }
        }
        for (i, row) in form.rows.iter_mut().enumerate() {
            let cell = |name: &str| get(&format!("{i}_{name}")).unwrap_or_default();
            *row = FactorRow {
                name: cell("name"),
                weight: cell("weight"),
                indicator: cell("indicator"),
                only_designated: cell("only_designated"),
                as_of: cell("as_of"),
            };
        }
        form
    }

    /// The spec the form describes (amounts in yuan), or the first field
    /// that is wrong.
    pub fn spec(&self) -> AppResult<AllocationSpec> {
        let total = match optional("total", &self.total_wan)? {
            Some(t) if t > 0.0 => t * WAN,
            _ => return invalid("total", "give the fund in 万元"),
        };
        let factors = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.indicator.trim().is_empty())
            .map(|(i, r)| {
                let weight = optional(&format!("factor {} weight", i + 1), &r.weight)?
                    .ok_or_else(|| AppError::Invalid(format!("factor {} weight: give a weight", i + 1)))?;
                Ok(FactorSpec {
                    name: text(&r.name).unwrap_or_else(|| r.indicator.trim().to_string()),
                    weight,
                    indicator: text(&r.indicator),
                    only_designated: text(&r.only_designated),
                    as_of: text(&r.as_of),
                    inverse_capacity: None,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        if factors.is_empty() {
            return invalid("factors", "choose at least one indicator");
        }
        let years = match self.years.trim().parse::<u32>() {
            Ok(y) if (1..=50).contains(&y) => y,
            _ => return invalid("years", "give 1 to 50 years"),
        };
        let missing = match self.missing.as_str() {
            "" | "exclude" => MissingRule::Exclude,
            "zero" => MissingRule::Zero,
            other => return invalid("missing", format!("'{other}' is not exclude or zero")),
        };
        let name = text(&self.name).unwrap_or_else(|| "Fund".into());
        let spec = AllocationSpec {
            name,
            version: 1,
            total,
            universe: Universe { level: self.level.trim().to_string(), within: text(&self.within), designated: None },
            years,
            factors,
            previous: text(&self.previous).map(|indicator| Previous { indicator, year: None }),
            floor_share: optional("floor_share", &self.floor_share)?,
            cap_growth: optional("cap_growth", &self.cap_growth)?,
            minimum: optional("minimum", &self.minimum_wan)?.map(|m| m * WAN),
            rounding: optional("rounding", &self.rounding_wan)?.map(|r| r * WAN),
            missing,
            scenarios: Vec::new(),
        };
        // The same checks as a spec written by hand.
        let json = serde_json::to_string(&spec).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        AllocationSpec::from_json(&json)
    }

    /// The form with its rows filled up to [`ROWS`].
    pub fn padded(mut self) -> AllocationForm {
        self.rows.resize(ROWS.max(self.rows.len()), FactorRow::default());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fund_in_wan_becomes_yuan_with_its_factors() {
        let fields: HashMap<String, String> = [
            ("a_name", "Fund 2021"),
            ("a_total_wan", "200,000"),
            ("a_within", "520000"),
            ("a_minimum_wan", "500"),
            ("a_0_indicator", "pop_rural"),
            ("a_0_weight", "0.6"),
            ("a_1_name", "key counties"),
            ("a_1_indicator", "pop_rural"),
            ("a_1_weight", "0.4"),
            ("a_1_only_designated", "key_assistance_county"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let spec = AllocationForm::from_query(&fields).spec().unwrap();
        assert_eq!((spec.total, spec.minimum, spec.rounding), (2_000_000_000.0, Some(5_000_000.0), Some(10_000.0)));
        assert_eq!(spec.factors.len(), 2);
        assert_eq!(
            (spec.factors[0].name.as_str(), spec.factors[1].only_designated.as_deref()),
            ("pop_rural", Some("key_assistance_county"))
        );
    }

    #[test]
    fn a_wrong_field_is_named() {
        let mut form = AllocationForm { total_wan: "100".into(), ..AllocationForm::default() };
        assert!(matches!(form.spec(), Err(AppError::Invalid(m)) if m == "factors: choose at least one indicator"));
        form.rows[0].indicator = "pop_total".into();
        assert!(matches!(form.spec(), Err(AppError::Invalid(m)) if m == "factor 1 weight: give a weight"));
        form.total_wan = "lots".into();
        assert!(matches!(form.spec(), Err(AppError::Invalid(m)) if m == "total: 'lots' is not a number"));
    }
}
