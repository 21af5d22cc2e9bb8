//! The census EBP for a user (issue 22): a survey sample and a census
//! uploaded as files, the nested-error model fitted and every census
//! domain's mean income, headcount ratio and poverty gap estimated (with
//! the bootstrap MSE when asked); domains whose code is a stored region are
//! named, and their estimates can be stored as indicators with their MSE
//! and CV, within the actor's data-entry jurisdiction, in one audited
//! transaction. The methods are `revita-methods::sae`'s (Molina & Rao 2010;
//! González-Manteiga et al. 2008).

use std::collections::HashMap;
use std::path::Path;

use revita_methods::access::Action;
use revita_methods::sae::direct::{self, DirectEstimate};
use revita_methods::sae::ebp::Indicators;
use revita_methods::{
    Aggregation, Direction, Indicator, IndicatorCode, Observation, ObservationStatus, Period, RegionCode,
};
use serde::{Deserialize, Serialize};

use super::files::{EbpEstimates, EbpInput, Scale, ebp_estimates};
use super::{FhStored, StoredValue};
use crate::auth::{Actor, Origin, audit_entry};
use crate::{App, AppError, AppResult};

/// The most Monte Carlo replicates a run from the web may ask for.
pub const MAX_WEB_REPLICATES: usize = 500;
/// The most bootstrap replicates a run from the web may ask for (each
/// refits the model and repeats the Monte Carlo).
pub const MAX_WEB_BOOTSTRAP: usize = 100;

/// A census EBP's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EbpSettings {
    /// The poverty line z, in the unit of y.
    pub line: f64,
    /// Monte Carlo replicates L.
    pub replicates: usize,
    /// Bootstrap replicates B (0: no MSE).
    #[serde(default)]
    pub bootstrap: usize,
    /// The seed of every random stream.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// The covariates' columns (empty: every census column but `domain`).
    #[serde(default)]
    pub covariates: Vec<String>,
    /// The unit of y (e.g. 元/人·年).
    #[serde(default = "default_unit")]
    pub unit: String,
    /// `log` (default) or `box_cox`: the scale of the model.
    #[serde(default)]
    pub transformation: TransformationKind,
    /// The Box–Cox power, 0 to 2; absent, chosen by the restricted profile
    /// likelihood.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda: Option<f64>,
}

/// The scale of the model, as a setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransformationKind {
    /// log y.
    #[default]
    Log,
    /// Box–Cox (Box & Cox 1964).
    BoxCox,
}

fn default_seed() -> u64 {
    20_100_401
}

fn default_unit() -> String {
    "元".into()
}

impl EbpSettings {
    /// Checks the settings, `web` holding L and B to the web's bounds.
    pub fn check(&self, web: bool) -> AppResult<()> {
        let invalid = |m: String| Err(AppError::Invalid(m));
        if !(self.line.is_finite() && self.line > 0.0) {
            return invalid(format!("z: the poverty line must be a positive number, not {}", self.line));
        }
        let (l_max, b_max) = if web { (MAX_WEB_REPLICATES, MAX_WEB_BOOTSTRAP) } else { (100_000, 10_000) };
        if !(1..=l_max).contains(&self.replicates) {
            return invalid(format!("L: Monte Carlo replicates must lie between 1 and {l_max}"));
        }
        if self.bootstrap > b_max {
            return invalid(format!("B: bootstrap replicates must lie between 0 and {b_max}"));
        }
        if self.covariates.len() > super::MAX_COVARIATES {
            return invalid(format!("covariates: at most {}", super::MAX_COVARIATES));
        }
        if let Some(bad) = self.covariates.iter().find(|c| c.is_empty() || c.len() > 64 || c.contains(char::is_control))
        {
            return invalid(format!("covariates: '{}' is not a column name", bad.escape_debug()));
        }
        if self.unit.chars().count() > 32 || self.unit.contains(char::is_control) {
            return invalid("unit: at most 32 characters of text".into());
        }
        let (lo, hi) = revita_methods::sae::boxcox::LAMBDA_RANGE;
        match (self.transformation, self.lambda) {
            (TransformationKind::Log, Some(_)) => {
                return invalid("lambda: only with the Box–Cox transformation".into());
            }
            (TransformationKind::BoxCox, Some(l)) if !(lo..=hi).contains(&l) => {
                return invalid(format!("lambda: the Box–Cox power must lie between {lo} and {hi}"));
            }
            _ => {}
        }
        Ok(())
    }
}

