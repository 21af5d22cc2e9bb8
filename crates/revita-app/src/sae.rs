//! Small-area estimation (issue 22): the Fay–Herriot area-level model over
//! stored observations (direct estimates, their sampling variances, area
//! covariates) within the actor's read jurisdiction, its estimates stored as
//! indicators with their MSE and CV within the data-entry jurisdiction (one
//! transaction, audited), and the census EBP of benchmark B2 from files
//! (`ebp_files`). The methods are `revita-methods::sae`'s.

use std::collections::{BTreeSet, HashMap};

use revita_methods::access::Action;
use revita_methods::sae::fh::{self, Estimate, FhData, FhFit, FhMethod};
use revita_methods::{
    Aggregation, Direction, Indicator, IndicatorCode, Observation, ObservationStatus, Period, Region, RegionCode,
};
use serde::{Deserialize, Serialize};

use crate::auth::{Actor, Origin};
use crate::{App, AppError, AppResult};

mod files;
mod unit;
pub use files::{EbpEstimates, EbpFiles, EbpInput, EbpSummary, Scale, ebp_estimates, ebp_files};
pub use unit::{
    EbpDomain, EbpFit, EbpMse, EbpRun, EbpSettings, MAX_WEB_BOOTSTRAP, MAX_WEB_REPLICATES, TransformationKind,
};

/// How far apart two boundary vertices may be and still be one (degrees,
/// about 0.1 m): rounding in stored GeoJSON, not gaps between areas.
const TOUCHING_TOLERANCE: f64 = 1e-6;

/// Pairs of regions whose boundaries touch, the smaller code first.
type Touching = std::collections::HashSet<(RegionCode, RegionCode)>;

/// The most covariates a spec may name.
const MAX_COVARIATES: usize = 20;
/// The most bootstrap replicates a spec may ask for (each refits the model).
const MAX_REPLICATES: usize = 2000;
/// A CV (%) above this marks an estimate as unreliable; between
/// [`CV_CAUTION`] and it, to be used with caution (the thresholds of many
/// statistical offices, e.g. INE's and Statistics Canada's).
pub const CV_UNRELIABLE: f64 = 30.0;
/// A CV (%) up to this marks an estimate as reliable.
pub const CV_CAUTION: f64 = 15.0;

/// A Fay–Herriot spec, as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FhSpec {
    /// A name for the run (the source of stored estimates names it).
    pub name: String,
    /// The level of the areas (`county`, `township`, …).
    pub level: String,
    /// Only the areas within this region (its code), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// The year of every observation used, and of the estimates stored.
    pub year: i32,
    /// The indicator holding the direct (survey) estimates.
    pub direct: String,
    /// The indicator holding their sampling variances.
    pub variance: String,
    /// Area covariates (indicator codes); an intercept is always added.
    #[serde(default)]
    pub covariates: Vec<String>,
    /// `reml` (default) or `ml`.
    #[serde(default)]
    pub method: Method,
    /// `none` (default), `log` or `arcsine`.
    #[serde(default)]
    pub transform: Transform,
    /// The indicator holding the survey's sample sizes (arcsine only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_size: Option<String>,
    /// `prasad_rao` (default) or `bootstrap` (transform `none` only).
    #[serde(default)]
    pub mse: MseMethod,
    /// Bootstrap replicates (default 200).
    #[serde(default = "default_replicates")]
    pub replicates: usize,
    /// Bootstrap seed (default 1).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Spatially correlated area effects: a SAR process over the areas'
    /// contiguity (areas whose stored boundaries touch), the spatial
    /// Fay–Herriot model of Petrucci & Salvati (2006) as R's sae fits it
    /// (transform `none` only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub spatial: bool,
    /// The indicator to store the estimates as (with `<output>_mse` and
    /// `<output>_cv`); needed to store only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

fn default_replicates() -> usize {
    200
}

fn default_seed() -> u64 {
    1
}

/// How σu² is estimated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Restricted maximum likelihood.
    #[default]
    Reml,
    /// Maximum likelihood.
    Ml,
}

