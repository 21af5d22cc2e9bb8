//! Designation runs: a method spec (JSON) applied to stored observations
//! over a universe of regions, giving a ranked, classified table with the
//! regions left out and why.
//!
//! Methods come from `revita-methods`: the index-and-rank method is ARC's
//! (methods.md §1: ratios to the universe average, inverted where higher is
//! better, averaged ×100, ranked worst first, banded by percentile); the
//! rule method is [`revita_methods::rules`]. The reference is the universe's
//! unweighted mean of the regions' (multi-year averaged) values.

use std::collections::{BTreeMap, HashMap, HashSet};

use revita_methods::composite::{percentile_bands, ranks_worst_first, ratio_index};
use revita_methods::indicator::{Direction, IndicatorCode};
use revita_methods::observation::Period;
use revita_methods::region::RegionCode;
use revita_methods::rules::{self, Comparison, Outcome, Rule, Threshold};
use serde::{Deserialize, Serialize};

use crate::{App, AppError, AppResult, ObservationQuery};

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
    /// How regions are classified.
    pub method: Method,
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
}

/// One indicator of a method.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpecIndicator {
    /// Its code.
    pub code: String,
    /// Overrides the catalogue's direction (`higher_is_better`, `lower_is_better`).
    pub direction: Option<String>,
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
    fn compile(&self, index: &HashMap<&str, usize>) -> AppResult<Rule> {
        fn invalid<T>(reason: String) -> AppResult<T> {
            Err(AppError::Invalid(format!("designation spec: {reason}")))
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
            rules.iter().map(|r| r.compile(index)).collect::<AppResult<Vec<_>>>()
        };
        match self {
            RuleSpec::AtMost { indicator, share } => threshold(indicator, Comparison::AtMost, *share),
            RuleSpec::AtLeast { indicator, share } => threshold(indicator, Comparison::AtLeast, *share),
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
    /// Reads a spec from JSON text, naming what is wrong.
    pub fn from_json(text: &str) -> AppResult<DesignationSpec> {
        let spec: DesignationSpec =
            serde_json::from_str(text).map_err(|e| AppError::Invalid(format!("designation spec: {e}")))?;
        if spec.indicators.is_empty() || !(1..=MAX_YEARS).contains(&spec.years) {
            return Err(AppError::Invalid(format!(
                "designation spec: needs at least one indicator, and 1 to {MAX_YEARS} years"
            )));
        }
        match &spec.method {
            Method::Index { bands } => {
                let ascending = bands.windows(2).all(|w| w[0].upper < w[1].upper);
                let bounded =
                    bands.first().is_some_and(|b| b.upper > 0.0) && bands.last().is_some_and(|b| b.upper == 1.0);
                if !ascending || !bounded {
                    return Err(AppError::Invalid(
                        "designation spec: bands must rise strictly from above 0 and the last must end at 1.0".into(),
                    ));
                }
            }
            Method::Rule { rule } => {
                rule.compile(&spec.indicator_positions())?;
            }
        }
        Ok(spec)
    }

    /// Each indicator code's position in the spec.
    fn indicator_positions(&self) -> HashMap<&str, usize> {
        self.indicators.iter().enumerate().map(|(k, i)| (i.code.as_str(), k)).collect()
    }
}

/// One region's line in a run.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    /// Region code.
    pub code: String,
    /// Region name.
    pub name: String,
    /// Its (averaged) value of each indicator, in spec order.
    pub values: Vec<f64>,
    /// value / reference for each indicator.
    pub ratios: Vec<f64>,
    /// The composite index (index method only).
    pub index: Option<f64>,
    /// Rank, 1 the worst (index method only; ties share a rank).
    pub rank: Option<usize>,
    /// The class: a band label, or `designated` / `not designated`.
    pub class: String,
}

/// A region left out of a run, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Excluded {
    /// Region code.
    pub code: String,
    /// Region name.
    pub name: String,
    /// The reason, naming the indicators that lack values.
    pub reason: String,
}

/// The result of running a spec for a year.
#[derive(Debug, Clone, Serialize)]
pub struct DesignationRun {
    /// The spec's name and version.
    pub spec: String,
    /// The run's year (the last year averaged).
    pub year: i32,
    /// Indicator codes, in spec order.
    pub indicators: Vec<String>,
    /// The universe reference of each indicator.
    pub references: Vec<f64>,
    /// Classified regions, worst first for the index method.
    pub rows: Vec<RunRow>,
    /// Regions left out, with the reason.
    pub excluded: Vec<Excluded>,
}

