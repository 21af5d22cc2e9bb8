//! The spec form (issue 16): a designation spec built from form fields —
//! the universe, up to [`ROWS`] indicators each with its direction and
//! reference, the years averaged, what to do with missing values, and the
//! method (ARC-style bands, a threshold rule of one level, or a composite
//! index) — so that nobody writes JSON by hand. The spec it makes is shown
//! as JSON beside it, to be edited further (nested rules, AHP matrices),
//! saved and shared.

use revita_app::designate::{
    Band, ClassesSpec, DesignationSpec, Method, Missing, NormalisationSpec, ReferenceSpec, RuleSpec, ScoreSpec,
    SpecIndicator, Universe, WeightsSpec,
};
use revita_app::{AppError, AppResult};
use serde::{Deserialize, Serialize};

/// How many indicator rows the form offers.
pub const ROWS: usize = 6;

/// ARC's distress bands (methods.md §1.2), the form's default.
pub const ARC_BANDS: &str = "0.10 distressed; 0.25 at-risk; 0.75 transitional; 0.90 competitive; 1.0 attainment";

/// One indicator row of the form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct IndicatorRow {
    /// The indicator's code (empty: the row is unused).
    #[serde(default)]
    pub code: String,
    /// `catalogue` (the indicator's own), `higher_is_better` or
    /// `lower_is_better`.
    #[serde(default)]
    pub direction: String,
    /// `mean` (the universe's), `fixed`, `peer_group` or `weighted_by`.
    #[serde(default)]
    pub reference: String,
    /// The fixed value, the peer region's code or the weighting indicator.
    #[serde(default)]
    pub reference_value: String,
    /// For a rule: `at_most`, `at_least`, `less_than` or `greater_than`.
    #[serde(default)]
    pub op: String,
    /// For a rule: the share of the reference (0.75 for 75%).
    #[serde(default)]
    pub share: String,
    /// For a composite index with manual weights: its weight.
    #[serde(default)]
    pub weight: String,
}

/// The spec form's fields.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SpecForm {
    #[serde(default)]
    pub name: String,
    #[serde(default = "county")]
    pub level: String,
    #[serde(default)]
    pub within: String,
    #[serde(default = "one")]
    pub years: String,
    /// `exclude`, `mean` or `median`.
    #[serde(default)]
    pub missing: String,
    #[serde(default)]
    pub rows: Vec<IndicatorRow>,
    /// `index`, `rule` or `composite`.
    #[serde(default = "index")]
    pub method: String,
    /// Index bands: `upper label` pairs separated by `;`.
    #[serde(default)]
    pub bands: String,
    /// Rule: `all`, `any` or `k_of_n`.
    #[serde(default)]
    pub combine: String,
    /// Rule: k for `k_of_n`.
    #[serde(default)]
    pub k: String,
    /// Composite: `min_max` or `z_score`.
    #[serde(default)]
    pub normalisation: String,
    /// Composite: `equal`, `entropy` or `manual`.
    #[serde(default)]
    pub weights: String,
    /// Composite: `weighted_sum` or `topsis`.
    #[serde(default)]
    pub score: String,
    /// Composite: `quantiles`, `natural_breaks` or `thresholds`.
    #[serde(default)]
    pub classes: String,
    /// Composite: class labels, worst first, separated by `;`.
    #[serde(default)]
    pub labels: String,
    /// Composite thresholds: ascending cut points separated by `;`.
    #[serde(default)]
    pub cuts: String,
}

fn county() -> String {
    "county".into()
}
fn one() -> String {
    "1".into()
}
fn index() -> String {
    "index".into()
}

impl Default for SpecForm {
    fn default() -> SpecForm {
        SpecForm {
            name: String::new(),
            level: county(),
            within: String::new(),
            years: one(),
            missing: "exclude".into(),
            rows: vec![IndicatorRow::default(); ROWS],
            method: index(),
            bands: ARC_BANDS.into(),
            combine: "all".into(),
            k: String::new(),
            normalisation: "min_max".into(),
            weights: "equal".into(),
            score: "weighted_sum".into(),
            classes: "quantiles".into(),
            labels: "lagging; middle; leading".into(),
            cuts: String::new(),
        }
    }
}

