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

use revita_methods::classify;
use revita_methods::composite::{self, Normalisation, Scale, Topsis, percentile_bands, ranks_worst_first, ratio_index};
use revita_methods::explain;
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
    fn labels(&self) -> &[String] {
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
        for i in &spec.indicators {
            if let Some(ReferenceSpec::Fixed(v)) = &i.reference
                && !(v.is_finite() && *v != 0.0)
            {
                return Err(AppError::Invalid(format!(
                    "designation spec: the fixed reference for {} must be a non-zero number",
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
                    return Err(AppError::Invalid(
                        "designation spec: bands must rise strictly from above 0 and the last must end at 1.0".into(),
                    ));
                }
            }
            Method::Rule { rule } => {
                rule.compile(&spec.indicator_positions())?;
            }
            Method::Composite { normalisation, weights, score, classes } => {
                check_composite(spec.indicators.len(), *normalisation, weights, *score, classes)?
            }
        }
        Ok(spec)
    }

    /// Each indicator code's position in the spec.
    fn indicator_positions(&self) -> HashMap<&str, usize> {
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
) -> AppResult<()> {
    let invalid = |reason: String| Err(AppError::Invalid(format!("designation spec: {reason}")));
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

/// One region's line in a run.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    /// Region code.
    pub code: String,
    /// Region name.
    pub name: String,
    /// Its (averaged) value of each indicator, in spec order.
    pub values: Vec<f64>,
    /// The indicators whose value was imputed (the spec's `missing` rule).
    pub imputed: Vec<String>,
    /// value / reference for each indicator.
    pub ratios: Vec<f64>,
    /// Each normalised value (composite method only).
    pub normalised: Vec<f64>,
    /// The index: ARC's (higher is worse) or the composite score (higher is
    /// better); none for a rule.
    pub index: Option<f64>,
    /// Rank, 1 the worst (ties share a rank); none for a rule.
    pub rank: Option<usize>,
    /// Position in the ranking, (rank − 1)/N: 0 for the worst.
    pub percentile: Option<f64>,
    /// The class: a band label, or `designated` / `not designated`.
    pub class: String,
    /// Why the region is in its class and how close it is to another.
    pub explanation: Explanation,
}

/// Why a region is in its class.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Explanation {
    /// Each indicator's part of the index, in spec order: for ARC's index and
    /// a weighted sum the parts add up to the index; for TOPSIS they are
    /// shares of the distance from the worst point (adding up to 1); empty
    /// for a rule.
    pub contributions: Vec<f64>,
    /// How far the index is from the nearest score at which the class
    /// changes, others held fixed (score methods only).
    pub boundary_distance: Option<f64>,
    /// The smallest change in one indicator that moves the region to another
    /// class, others held fixed.
    pub nearest_change: Option<NearestChange>,
}

/// A change in one indicator that moves a region to another class.
#[derive(Debug, Clone, Serialize)]
pub struct NearestChange {
    /// The indicator.
    pub indicator: String,
    /// Its value now.
    pub from: f64,
    /// The value at which the class changes.
    pub to: f64,
    /// The change as a percentage of the value now (none for a value of 0).
    pub change_pct: Option<f64>,
    /// The class it would move to.
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
    /// The level of the regions compared (the universe's).
    pub level: String,
    /// Indicator codes, in spec order.
    pub indicators: Vec<String>,
    /// The universe reference of each indicator.
    pub references: Vec<f64>,
    /// Class labels, worst first (`designated`, `not designated` for a rule).
    pub classes: Vec<String>,
    /// Composite weights, in spec order (empty for other methods).
    pub weights: Vec<f64>,
    /// The AHP matrix's consistency, when weights come from one.
    pub consistency: Option<Consistency>,
    /// What the user should know about the method's inputs (e.g. an AHP
    /// matrix with CR ≥ 0.1).
    pub warnings: Vec<String>,
    /// Classified regions, worst first for the score methods.
    pub rows: Vec<RunRow>,
    /// Regions left out, with the reason.
    pub excluded: Vec<Excluded>,
}

/// Saaty's consistency of an AHP matrix.
#[derive(Debug, Clone, Serialize)]
pub struct Consistency {
    /// Principal eigenvalue λmax.
    pub lambda_max: f64,
    /// Consistency index (λmax − n)/(n − 1).
    pub ci: f64,
    /// Consistency ratio CI/RI; below 0.1 is acceptable.
    pub cr: f64,
}

impl App {
    /// Runs `spec` for `year` over the regions of its universe that the
    /// viewer may read (`visible`; `None` for everywhere).
    pub async fn designate(
        &self,
        spec: &DesignationSpec,
        year: i32,
        visible: &crate::Jurisdiction,
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
            level: spec.universe.level.clone(),
            indicators: spec.indicators.iter().map(|i| i.code.clone()).collect(),
            references: Vec::new(),
            classes: Vec::new(),
            weights: Vec::new(),
            consistency: None,
            warnings: Vec::new(),
            rows: Vec::new(),
            excluded: Vec::new(),
        };
        let columns: Vec<Vec<Option<f64>>> =
            (0..spec.indicators.len()).map(|k| values.values().map(|row| row[k]).collect()).collect();
        let codes: Vec<&RegionCode> = values.keys().collect();
        let mut references = Vec::new();
        for (indicator, column) in spec.indicators.iter().zip(&columns) {
            references.push(self.reference(indicator, column, &codes, &spec.universe.level, &years).await?);
        }
        run.references = references;
        let imputed = impute(&mut values, &columns, spec.missing);
        match &spec.method {
            Method::Index { bands } => classify_by_index(&mut run, &values, &names, &directions, bands)?,
            Method::Rule { rule } => {
                classify_by_rule(&mut run, &values, &names, &rule.compile(&spec.indicator_positions())?)
            }
            Method::Composite { normalisation, weights, score, classes } => {
                let method = CompositeMethod { normalisation: *normalisation, weights, score: *score, classes };
                classify_by_composite(&mut run, &values, &names, &directions, &method)?
            }
        }
        for row in &mut run.rows {
            let code = RegionCode::parse(&row.code).expect("codes of the universe");
            if let Some(ks) = imputed.get(&code) {
                row.imputed = ks.iter().map(|k| run.indicators[*k].clone()).collect();
            }
        }
        Ok(run)
    }

    /// An indicator's reference over the universe's (averaged) values, as
    /// its spec says; NaN when nothing it needs is known.
    async fn reference(
        &self,
        indicator: &SpecIndicator,
        column: &[Option<f64>],
        codes: &[&RegionCode],
        level: &str,
        years: &[i32],
    ) -> AppResult<f64> {
        let mean = |weights: Option<&[f64]>| rules::universe_mean(column, weights).unwrap_or(f64::NAN);
        Ok(match &indicator.reference {
            None => mean(None),
            Some(ReferenceSpec::Fixed(v)) => *v,
            Some(ReferenceSpec::PeerGroup(code)) => {
                let peers: HashSet<RegionCode> = self
                    .store()
                    .descendants(&self.parse_region_code(code)?, Some(level))
                    .await?
                    .into_iter()
                    .map(|r| r.code)
                    .collect();
                let weights: Vec<f64> = codes.iter().map(|c| if peers.contains(*c) { 1.0 } else { 0.0 }).collect();
                mean(Some(&weights))
            }
            Some(ReferenceSpec::WeightedBy(weight)) => {
                let by = self.averages(weight, level, years).await?;
                // A region without the weight counts for nothing.
                let weights: Vec<f64> = codes.iter().map(|c| by.get(*c).copied().unwrap_or(0.0)).collect();
                mean(Some(&weights))
            }
        })
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

    pub(crate) async fn universe(
        &self,
        universe: &Universe,
        visible: &crate::Jurisdiction,
    ) -> AppResult<Vec<(RegionCode, String)>> {
        let regions = match &universe.within {
            Some(code) => self.store().descendants(&self.parse_region_code(code)?, Some(&universe.level)).await?,
            None => self.store().regions_at_level(&universe.level).await?,
        };
        if regions.is_empty() {
            return Err(AppError::Invalid(format!("the universe has no regions at level {}", universe.level)));
        }
        Ok(regions.into_iter().filter(|r| visible.covers(&r.code)).map(|r| (r.code, r.name_zh)).collect())
    }

    /// Each region's mean of an indicator over `years` (only regions with a
    /// value in every year: a partial average would compare unlike things).
    pub(crate) async fn averages(&self, code: &str, level: &str, years: &[i32]) -> AppResult<HashMap<RegionCode, f64>> {
        let indicator = IndicatorCode::parse(code).map_err(|e| AppError::Invalid(e.to_string()))?;
        let mut sums: HashMap<RegionCode, (f64, usize)> = HashMap::new();
        for year in years {
            let query = ObservationQuery {
                indicator: Some(indicator.clone()),
                level: Some(level.to_string()),
                period: Some(Period::Year(*year).to_string()),
                ..Default::default()
            };
            // National averages: the jurisdiction limits what is designated,
            // not the figures a rule is computed from.
            for o in self.all_observations(&query, &crate::Jurisdiction::everywhere()).await? {
                let entry = sums.entry(o.region).or_insert((0.0, 0));
                entry.0 += o.value;
                entry.1 += 1;
            }
        }
        Ok(sums.into_iter().filter(|(_, (_, n))| *n == years.len()).map(|(c, (s, n))| (c, s / n as f64)).collect())
    }
}

/// Fills missing values by the spec's rule from the universe's known values
/// (their mean or median), returning which were filled per region.
fn impute(
    values: &mut BTreeMap<RegionCode, Vec<Option<f64>>>,
    columns: &[Vec<Option<f64>>],
    rule: Missing,
) -> HashMap<RegionCode, Vec<usize>> {
    let mut filled: HashMap<RegionCode, Vec<usize>> = HashMap::new();
    if rule == Missing::Exclude {
        return filled;
    }
    let stand_ins: Vec<Option<f64>> = columns
        .iter()
        .map(|column| {
            let known: Vec<f64> = column.iter().flatten().copied().collect();
            match (rule, known.is_empty()) {
                (_, true) => None,
                (Missing::Median, false) => {
                    let mut sorted = known;
                    sorted.sort_by(f64::total_cmp);
                    Some(classify::quantile_of_sorted(&sorted, 0.5))
                }
                _ => rules::universe_mean(column, None),
            }
        })
        .collect();
    for (code, row) in values.iter_mut() {
        for (k, value) in row.iter_mut().enumerate() {
            if value.is_none()
                && let Some(stand_in) = stand_ins[k]
            {
                *value = Some(stand_in);
                filled.entry(code.clone()).or_default().push(k);
            }
        }
    }
    filled
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
    run.classes = bands.iter().map(|b| b.label.clone()).collect();
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
    // The band of an index for region i, every other region held fixed:
    // its rank among the others' indices (higher is worse).
    let mut descending = indices.clone();
    descending.sort_by(|a, b| b.total_cmp(a));
    let n = indices.len() as f64;
    let band_at = |i: usize, index: f64| {
        let worse = descending.partition_point(|x| *x > index) - usize::from(indices[i] > index);
        let position = worse as f64 / n;
        uppers.iter().position(|u| position < *u).unwrap_or(uppers.len() - 1)
    };
    let references = run.references.clone();
    let m = references.len() as f64;
    // The index is a mean of parts, 100 × ratio / m, one per indicator.
    let part = |k: usize, v: f64| {
        let ratio = if directions[k] == Direction::HigherIsBetter { references[k] / v } else { v / references[k] };
        100.0 * ratio / m
    };
    let model = ScoreModel {
        score_with: &|row: &[f64], index: f64, k: usize, x: f64| index - part(k, row[k]) + part(k, x),
        class_at: &band_at,
        contributions: &|row: &[f64]| row.iter().enumerate().map(|(k, v)| part(k, *v)).collect(),
        search: Search::Positive,
    };
    let rows: Vec<Vec<f64>> = complete.iter().map(|(_, row)| row.clone()).collect();
    let explanations = model.explain(&rows, &indices, &run.indicators, &run.classes);
    for (i, ((code, row), explanation)) in complete.into_iter().zip(explanations).enumerate() {
        run.rows.push(RunRow {
            code: code.to_string(),
            name: names[code].clone(),
            ratios: row.iter().zip(&run.references).map(|(v, r)| v / r).collect(),
            values: row,
            imputed: Vec::new(),
            normalised: Vec::new(),
            index: Some(indices[i]),
            rank: Some(ranks[i]),
            percentile: Some((ranks[i] - 1) as f64 / n),
            class: bands[classes[i]].label.clone(),
            explanation,
        });
    }
    run.rows.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.code.cmp(&b.code)));
    Ok(())
}