/// The scale the model is fitted on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// The direct estimates as they are.
    #[default]
    None,
    /// log θ̂, back-transformed with the log-normal mean (crude bias correction).
    Log,
    /// asin √p for proportions, with ψ = 1/(4n).
    Arcsine,
}

/// How the MSE is estimated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MseMethod {
    /// Prasad & Rao (1990) (Datta & Lahiri 2000 for ML).
    #[default]
    PrasadRao,
    /// Parametric bootstrap (Butar & Lahiri 2003).
    Bootstrap,
}

/// The example spec the page starts from (the demo's Guizhou counties).
pub const EXAMPLE_SPEC: &str = include_str!("../../../data/specs/sae-fh-guizhou.json");

impl FhSpec {
    /// Parses and checks a spec.
    pub fn from_json(text: &str) -> AppResult<FhSpec> {
        let spec: FhSpec = serde_json::from_str(text).map_err(|e| AppError::Invalid(format!("spec: {e}")))?;
        spec.check()?;
        Ok(spec)
    }

    /// Checks what can be checked without the store.
    pub fn check(&self) -> AppResult<()> {
        let bad = |m: String| Err(AppError::Invalid(m));
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            return bad("name: give 1 to 200 characters".into());
        }
        if !(1900..=2200).contains(&self.year) {
            return bad(format!("year: {} is not a plausible year", self.year));
        }
        for code in self.indicator_codes().chain(self.output.iter()) {
            IndicatorCode::parse(code).map_err(|e| AppError::Invalid(format!("indicator '{code}': {e}")))?;
        }
        if self.covariates.len() > MAX_COVARIATES {
            return bad(format!("covariates: at most {MAX_COVARIATES}"));
        }
        let distinct: BTreeSet<&String> = self.covariates.iter().collect();
        if distinct.len() != self.covariates.len() {
            return bad("covariates: each at most once".into());
        }
        if self.transform == Transform::Arcsine && self.sample_size.is_none() {
            return bad("sample_size: the arcsine transformation needs the survey's sample sizes".into());
        }
        if self.mse == MseMethod::Bootstrap {
            if self.transform != Transform::None {
                return bad("mse: the bootstrap is available with transform none only".into());
            }
            if !(1..=MAX_REPLICATES).contains(&self.replicates) {
                return bad(format!("replicates: 1 to {MAX_REPLICATES}"));
            }
        }
        if self.spatial && self.transform != Transform::None {
            return bad("spatial: the spatial model is available with transform none only".into());
        }
        if let Some(out) = &self.output
            && [&self.direct, &self.variance].contains(&out)
        {
            return bad("output: must differ from the direct estimates and their variances".into());
        }
        Ok(())
    }

    /// The indicators the run reads.
    fn indicator_codes(&self) -> impl Iterator<Item = &String> {
        [&self.direct, &self.variance].into_iter().chain(self.sample_size.iter()).chain(self.covariates.iter())
    }
}

/// The fitted model, for display.
#[derive(Debug, Clone, Serialize)]
pub struct FitSummary {
    /// `reml` or `ml`.
    pub method: Method,
    /// The scale of the model.
    pub transform: Transform,
    /// How the MSE was estimated.
    pub mse: MseMethod,
    /// β̂ by name (`intercept`, then the covariates), on the model's scale.
    pub beta: Vec<(String, f64)>,
    /// σ̂u², on the model's scale (of the SAR innovations, when spatial).
    pub sigma_u2: f64,
    /// ρ̂, the spatial autoregression coefficient (spatial runs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rho: Option<f64>,
    /// Neighbouring pairs of in-sample areas (spatial runs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neighbour_pairs: Option<usize>,
    /// Fisher-scoring iterations.
    pub iterations: usize,
}

