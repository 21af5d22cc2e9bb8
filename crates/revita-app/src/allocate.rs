//! Fund allocation by the factor method (因素法, methods.md §10.2): a spec
//! (JSON) names the total, the regions, the factors (indicators, an
//! indicator counted only where a designation is in force, or inverse fiscal
//! capacity) and their weights, and the limits (floors and caps against last
//! year, a minimum, rounding to a unit). The run shows every step: each
//! factor's part, the formula amount, the limited amount, the amount paid,
//! and the same under alternative weightings.

use std::collections::{BTreeMap, HashMap, HashSet};

use revita_ingest::export::{Cell, Sheet};
use revita_methods::Date;
use revita_methods::allocation::{self, Limits};
use revita_methods::designation::DesignationCategory;
use revita_methods::region::RegionCode;
use serde::{Deserialize, Serialize};

use crate::designate::Universe;
use crate::{App, AppError, AppResult};

/// A named, versioned allocation method, as saved in a JSON file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationSpec {
    /// What is allocated, e.g. "Rural revitalisation fund 2021".
    pub name: String,
    /// The spec's own version, raised on every change.
    #[serde(default = "one")]
    pub version: u32,
    /// The amount to allocate (yuan).
    pub total: f64,
    /// The regions that share it.
    pub universe: Universe,
    /// Years averaged for each factor, ending at the run's year.
    #[serde(default = "one")]
    pub years: u32,
    /// The factors, with their weights (summing to 1).
    pub factors: Vec<FactorSpec>,
    /// Last year's amounts, for floors, caps and the comparison.
    pub previous: Option<Previous>,
    /// Every region gets at least this share of last year's amount (0.9 for
    /// "at most a 10% cut").
    pub floor_share: Option<f64>,
    /// No region's amount grows by more than this share of last year's (0.2
    /// for "at most +20%").
    pub cap_growth: Option<f64>,
    /// Every region gets at least this amount.
    pub minimum: Option<f64>,
    /// Amounts are whole multiples of this (e.g. 10,000 yuan), rounded by
    /// largest remainder so that they still sum to the total.
    pub rounding: Option<f64>,
    /// What to do with a region that lacks a factor's value.
    #[serde(default)]
    pub missing: MissingRule,
    /// Alternative weightings to compare with.
    #[serde(default)]
    pub scenarios: Vec<Scenario>,
}

fn one() -> u32 {
    1
}

/// One factor of the formula.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FactorSpec {
    /// Its name in reports.
    pub name: String,
    /// Its weight.
    pub weight: f64,
    /// The indicator whose value is the factor.
    pub indicator: Option<String>,
    /// Count the indicator only where a designation of this category is in
    /// force at the end of the run's year (e.g. key-assistance-county status
    /// × population); elsewhere the factor is 0.
    pub only_designated: Option<String>,
    /// The day designations are looked at (default: the last day of the
    /// run's year), e.g. a list published after the data year.
    pub as_of: Option<String>,
    /// Inverse fiscal capacity: population × average revenue per head /
    /// revenue per head.
    pub inverse_capacity: Option<InverseCapacity>,
}

/// The indicators of the inverse-fiscal-capacity factor.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InverseCapacity {
    /// Population.
    pub population: String,
    /// Fiscal revenue per head.
    pub per_head: String,
}

/// Where last year's amounts are stored.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Previous {
    /// The indicator holding them.
    pub indicator: String,
    /// Their year (the run's year − 1 when absent).
    pub year: Option<i32>,
}

/// What happens to a region that lacks a factor's value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingRule {
    /// It is left out of the allocation and listed with the reason.
    #[default]
    Exclude,
    /// The missing value counts as 0, and the report says so.
    Zero,
}

/// An alternative weighting.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Its name.
    pub name: String,
    /// One weight per factor, summing to 1.
    pub weights: Vec<f64>,
}

impl AllocationSpec {
    /// Reads a spec from JSON text, refusing one that could not run.
    pub fn from_json(text: &str) -> AppResult<AllocationSpec> {
        let spec: AllocationSpec =
            serde_json::from_str(text).map_err(|e| AppError::Invalid(format!("allocation spec: {e}")))?;
        spec.check().map_err(|reason| AppError::Invalid(format!("allocation spec: {reason}")))?;
        Ok(spec)
    }