/// A form field's problem, named by the field.
fn invalid<T>(field: &str, reason: impl std::fmt::Display) -> AppResult<T> {
    Err(AppError::Invalid(format!("{field}: {reason}")))
}

/// A number from a field.
fn number(field: &str, text: &str) -> AppResult<f64> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => invalid(field, format!("'{}' is not a number", text.trim())),
    }
}

/// Items separated by `;` (or new lines), trimmed, empty ones dropped.
fn items(text: &str) -> impl Iterator<Item = &str> {
    text.split([';', '\n']).map(str::trim).filter(|t| !t.is_empty())
}

impl SpecForm {
    /// The form from a query string's fields: `b_name`, `b_level`, …,
    /// and each row's `b_<n>_code`, `b_<n>_direction`, … (n from 0).
    pub fn from_query(fields: &std::collections::HashMap<String, String>) -> SpecForm {
        let get = |name: &str| fields.get(&format!("b_{name}")).cloned();
        let mut form = SpecForm::default();
        let set = |target: &mut String, name: &str| {
            if let Some(value) = get(name) {
                *target = value;
            }
        };
        set(&mut form.name, "name");
        set(&mut form.level, "level");
        set(&mut form.within, "within");
        set(&mut form.years, "years");
        set(&mut form.missing, "missing");
        set(&mut form.method, "method");
        set(&mut form.bands, "bands");
        set(&mut form.combine, "combine");
        set(&mut form.k, "k");
        set(&mut form.normalisation, "normalisation");
        set(&mut form.weights, "weights");
        set(&mut form.score, "score");
        set(&mut form.classes, "classes");
        set(&mut form.labels, "labels");
        set(&mut form.cuts, "cuts");
        for (i, row) in form.rows.iter_mut().enumerate() {
            let cell = |name: &str| get(&format!("{i}_{name}")).unwrap_or_default();
            *row = IndicatorRow {
                code: cell("code"),
                direction: cell("direction"),
                reference: cell("reference"),
                reference_value: cell("reference_value"),
                op: cell("op"),
                share: cell("share"),
                weight: cell("weight"),
            };
        }
        form
    }

    /// The form with its rows filled up to [`ROWS`], for showing.
    pub fn padded(mut self) -> SpecForm {
        self.rows.resize(ROWS.max(self.rows.len()), IndicatorRow::default());
        self
    }

    /// The rows in use.
    fn used(&self) -> impl Iterator<Item = (usize, &IndicatorRow)> {
        self.rows.iter().enumerate().filter(|(_, r)| !r.code.trim().is_empty())
    }

    /// The spec the form describes, or the first field that is wrong.
    pub fn spec(&self) -> AppResult<DesignationSpec> {
        let indicators = self.used().map(|(i, row)| indicator(i, row)).collect::<AppResult<Vec<_>>>()?;
        if indicators.is_empty() {
            return invalid("indicators", "choose at least one indicator");
        }
        let years = match self.years.trim().parse::<u32>() {
            Ok(y) if (1..=50).contains(&y) => y,
            _ => return invalid("years", "give 1 to 50 years"),
        };
        let missing = match self.missing.as_str() {
            "" | "exclude" => Missing::Exclude,
            "mean" => Missing::Mean,
            "median" => Missing::Median,
            other => return invalid("missing", format!("'{other}' is not exclude, mean or median")),
        };
        let within = Some(self.within.trim().to_string()).filter(|w| !w.is_empty());
        let name = match self.name.trim() {
            "" => "Designation".to_string(),
            name => name.to_string(),
        };
        let spec = DesignationSpec {
            name,
            version: 1,
            universe: Universe { level: self.level.trim().to_string(), within, designated: None },
            indicators,
            years,
            missing,
            method: self.method()?,
        };
        spec.checked().map_err(|e| AppError::Invalid(e.to_string()))
    }