/// One area's estimate.
#[derive(Debug, Clone, Serialize)]
pub struct FhAreaRow {
    /// The region.
    #[serde(serialize_with = "code_text")]
    pub code: RegionCode,
    /// Its Chinese name.
    pub name_zh: String,
    /// Its English name, where known.
    pub name_en: Option<String>,
    /// Whether it had a direct estimate (else the estimate is synthetic).
    pub in_sample: bool,
    /// The direct estimate.
    pub direct: Option<f64>,
    /// Its sampling variance.
    pub variance: Option<f64>,
    /// The direct estimate's CV, % (√variance / direct).
    pub direct_cv: Option<f64>,
    /// The EBLUP (synthetic out of sample), in the direct's unit.
    pub estimate: f64,
    /// Its MSE.
    pub mse: f64,
    /// Its CV, % (√MSE / estimate); none for an estimate of 0.
    pub cv: Option<f64>,
    /// Shrinkage γ = σu²/(σu² + ψ) on the model's scale (in sample).
    pub gamma: Option<f64>,
    /// The standardised residual (η̂ − x'β̂)/√(σu² + ψ) on the model's scale.
    pub residual: Option<f64>,
    /// The EBLUP on the model's scale (the residual plot's abscissa).
    pub model_estimate: f64,
}

/// An area left out, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Excluded {
    /// The region.
    #[serde(serialize_with = "code_text")]
    pub code: RegionCode,
    /// Its Chinese name.
    pub name_zh: String,
    /// Why.
    pub reason: String,
}

/// A region code as its text.
fn code_text<S: serde::Serializer>(code: &RegionCode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(code.as_str())
}

/// A Fay–Herriot run.
#[derive(Debug, Clone, Serialize)]
pub struct FhRun {
    /// The spec, as checked.
    pub spec: FhSpec,
    /// The direct estimates' indicator (its unit is the estimates').
    pub unit: String,
    /// The direct estimates' indicator name (Chinese).
    pub direct_name: String,
    /// The fit.
    pub fit: FitSummary,
    /// Every estimated area, by code.
    pub areas: Vec<FhAreaRow>,
    /// Areas left out with the reason.
    pub excluded: Vec<Excluded>,
}