/// A composite method as the spec gives it.
struct CompositeMethod<'a> {
    normalisation: NormalisationSpec,
    weights: &'a WeightsSpec,
    score: ScoreSpec,
    classes: &'a ClassesSpec,
}

fn classify_by_composite(
    run: &mut DesignationRun,
    values: &BTreeMap<RegionCode, Vec<Option<f64>>>,
    names: &HashMap<RegionCode, String>,
    directions: &[Direction],
    method: &CompositeMethod,
) -> AppResult<()> {
    if let Some(k) = directions.iter().position(|d| *d == Direction::Neutral) {
        return Err(AppError::Invalid(format!(
            "{} has no direction; give one in the spec (higher_is_better or lower_is_better)",
            run.indicators[k]
        )));
    }
    run.classes = method.classes.labels().to_vec();
    let complete = complete_rows(run, values, names);
    if complete.len() < 2 {
        return Err(AppError::Invalid("a composite index needs at least two regions with every value".into()));
    }
    let rows: Vec<Vec<f64>> = complete.iter().map(|(_, row)| row.clone()).collect();
    let invalid = |e: composite::CompositeError| AppError::Invalid(format!("composite index: {e}"));
    let m = run.indicators.len();
    run.weights = match method.weights {
        WeightsSpec::Equal => vec![1.0 / m as f64; m],
        WeightsSpec::Manual(w) => w.clone(),
        WeightsSpec::Entropy => {
            composite::entropy_weights(&composite::min_max(&rows, directions).map_err(invalid)?).map_err(invalid)?
        }
        WeightsSpec::Ahp(matrix) => {
            let ahp = composite::ahp(matrix).map_err(invalid)?;
            if !ahp.is_consistent() {
                run.warnings.push(format!(
                    "the AHP matrix is inconsistent: CR = {:.3} ≥ 0.1 (Saaty); revise the comparisons",
                    ahp.cr
                ));
            }
            run.consistency = Some(Consistency { lambda_max: ahp.lambda_max, ci: ahp.ci, cr: ahp.cr });
            ahp.weights
        }
    };
    let weights = run.weights.clone();
    let kind = match method.normalisation {
        NormalisationSpec::MinMax => Normalisation::MinMax,
        NormalisationSpec::ZScore => Normalisation::ZScore,
    };
    let scale = Scale::fit(kind, &rows, directions).map_err(invalid)?;
    let topsis = Topsis::fit(&rows, &weights, directions).map_err(invalid)?;
    let weighted = |row: &[f64]| -> f64 { row.iter().enumerate().map(|(j, x)| weights[j] * scale.apply(j, *x)).sum() };
    let score = |row: &[f64]| match method.score {
        ScoreSpec::WeightedSum => weighted(row),
        ScoreSpec::Topsis => topsis.closeness(row),
    };
    let scores: Vec<f64> = rows.iter().map(|row| score(row)).collect();
    let last = run.classes.len() - 1;
    let breaks = match method.classes {
        ClassesSpec::Quantiles(labels) => classify::quantile_breaks(&scores, labels.len()),
        ClassesSpec::NaturalBreaks(labels) => classify::jenks_breaks(&scores, labels.len().min(scores.len())),
        ClassesSpec::Thresholds { .. } => Ok(Vec::new()),
    }
    .map_err(|e| AppError::Invalid(format!("composite classes: {e}")))?;
    // Lower scores are worse, so classes count up from the worst.
    let class_at = |_: usize, s: f64| match method.classes {
        ClassesSpec::Thresholds { cuts, .. } => cuts.partition_point(|c| *c <= s),
        _ => classify::class_of(s, &breaks).min(last),
    };
    let negated: Vec<f64> = scores.iter().map(|s| -s).collect();
    let ranks = ranks_worst_first(&negated);
    let model = ScoreModel {
        score_with: &|row: &[f64], s: f64, k: usize, x: f64| match method.score {
            ScoreSpec::WeightedSum => s - weights[k] * scale.apply(k, row[k]) + weights[k] * scale.apply(k, x),
            ScoreSpec::Topsis => topsis.closeness_with(row, k, x),
        },
        class_at: &class_at,
        contributions: &|row: &[f64]| match method.score {
            ScoreSpec::WeightedSum => row.iter().enumerate().map(|(j, x)| weights[j] * scale.apply(j, *x)).collect(),
            ScoreSpec::Topsis => topsis.shares(row),
        },
        search: match method.score {
            ScoreSpec::WeightedSum => Search::Wide,
            ScoreSpec::Topsis => Search::Within,
        },
    };
    let explanations = model.explain(&rows, &scores, &run.indicators, &run.classes);
    let n = rows.len() as f64;
    for (i, ((code, row), explanation)) in complete.into_iter().zip(explanations).enumerate() {
        run.rows.push(RunRow {
            code: code.to_string(),
            name: names[code].clone(),
            ratios: row.iter().zip(&run.references).map(|(v, r)| v / r).collect(),
            normalised: (0..m).map(|j| scale.apply(j, row[j])).collect(),
            values: row,
            imputed: Vec::new(),
            index: Some(scores[i]),
            rank: Some(ranks[i]),
            percentile: Some((ranks[i] - 1) as f64 / n),
            class: run.classes[class_at(i, scores[i])].clone(),
            explanation,
        });
    }
    run.rows.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.code.cmp(&b.code)));
    Ok(())
}