    fn check(&self) -> Result<(), String> {
        if !(self.total.is_finite() && self.total > 0.0) {
            return Err(format!("the total must be a positive amount, not {}", self.total));
        }
        if self.factors.is_empty() || !(1..=50).contains(&self.years) {
            return Err("needs at least one factor, and 1 to 50 years".into());
        }
        for f in &self.factors {
            match (&f.indicator, &f.inverse_capacity) {
                (Some(_), None) | (None, Some(_)) => {}
                _ => return Err(format!("factor '{}' needs exactly one of indicator and inverse_capacity", f.name)),
            }
            if f.only_designated.is_some() && f.indicator.is_none() {
                return Err(format!("factor '{}': only_designated applies to an indicator", f.name));
            }
            if let Some(category) = &f.only_designated {
                DesignationCategory::parse(category).map_err(|e| format!("factor '{}': {e}", f.name))?;
            }
            match (&f.as_of, &f.only_designated) {
                (Some(_), None) => return Err(format!("factor '{}': as_of applies to only_designated", f.name)),
                (Some(day), Some(_)) => {
                    Date::parse(day).map_err(|e| format!("factor '{}': as_of: {e}", f.name))?;
                }
                _ => {}
            }
        }
        let weights: Vec<f64> = self.factors.iter().map(|f| f.weight).collect();
        check_weights("the factor weights", &weights)?;
        for s in &self.scenarios {
            if s.weights.len() != self.factors.len() {
                return Err(format!(
                    "scenario '{}' has {} weights for {} factors",
                    s.name,
                    s.weights.len(),
                    self.factors.len()
                ));
            }
            check_weights(&format!("scenario '{}'", s.name), &s.weights)?;
        }
        for (what, value) in [("floor_share", self.floor_share), ("cap_growth", self.cap_growth)] {
            if value.is_some() && self.previous.is_none() {
                return Err(format!("{what} needs last year's amounts (previous)"));
            }
            if value.is_some_and(|v| !(v.is_finite() && v >= 0.0)) {
                return Err(format!("{what} must be a non-negative number"));
            }
        }
        if let Some(unit) = self.rounding {
            let units = self.total / unit;
            if !(unit > 0.0 && (units - units.round()).abs() < 1e-6) {
                return Err(format!("the total {} is not a whole number of rounding units of {unit}", self.total));
            }
        }
        if self.minimum.is_some_and(|m| !(m.is_finite() && m >= 0.0)) {
            return Err("minimum must be a non-negative amount".into());
        }
        Ok(())
    }
}

fn check_weights(what: &str, weights: &[f64]) -> Result<(), String> {
    let sum: f64 = weights.iter().sum();
    if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) || (sum - 1.0).abs() > 1e-6 {
        return Err(format!("{what} must be non-negative and sum to 1 (they sum to {sum})"));
    }
    Ok(())
}

/// One region's line in an allocation.
#[derive(Debug, Clone, Serialize)]
pub struct AllocationRow {
    /// Region code.
    pub code: String,
    /// Region name.
    pub name: String,
    /// Each factor's value F_ik.
    pub factors: Vec<f64>,
    /// Each factor's part of the amount, Total × w_k × F_ik / Σ_j F_jk.
    pub parts: Vec<f64>,
    /// The formula amount (the sum of the parts).
    pub formula: f64,
    /// The lowest amount allowed, if any.
    pub floor: Option<f64>,
    /// The highest amount allowed, if any.
    pub cap: Option<f64>,
    /// After floors and caps.
    pub limited: f64,
    /// The amount allocated (rounded).
    pub amount: f64,
    /// Last year's amount.
    pub previous: Option<f64>,
    /// The change from last year, in percent.
    pub change_pct: Option<f64>,
    /// The amount under each scenario.
    pub scenarios: Vec<f64>,
}

/// A region left out, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Left {
    /// Region code.
    pub code: String,
    /// Region name.
    pub name: String,
    /// Why.
    pub reason: String,
}

/// The result of running an allocation spec for a year.
#[derive(Debug, Clone, Serialize)]
pub struct AllocationRun {
    /// The spec's name and version.
    pub spec: String,
    /// The run's year.
    pub year: i32,
    /// The total allocated.
    pub total: f64,
    /// Factor names.
    pub factors: Vec<String>,
    /// Where each factor comes from, in words.
    pub sources: Vec<String>,
    /// Factor weights.
    pub weights: Vec<f64>,
    /// The rounding unit, if any.
    pub rounding: Option<f64>,
    /// Scenario names.
    pub scenarios: Vec<String>,
    /// Regions, in code order.
    pub rows: Vec<AllocationRow>,
    /// Regions left out (missing values, rule `exclude`).
    pub excluded: Vec<Left>,
    /// What the user should know (values imputed as 0, regions without last
    /// year's amount and so without floor or cap).
    pub notes: Vec<String>,
}