    fn method(&self) -> AppResult<Method> {
        match self.method.as_str() {
            "index" => {
                let bands = items(&self.bands)
                    .map(|item| {
                        let (upper, label) = item.split_once(char::is_whitespace).unwrap_or((item, ""));
                        let label = label.trim();
                        if label.is_empty() {
                            return invalid("bands", format!("'{item}' is not an upper share and a label"));
                        }
                        Ok(Band { upper: number("bands", upper)?, label: label.to_string() })
                    })
                    .collect::<AppResult<Vec<_>>>()?;
                Ok(Method::Index { bands })
            }
            "rule" => {
                let rules = self.used().map(|(i, row)| threshold(i, row)).collect::<AppResult<Vec<_>>>()?;
                let rule = match self.combine.as_str() {
                    "" | "all" => RuleSpec::All(rules),
                    "any" => RuleSpec::Any(rules),
                    "k_of_n" => match self.k.trim().parse() {
                        Ok(k) => RuleSpec::KOfN { k, rules },
                        Err(_) => return invalid("k", "give how many of the conditions must hold"),
                    },
                    other => return invalid("combine", format!("'{other}' is not all, any or k_of_n")),
                };
                Ok(Method::Rule { rule })
            }
            "composite" => self.composite(),
            other => invalid("method", format!("'{other}' is not index, rule or composite")),
        }
    }

    fn composite(&self) -> AppResult<Method> {
        let normalisation = match self.normalisation.as_str() {
            "" | "min_max" => NormalisationSpec::MinMax,
            "z_score" => NormalisationSpec::ZScore,
            other => return invalid("normalisation", format!("'{other}' is not min_max or z_score")),
        };
        let weights = match self.weights.as_str() {
            "" | "equal" => WeightsSpec::Equal,
            "entropy" => WeightsSpec::Entropy,
            "manual" => WeightsSpec::Manual(
                self.used()
                    .map(|(i, row)| number(&format!("weight {}", i + 1), &row.weight))
                    .collect::<AppResult<Vec<_>>>()?,
            ),
            other => return invalid("weights", format!("'{other}' is not equal, entropy or manual")),
        };
        let score = match self.score.as_str() {
            "" | "weighted_sum" => ScoreSpec::WeightedSum,
            "topsis" => ScoreSpec::Topsis,
            other => return invalid("score", format!("'{other}' is not weighted_sum or topsis")),
        };
        let labels: Vec<String> = items(&self.labels).map(str::to_string).collect();
        let classes = match self.classes.as_str() {
            "" | "quantiles" => ClassesSpec::Quantiles(labels),
            "natural_breaks" => ClassesSpec::NaturalBreaks(labels),
            "thresholds" => ClassesSpec::Thresholds {
                cuts: items(&self.cuts).map(|c| number("cuts", c)).collect::<AppResult<Vec<_>>>()?,
                labels,
            },
            other => return invalid("classes", format!("'{other}' is not quantiles, natural_breaks or thresholds")),
        };
        Ok(Method::Composite { normalisation, weights, score, classes })
    }
}

/// A row's indicator with its direction and reference.
fn indicator(i: usize, row: &IndicatorRow) -> AppResult<SpecIndicator> {
    let field = |name: &str| format!("indicator {} {name}", i + 1);
    let direction = match row.direction.as_str() {
        "" | "catalogue" => None,
        d @ ("higher_is_better" | "lower_is_better") => Some(d.to_string()),
        other => return invalid(&field("direction"), format!("'{other}' is not a direction")),
    };
    let value = row.reference_value.trim();
    let reference = match row.reference.as_str() {
        "" | "mean" => None,
        "fixed" => Some(ReferenceSpec::Fixed(number(&field("reference"), value)?)),
        "peer_group" if !value.is_empty() => Some(ReferenceSpec::PeerGroup(value.to_string())),
        "weighted_by" if !value.is_empty() => Some(ReferenceSpec::WeightedBy(value.to_string())),
        "peer_group" | "weighted_by" => return invalid(&field("reference"), "give the region or the indicator"),
        other => return invalid(&field("reference"), format!("'{other}' is not a kind of reference")),
    };
    Ok(SpecIndicator { code: row.code.trim().to_string(), direction, reference })
}