/// The index of a region (its values and its index now) with indicator k's
/// value replaced by x: `(row, index, k, x)`.
type WhatIf<'a> = dyn Fn(&[f64], f64, usize, f64) -> f64 + 'a;

/// A score method fitted to a run's regions, for explanations: the index of
/// a row of values, the class of an index for region i with every other
/// region (and the reference, normalisation and breaks) held fixed, and the
/// parts of the index.
struct ScoreModel<'a> {
    score_with: &'a WhatIf<'a>,
    class_at: &'a dyn Fn(usize, f64) -> usize,
    contributions: &'a dyn Fn(&[f64]) -> Vec<f64>,
    /// Where a value may be moved in the search for a class change.
    search: Search,
}

/// The values searched for an indicator's nearest class change, given the
/// universe's range [lo, hi] of it.
#[derive(Clone, Copy)]
enum Search {
    /// Positive values, from a tenth of the lowest to ten times the highest
    /// (ARC's index divides by values).
    Positive,
    /// Two spans beyond either end (a weighted sum is linear in each value).
    Wide,
    /// Only the range itself (TOPSIS closeness turns back beyond the ideal
    /// and anti-ideal points).
    Within,
}

impl ScoreModel<'_> {
    fn explain(&self, rows: &[Vec<f64>], scores: &[f64], indicators: &[String], labels: &[String]) -> Vec<Explanation> {
        let m = indicators.len();
        let ranges: Vec<(f64, f64)> = (0..m)
            .map(|k| {
                let (lo, hi) = rows
                    .iter()
                    .map(|r| r[k])
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
                let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
                match self.search {
                    Search::Positive => (lo / 10.0, hi * 10.0),
                    Search::Wide => (lo - 2.0 * span, hi + 2.0 * span),
                    Search::Within => (lo, hi),
                }
            })
            .collect();
        let (s_lo, s_hi) = scores.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(*x), b.max(*x)));
        let s_pad = if s_hi > s_lo { s_hi - s_lo } else { 1.0 };
        rows.iter()
            .enumerate()
            .map(|(i, row)| {
                let class_of_score = |s: f64| (self.class_at)(i, s);
                let boundary = explain::nearest_class_change(scores[i], s_lo - s_pad, s_hi + s_pad, class_of_score)
                    .map(|s| (s - scores[i]).abs());
                let mut best: Option<(f64, NearestChange)> = None;
                for (k, &(lo, hi)) in ranges.iter().enumerate() {
                    let class_with = |x: f64| (self.class_at)(i, (self.score_with)(row, scores[i], k, x));
                    let Some(to) = explain::nearest_class_change(row[k], lo, hi, class_with) else { continue };
                    let size = relative_change(row[k], to, hi - lo);
                    if best.as_ref().is_none_or(|(b, _)| size < *b) {
                        let change = NearestChange {
                            indicator: indicators[k].clone(),
                            from: row[k],
                            to,
                            change_pct: (row[k] != 0.0).then(|| 100.0 * (to - row[k]) / row[k].abs()),
                            class: labels[class_with(to)].clone(),
                        };
                        best = Some((size, change));
                    }
                }
                Explanation {
                    contributions: (self.contributions)(row),
                    boundary_distance: boundary,
                    nearest_change: best.map(|(_, c)| c),
                }
            })
            .collect()
    }
}