impl App {
    /// Runs an allocation spec for `year` over its universe, within the
    /// regions the user may read (`visible`).
    pub async fn allocate(
        &self,
        spec: &AllocationSpec,
        year: i32,
        visible: &crate::Jurisdiction,
    ) -> AppResult<AllocationRun> {
        let universe = self.universe(&spec.universe, visible).await?;
        let names: HashMap<RegionCode, String> = universe.iter().cloned().collect();
        let years: Vec<i32> = (year + 1 - spec.years as i32..=year).collect();
        let level = &spec.universe.level;
        let mut columns: Vec<HashMap<RegionCode, f64>> = Vec::new();
        let mut sources = Vec::new();
        for factor in &spec.factors {
            let (column, source) = self.factor_column(factor, level, &years, year).await?;
            columns.push(column);
            sources.push(source);
        }
        let mut run = AllocationRun {
            spec: format!("{} v{}", spec.name, spec.version),
            year,
            total: spec.total,
            factors: spec.factors.iter().map(|f| f.name.clone()).collect(),
            sources,
            weights: spec.factors.iter().map(|f| f.weight).collect(),
            rounding: spec.rounding,
            scenarios: spec.scenarios.iter().map(|s| s.name.clone()).collect(),
            rows: Vec::new(),
            excluded: Vec::new(),
            notes: Vec::new(),
        };

        // The factor matrix over the regions kept, missing values by the rule.
        let mut kept: Vec<(RegionCode, Vec<f64>)> = Vec::new();
        let ordered: BTreeMap<&RegionCode, &String> = names.iter().collect();
        for (code, name) in ordered {
            let values: Vec<Option<f64>> = columns.iter().map(|c| c.get(code).copied()).collect();
            let lacking: Vec<&str> =
                values.iter().zip(&run.factors).filter(|(v, _)| v.is_none()).map(|(_, f)| f.as_str()).collect();
            match (lacking.is_empty(), spec.missing) {
                (true, _) => kept.push((code.clone(), values.into_iter().flatten().collect())),
                (false, MissingRule::Exclude) => run.excluded.push(Left {
                    code: code.to_string(),
                    name: name.clone(),
                    reason: format!("lacks a value for {}", lacking.join(", ")),
                }),
                (false, MissingRule::Zero) => {
                    run.notes.push(format!("{code} {name}: 0 taken for {}", lacking.join(", ")));
                    kept.push((code.clone(), values.into_iter().map(|v| v.unwrap_or(0.0)).collect()));
                }
            }
        }
        if kept.is_empty() {
            return Err(AppError::Invalid("no region has every factor's value".into()));
        }

        let previous = match &spec.previous {
            Some(p) => Some(self.averages(&p.indicator, level, &[p.year.unwrap_or(year - 1)]).await?),
            None => None,
        };
        let prior: Vec<Option<f64>> =
            kept.iter().map(|(code, _)| previous.as_ref().and_then(|p| p.get(code).copied())).collect();
        let limits = limits(spec, &prior);
        if previous.is_some() {
            for ((code, _), p) in kept.iter().zip(&prior) {
                if p.is_none() {
                    run.notes.push(format!("{code} {}: no amount last year, so no floor or cap", names[code]));
                }
            }
        }
        let factors: Vec<Vec<f64>> = kept.iter().map(|(_, f)| f.clone()).collect();
        let failed = |e: allocation::AllocationError| AppError::Invalid(format!("allocation: {e}"));
        let worked = allocation::work_through(spec.total, &factors, &run.weights, &limits, spec.rounding)
            .map_err(|e| explain_factor_error(e, &run.factors, &failed))?;
        let mut scenario_amounts = Vec::new();
        for s in &spec.scenarios {
            let w = allocation::work_through(spec.total, &factors, &s.weights, &limits, spec.rounding)
                .map_err(|e| explain_factor_error(e, &run.factors, &failed))?;
            scenario_amounts.push(w.amounts);
        }
        for (i, (code, values)) in kept.into_iter().enumerate() {
            let amount = worked.amounts[i];
            run.rows.push(AllocationRow {
                name: names[&code].clone(),
                code: code.to_string(),
                factors: values,
                parts: worked.parts[i].clone(),
                formula: worked.formula[i],
                floor: limits.floors.get(i).copied().filter(|f| *f > 0.0),
                cap: limits.caps.get(i).copied().filter(|c| c.is_finite()),
                limited: worked.limited[i],
                amount,
                previous: prior[i],
                change_pct: prior[i].filter(|p| *p > 0.0).map(|p| 100.0 * (amount - p) / p),
                scenarios: scenario_amounts.iter().map(|a| a[i]).collect(),
            });
        }
        Ok(run)
    }