impl FhRun {
    /// The run as CSV rows (header first), for the export.
    pub fn table(&self) -> Vec<Vec<String>> {
        let num = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
        let mut rows = vec![
            [
                "code",
                "name",
                "in_sample",
                "direct",
                "variance",
                "direct_cv_pct",
                "estimate",
                "mse",
                "cv_pct",
                "gamma",
                "std_residual",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for a in &self.areas {
            rows.push(vec![
                a.code.to_string(),
                a.name_zh.clone(),
                (if a.in_sample { "1" } else { "0" }).into(),
                num(a.direct),
                num(a.variance),
                num(a.direct_cv),
                format!("{}", a.estimate),
                format!("{}", a.mse),
                num(a.cv),
                num(a.gamma),
                num(a.residual),
            ]);
        }
        for e in &self.excluded {
            let mut row = vec![e.code.to_string(), e.name_zh.clone(), "excluded".into()];
            row.resize(10, String::new());
            row.push(e.reason.clone());
            rows.push(row);
        }
        rows
    }
}

/// What storing a run wrote (or would write).
#[derive(Debug, Clone, Serialize)]
pub struct FhStored {
    /// Nothing was written.
    pub dry_run: bool,
    /// The observations written (or that would be).
    pub observations: Vec<StoredValue>,
    /// Indicators defined because they were missing.
    pub indicators_created: Vec<String>,
    /// Stored values replaced (kept as revisions).
    pub replaced: u64,
}

/// One stored value.
#[derive(Debug, Clone, Serialize)]
pub struct StoredValue {
    /// The indicator.
    pub indicator: String,
    /// The region.
    pub region: String,
    /// The period.
    pub period: String,
    /// The value.
    pub value: f64,
}

/// A run's inputs gathered from the store.
struct Gathered {
    regions: Vec<Region>,
    values: HashMap<String, HashMap<RegionCode, f64>>,
    unit: String,
    direct_name: String,
}

impl App {
    /// Runs a Fay–Herriot spec over the areas at its level (within its
    /// region) that `actor` may read: areas with a direct estimate, its
    /// variance and every covariate are in sample; areas with the
    /// covariates only get the synthetic estimate; the others are listed as
    /// excluded with the reason.
    pub async fn run_fh(&self, actor: &Actor, spec: &FhSpec) -> AppResult<FhRun> {
        spec.check()?;
        let gathered = self.gather_fh(actor, spec).await?;
        let touching = if spec.spatial { Some(self.touching(&gathered.regions).await?) } else { None };
        fh_run(spec, gathered, touching.as_ref())
    }

    /// The pairs of regions whose stored boundaries touch (queen
    /// contiguity; codes in order).
    async fn touching(&self, regions: &[Region]) -> AppResult<Touching> {
        let codes: Vec<RegionCode> = regions.iter().map(|r| r.code.clone()).collect();
        let shapes = self.region_shapes(&codes).await?;
        let refs: Vec<&revita_methods::geometry::MultiPolygon> = shapes.iter().map(|(_, s)| s).collect();
        Ok(revita_methods::geometry::touching_pairs(&refs, TOUCHING_TOLERANCE)
            .into_iter()
            .map(|(i, j)| (shapes[i].0.clone(), shapes[j].0.clone()))
            .collect())
    }

    async fn gather_fh(&self, actor: &Actor, spec: &FhSpec) -> AppResult<Gathered> {
        if !self.scheme().levels().contains(&spec.level.as_str()) {
            return Err(AppError::Invalid(format!(
                "level: '{}' is not one of {}",
                spec.level,
                self.scheme().levels().join(", ")
            )));
        }
        let read = self.jurisdiction(actor, Action::Read).await?;
        let all = match &spec.within {
            Some(text) => {
                let code = self.parse_region_code(text)?;
                let code = self.scheme().normalize(&code).map_err(|e| AppError::Invalid(format!("within: {e}")))?;
                self.descendants(&code, Some(&spec.level)).await?
            }
            None => self.regions_at_level(&spec.level).await?,
        };
        let total = all.len();
        let regions: Vec<Region> = all.into_iter().filter(|r| read.covers(&r.code)).collect();
        if regions.is_empty() {
            return Err(if total > 0 {
                AppError::Forbidden("none of the areas is within your jurisdiction".into())
            } else {
                AppError::Invalid(format!("no regions at level {} there", spec.level))
            });
        }
        let period = Period::Year(spec.year).to_string();
        let mut values = HashMap::new();
        let mut direct_indicator = None;
        for code in spec.indicator_codes() {
            let parsed =
                IndicatorCode::parse(code).map_err(|e| AppError::Invalid(format!("indicator '{code}': {e}")))?;
            let indicator = self
                .store()
                .indicator(&parsed)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("indicator {code}")))?;
            if *code == spec.direct {
                direct_indicator = Some(indicator);
            }
            let found = self.store().level_values(&parsed, &period, &spec.level).await?;
            values.insert(code.clone(), found.into_iter().collect());
        }
        let direct = direct_indicator.ok_or_else(|| AppError::NotFound(format!("indicator {}", spec.direct)))?;
        Ok(Gathered { regions, values, unit: direct.unit, direct_name: direct.name_zh })
    }

    /// The estimated areas of a run with their boundaries (those that have
    /// one), for the map.
    pub async fn sae_map_areas(&self, run: &FhRun) -> AppResult<Vec<crate::eco::EcoMapArea>> {
        let codes: Vec<RegionCode> = run.areas.iter().map(|a| a.code.clone()).collect();
        let mut areas = Vec::new();
        for b in self.store().boundaries_of(&codes).await? {
            let Some(a) = run.areas.iter().find(|a| a.code == b.region) else { continue };
            let shape = revita_ingest::boundaries::parse_geometry(&b.geojson)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("stored boundary of {} is invalid: {e}", b.region)))?;
            areas.push(crate::eco::EcoMapArea {
                code: a.code.clone(),
                name: a.name_zh.clone(),
                shape,
                value: Some(a.estimate),
            });
        }
        Ok(areas)
    }

    /// Stores a run's estimates as observations of the spec's year: the
    /// estimate as `output`, its MSE as `<output>_mse` and its CV (%) as
    /// `<output>_cv`, status `estimated`, source naming the spec; indicators
    /// missing are defined (national users only). Every area must lie in the
    /// actor's data-entry jurisdiction, or nothing is written. One
    /// transaction with its audit entry; a dry run writes nothing.
    pub async fn store_fh(&self, actor: &Actor, spec: &FhSpec, dry_run: bool, origin: &Origin) -> AppResult<FhStored> {
        let output = spec
            .output
            .as_deref()
            .ok_or_else(|| AppError::Invalid("output: name the indicator to store the estimates as".into()))?;
        let run = self.run_fh(actor, spec).await?;
        let indicators = output_indicators(output, &run)?;
        let observations = estimate_observations(output, &run)?;
        let codes: Vec<RegionCode> = run.areas.iter().map(|a| a.code.clone()).collect();
        let audit = serde_json::json!({ "spec": spec, "areas": run.areas.len(), "observations": observations.len() });
        self.store_estimates(actor, ("sae.store", &spec.name), &codes, indicators, observations, audit, dry_run, origin)
            .await
    }
}