/// How big a change is, comparably across indicators: relative to the
/// value, or to the universe's span for a value of 0.
fn relative_change(from: f64, to: f64, span: f64) -> f64 {
    if from != 0.0 { ((to - from) / from).abs() } else { (to - from).abs() / span.max(f64::MIN_POSITIVE) }
}

fn classify_by_rule(
    run: &mut DesignationRun,
    values: &BTreeMap<RegionCode, Vec<Option<f64>>>,
    names: &HashMap<RegionCode, String>,
    rule: &Rule,
) {
    run.classes = vec!["designated".to_string(), "not designated".to_string()];
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
        let explanation = Explanation {
            nearest_change: nearest_rule_change(rule, row, &run.references, &run.indicators),
            ..Default::default()
        };
        run.rows.push(RunRow {
            code: code.to_string(),
            name: names[code].clone(),
            ratios: known.iter().zip(&run.references).map(|(v, r)| v / r).collect(),
            values: known,
            imputed: Vec::new(),
            normalised: Vec::new(),
            index: None,
            rank: None,
            percentile: None,
            class: class.to_string(),
            explanation,
        });
    }
}

/// The smallest change in one known indicator that flips a rule's outcome:
/// a rule changes its answer only at a threshold line, so each line (and
/// the floats beside it) is a candidate.
fn nearest_rule_change(
    rule: &Rule,
    row: &[Option<f64>],
    references: &[f64],
    indicators: &[String],
) -> Option<NearestChange> {
    let outcome = |values: &[Option<f64>]| match rule.evaluate(values, references) {
        Outcome::Met => 0,
        _ => 1,
    };
    let mut best: Option<(f64, NearestChange)> = None;
    for (k, value) in row.iter().enumerate() {
        let Some(x) = *value else { continue };
        let candidates: Vec<f64> = rule
            .thresholds()
            .into_iter()
            .filter(|t| t.indicator == k)
            .flat_map(|t| explain::around(t.line(references)))
            .collect();
        let class_with = |v: f64| {
            let mut changed = row.to_vec();
            changed[k] = Some(v);
            outcome(&changed)
        };
        let Some(to) = explain::nearest_change_among(x, &candidates, class_with) else { continue };
        let size = relative_change(x, to, references[k].abs());
        if best.as_ref().is_none_or(|(b, _)| size < *b) {
            let class = if class_with(to) == 0 { "designated" } else { "not designated" };
            let change = NearestChange {
                indicator: indicators[k].clone(),
                from: x,
                to,
                change_pct: (x != 0.0).then(|| 100.0 * (to - x) / x.abs()),
                class: class.to_string(),
            };
            best = Some((size, change));
        }
    }
    best.map(|(_, c)| c)
}