/// One census domain's estimates.
#[derive(Debug, Clone, Serialize)]
pub struct EbpDomain {
    /// The domain's code as given.
    pub domain: i64,
    /// The stored region of that code, if any.
    #[serde(serialize_with = "optional_code")]
    pub region: Option<RegionCode>,
    /// Its Chinese name.
    pub name_zh: Option<String>,
    /// Sampled units.
    pub n_sample: usize,
    /// Census units.
    pub n_pop: usize,
    /// The EBP of the mean of y.
    pub mean: f64,
    /// Of the headcount ratio (FGT0), a share.
    pub fgt0: f64,
    /// Of the poverty gap index (FGT1), a share.
    pub fgt1: f64,
    /// Of the Gini coefficient.
    pub gini: f64,
    /// Bootstrap MSE of the four (when B > 0).
    pub mse: Option<EbpMse>,
    /// The survey's direct estimates of the domain (two sampled units or more).
    pub direct: Option<Direct>,
}

/// A domain's direct (design-based) estimates from the survey, each with its
/// linearisation variance (Hájek means; `revita-methods::sae::direct`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Direct {
    /// Mean of y.
    pub mean: DirectEstimate,
    /// Headcount ratio.
    pub fgt0: DirectEstimate,
    /// Poverty gap index.
    pub fgt1: DirectEstimate,
    /// Gini coefficient.
    pub gini: DirectEstimate,
}

/// The bootstrap MSE of a domain's estimates, and the CVs (%).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct EbpMse {
    /// MSE of the mean.
    pub mean: f64,
    /// MSE of FGT0.
    pub fgt0: f64,
    /// MSE of FGT1.
    pub fgt1: f64,
    /// MSE of the Gini coefficient.
    pub gini: f64,
    /// CV of the mean (%).
    pub cv_mean: Option<f64>,
    /// CV of FGT0 (%).
    pub cv_fgt0: Option<f64>,
    /// CV of FGT1 (%).
    pub cv_fgt1: Option<f64>,
    /// CV of the Gini coefficient (%).
    pub cv_gini: Option<f64>,
}

/// A run's fit.
#[derive(Debug, Clone, Serialize)]
pub struct EbpFit {
    /// (name, β̂), the intercept first.
    pub beta: Vec<(String, f64)>,
    /// σ̂u², the domain effect's variance (log scale).
    pub sigma_u2: f64,
    /// σ̂e², the unit error's variance (log scale).
    pub sigma_e2: f64,
    /// The Box–Cox power used (given or chosen); `None` for the log.
    pub lambda: Option<f64>,
}

/// A run: settings, fit, and every census domain sorted by code.
#[derive(Debug, Clone, Serialize)]
pub struct EbpRun {
    /// The settings, the covariates as fitted.
    pub settings: EbpSettings,
    /// The fit.
    pub fit: EbpFit,
    /// The domains.
    pub domains: Vec<EbpDomain>,
    /// Seconds reading and computing.
    pub seconds: (f64, f64),
}

fn optional_code<S: serde::Serializer>(code: &Option<RegionCode>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_some(&code.as_ref().map(RegionCode::as_str))
}

/// 100 √MSE / estimate, where the estimate is positive.
fn cv(estimate: f64, mse: f64) -> Option<f64> {
    (estimate > 0.0 && mse.is_finite()).then(|| 100.0 * mse.max(0.0).sqrt() / estimate)
}