/// The indicators a stored run writes: the estimate in the direct's unit,
/// its MSE in that unit squared, its CV in %.
fn output_indicators(output: &str, run: &FhRun) -> AppResult<Vec<Indicator>> {
    let code = |c: String| IndicatorCode::parse(&c).map_err(|e| AppError::Invalid(format!("output '{c}': {e}")));
    let source = Some(format!("revita sae fh, spec '{}'", run.spec.name));
    let make = |c: IndicatorCode, zh: String, en: String, unit: String, about: &str| Indicator {
        code: c,
        name_zh: zh,
        name_en: Some(en),
        unit,
        direction: Direction::Neutral,
        aggregation: Aggregation::None,
        description: Some(about.into()),
        source: source.clone(),
        range: revita_methods::ValueRange { min: None, max: None },
    };
    let name = &run.direct_name;
    let unit = &run.unit;
    Ok(vec![
        make(
            code(output.into())?,
            format!("{name}（小区域估计）"),
            format!("{output} (small-area estimate)"),
            unit.clone(),
            "Fay–Herriot EBLUP of the direct estimates (synthetic where an area has none).",
        ),
        make(
            code(format!("{output}_mse"))?,
            format!("{name}（小区域估计均方误差）"),
            format!("{output} MSE"),
            format!("({unit})²"),
            "Mean squared error of the small-area estimate.",
        ),
        make(
            code(format!("{output}_cv"))?,
            format!("{name}（小区域估计变异系数）"),
            format!("{output} CV"),
            "%".into(),
            "Coefficient of variation of the small-area estimate: 100 × √MSE / estimate.",
        ),
    ])
}

/// A run's estimates as observations of `output`, `_mse` and `_cv`.
fn estimate_observations(output: &str, run: &FhRun) -> AppResult<Vec<Observation>> {
    let period = Period::Year(run.spec.year);
    let source = Some(format!("small-area estimate (Fay–Herriot), spec '{}'", run.spec.name));
    let mut out = Vec::with_capacity(run.areas.len() * 3);
    for (suffix, pick) in [("", 0), ("_mse", 1), ("_cv", 2)] {
        let code = IndicatorCode::parse(&format!("{output}{suffix}"))
            .map_err(|e| AppError::Invalid(format!("output: {e}")))?;
        for a in &run.areas {
            let value = match pick {
                0 => Some(a.estimate),
                1 => Some(a.mse),
                _ => a.cv,
            };
            if let Some(value) = value.filter(|v| v.is_finite()) {
                out.push(Observation {
                    indicator: code.clone(),
                    region: a.code.clone(),
                    period,
                    value,
                    source: source.clone(),
                    status: ObservationStatus::Estimated,
                });
            }
        }
    }
    Ok(out)
}

/// The sampling variance on the model's scale (delta method for the log;
/// 1/(4n) for the arcsine).
fn model_scale(spec: &FhSpec, direct: f64, variance: f64, n: Option<f64>) -> (f64, f64) {
    match spec.transform {
        Transform::None => (direct, variance),
        Transform::Log => (direct.ln(), variance / (direct * direct)),
        Transform::Arcsine => (direct.clamp(0.0, 1.0).sqrt().asin(), 1.0 / (4.0 * n.unwrap_or(f64::NAN))),
    }
}