impl DesignationRun {
    /// The run as a table (CSV or XLSX): one line per region, worst first,
    /// then the excluded regions with the reason.
    pub fn table(&self, format: revita_ingest::export::ExportFormat) -> AppResult<Vec<u8>> {
        let composite = !self.weights.is_empty();
        let mut header = vec!["code".to_string(), "name".to_string()];
        header.extend(self.indicators.iter().cloned());
        header.extend(self.indicators.iter().map(|i| format!("{i}_ratio")));
        if composite {
            header.extend(self.indicators.iter().map(|i| format!("{i}_normalised")));
        }
        header.extend(
            ["index", "rank", "percentile", "class", "distance_to_boundary", "nearest_change", "imputed", "reason"]
                .map(String::from),
        );
        let number = |v: f64| if v.is_finite() { format!("{v:.6}") } else { String::new() };
        let mut rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| {
                let mut cells = vec![row.code.clone(), row.name.clone()];
                cells.extend(row.values.iter().map(|v| number(*v)));
                cells.extend(row.ratios.iter().map(|v| number(*v)));
                cells.extend(row.normalised.iter().map(|v| number(*v)));
                cells.push(row.index.map(number).unwrap_or_default());
                cells.push(row.rank.map(|r| r.to_string()).unwrap_or_default());
                cells.push(row.percentile.map(number).unwrap_or_default());
                cells.push(row.class.clone());
                cells.push(row.explanation.boundary_distance.map(number).unwrap_or_default());
                cells.push(row.explanation.nearest_change.as_ref().map(NearestChange::describe).unwrap_or_default());
                cells.push(row.imputed.join(";"));
                cells.push(String::new());
                cells
            })
            .collect();
        // Excluded regions: `excluded` in the class column, the reason last.
        let class_column = header.len() - 5;
        for e in &self.excluded {
            let mut cells = vec![e.code.clone(), e.name.clone()];
            cells.extend(std::iter::repeat_n(String::new(), class_column - 2));
            cells.extend(["excluded".to_string(), String::new(), String::new(), String::new(), e.reason.clone()]);
            rows.push(cells);
        }
        revita_ingest::export::table_bytes(&header, &rows, format)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
    }
}

impl NearestChange {
    /// In words, e.g. `illiteracy_pct 4.000000 → 3.600000 (-10.0%): other`.
    pub fn describe(&self) -> String {
        let pct = self.change_pct.map(|p| format!(" ({p:+.1}%)")).unwrap_or_default();
        format!("{} {:.6} → {:.6}{pct}: {}", self.indicator, self.from, self.to, self.class)
    }
}

/// Two runs side by side (two methods, or two years): which regions changed
/// class, and the transition matrix of counts.
#[derive(Debug, Clone, Serialize)]
pub struct RunComparison {
    /// The first run: spec and year.
    pub from: String,
    /// The second run.
    pub to: String,
    /// The first run's classes, worst first (rows of the matrix).
    pub from_classes: Vec<String>,
    /// The second run's classes (columns).
    pub to_classes: Vec<String>,
    /// Whether both runs use the same classes (two years of one method), so
    /// that a region whose label differs has changed class; for two methods
    /// with different classes only the matrix is meaningful.
    pub same_classes: bool,
    /// `matrix[i][j]`: regions in class i in the first run and j in the second.
    pub matrix: Vec<Vec<usize>>,
    /// Every region classified in both runs, with both classes.
    pub regions: Vec<Transition>,
    /// Regions classified in only one run (excluded or outside the other's
    /// universe), with where they are classified.
    pub unmatched: Vec<Transition>,
}

/// A region's class in each run.
#[derive(Debug, Clone, Serialize)]
pub struct Transition {
    /// Region code.
    pub code: String,
    /// Region name.
    pub name: String,
    /// Its class in the first run (none if not classified there).
    pub from: Option<String>,
    /// Its class in the second run.
    pub to: Option<String>,
}