impl App {
    /// Runs `spec` for `year` over the regions of its universe that the
    /// viewer may read (`visible`; `None` for everywhere).
    pub async fn designate(
        &self,
        spec: &DesignationSpec,
        year: i32,
        visible: &Option<HashSet<RegionCode>>,
    ) -> AppResult<DesignationRun> {
        let directions = self.spec_directions(spec).await?;
        let universe = self.universe(&spec.universe, visible).await?;
        let years: Vec<i32> = (year + 1 - spec.years as i32..=year).collect();
        let mut values: BTreeMap<RegionCode, Vec<Option<f64>>> =
            universe.iter().map(|(code, _)| (code.clone(), vec![None; spec.indicators.len()])).collect();
        for (k, indicator) in spec.indicators.iter().enumerate() {
            let averages = self.averages(&indicator.code, &spec.universe.level, &years).await?;
            for (code, row) in values.iter_mut() {
                row[k] = averages.get(code).copied();
            }
        }
        let names: HashMap<RegionCode, String> = universe.into_iter().collect();
        let mut run = DesignationRun {
            spec: format!("{} v{}", spec.name, spec.version),
            year,
            indicators: spec.indicators.iter().map(|i| i.code.clone()).collect(),
            references: Vec::new(),
            rows: Vec::new(),
            excluded: Vec::new(),
        };
        let columns: Vec<Vec<Option<f64>>> =
            (0..spec.indicators.len()).map(|k| values.values().map(|row| row[k]).collect()).collect();
        run.references = columns.iter().map(|c| rules::universe_mean(c, None).unwrap_or(f64::NAN)).collect();
        match &spec.method {
            Method::Index { bands } => classify_by_index(&mut run, &values, &names, &directions, bands)?,
            Method::Rule { rule } => {
                classify_by_rule(&mut run, &values, &names, &rule.compile(&spec.indicator_positions())?)
            }
        }
        Ok(run)
    }

    async fn spec_directions(&self, spec: &DesignationSpec) -> AppResult<Vec<Direction>> {
        let mut directions = Vec::new();
        for i in &spec.indicators {
            let code = IndicatorCode::parse(&i.code).map_err(|e| AppError::Invalid(e.to_string()))?;
            let stored = self.store().indicator(&code).await?.ok_or_else(|| AppError::NotFound(i.code.clone()))?;
            let direction = match &i.direction {
                Some(text) => Direction::parse(text).map_err(|e| AppError::Invalid(e.to_string()))?,
                None => stored.direction,
            };
            directions.push(direction);
        }
        Ok(directions)
    }

    async fn universe(
        &self,
        universe: &Universe,
        visible: &Option<HashSet<RegionCode>>,
    ) -> AppResult<Vec<(RegionCode, String)>> {
        let regions = match &universe.within {
            Some(code) => self.store().descendants(&self.parse_region_code(code)?, Some(&universe.level)).await?,
            None => self.store().regions_at_level(&universe.level).await?,
        };
        if regions.is_empty() {
            return Err(AppError::Invalid(format!("the universe has no regions at level {}", universe.level)));
        }
        Ok(regions.into_iter().filter(|r| crate::auth::sees(visible, &r.code)).map(|r| (r.code, r.name_zh)).collect())
    }

    /// Each region's mean of an indicator over `years` (only regions with a
    /// value in every year: a partial average would compare unlike things).
    async fn averages(&self, code: &str, level: &str, years: &[i32]) -> AppResult<HashMap<RegionCode, f64>> {
        let indicator = IndicatorCode::parse(code).map_err(|e| AppError::Invalid(e.to_string()))?;
        let mut sums: HashMap<RegionCode, (f64, usize)> = HashMap::new();
        for year in years {
            let query = ObservationQuery {
                indicator: Some(indicator.clone()),
                level: Some(level.to_string()),
                period: Some(Period::Year(*year).to_string()),
                ..Default::default()
            };
            for o in self.all_observations(&query).await? {
                let entry = sums.entry(o.region).or_insert((0.0, 0));
                entry.0 += o.value;
                entry.1 += 1;
            }
        }
        Ok(sums.into_iter().filter(|(_, (_, n))| *n == years.len()).map(|(c, (s, n))| (c, s / n as f64)).collect())
    }
}

/// Splits regions into those with every value and the excluded, naming
/// what each excluded region lacks.
fn complete_rows<'a>(
    run: &mut DesignationRun,
    values: &'a BTreeMap<RegionCode, Vec<Option<f64>>>,
    names: &HashMap<RegionCode, String>,
) -> Vec<(&'a RegionCode, Vec<f64>)> {
    let mut complete = Vec::new();
    for (code, row) in values {
        let lacking: Vec<&str> =
            row.iter().zip(&run.indicators).filter(|(v, _)| v.is_none()).map(|(_, c)| c.as_str()).collect();
        if lacking.is_empty() {
            complete.push((code, row.iter().map(|v| v.unwrap_or_default()).collect()));
        } else {
            run.excluded.push(Excluded {
                code: code.to_string(),
                name: names[code].clone(),
                reason: format!("lacks a value in some year averaged for {}", lacking.join(", ")),
            });
        }
    }
    complete
}