/// Back to the direct's scale: the log-normal mean and variance for the log,
/// sin² with the delta-method MSE for the arcsine (as `fh`'s functions do).
fn back_transform(transform: Transform, e: Estimate) -> Estimate {
    match transform {
        Transform::None => e,
        Transform::Log => {
            Estimate { value: (e.value + e.mse / 2.0).exp(), mse: (2.0 * e.value + e.mse).exp() * e.mse.exp_m1() }
        }
        Transform::Arcsine => {
            let v = e.value.clamp(0.0, std::f64::consts::FRAC_PI_2);
            Estimate { value: v.sin().powi(2), mse: (2.0 * v).sin().powi(2) * e.mse }
        }
    }
}

/// An in-sample area's inputs.
struct InSample {
    region: Region,
    direct: f64,
    variance: f64,
    n: Option<f64>,
    x: Vec<f64>,
}

/// An out-of-sample area with its covariates.
type OutOfSample = (Region, Vec<f64>);

/// Splits the areas into in-sample, out-of-sample and excluded.
fn classify(spec: &FhSpec, g: Gathered) -> (Vec<InSample>, Vec<OutOfSample>, Vec<Excluded>) {
    let (mut inside, mut outside, mut excluded) = (Vec::new(), Vec::new(), Vec::new());
    let get = |code: &str, r: &RegionCode| g.values.get(code).and_then(|m| m.get(r)).copied();
    for region in g.regions {
        let missing: Vec<&str> =
            spec.covariates.iter().filter(|c| get(c, &region.code).is_none()).map(String::as_str).collect();
        if !missing.is_empty() {
            let reason = format!("no value of {} in {}", missing.join(", "), spec.year);
            excluded.push(Excluded { code: region.code.clone(), name_zh: region.name_zh.clone(), reason });
            continue;
        }
        let x: Vec<f64> = spec.covariates.iter().filter_map(|c| get(c, &region.code)).collect();
        let direct = get(&spec.direct, &region.code);
        let variance = get(&spec.variance, &region.code);
        let n = spec.sample_size.as_deref().and_then(|c| get(c, &region.code));
        let usable = match (direct, variance) {
            (Some(d), Some(v)) if v > 0.0 => match spec.transform {
                Transform::None => true,
                Transform::Log => d > 0.0,
                Transform::Arcsine => (0.0..=1.0).contains(&d) && n.is_some_and(|n| n > 0.0),
            },
            _ => false,
        };
        match (direct, variance) {
            (Some(direct), Some(variance)) if usable => inside.push(InSample { region, direct, variance, n, x }),
            _ => outside.push((region, x)),
        }
    }
    (inside, outside, excluded)
}

/// The fit on the model's scale, whichever model: β̂ and σ̂u² (and ρ̂), and
/// per in-sample area its EBLUP, synthetic part and shrinkage factor.
struct Fitted {
    fit: FhFit,
    rho: Option<f64>,
    pairs: Option<usize>,
    /// (EBLUP, x'β̂, γ) per in-sample area.
    areas: Vec<(f64, f64, Option<f64>)>,
    /// Back on the direct's scale, with their MSE.
    estimates: Vec<Estimate>,
}