impl Transition {
    /// Whether the region is in a different class in the second run.
    pub fn changed(&self) -> bool {
        self.from != self.to
    }
}

impl DesignationRun {
    /// Compares this run with `other`, region by region.
    pub fn compare(&self, other: &DesignationRun) -> RunComparison {
        let theirs: HashMap<&str, &RunRow> = other.rows.iter().map(|r| (r.code.as_str(), r)).collect();
        let position = |classes: &[String], class: &str| classes.iter().position(|c| c == class);
        let mut matrix = vec![vec![0; other.classes.len()]; self.classes.len()];
        let (mut regions, mut unmatched) = (Vec::new(), Vec::new());
        let mut ours: Vec<&RunRow> = self.rows.iter().collect();
        ours.sort_by(|a, b| a.code.cmp(&b.code));
        for row in ours {
            let transition = Transition {
                code: row.code.clone(),
                name: row.name.clone(),
                from: Some(row.class.clone()),
                to: theirs.get(row.code.as_str()).map(|r| r.class.clone()),
            };
            match &transition.to {
                Some(to) => {
                    if let (Some(i), Some(j)) = (position(&self.classes, &row.class), position(&other.classes, to)) {
                        matrix[i][j] += 1;
                    }
                    regions.push(transition);
                }
                None => unmatched.push(transition),
            }
        }
        let ours: HashSet<&str> = self.rows.iter().map(|r| r.code.as_str()).collect();
        let mut only_theirs: Vec<&RunRow> = other.rows.iter().filter(|r| !ours.contains(r.code.as_str())).collect();
        only_theirs.sort_by(|a, b| a.code.cmp(&b.code));
        unmatched.extend(only_theirs.into_iter().map(|r| Transition {
            code: r.code.clone(),
            name: r.name.clone(),
            from: None,
            to: Some(r.class.clone()),
        }));
        RunComparison {
            from: format!("{} {}", self.spec, self.year),
            to: format!("{} {}", other.spec, other.year),
            from_classes: self.classes.clone(),
            to_classes: other.classes.clone(),
            same_classes: self.classes == other.classes,
            matrix,
            regions,
            unmatched,
        }
    }
}

impl RunComparison {
    /// The comparison as a table (CSV or XLSX): one line per region, its
    /// class in each run and whether it changed.
    pub fn table(&self, format: revita_ingest::export::ExportFormat) -> AppResult<Vec<u8>> {
        let header: Vec<String> = ["code", "name", "from", "to", "changed"].map(String::from).to_vec();
        let rows: Vec<Vec<String>> = self
            .regions
            .iter()
            .chain(&self.unmatched)
            .map(|t| {
                vec![
                    t.code.clone(),
                    t.name.clone(),
                    t.from.clone().unwrap_or_else(|| "not classified".into()),
                    t.to.clone().unwrap_or_else(|| "not classified".into()),
                    match (self.same_classes || t.from.is_none() || t.to.is_none(), t.changed()) {
                        (false, _) => "",
                        (true, true) => "yes",
                        (true, false) => "no",
                    }
                    .into(),
                ]
            })
            .collect();
        revita_ingest::export::table_bytes(&header, &rows, format)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
    }
}

/// A decision to make a run's classes an official designation list.
#[derive(Debug, Clone)]
pub struct ListDecision {
    /// The category designated (e.g. `poverty_county`, `custom:education_lag`).
    pub category: String,
    /// The run's classes whose regions are on the list.
    pub classes: Vec<String>,
    /// The deciding document's title.
    pub basis_title: String,
    /// Its number, e.g. 黔乡振〔2021〕1号.
    pub basis_number: Option<String>,
    /// The day the list takes effect.
    pub effective_from: revita_methods::Date,
    /// The last day regions that leave stay designated (default: the day
    /// before the list takes effect).
    pub transition_until: Option<revita_methods::Date>,
}

/// What committing a list did.
#[derive(Debug, Clone, Serialize)]
pub struct CommittedList {
    /// The list's number.
    pub id: i64,
    /// Regions on the list.
    pub members: usize,
    /// Regions newly designated.
    pub joining: Vec<String>,
    /// Regions designated before that leave (at the end of the transition).
    pub leaving: Vec<String>,
    /// SHA-256 of the spec.
    pub spec_sha256: String,
    /// SHA-256 of the run's inputs.
    pub input_sha256: String,
}

/// What committing a run as a list would change, shown before the commit
/// and confirmed by its fingerprint (issue 13: a commit may change only
/// what the run decided, and nothing unseen).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ListPreview {
    /// Regions on the list.
    pub members: usize,
    /// Regions that join: listed, not designated in the category now.
    pub joining: Vec<String>,
    /// Regions that leave: designated now, classified by the run, not listed.
    pub leaving: Vec<String>,
    /// Regions listed and designated already, which stay.
    pub staying: Vec<String>,
    /// Regions designated in the category that the commit leaves as they
    /// are: outside the run's universe, or excluded from it.
    pub untouched: usize,
    /// SHA-256 of what the commit would write; the commit needs it back.
    pub fingerprint: String,
}

/// A commit worked out: its preview and what it would write.
struct ListPlan {
    preview: ListPreview,
    category: revita_methods::DesignationCategory,
    members: Vec<(RegionCode, String)>,
    writes: Vec<revita_methods::Designation>,
    basis: revita_methods::Basis,
}