fn classify_by_index(
    run: &mut DesignationRun,
    values: &BTreeMap<RegionCode, Vec<Option<f64>>>,
    names: &HashMap<RegionCode, String>,
    directions: &[Direction],
    bands: &[Band],
) -> AppResult<()> {
    if let Some(k) = directions.iter().position(|d| *d == Direction::Neutral) {
        return Err(AppError::Invalid(format!(
            "{} has no direction; give one in the spec (higher_is_better or lower_is_better)",
            run.indicators[k]
        )));
    }
    // A zero value or reference has no ratio (ARC's index divides by both):
    // such a region is excluded with the reason rather than failing the run.
    let mut complete = Vec::new();
    let mut indices = Vec::new();
    for (code, row) in complete_rows(run, values, names) {
        match ratio_index(&row, &run.references, directions) {
            Ok(index) => {
                complete.push((code, row));
                indices.push(index);
            }
            Err(e) => {
                run.excluded.push(Excluded { code: code.to_string(), name: names[code].clone(), reason: e.to_string() })
            }
        }
    }
    let uppers: Vec<f64> = bands.iter().map(|b| b.upper).collect();
    let (ranks, classes) = (ranks_worst_first(&indices), percentile_bands(&indices, &uppers));
    for (i, (code, row)) in complete.into_iter().enumerate() {
        run.rows.push(RunRow {
            code: code.to_string(),
            name: names[code].clone(),
            ratios: row.iter().zip(&run.references).map(|(v, r)| v / r).collect(),
            values: row,
            index: Some(indices[i]),
            rank: Some(ranks[i]),
            class: bands[classes[i]].label.clone(),
        });
    }
    run.rows.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.code.cmp(&b.code)));
    Ok(())
}

fn classify_by_rule(
    run: &mut DesignationRun,
    values: &BTreeMap<RegionCode, Vec<Option<f64>>>,
    names: &HashMap<RegionCode, String>,
    rule: &Rule,
) {
    for (code, row) in values {
        let class = match rule.evaluate(row, &run.references) {
            Outcome::Met => "designated",
            Outcome::NotMet => "not designated",
            Outcome::Undetermined(lacking) => {
                let lacking: Vec<&str> = lacking.iter().map(|k| run.indicators[*k].as_str()).collect();
                run.excluded.push(Excluded {
                    code: code.to_string(),
                    name: names[code].clone(),
                    reason: format!(
                        "the rule cannot be decided without {}, lacking in some year averaged",
                        lacking.join(", ")
                    ),
                });
                continue;
            }
        };
        let known: Vec<f64> = row.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
        run.rows.push(RunRow {
            code: code.to_string(),
            name: names[code].clone(),
            ratios: known.iter().zip(&run.references).map(|(v, r)| v / r).collect(),
            values: known,
            index: None,
            rank: None,
            class: class.to_string(),
        });
    }
}

impl DesignationRun {
    /// The run as a table (CSV or XLSX): one line per region, worst first,
    /// then the excluded regions with the reason.
    pub fn table(&self, format: revita_ingest::export::ExportFormat) -> AppResult<Vec<u8>> {
        let mut header = vec!["code".to_string(), "name".to_string()];
        header.extend(self.indicators.iter().cloned());
        header.extend(self.indicators.iter().map(|i| format!("{i}_ratio")));
        header.extend(["index", "rank", "class", "reason"].map(String::from));
        let number = |v: f64| if v.is_finite() { format!("{v:.6}") } else { String::new() };
        let mut rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| {
                let mut cells = vec![row.code.clone(), row.name.clone()];
                cells.extend(row.values.iter().map(|v| number(*v)));
                cells.extend(row.ratios.iter().map(|v| number(*v)));
                cells.push(row.index.map(number).unwrap_or_default());
                cells.push(row.rank.map(|r| r.to_string()).unwrap_or_default());
                cells.extend([row.class.clone(), String::new()]);
                cells
            })
            .collect();
        let blanks = 2 * self.indicators.len() + 2;
        for e in &self.excluded {
            let mut cells = vec![e.code.clone(), e.name.clone()];
            cells.extend(std::iter::repeat_n(String::new(), blanks));
            cells.extend(["excluded".to_string(), e.reason.clone()]);
            rows.push(cells);
        }
        revita_ingest::export::table_bytes(&header, &rows, format)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
    }
}