/// Fits the model and lays out every area's estimate.
fn fh_run(spec: &FhSpec, g: Gathered, touching: Option<&Touching>) -> AppResult<FhRun> {
    let (unit, direct_name) = (g.unit.clone(), g.direct_name.clone());
    let (inside, outside, excluded) = classify(spec, g);
    if inside.len() < spec.covariates.len() + 2 {
        return Err(AppError::Invalid(format!(
            "{} areas have a direct estimate, its variance and every covariate in {}; the model needs at least {}",
            inside.len(),
            spec.year,
            spec.covariates.len() + 2
        )));
    }
    let k = spec.covariates.len();
    let scaled: Vec<(f64, f64)> = inside.iter().map(|a| model_scale(spec, a.direct, a.variance, a.n)).collect();
    let eta: Vec<f64> = scaled.iter().map(|s| s.0).collect();
    let psi: Vec<f64> = scaled.iter().map(|s| s.1).collect();
    let covariates: Vec<f64> = inside.iter().flat_map(|a| a.x.iter().copied()).collect();
    let data = FhData { direct: &eta, variance: &psi, covariates: &covariates, k };
    let fitted = match touching {
        Some(touching) => {
            let codes: Vec<&RegionCode> = inside.iter().map(|a| &a.region.code).collect();
            spatial_fit(spec, &data, &codes, touching)?
        }
        None => independent_fit(spec, &data, &inside)?,
    };
    let Fitted { fit, rho, pairs, areas: parts, estimates } = fitted;
    let mut areas = Vec::with_capacity(inside.len() + outside.len());
    for (d, a) in inside.into_iter().enumerate() {
        let (e, (eblup, synthetic, gamma)) = (estimates[d], parts[d]);
        areas.push(FhAreaRow {
            code: a.region.code,
            name_zh: a.region.name_zh,
            name_en: a.region.name_en,
            in_sample: true,
            direct: Some(a.direct),
            variance: Some(a.variance),
            direct_cv: cv(a.direct, a.variance),
            estimate: e.value,
            mse: e.mse,
            cv: cv(e.value, e.mse),
            gamma,
            residual: Some((eta[d] - synthetic) / (fit.sigma_u2 + psi[d]).sqrt()),
            model_estimate: eblup,
        });
    }
    areas.extend(out_of_sample(spec, &fit, outside)?);
    areas.sort_by(|a, b| a.code.cmp(&b.code));
    let mut names = vec!["intercept".to_string()];
    names.extend(spec.covariates.iter().cloned());
    Ok(FhRun {
        spec: spec.clone(),
        unit,
        direct_name,
        fit: FitSummary {
            method: spec.method,
            transform: spec.transform,
            mse: spec.mse,
            beta: names.into_iter().zip(fit.beta.iter().copied()).collect(),
            sigma_u2: fit.sigma_u2,
            rho,
            neighbour_pairs: pairs,
            iterations: fit.iterations,
        },
        areas,
        excluded,
    })
}

fn fh_method(spec: &FhSpec) -> FhMethod {
    match spec.method {
        Method::Reml => FhMethod::Reml,
        Method::Ml => FhMethod::Ml,
    }
}

fn unfitted(e: revita_methods::sae::SaeError) -> AppError {
    AppError::Invalid(format!("the model cannot be fitted: {e}"))
}

/// Fay & Herriot (1979) with independent area effects, on the spec's scale.
fn independent_fit(spec: &FhSpec, data: &FhData<'_>, inside: &[InSample]) -> AppResult<Fitted> {
    let method = fh_method(spec);
    let result = fh::fay_herriot(data, method).map_err(unfitted)?;
    let direct: Vec<f64> = inside.iter().map(|a| a.direct).collect();
    let variance: Vec<f64> = inside.iter().map(|a| a.variance).collect();
    let on_direct_scale = FhData { direct: &direct, variance: &variance, covariates: data.covariates, k: data.k };
    // The transformed fits of `fh` and this one agree (same data, same
    // scale); the published functions give the back-transformed estimates.
    let estimates: Vec<Estimate> = match spec.transform {
        Transform::None => {
            let mse = match spec.mse {
                MseMethod::PrasadRao => result.areas.iter().map(|a| a.mse).collect(),
                MseMethod::Bootstrap => {
                    fh::bootstrap_mse(&on_direct_scale, &result.fit, spec.replicates, spec.seed).map_err(unfitted)?
                }
            };
            result.areas.iter().zip(mse).map(|(a, mse)| Estimate { value: a.eblup, mse }).collect()
        }
        Transform::Log => fh::fay_herriot_log(&on_direct_scale, method).map_err(unfitted)?.1,
        Transform::Arcsine => {
            let n: Vec<f64> = inside.iter().map(|a| a.n.unwrap_or(f64::NAN)).collect();
            fh::fay_herriot_arcsin(&on_direct_scale, &n, method).map_err(unfitted)?.1
        }
    };
    Ok(Fitted {
        areas: result.areas.iter().map(|a| (a.eblup, a.synthetic, Some(a.gamma))).collect(),
        fit: result.fit,
        rho: None,
        pairs: None,
        estimates,
    })
}