/// Runs with fewer classified regions than excluded ones make no list: a
/// universe mostly without data says more about the data than the regions.
fn check_run_for_list(run: &DesignationRun) -> AppResult<()> {
    let invalid = |reason: String| AppError::Invalid(format!("designation list: {reason}"));
    if run.rows.is_empty() {
        return Err(invalid(format!(
            "the run classified no region ({} excluded); there is nothing to commit",
            run.excluded.len()
        )));
    }
    if run.excluded.len() > run.rows.len() {
        return Err(invalid(format!(
            "{} of the universe's {} regions were excluded (see the reasons); a run that classifies fewer than half of its universe cannot become a list",
            run.excluded.len(),
            run.excluded.len() + run.rows.len()
        )));
    }
    Ok(())
}

impl App {
    /// What committing `run` as a list would change: regions that join,
    /// leave and stay, and how many designations of the category it leaves
    /// untouched. Only regions the run classified can leave; every region
    /// that joins or leaves must lie in `within` (the approver's
    /// jurisdiction for decisions).
    pub async fn preview_designation_list(
        &self,
        run: &DesignationRun,
        decision: &ListDecision,
        within: &crate::Jurisdiction,
    ) -> AppResult<ListPreview> {
        Ok(self.plan_designation_list(run, decision, within).await?.preview)
    }

    async fn plan_designation_list(
        &self,
        run: &DesignationRun,
        decision: &ListDecision,
        within: &crate::Jurisdiction,
    ) -> AppResult<ListPlan> {
        let invalid = |reason: String| AppError::Invalid(format!("designation list: {reason}"));
        let category =
            revita_methods::DesignationCategory::parse(&decision.category).map_err(|e| invalid(e.to_string()))?;
        if decision.classes.is_empty() {
            return Err(invalid("name at least one class to designate".into()));
        }
        if let Some(unknown) = decision.classes.iter().find(|c| !run.classes.contains(c)) {
            return Err(invalid(format!("the run has no class '{unknown}' (its classes: {})", run.classes.join(", "))));
        }
        if decision.basis_title.trim().is_empty() {
            return Err(invalid("a list needs its deciding document (basis title)".into()));
        }
        if decision.transition_until.is_some_and(|t| t < decision.effective_from) {
            return Err(invalid("the transition cannot end before the list takes effect".into()));
        }
        check_run_for_list(run)?;
        let listed_rows: Vec<&RunRow> = run.rows.iter().filter(|r| decision.classes.contains(&r.class)).collect();
        let classified: HashSet<&str> = run.rows.iter().map(|r| r.code.as_str()).collect();
        let listed: HashSet<&str> = listed_rows.iter().map(|r| r.code.as_str()).collect();
        let current: Vec<revita_methods::Designation> = self
            .store()
            .designations(Some(&category), None)
            .await?
            .into_iter()
            .filter(|d| d.is_active_on(decision.effective_from))
            .collect();
        let held: HashSet<&str> = current.iter().map(|d| d.region.as_str()).collect();
        let basis =
            revita_methods::Basis { title: decision.basis_title.clone(), number: decision.basis_number.clone() };
        let custom = matches!(category, revita_methods::DesignationCategory::Custom(_));
        let mut writes = Vec::new();
        let (mut joining, mut staying) = (Vec::new(), Vec::new());
        for row in &listed_rows {
            if held.contains(row.code.as_str()) {
                staying.push(row.code.clone());
                continue;
            }
            writes.push(revita_methods::Designation {
                region: RegionCode::parse(&row.code).map_err(|e| invalid(e.to_string()))?,
                category: category.clone(),
                class: custom.then(|| row.class.clone()),
                basis: basis.clone(),
                valid_from: Some(decision.effective_from),
                valid_to: None,
                notes: Some(format!("{} ({}): {}", run.spec, run.year, row.class)),
            });
            joining.push(row.code.clone());
        }
        let last_day = decision.transition_until.unwrap_or_else(|| decision.effective_from.day_before());
        let (mut leaving, mut untouched) = (Vec::new(), 0);
        for d in &current {
            let code = d.region.as_str();
            if listed.contains(code) {
                continue;
            }
            // Only what the run looked at and classified can leave: a
            // region outside its universe, or excluded for missing data,
            // keeps its designation.
            if !classified.contains(code) {
                untouched += 1;
                continue;
            }
            let note = format!("not on {} ({}); designated to {last_day}", run.spec, run.year);
            let notes = Some(d.notes.as_ref().map_or(note.clone(), |n| format!("{n}; {note}")));
            writes.push(revita_methods::Designation { valid_to: Some(last_day), notes, ..d.clone() });
            leaving.push(code.to_string());
        }
        if let Some(outside) = writes.iter().find(|d| !within.covers(&d.region)) {
            return Err(AppError::Forbidden(crate::import::outside(&outside.region)));
        }
        let members: Vec<(RegionCode, String)> = listed_rows
            .iter()
            .map(|r| Ok((RegionCode::parse(&r.code).map_err(|e| invalid(e.to_string()))?, r.class.clone())))
            .collect::<AppResult<_>>()?;
        let fingerprint = {
            let mut text = format!("{}\n{}\n{}\n", category.as_str(), decision.effective_from, last_day);
            for (label, codes) in [("join", &joining), ("leave", &leaving), ("stay", &staying)] {
                text.push_str(&format!("{label}:{}\n", codes.join(",")));
            }
            text.push_str(&format!("untouched:{untouched}\n"));
            text.push_str(&String::from_utf8_lossy(&run_fingerprint(run)));
            crate::auth::sha256_hex(text.as_bytes())
        };
        let preview = ListPreview { members: members.len(), joining, leaving, staying, untouched, fingerprint };
        Ok(ListPlan { preview, category, members, writes, basis })
    }

