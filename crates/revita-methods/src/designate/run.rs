//! Running a spec: the regions' values imputed as the spec says, classed by
//! ARC's index and rank, a threshold rule or a composite index, each region
//! with the parts of its index and the smallest change that moves it to
//! another class.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::DesignateError;
use super::spec::{
    Band, ClassesSpec, DesignationSpec, DimensionPart, Method, Missing, NormalisationSpec, ScoreSpec, WeightsSpec,
};
use crate::classify;
use crate::composite::{self, Normalisation, Scale, Topsis, percentile_bands, ranks_worst_first, ratio_index};
use crate::explain;
use crate::indicator::Direction;
use crate::region::RegionCode;
use crate::rules::{self, Outcome, Rule};

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
    /// The quadrant method's two scores (security, sustainability), each
    /// in [0, 1]; empty for other methods.
    pub dimensions: Vec<f64>,
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

impl NearestChange {
    /// In words, e.g. `illiteracy_pct 4.000000 → 3.600000 (-10.0%): other`.
    pub fn describe(&self) -> String {
        let pct = self.change_pct.map(|p| format!(" ({p:+.1}%)")).unwrap_or_default();
        format!("{} {:.6} → {:.6}{pct}: {}", self.indicator, self.from, self.to, self.class)
    }
}

/// What a run is computed from, gathered by the caller from stored data.
#[derive(Debug, Clone, Default)]
pub struct RunInputs {
    /// The run's year (the last year averaged).
    pub year: i32,
    /// The universe: every region compared, with its name.
    pub names: BTreeMap<RegionCode, String>,
    /// Each region's (averaged) value of each indicator, in spec order;
    /// `None` where it lacks one. Regions not in `names` are ignored.
    pub values: BTreeMap<RegionCode, Vec<Option<f64>>>,
    /// Each indicator's direction, in spec order.
    pub directions: Vec<Direction>,
    /// Each indicator's reference, in spec order (NaN when unknown).
    pub references: Vec<f64>,
}

/// Runs `spec` on `inputs`: imputes as the spec says, then classifies.
pub fn run(spec: &DesignationSpec, inputs: RunInputs) -> Result<DesignationRun, DesignateError> {
    let RunInputs { year, names, values, directions, references } = inputs;
    let width = spec.indicators.len();
    let mut values: BTreeMap<RegionCode, Vec<Option<f64>>> = names
        .keys()
        .map(|code| {
            let mut row = values.get(code).cloned().unwrap_or_default();
            row.resize(width, None);
            (code.clone(), row)
        })
        .collect();
    let names: HashMap<RegionCode, String> = names.into_iter().collect();
    let mut run = DesignationRun {
        spec: format!("{} v{}", spec.name, spec.version),
        year,
        level: spec.universe.level.clone(),
        indicators: spec.indicators.iter().map(|i| i.code.clone()).collect(),
        references,
        classes: Vec::new(),
        weights: Vec::new(),
        consistency: None,
        warnings: Vec::new(),
        rows: Vec::new(),
        excluded: Vec::new(),
    };
    let columns: Vec<Vec<Option<f64>>> = (0..width).map(|k| values.values().map(|row| row[k]).collect()).collect();
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
        Method::Quadrant { security, sustainability, security_cut, sustainability_cut } => {
            let spec = quadrant_spec(&run.indicators, &directions, security, sustainability)?;
            let spec = crate::resource_city::ClassificationSpec {
                security_cut: *security_cut,
                sustainability_cut: *sustainability_cut,
                ..spec
            };
            classify_by_quadrant(&mut run, &values, &names, &spec)?
        }
    }
    for row in &mut run.rows {
        if let Some(ks) = RegionCode::parse(&row.code).ok().and_then(|code| imputed.get(&code)) {
            row.imputed = ks.iter().map(|k| run.indicators[*k].clone()).collect();
        }
    }
    Ok(run)
}