/// The spatial model (SAR area effects over the in-sample areas' contiguity,
/// W row-standardised among them, as R's sae::eblupSFH takes it), with the
/// analytic MSE of Singh, Shukla & Kundu (2005) or the parametric bootstrap.
fn spatial_fit(spec: &FhSpec, data: &FhData<'_>, codes: &[&RegionCode], touching: &Touching) -> AppResult<Fitted> {
    use revita_methods::sae::spatial::{Proximity, spatial_bootstrap_mse, spatial_fay_herriot};
    let mut pairs = Vec::new();
    for (i, a) in codes.iter().enumerate() {
        for (j, b) in codes.iter().enumerate().skip(i + 1) {
            let key = if a < b { ((*a).clone(), (*b).clone()) } else { ((*b).clone(), (*a).clone()) };
            if touching.contains(&key) {
                pairs.push((i, j));
            }
        }
    }
    if pairs.is_empty() {
        return Err(AppError::Invalid(
            "spatial: no two areas with a direct estimate share a boundary (are their boundaries stored?)".into(),
        ));
    }
    let proximity = Proximity::from_neighbours(codes.len(), &pairs).map_err(unfitted)?;
    let result = spatial_fay_herriot(data, &proximity, fh_method(spec)).map_err(unfitted)?;
    let mse = match spec.mse {
        MseMethod::PrasadRao => result.areas.iter().map(|a| a.mse).collect(),
        MseMethod::Bootstrap => {
            spatial_bootstrap_mse(data, &proximity, &result.fit, spec.replicates, spec.seed).map_err(unfitted)?
        }
    };
    let f = &result.fit;
    Ok(Fitted {
        estimates: result.areas.iter().zip(mse).map(|(a, mse)| Estimate { value: a.eblup, mse }).collect(),
        areas: result.areas.iter().map(|a| (a.eblup, a.synthetic, None)).collect(),
        // Out-of-sample areas get x'β̂ with σ̂u² + x'Qx, as without the
        // spatial effects: they are not in W.
        fit: FhFit {
            method: f.method,
            beta: f.beta.clone(),
            beta_cov: f.beta_cov.clone(),
            sigma_u2: f.sigma_u2,
            iterations: f.iterations,
        },
        rho: Some(f.rho),
        pairs: Some(pairs.len()),
    })
}

/// Synthetic estimates x'β̂ (MSE σ̂u² + x'Qx), back-transformed.
fn out_of_sample(spec: &FhSpec, fit: &FhFit, outside: Vec<OutOfSample>) -> AppResult<Vec<FhAreaRow>> {
    if outside.is_empty() {
        return Ok(Vec::new());
    }
    let synthetic: Vec<Estimate> = if spec.covariates.is_empty() {
        // Intercept only: β̂0 with MSE σ̂u² + var(β̂0).
        let e = Estimate { value: fit.beta[0], mse: fit.sigma_u2 + fit.beta_cov[0] };
        vec![e; outside.len()]
    } else {
        let x: Vec<f64> = outside.iter().flat_map(|(_, x)| x.iter().copied()).collect();
        fh::out_of_sample(fit, &x).map_err(|e| AppError::Invalid(format!("out-of-sample areas: {e}")))?
    };
    Ok(outside
        .into_iter()
        .zip(synthetic)
        .map(|((region, _), s)| {
            let e = back_transform(spec.transform, s);
            FhAreaRow {
                code: region.code,
                name_zh: region.name_zh,
                name_en: region.name_en,
                in_sample: false,
                direct: None,
                variance: None,
                direct_cv: None,
                estimate: e.value,
                mse: e.mse,
                cv: cv(e.value, e.mse),
                gamma: None,
                residual: None,
                model_estimate: s.value,
            }
        })
        .collect())
}

/// 100 × √var / |value|, none for a value of 0.
fn cv(value: f64, var: f64) -> Option<f64> {
    (value != 0.0 && var >= 0.0).then(|| 100.0 * var.sqrt() / value.abs()).filter(|v| v.is_finite())
}

/// A CV's reliability class: `reliable` (≤ 15%), `caution` (≤ 30%),
/// `unreliable`, or `unknown`.
pub fn cv_class(cv: Option<f64>) -> &'static str {
    match cv {
        Some(c) if c <= CV_CAUTION => "reliable",
        Some(c) if c <= CV_UNRELIABLE => "caution",
        Some(_) => "unreliable",
        None => "unknown",
    }
}