impl EbpRun {
    fn new(
        settings: &EbpSettings,
        e: EbpEstimates,
        regions: &HashMap<i64, (RegionCode, String)>,
        directs: &HashMap<i64, Direct>,
    ) -> EbpRun {
        let mut names = vec!["(intercept)".to_string()];
        names.extend(e.covariates.iter().cloned());
        let mse_of = |m: &Indicators, d: &revita_methods::sae::ebp::DomainEbp| EbpMse {
            mean: m.mean,
            fgt0: m.fgt0,
            fgt1: m.fgt1,
            gini: m.gini.unwrap_or(f64::NAN),
            cv_mean: cv(d.estimate.mean, m.mean),
            cv_fgt0: cv(d.estimate.fgt0, m.fgt0),
            cv_fgt1: cv(d.estimate.fgt1, m.fgt1),
            cv_gini: cv(d.estimate.gini.unwrap_or(f64::NAN), m.gini.unwrap_or(f64::NAN)),
        };
        let domains = e
            .codes
            .iter()
            .zip(&e.domains)
            .enumerate()
            .map(|(i, (code, d))| EbpDomain {
                domain: *code,
                region: regions.get(code).map(|r| r.0.clone()),
                name_zh: regions.get(code).map(|r| r.1.clone()),
                n_sample: d.n_sample,
                n_pop: d.n_pop,
                mean: d.estimate.mean,
                fgt0: d.estimate.fgt0,
                fgt1: d.estimate.fgt1,
                gini: d.estimate.gini.unwrap_or(f64::NAN),
                mse: e.mse.as_ref().map(|m| mse_of(&m[i], d)),
                direct: directs.get(code).copied(),
            })
            .collect();
        EbpRun {
            settings: EbpSettings { covariates: e.covariates.clone(), ..settings.clone() },
            fit: EbpFit {
                beta: names.into_iter().zip(e.fit.beta.iter().copied()).collect(),
                sigma_u2: e.fit.sigma_u2,
                sigma_e2: e.fit.sigma_e2,
                lambda: match e.transformation {
                    revita_methods::sae::boxcox::Transformation::BoxCox { lambda, .. } => Some(lambda),
                    revita_methods::sae::boxcox::Transformation::Log => None,
                },
            },
            domains,
            seconds: e.seconds,
        }
    }

    /// The results as a table (header first), for CSV: shares as %.
    pub fn table(&self) -> Vec<Vec<String>> {
        let mut header: Vec<String> = [
            "domain",
            "name",
            "n_sample",
            "N_pop",
            "mean",
            "fgt0_pct",
            "fgt1_pct",
            "gini",
            "direct_mean",
            "direct_fgt0_pct",
            "direct_fgt0_cv_pct",
            "direct_fgt1_pct",
            "direct_gini",
        ]
        .map(String::from)
        .to_vec();
        if self.settings.bootstrap > 0 {
            header.extend(
                [
                    "mse_mean",
                    "mse_fgt0",
                    "mse_fgt1",
                    "mse_gini",
                    "cv_mean_pct",
                    "cv_fgt0_pct",
                    "cv_fgt1_pct",
                    "cv_gini_pct",
                ]
                .map(String::from),
            );
        }
        let opt = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
        let mut rows = vec![header];
        for d in &self.domains {
            let mut row = vec![
                d.domain.to_string(),
                d.name_zh.clone().unwrap_or_default(),
                d.n_sample.to_string(),
                d.n_pop.to_string(),
                format!("{:.2}", d.mean),
                format!("{:.4}", 100.0 * d.fgt0),
                format!("{:.4}", 100.0 * d.fgt1),
                format!("{:.4}", d.gini),
            ];
            match &d.direct {
                Some(x) => row.extend([
                    format!("{:.2}", x.mean.value),
                    format!("{:.4}", 100.0 * x.fgt0.value),
                    opt(cv(x.fgt0.value, x.fgt0.variance)),
                    format!("{:.4}", 100.0 * x.fgt1.value),
                    format!("{:.4}", x.gini.value),
                ]),
                None => row.extend(std::iter::repeat_n(String::new(), 5)),
            }
            if let Some(m) = &d.mse {
                row.extend([
                    format!("{:.4}", m.mean),
                    format!("{:.8}", m.fgt0),
                    format!("{:.8}", m.fgt1),
                    format!("{:.8}", m.gini),
                    opt(m.cv_mean),
                    opt(m.cv_fgt0),
                    opt(m.cv_fgt1),
                    opt(m.cv_gini),
                ]);
            }
            rows.push(row);
        }
        rows
    }
}