    /// Commits a run as an official designation list, if `confirm` is the
    /// fingerprint of its preview (so that what was reviewed is what is
    /// written): regions in the chosen classes are designated from the
    /// effective date; regions the run classified that were designated in
    /// the category but are not on the list stay designated to the end of
    /// the transition period, then leave; others are untouched. The list
    /// keeps the spec, the SHA-256 of the spec and of the run's inputs, and
    /// the approver; list, designations and audit entry commit together.
    pub async fn commit_designation_list(
        &self,
        spec: &DesignationSpec,
        run: &DesignationRun,
        decision: &ListDecision,
        by: &crate::auth::ChangeBy,
        within: &crate::Jurisdiction,
        confirm: &str,
    ) -> AppResult<CommittedList> {
        let plan = self.plan_designation_list(run, decision, within).await?;
        if !crate::auth::constant_time_eq(&plan.preview.fingerprint, confirm.trim()) {
            return Err(AppError::Conflict(
                "the list differs from the preview that was confirmed (the data or the list changed since); review the new preview and confirm it".into(),
            ));
        }
        let ListPlan { preview, category, members, writes, basis } = plan;
        let spec_json = serde_json::to_string(spec).map_err(|e| AppError::Internal(e.into()))?;
        let list = revita_methods::DesignationList {
            id: 0,
            category,
            name: run.spec.clone(),
            run_year: run.year,
            classes: decision.classes.clone(),
            basis,
            effective_from: decision.effective_from,
            transition_until: decision.transition_until,
            spec_sha256: crate::auth::sha256_hex(spec_json.as_bytes()),
            input_sha256: crate::auth::sha256_hex(&run_fingerprint(run)),
            spec_json,
            members: members.len() as u64,
            joining: preview.joining.len() as u64,
            leaving: preview.leaving.len() as u64,
            approved_by: by.name().to_string(),
            approved_at: by.origin.now,
        };
        let codes: Vec<RegionCode> =
            writes.iter().map(|d| d.region.clone()).chain(members.iter().map(|(c, _)| c.clone())).collect();
        let region = self.store().common_ancestor(&crate::import::distinct(codes.iter())).await?;
        let mut tx = self.store().begin().await?;
        let id = tx.commit_designation_list(&list, &members, &writes).await?;
        let committed = CommittedList {
            id,
            members: members.len(),
            joining: preview.joining,
            leaving: preview.leaving,
            spec_sha256: list.spec_sha256,
            input_sha256: list.input_sha256,
        };
        let after = serde_json::to_string(&committed).map_err(|e| AppError::Internal(e.into()))?;
        tx.audit(by.entry(
            "designation.commit",
            ("designation_list", &id.to_string()),
            region.as_ref(),
            (None, Some(after)),
        ));
        tx.commit().await?;
        Ok(committed)
    }
}

/// The bytes a run's inputs are fingerprinted by: the year, the references
/// and every classified region's code and values, in a fixed order, so the
/// same inputs always give the same SHA-256.
fn run_fingerprint(run: &DesignationRun) -> Vec<u8> {
    let mut text = format!("{}\n{}\n", run.year, run.indicators.join(","));
    let number = |v: &f64| format!("{:e}", v);
    text.push_str(&run.references.iter().map(number).collect::<Vec<_>>().join(","));
    let mut rows: Vec<&RunRow> = run.rows.iter().collect();
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    for row in rows {
        text.push_str(&format!("\n{},{}", row.code, row.values.iter().map(number).collect::<Vec<_>>().join(",")));
    }
    text.into_bytes()
}

impl App {
    /// Committed designation lists (of a category), oldest first.
    pub async fn designation_lists(&self, category: Option<&str>) -> AppResult<Vec<revita_methods::DesignationList>> {
        let category = category
            .map(revita_methods::DesignationCategory::parse)
            .transpose()
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        Ok(self.store().designation_lists(category.as_ref()).await?)
    }

    /// A committed list as a table (CSV or XLSX): one line per member with
    /// its name and class, and the list's decision on every line (category,
    /// basis, effective date, transition, spec, hashes, approver).
    pub async fn designation_list_table(
        &self,
        id: i64,
        format: revita_ingest::export::ExportFormat,
    ) -> AppResult<Vec<u8>> {
        let lists = self.store().designation_lists(None).await?;
        let list =
            lists.iter().find(|l| l.id == id).ok_or_else(|| AppError::NotFound(format!("designation list {id}")))?;
        let members = self.store().designation_list_members(id).await?;
        let header: Vec<String> = [
            "list",
            "category",
            "code",
            "name",
            "class",
            "basis",
            "basis_number",
            "effective_from",
            "transition_until",
            "method",
            "run_year",
            "spec_sha256",
            "input_sha256",
            "approved_by",
        ]
        .map(String::from)
        .to_vec();
        let mut rows = Vec::new();
        for (code, class) in members {
            let name = self.store().region(&code).await?.map(|r| r.name_zh).unwrap_or_default();
            rows.push(vec![
                list.id.to_string(),
                list.category.as_str(),
                code.to_string(),
                name,
                class,
                list.basis.title.clone(),
                list.basis.number.clone().unwrap_or_default(),
                list.effective_from.to_string(),
                list.transition_until.map(|d| d.to_string()).unwrap_or_default(),
                list.name.clone(),
                list.run_year.to_string(),
                list.spec_sha256.clone(),
                list.input_sha256.clone(),
                list.approved_by.clone(),
            ]);
        }
        revita_ingest::export::table_bytes(&header, &rows, format)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
    }
}