/// The index and composite methods rank by a direction: every indicator
/// needs one.
fn check_directions(run: &DesignationRun, directions: &[Direction]) -> Result<(), DesignateError> {
    match directions.iter().position(|d| *d == Direction::Neutral) {
        Some(k) => Err(DesignateError::NoDirection(run.indicators[k].clone())),
        None => Ok(()),
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
) -> Result<(), DesignateError> {
    check_directions(run, directions)?;
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
            dimensions: Vec::new(),
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
) -> Result<(), DesignateError> {
    check_directions(run, directions)?;
    run.classes = method.classes.labels().to_vec();
    let complete = complete_rows(run, values, names);
    if complete.len() < 2 {
        return Err(DesignateError::TooFewRegions);
    }
    let rows: Vec<Vec<f64>> = complete.iter().map(|(_, row)| row.clone()).collect();
    let invalid = DesignateError::Composite;
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
    .map_err(DesignateError::Classes)?;
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
            dimensions: Vec::new(),
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
            dimensions: Vec::new(),
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

/// Runs with fewer classified regions than excluded ones make no list: a
/// universe mostly without data says more about the data than the regions.
pub fn check_listable(run: &DesignationRun) -> Result<(), DesignateError> {
    let invalid = DesignateError::List;
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

/// The quadrant method's dimensions as [`crate::resource_city`] takes them,
/// each indicator oriented by its direction.
fn quadrant_spec(
    indicators: &[String],
    directions: &[Direction],
    security: &[DimensionPart],
    sustainability: &[DimensionPart],
) -> Result<crate::resource_city::ClassificationSpec, DesignateError> {
    use crate::resource_city::{Better, DimensionIndicator};
    let dimension = |parts: &[DimensionPart]| -> Result<Vec<DimensionIndicator>, DesignateError> {
        parts
            .iter()
            .map(|p| {
                let k = indicators
                    .iter()
                    .position(|c| *c == p.code)
                    .ok_or_else(|| DesignateError::Spec(format!("{} is not one of the spec's indicators", p.code)))?;
                let better = match directions[k] {
                    Direction::HigherIsBetter => Better::Higher,
                    Direction::LowerIsBetter => Better::Lower,
                    Direction::Neutral => return Err(DesignateError::NoDirection(p.code.clone())),
                };
                Ok(DimensionIndicator { indicator: p.code.clone(), weight: p.weight, better })
            })
            .collect()
    };
    Ok(crate::resource_city::ClassificationSpec {
        security: dimension(security)?,
        sustainability: dimension(sustainability)?,
        security_cut: Default::default(),
        sustainability_cut: Default::default(),
    })
}

/// Classes regions by the quadrant method: each region's two scores, its
/// type, the parts of its scores (in spec order) and its margin to the
/// nearer cut.
fn classify_by_quadrant(
    run: &mut DesignationRun,
    values: &BTreeMap<RegionCode, Vec<Option<f64>>>,
    names: &HashMap<RegionCode, String>,
    spec: &crate::resource_city::ClassificationSpec,
) -> Result<(), DesignateError> {
    use crate::resource_city::{CityType, CityValues, ClassificationError, classify};
    run.classes = CityType::ALL.iter().map(|t| t.as_str().to_string()).collect();
    let complete = complete_rows(run, values, names);
    let cities: Vec<CityValues> = complete
        .iter()
        .map(|(code, row)| CityValues {
            code: code.to_string(),
            name: names[*code].clone(),
            values: run.indicators.iter().cloned().zip(row.iter().copied()).collect(),
        })
        .collect();
    let classification = classify(spec, &cities).map_err(|e| match e {
        ClassificationError::TooFewCities => DesignateError::TooFewRegions,
        ClassificationError::Spec(reason) => DesignateError::Spec(reason),
    })?;
    run.warnings.push(format!(
        "cuts: security {:.4}, sustainability {:.4}",
        classification.security_cut, classification.sustainability_cut
    ));
    let rows: HashMap<String, Vec<f64>> = complete.into_iter().map(|(code, row)| (code.to_string(), row)).collect();
    for city in classification.cities {
        let parts: HashMap<&str, (f64, f64)> = city
            .security_parts
            .iter()
            .chain(&city.sustainability_parts)
            .map(|p| (p.indicator.as_str(), (p.scaled, p.scaled * p.weight)))
            .collect();
        let part = |k: usize| parts.get(run.indicators[k].as_str()).copied().unwrap_or((f64::NAN, 0.0));
        let row = rows.get(&city.code).cloned().unwrap_or_default();
        run.rows.push(RunRow {
            name: city.name.clone(),
            ratios: row.iter().zip(&run.references).map(|(v, r)| v / r).collect(),
            normalised: (0..run.indicators.len()).map(|k| part(k).0).collect(),
            values: row,
            imputed: Vec::new(),
            index: Some(city.security),
            rank: None,
            percentile: None,
            class: city.city_type.as_str().to_string(),
            explanation: Explanation {
                contributions: (0..run.indicators.len()).map(|k| part(k).1).collect(),
                boundary_distance: Some(city.margin),
                nearest_change: None,
            },
            dimensions: vec![city.security, city.sustainability],
            code: city.code,
        });
    }
    Ok(())
}