    /// One factor's value per region, and where it comes from in words.
    async fn factor_column(
        &self,
        factor: &FactorSpec,
        level: &str,
        years: &[i32],
        year: i32,
    ) -> AppResult<(HashMap<RegionCode, f64>, String)> {
        if let Some(ic) = &factor.inverse_capacity {
            let population = self.averages(&ic.population, level, years).await?;
            let per_head = self.averages(&ic.per_head, level, years).await?;
            let codes: Vec<&RegionCode> = population.keys().filter(|c| per_head.contains_key(*c)).collect();
            let pops: Vec<f64> = codes.iter().map(|c| population[*c]).collect();
            let heads: Vec<f64> = codes.iter().map(|c| per_head[*c]).collect();
            let values = allocation::inverse_capacity(&pops, &heads).ok_or_else(|| {
                AppError::Invalid(format!(
                    "factor '{}': revenue per head ({}) must be positive and population ({}) not negative",
                    factor.name, ic.per_head, ic.population
                ))
            })?;
            let column = codes.into_iter().cloned().zip(values).collect();
            return Ok((column, format!("{} × average {} / {}", ic.population, ic.per_head, ic.per_head)));
        }
        let indicator = factor.indicator.as_deref().expect("checked when the spec was read");
        let mut column = self.averages(indicator, level, years).await?;
        let Some(category) = &factor.only_designated else {
            return Ok((column, indicator.to_string()));
        };
        let category = DesignationCategory::parse(category).map_err(|e| AppError::Invalid(e.to_string()))?;
        let end_of_year = match &factor.as_of {
            Some(day) => Date::parse(day).map_err(|e| AppError::Invalid(e.to_string()))?,
            None => Date::new(year, 12, 31).ok_or_else(|| AppError::Invalid(format!("year {year}")))?,
        };
        let designated: HashSet<RegionCode> = self
            .store()
            .designations(Some(&category), None)
            .await?
            .into_iter()
            .filter(|d| d.is_active_on(end_of_year))
            .map(|d| d.region)
            .collect();
        for (code, value) in column.iter_mut() {
            if !designated.contains(code) {
                *value = 0.0;
            }
        }
        Ok((column, format!("{indicator} where designated {} on {end_of_year}", category.as_str())))
    }
}

/// Floors (the larger of the minimum and the share of last year) and caps
/// (last year × (1 + growth); none without last year's amount).
fn limits(spec: &AllocationSpec, prior: &[Option<f64>]) -> Limits {
    let mut limits = Limits::default();
    if spec.floor_share.is_some() || spec.minimum.is_some() {
        limits.floors = prior
            .iter()
            .map(|p| {
                let from_prior = spec.floor_share.zip(*p).map_or(0.0, |(share, p)| share * p);
                from_prior.max(spec.minimum.unwrap_or(0.0))
            })
            .collect();
    }
    if let Some(growth) = spec.cap_growth {
        limits.caps = prior.iter().map(|p| p.map_or(f64::INFINITY, |p| p * (1.0 + growth))).collect();
    }
    limits
}

/// Names the factor of a factor error (a column that is zero everywhere).
fn explain_factor_error(
    e: allocation::AllocationError,
    factors: &[String],
    failed: &impl Fn(allocation::AllocationError) -> AppError,
) -> AppError {
    match e {
        allocation::AllocationError::Factor(k) => AppError::Invalid(format!(
            "allocation: factor '{}' is negative somewhere or zero for every region",
            factors[k]
        )),
        other => failed(other),
    }
}

/// Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA.
fn column_letter(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

impl AllocationRun {
    /// The allocation as spreadsheet sheets: `allocation`, one line per
    /// region with each factor's share and part as live formulas over the
    /// `parameters` sheet (total and weights), so that the working can be
    /// followed and checked in the spreadsheet; then `parameters`; then the
    /// excluded regions and notes.
    pub fn sheets(&self) -> Vec<Sheet> {
        let k = self.factors.len();
        let n = self.rows.len();
        let last = n + 1; // the last data row, in spreadsheet numbering (header = 1)
        let mut header = vec!["code".to_string(), "name".to_string()];
        header.extend(self.factors.iter().map(|f| format!("F: {f}")));
        header.extend(self.factors.iter().map(|f| format!("share: {f}")));
        header.extend(self.factors.iter().map(|f| format!("part: {f}")));
        header.extend(
            ["formula", "floor", "cap", "after floors and caps", "amount", "previous", "change %"].map(String::from),
        );
        header.extend(self.scenarios.iter().map(|s| format!("scenario: {s}")));
        let (f_col, share_col, part_col, formula_col) = (2, 2 + k, 2 + 2 * k, 2 + 3 * k);
        let optional = |v: Option<f64>| v.map_or(Cell::Text(String::new()), Cell::Number);
        let mut rows: Vec<Vec<Cell>> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let r = i + 2;
                let mut cells = vec![Cell::Text(row.code.clone()), Cell::Text(row.name.clone())];
                cells.extend(row.factors.iter().map(|v| Cell::Number(*v)));
                for (j, value) in row.factors.iter().enumerate() {
                    let c = column_letter(f_col + j);
                    let column_total: f64 = self.rows.iter().map(|x| x.factors[j]).sum();
                    cells.push(Cell::Formula(format!("={c}{r}/SUM({c}$2:{c}${last})"), value / column_total));
                }
                for (j, part) in row.parts.iter().enumerate() {
                    let share = column_letter(share_col + j);
                    cells.push(Cell::Formula(format!("=parameters!$B$2*parameters!$B${}*{share}{r}", j + 3), *part));
                }
                let (first, final_part) = (column_letter(part_col), column_letter(part_col + k - 1));
                cells.push(Cell::Formula(format!("=SUM({first}{r}:{final_part}{r})"), row.formula));
                cells.extend([optional(row.floor), optional(row.cap), Cell::Number(row.limited)]);
                cells.extend([Cell::Number(row.amount), optional(row.previous), optional(row.change_pct)]);
                cells.extend(row.scenarios.iter().map(|v| Cell::Number(*v)));
                cells
            })
            .collect();
        // A total line: every money column sums to the total (a check the
        // spreadsheet keeps).
        let mut totals = vec![Cell::Text("total".into()), Cell::Text(String::new())];
        totals.extend((0..2 * k).map(|_| Cell::Text(String::new())));
        for j in 0..=k {
            let c = column_letter(part_col + j);
            let value = if j < k { self.rows.iter().map(|r| r.parts[j]).sum() } else { self.total };
            totals.push(Cell::Formula(format!("=SUM({c}2:{c}{last})"), value));
        }
        let amount_col = column_letter(formula_col + 4);
        totals.extend([Cell::Text(String::new()), Cell::Text(String::new()), Cell::Text(String::new())]);
        totals.push(Cell::Formula(format!("=SUM({amount_col}2:{amount_col}{last})"), self.total));
        totals.resize(header.len(), Cell::Text(String::new()));
        rows.push(totals);

        let mut parameters =
            vec![vec![Cell::Text("total".into()), Cell::Number(self.total), Cell::Text(String::new())]];
        for ((name, weight), source) in self.factors.iter().zip(&self.weights).zip(&self.sources) {
            parameters.push(vec![
                Cell::Text(format!("weight: {name}")),
                Cell::Number(*weight),
                Cell::Text(source.clone()),
            ]);
        }
        if let Some(unit) = self.rounding {
            parameters.push(vec![
                Cell::Text("rounding unit".into()),
                Cell::Number(unit),
                Cell::Text("largest remainder; ties to the region listed first".into()),
            ]);
        }
        let mut notes: Vec<Vec<Cell>> = self
            .excluded
            .iter()
            .map(|e| vec![Cell::Text(e.code.clone()), Cell::Text(e.name.clone()), Cell::Text(e.reason.clone())])
            .collect();
        notes.extend(
            self.notes
                .iter()
                .map(|n| vec![Cell::Text(String::new()), Cell::Text(String::new()), Cell::Text(n.clone())]),
        );
        vec![
            Sheet { name: "allocation".into(), header, rows },
            Sheet {
                name: "parameters".into(),
                header: vec!["parameter".into(), "value".into(), "source".into()],
                rows: parameters,
            },
            Sheet {
                name: "excluded and notes".into(),
                header: vec!["code".into(), "name".into(), "why".into()],
                rows: notes,
            },
        ]
    }

    /// The allocation as XLSX (formulas kept) or CSV (the `allocation` sheet,
    /// values only).
    pub fn bytes(&self, format: revita_ingest::export::ExportFormat) -> AppResult<Vec<u8>> {
        let sheets = self.sheets();
        let result = match format {
            revita_ingest::export::ExportFormat::Xlsx => revita_ingest::export::workbook_bytes(&sheets),
            _ => revita_ingest::export::sheet_csv_bytes(&sheets[0]),
        };
        result.map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_like_a_spreadsheet() {
        let letters: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702].into_iter().map(column_letter).collect();
        assert_eq!(letters, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }
}