/// A row's threshold, for a rule.
fn threshold(i: usize, row: &IndicatorRow) -> AppResult<RuleSpec> {
    let indicator = row.code.trim().to_string();
    let share = number(&format!("indicator {} share", i + 1), &row.share)?;
    Ok(match row.op.as_str() {
        "" | "at_most" => RuleSpec::AtMost { indicator, share },
        "at_least" => RuleSpec::AtLeast { indicator, share },
        "less_than" => RuleSpec::LessThan { indicator, share },
        "greater_than" => RuleSpec::GreaterThan { indicator, share },
        other => return invalid(&format!("indicator {} condition", i + 1), format!("'{other}' is not a comparison")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(rows: &[(&str, &str)]) -> SpecForm {
        let mut form = SpecForm::default();
        for (row, (code, share)) in form.rows.iter_mut().zip(rows) {
            row.code = code.to_string();
            row.share = share.to_string();
        }
        form
    }

    #[test]
    fn the_default_form_builds_arcs_bands() {
        let spec = form(&[("avg_years_schooling_15plus", "")]).spec().unwrap();
        let json = serde_json::to_value(&spec).unwrap();
        assert_eq!(json["universe"]["level"], "county");
        assert_eq!(json["method"]["kind"], "index");
        assert_eq!(json["method"]["bands"][1], serde_json::json!({"upper": 0.25, "label": "at-risk"}));
    }

    #[test]
    fn a_rule_of_strict_thresholds_as_the_eu_writes_it() {
        // "GDP per head less than 75% of the EU average", weighted by population.
        let mut f = form(&[("gdp_per_head", "0.75")]);
        f.method = "rule".into();
        f.rows[0].op = "less_than".into();
        f.rows[0].reference = "weighted_by".into();
        f.rows[0].reference_value = "pop_total".into();
        let json = serde_json::to_value(f.spec().unwrap()).unwrap();
        assert_eq!(
            json["method"]["rule"],
            serde_json::json!({"all": [{"less_than": {"indicator": "gdp_per_head", "share": 0.75}}]})
        );
        assert_eq!(json["indicators"][0]["reference"], serde_json::json!({"weighted_by": "pop_total"}));
    }

    #[test]
    fn a_composite_with_manual_weights_and_thresholds() {
        let mut f = form(&[("a", ""), ("b", "")]);
        (f.method, f.weights, f.classes) = ("composite".into(), "manual".into(), "thresholds".into());
        (f.rows[0].weight, f.rows[1].weight) = ("0.6".into(), "0.4".into());
        (f.cuts, f.labels) = ("0.4; 0.7".into(), "lagging; middle; leading".into());
        let json = serde_json::to_value(f.spec().unwrap()).unwrap();
        assert_eq!(json["method"]["weights"], serde_json::json!({"manual": [0.6, 0.4]}));
        assert_eq!(json["method"]["classes"]["thresholds"]["cuts"], serde_json::json!([0.4, 0.7]));
    }

    #[test]
    fn the_query_fills_the_form() {
        let fields: std::collections::HashMap<String, String> = [
            ("b_level", "prefecture"),
            ("b_method", "rule"),
            ("b_combine", "any"),
            ("b_1_code", "pop_total"),
            ("b_1_op", "at_least"),
            ("b_1_share", "1.5"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let form = SpecForm::from_query(&fields);
        assert_eq!(
            (form.level.as_str(), form.rows[1].code.as_str(), form.rows[0].code.as_str()),
            ("prefecture", "pop_total", "")
        );
        let json = serde_json::to_value(form.spec().unwrap()).unwrap();
        assert_eq!(
            json["method"]["rule"],
            serde_json::json!({"any": [{"at_least": {"indicator": "pop_total", "share": 1.5}}]})
        );
    }

    #[test]
    fn a_wrong_field_is_named() {
        let message = |f: SpecForm| match f.spec() {
            Err(AppError::Invalid(m)) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(message(form(&[])), "indicators: choose at least one indicator");
        let mut f = form(&[("a", "x")]);
        f.method = "rule".into();
        assert_eq!(message(f), "indicator 1 share: 'x' is not a number");
        let mut f = form(&[("a", "")]);
        f.bands = "0.5".into();
        assert_eq!(message(f), "bands: '0.5' is not an upper share and a label");
        let mut f = form(&[("a", "")]);
        f.years = "2020".into();
        assert_eq!(message(f), "years: give 1 to 50 years");
    }
}