/// The three estimates a run stores: (suffix, Chinese and English names,
/// the estimate in the stored unit, its MSE, its CV).
type Stored = (&'static str, &'static str, &'static str);

const STORED: [Stored; 4] = [
    ("mean", "平均收入", "mean income"),
    ("fgt0", "贫困发生率", "headcount ratio"),
    ("fgt1", "贫困距指数", "poverty gap index"),
    ("gini", "基尼系数", "Gini coefficient"),
];

/// A domain's value of one of [`STORED`] in its stored unit (shares as %),
/// with its MSE in that unit squared and its CV.
fn stored_values(d: &EbpDomain, which: &str) -> (f64, Option<(f64, Option<f64>)>) {
    match which {
        "mean" => (d.mean, d.mse.map(|m| (m.mean, m.cv_mean))),
        "fgt0" => (100.0 * d.fgt0, d.mse.map(|m| (1e4 * m.fgt0, m.cv_fgt0))),
        "fgt1" => (100.0 * d.fgt1, d.mse.map(|m| (1e4 * m.fgt1, m.cv_fgt1))),
        _ => (d.gini, d.mse.map(|m| (m.gini, m.cv_gini))),
    }
}

/// The survey's direct estimates per domain with two sampled units or more:
/// Hájek mean, FGT0, FGT1 and Gini with their variances, weighted by the
/// sample's `weight` column (inverse inclusion probabilities) where it has
/// one, else equally.
fn direct_estimates(sample: &Path, line: f64) -> AppResult<HashMap<i64, Direct>> {
    let header = super::files::header_of(sample)?;
    let weighted = header.iter().any(|h| h == "weight");
    let names: &[&str] = if weighted { &["y", "weight"] } else { &["y"] };
    let table = super::files::read_numeric_csv(sample, names, 1).map_err(AppError::Invalid)?;
    let mut by_domain: HashMap<i64, (Vec<f64>, Vec<f64>)> = HashMap::new();
    for (i, code) in table.keys.iter().enumerate() {
        let row = &table.values[i * table.width..(i + 1) * table.width];
        let entry = by_domain.entry(*code).or_default();
        entry.0.push(row[0]);
        entry.1.push(if weighted { row[1] } else { 1.0 });
    }
    let invalid = |code: i64, e: revita_methods::sae::SaeError| {
        AppError::Invalid(format!("{}: domain {code}: {e}", sample.display()))
    };
    let mut out = HashMap::new();
    for (code, (y, w)) in by_domain.into_iter().filter(|(_, (y, _))| y.len() >= 2) {
        let estimate = Direct {
            mean: direct::hajek_mean(&y, &w).map_err(|e| invalid(code, e))?,
            fgt0: direct::fgt(&y, &w, line, 0).map_err(|e| invalid(code, e))?,
            fgt1: direct::fgt(&y, &w, line, 1).map_err(|e| invalid(code, e))?,
            gini: direct::gini(&y, &w).map_err(|e| invalid(code, e))?,
        };
        out.insert(code, estimate);
    }
    Ok(out)
}

impl App {
    /// Runs the census EBP on two files (on a blocking thread: a big census
    /// takes seconds), naming the domains whose code is a stored region.
    pub async fn run_ebp(
        &self,
        sample: &Path,
        population: &Path,
        settings: &EbpSettings,
        web: bool,
    ) -> AppResult<EbpRun> {
        settings.check(web)?;
        let sample = sample.to_path_buf();
        let (sample_file, population, s) = (sample.clone(), population.to_path_buf(), settings.clone());
        let estimates = tokio::task::spawn_blocking(move || {
            let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
            ebp_estimates(&EbpInput {
                sample: &sample_file,
                population: &population,
                covariates: &s.covariates,
                line: s.line,
                replicates: s.replicates,
                bootstrap: s.bootstrap,
                seed: s.seed,
                threads,
                gini: true,
                scale: match s.transformation {
                    TransformationKind::Log => Scale::Log,
                    TransformationKind::BoxCox => Scale::BoxCox(s.lambda),
                },
            })
        })
        .await
        .map_err(|e| anyhow::anyhow!("the EBP thread failed: {e}"))??;
        let wanted: Vec<RegionCode> =
            estimates.codes.iter().filter_map(|c| RegionCode::parse(&c.to_string()).ok()).collect();
        let names = self.region_names(&wanted).await?;
        let regions: HashMap<i64, (RegionCode, String)> = names
            .into_iter()
            .filter_map(|(code, name)| Some((code.as_str().parse::<i64>().ok()?, (code, name))))
            .collect();
        let directs = direct_estimates(&sample, settings.line)?;
        Ok(EbpRun::new(settings, estimates, &regions, &directs))
    }

    /// Stores a run's estimates as observations of `year`: for each of
    /// mean, FGT0 and FGT1 (as %) and the Gini, `<output>_<which>`, and with a bootstrap
    /// MSE also `_mse` and `_cv`; status `estimated`. Every domain must be a
    /// stored region within the actor's data-entry jurisdiction, or nothing
    /// is written; indicators missing are defined (national users only).
    /// One transaction with its audit entry; a dry run writes nothing.
    pub async fn store_ebp(
        &self,
        actor: &Actor,
        run: &EbpRun,
        output: &str,
        year: i32,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<FhStored> {
        if !(1900..=2100).contains(&year) {
            return Err(AppError::Invalid(format!("year: {year} is not a year from 1900 to 2100")));
        }
        let unknown: Vec<String> =
            run.domains.iter().filter(|d| d.region.is_none()).map(|d| d.domain.to_string()).collect();
        if !unknown.is_empty() {
            return Err(AppError::Invalid(format!(
                "nothing was stored: {} domains are not region codes ({}); store only a census whose domains are regions",
                unknown.len(),
                unknown.iter().take(10).cloned().collect::<Vec<_>>().join(", ")
            )));
        }
        let regions: Vec<RegionCode> = run.domains.iter().filter_map(|d| d.region.clone()).collect();
        let indicators = ebp_indicators(output, run)?;
        let observations = ebp_observations(output, run, year)?;
        let audit = serde_json::json!({
            "settings": run.settings, "year": year, "domains": run.domains.len(), "observations": observations.len(),
        });
        self.store_estimates(
            actor,
            ("sae.ebp.store", output),
            &regions,
            indicators,
            observations,
            audit,
            dry_run,
            origin,
        )
        .await
    }

    /// Writes estimates of `regions` as observations, defining `indicators`
    /// that are missing, in one transaction with its audit entry (`action`,
    /// the output's name, `audit` as what was done); checks that every region
    /// lies in the actor's data-entry jurisdiction first. A dry run writes
    /// nothing and says what would be written.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn store_estimates(
        &self,
        actor: &Actor,
        (action, name): (&str, &str),
        regions: &[RegionCode],
        indicators: Vec<Indicator>,
        observations: Vec<Observation>,
        audit: serde_json::Value,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<FhStored> {
        let enter = self.jurisdiction(actor, Action::EditData).await?;
        let outside: Vec<String> = regions.iter().filter(|r| !enter.covers(r)).map(|r| r.to_string()).collect();
        if !outside.is_empty() {
            let shown: Vec<&str> = outside.iter().take(10).map(String::as_str).collect();
            return Err(AppError::Forbidden(format!(
                "nothing was stored: {} areas are outside your data-entry jurisdiction ({})",
                outside.len(),
                shown.join(", ")
            )));
        }
        let mut missing = Vec::new();
        for i in indicators {
            if self.store().indicator(&i.code).await?.is_none() {
                missing.push(i);
            }
        }
        if !missing.is_empty() {
            crate::import::require_everywhere(&enter, "indicators")?;
        }
        let shown = observations
            .iter()
            .map(|o| StoredValue {
                indicator: o.indicator.to_string(),
                region: o.region.to_string(),
                period: o.period.to_string(),
                value: o.value,
            })
            .collect();
        let created: Vec<String> = missing.iter().map(|i| i.code.to_string()).collect();
        if dry_run {
            return Ok(FhStored { dry_run, observations: shown, indicators_created: created, replaced: 0 });
        }
        let region = self.store().common_ancestor(regions).await?;
        let revision = revita_store::Revision { change_id: crate::auth::random_token()?, at: origin.now };
        let mut tx = self.store().begin().await?;
        if !missing.is_empty() {
            tx.upsert_indicators(&missing).await?;
        }
        let replaced = tx.upsert_observations(&observations, &revision).await?;
        let before =
            (replaced > 0).then(|| format!("{{\"replaced\":{replaced},\"revisions\":\"{}\"}}", revision.change_id));
        let mut after = audit;
        after["indicators_created"] = serde_json::json!(created);
        tx.audit(audit_entry(
            &actor.name,
            action,
            ("sae", name),
            region.as_ref(),
            (before, Some(after.to_string())),
            origin,
        ));
        tx.commit().await?;
        Ok(FhStored { dry_run, observations: shown, indicators_created: created, replaced })
    }
}

/// The indicators an EBP run stores.
fn ebp_indicators(output: &str, run: &EbpRun) -> AppResult<Vec<Indicator>> {
    let code = |c: String| IndicatorCode::parse(&c).map_err(|e| AppError::Invalid(format!("output '{c}': {e}")));
    let source = Some("revita sae ebp (census EBP, Molina & Rao 2010)".to_string());
    let make = |c: IndicatorCode, zh: String, en: String, unit: String, about: String| Indicator {
        code: c,
        name_zh: zh,
        name_en: Some(en),
        unit,
        direction: Direction::Neutral,
        aggregation: Aggregation::None,
        description: Some(about),
        source: source.clone(),
        range: revita_methods::ValueRange { min: None, max: None },
    };
    let mut out = Vec::new();
    for (which, zh, en) in STORED {
        let unit = match which {
            "mean" => run.settings.unit.clone(),
            "gini" => "ratio".into(),
            _ => "%".into(),
        };
        let base = format!("{output}_{which}");
        let line = run.settings.line;
        out.push(make(
            code(base.clone())?,
            format!("{zh}（小区域估计）"),
            format!("{en} (small-area estimate)"),
            unit.clone(),
            format!("Census EBP under the nested-error model of log income; poverty line {line}."),
        ));
        if run.settings.bootstrap > 0 {
            out.push(make(
                code(format!("{base}_mse"))?,
                format!("{zh}（小区域估计均方误差）"),
                format!("{en} MSE"),
                format!("({unit})²"),
                "Parametric bootstrap MSE (González-Manteiga et al. 2008).".into(),
            ));
            out.push(make(
                code(format!("{base}_cv"))?,
                format!("{zh}（小区域估计变异系数）"),
                format!("{en} CV"),
                "%".into(),
                "Coefficient of variation: 100 × √MSE / estimate.".into(),
            ));
        }
    }
    // The survey's direct estimates with their variances: the inputs of a
    // Fay–Herriot run over the same domains.
    for (which, zh, en) in DIRECT {
        let unit = match which {
            "mean" => run.settings.unit.clone(),
            "gini" => "ratio".into(),
            _ => "%".into(),
        };
        let base = format!("{output}_direct_{which}");
        out.push(make(
            code(base.clone())?,
            format!("{zh}（直接估计）"),
            format!("{en} (direct survey estimate)"),
            unit.clone(),
            "Hájek estimate from the survey sample (weights from its `weight` column, else equal).".into(),
        ));
        out.push(make(
            code(format!("{base}_var"))?,
            format!("{zh}（直接估计抽样方差）"),
            format!("{en} (direct) sampling variance"),
            format!("({unit})²"),
            "With-replacement linearisation variance of the direct estimate.".into(),
        ));
    }
    Ok(out)
}

/// The direct estimates a run stores beside the model's.
const DIRECT: [Stored; 4] = [
    ("mean", "平均收入", "mean income"),
    ("fgt0", "贫困发生率", "headcount ratio"),
    ("fgt1", "贫困距指数", "poverty gap index"),
    ("gini", "基尼系数", "Gini coefficient"),
];

/// A direct estimate and its variance in the stored unit (shares as %).
fn direct_values(d: &Direct, which: &str) -> (f64, f64) {
    match which {
        "mean" => (d.mean.value, d.mean.variance),
        "fgt0" => (100.0 * d.fgt0.value, 1e4 * d.fgt0.variance),
        "fgt1" => (100.0 * d.fgt1.value, 1e4 * d.fgt1.variance),
        _ => (d.gini.value, d.gini.variance),
    }
}

/// An estimated value of `year` as an observation, if it is a number.
fn estimated(
    indicator: &IndicatorCode,
    region: &RegionCode,
    year: i32,
    value: f64,
    source: &Option<String>,
) -> Option<Observation> {
    value.is_finite().then(|| Observation {
        indicator: indicator.clone(),
        region: region.clone(),
        period: Period::Year(year),
        value,
        source: source.clone(),
        status: ObservationStatus::Estimated,
    })
}

/// A run's estimates as observations of `year`.
fn ebp_observations(output: &str, run: &EbpRun, year: i32) -> AppResult<Vec<Observation>> {
    let source = Some(format!(
        "small-area estimate (census EBP), z = {}, L = {}, B = {}",
        run.settings.line, run.settings.replicates, run.settings.bootstrap
    ));
    let code = |c: String| IndicatorCode::parse(&c).map_err(|e| AppError::Invalid(format!("output '{c}': {e}")));
    let mut out = Vec::new();
    for (which, _, _) in STORED {
        let base = format!("{output}_{which}");
        let (estimate, mse, cv_code) = (code(base.clone())?, code(format!("{base}_mse"))?, code(format!("{base}_cv"))?);
        for d in &run.domains {
            let Some(region) = &d.region else { continue };
            let (value, error) = stored_values(d, which);
            let mut push = |indicator: &IndicatorCode, value: f64| {
                out.extend(estimated(indicator, region, year, value, &source));
            };
            push(&estimate, value);
            if let Some((mse_value, cv_value)) = error {
                push(&mse, mse_value);
                if let Some(c) = cv_value {
                    push(&cv_code, c);
                }
            }
        }
    }
    let source = Some("direct survey estimate (Hájek), with its linearisation variance".to_string());
    for (which, _, _) in DIRECT {
        let base = format!("{output}_direct_{which}");
        let (estimate, variance) = (code(base.clone())?, code(format!("{base}_var"))?);
        for d in &run.domains {
            let (Some(region), Some(direct)) = (&d.region, &d.direct) else { continue };
            let (value, var) = direct_values(direct, which);
            for (indicator, value) in [(&estimate, value), (&variance, var)] {
                out.extend(estimated(indicator, region, year, value, &source));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_bounded_for_the_web() {
        let ok = EbpSettings {
            line: 7600.0,
            replicates: 50,
            bootstrap: 0,
            seed: 1,
            covariates: vec![],
            unit: "元".into(),
            transformation: TransformationKind::Log,
            lambda: None,
        };
        assert!(ok.check(true).is_ok());
        for bad in [
            EbpSettings { line: 0.0, ..ok.clone() },
            EbpSettings { line: f64::NAN, ..ok.clone() },
            EbpSettings { replicates: 0, ..ok.clone() },
            EbpSettings { replicates: MAX_WEB_REPLICATES + 1, ..ok.clone() },
            EbpSettings { bootstrap: MAX_WEB_BOOTSTRAP + 1, ..ok.clone() },
            EbpSettings { covariates: vec!["x\u{7}".into()], ..ok.clone() },
            EbpSettings { lambda: Some(0.5), ..ok.clone() },
            EbpSettings { transformation: TransformationKind::BoxCox, lambda: Some(-0.5), ..ok.clone() },
        ] {
            assert!(bad.check(true).is_err(), "{bad:?}");
        }
        assert!(
            EbpSettings { transformation: TransformationKind::BoxCox, lambda: Some(0.5), ..ok.clone() }
                .check(true)
                .is_ok()
        );
        let box_cox = EbpSettings { transformation: TransformationKind::BoxCox, lambda: Some(0.5), ..ok.clone() };
        assert!(box_cox.check(true).is_ok());
        assert!(EbpSettings { replicates: 1000, ..ok }.check(false).is_ok(), "the CLI may ask for more");
    }

    #[test]
    fn cvs_are_relative_root_mses_in_percent() {
        assert_eq!(cv(0.25, 0.0025), Some(20.0));
        assert_eq!(cv(0.0, 0.01), None);
    }
}
