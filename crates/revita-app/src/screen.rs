//! Screening households for return-to-poverty risk and multidimensional
//! poverty (methods.md §9; the exact rules and county table of SPEC B1):
//! a household file is streamed through parallel workers into per-county
//! tallies, written as the county table, and optionally stored as county ×
//! year observations so that maps and region pages show the results.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use revita_ingest::households;
/// How far a screen has got (bytes of a CSV file, households of a Parquet file).
pub use revita_ingest::households::Progress;
use revita_methods::RegionCode;
use revita_methods::indicator::{Aggregation, Direction, Indicator, IndicatorCode};
use revita_methods::observation::{Observation, ObservationStatus, Period};
use revita_methods::screening::{CountyTallies, Deprivation, Tally};
use revita_store::LoadMode;
use serde::Serialize;

use crate::import::RegionResolver;
use crate::{App, AppError, AppResult};

/// How to screen.
#[derive(Debug, Clone)]
pub struct ScreenOptions {
    /// The monitoring line, yuan per person per year.
    pub line: f64,
    /// Worker threads (at least one).
    pub threads: usize,
}

/// The result of screening one file: a tally per county and in all.
#[derive(Debug, Clone)]
pub struct Screening {
    /// The file screened, as given.
    pub file: String,
    /// The monitoring line used.
    pub line: f64,
    /// Counties in ascending code order, each with its tally.
    pub counties: Vec<(u32, Tally)>,
    /// All counties together.
    pub total: Tally,
}

/// Screens the household file at `path` (CSV or Parquet, by extension).
/// A bad row fails the whole screen with its row, column and reason.
pub fn screen_file(path: &Path, options: &ScreenOptions, progress: &Progress) -> AppResult<Screening> {
    if !(options.line.is_finite() && options.line > 0.0) {
        return Err(AppError::Invalid(format!("the monitoring line must be a positive amount, not {}", options.line)));
    }
    let line = options.line;
    let workers = households::scan(path, options.threads, progress, || CountyTallies::new(line))
        .map_err(|e| AppError::Invalid(format!("the household file was rejected: {e}")))?;
    let mut all = CountyTallies::new(line);
    for worker in &workers {
        all.merge(worker);
    }
    Ok(Screening { file: path.display().to_string(), line, counties: all.sorted(), total: all.total() })
}

/// Which counties a user sees, decided once per county: registry scans
/// meet the same few thousand county codes millions of times.
pub(crate) struct CountyScope<'a> {
    within: &'a crate::Jurisdiction,
    seen: std::collections::HashMap<u32, bool>,
}

impl<'a> CountyScope<'a> {
    pub(crate) fn new(within: &'a crate::Jurisdiction) -> CountyScope<'a> {
        CountyScope { within, seen: std::collections::HashMap::new() }
    }

    /// Whether the county (its six-digit code as a number) is in scope.
    pub(crate) fn sees(&mut self, county: u32) -> bool {
        let within = self.within;
        *self
            .seen
            .entry(county)
            .or_insert_with(|| RegionCode::parse(&format!("{county:06}")).is_ok_and(|code| within.covers(&code)))
    }
}

/// Checks a line and a cut-off of `cutoff` parts out of `scale`.
pub(crate) fn check_line(line: f64, cutoff: u32, scale: u32) -> AppResult<()> {
    if !(line.is_finite() && line > 0.0) {
        return Err(AppError::Invalid(format!("the monitoring line must be a positive amount, not {line}")));
    }
    if !(1..=scale).contains(&cutoff) {
        return Err(AppError::Invalid(format!("k must be 1 to {scale} parts of {scale}, not {cutoff}")));
    }
    Ok(())
}

impl App {
    /// Screens the monitoring registry against `line`: the same rules and
    /// tallies as a file screen, over the households whose county lies
    /// within `within` (`None`: all).
    pub async fn screen_registry(&self, line: f64, within: &crate::Jurisdiction) -> AppResult<Screening> {
        check_line(line, revita_methods::screening::MPI_POOR_CUTOFF, revita_methods::screening::MPI_SCALE)?;
        let mut tallies = CountyTallies::new(line);
        let mut scope = CountyScope::new(within);
        self.store()
            .for_each_household(within.roots(), &mut |registered| {
                if scope.sees(registered.household.county()) {
                    tallies.add(&registered.household);
                }
            })
            .await?;
        Ok(Screening { file: "registry".into(), line, counties: tallies.sorted(), total: tallies.total() })
    }
}

impl Screening {
    /// Writes the county table of SPEC B1 (all or nothing: the file appears
    /// only when complete).
    pub fn write_table(&self, out: &Path) -> AppResult<()> {
        households::write_county_screen(out, &self.counties)
            .map_err(|e| AppError::Invalid(format!("cannot write {}: {e}", out.display())))
    }

    /// The totals, for `--json` and the store's audit entry.
    pub fn summary(&self) -> ScreenSummary {
        let t = &self.total;
        ScreenSummary {
            file: self.file.clone(),
            line: self.line,
            counties: self.counties.len(),
            households: t.households,
            people: t.people,
            flagged: t.flagged,
            f_income: t.f_income,
            f_drop: t.f_drop,
            f_expense: t.f_expense,
            f_guarantee: t.f_guarantee,
            mpi_poor_people: t.mpi_poor_people,
            h: t.headcount(),
            a: t.intensity(),
            m0: t.m0(),
            contributions: Deprivation::MPI.iter().map(|d| d.name()).zip(t.contributions()).collect(),
        }
    }
}

/// Screening totals over all counties.
#[derive(Debug, Clone, Serialize)]
pub struct ScreenSummary {
    /// The file screened.
    pub file: String,
    /// The monitoring line.
    pub line: f64,
    /// Counties with at least one household.
    pub counties: usize,
    /// Households screened.
    pub households: u64,
    /// People in them.
    pub people: u64,
    /// Households with any trigger.
    pub flagged: u64,
    /// Below the line.
    pub f_income: u64,
    /// Sharp income drop.
    pub f_drop: u64,
    /// Heavy rigid expenditure.
    pub f_expense: u64,
    /// A guarantee or drinking-water gap.
    pub f_guarantee: u64,
    /// People in MPI-poor households.
    pub mpi_poor_people: u64,
    /// Headcount ratio H.
    #[serde(rename = "H")]
    pub h: f64,
    /// Intensity A.
    #[serde(rename = "A")]
    pub a: f64,
    /// Adjusted headcount ratio M0.
    #[serde(rename = "M0")]
    pub m0: f64,
    /// Each MPI indicator's share of M0.
    pub contributions: BTreeMap<&'static str, f64>,
}

/// How a stored indicator's value follows from a county's tally.
type FromTally = fn(&Tally) -> f64;

/// The indicators a stored screening writes, with how each is computed from
/// a county's tally. Rates are weighted means, so they roll up correctly.
fn screening_indicators() -> Vec<(Indicator, FromTally)> {
    let code = |c: &str| IndicatorCode::parse(c).expect("a valid built-in code");
    let indicator = |c: &str, zh: &str, en: &str, unit: &str, direction, aggregation, about: &str| Indicator {
        code: code(c),
        name_zh: zh.into(),
        name_en: Some(en.into()),
        unit: unit.into(),
        direction,
        aggregation,
        description: Some(about.into()),
        source: Some("revita screen (methods.md §9; bench/SPEC.md B1)".into()),
        // Counts are never negative; shares lie between none and all.
        range: match unit {
            "%" => revita_methods::ValueRange { min: Some(0.0), max: Some(100.0) },
            "share" | "index" => revita_methods::ValueRange { min: Some(0.0), max: Some(1.0) },
            _ => revita_methods::ValueRange { min: Some(0.0), max: None },
        },
    };
    use Direction::{LowerIsBetter, Neutral};
    vec![
        (
            indicator(
                "hh_screened",
                "监测筛查户数",
                "Households screened",
                "households",
                Neutral,
                Aggregation::Sum,
                "Households in the screened file.",
            ),
            |t| t.households as f64,
        ),
        (
            indicator(
                "hh_screened_people",
                "监测筛查人数",
                "People screened",
                "persons",
                Neutral,
                Aggregation::Sum,
                "Members of the screened households.",
            ),
            |t| t.people as f64,
        ),
        (
            indicator(
                "hh_flagged",
                "预警户数",
                "Households flagged",
                "households",
                LowerIsBetter,
                Aggregation::Sum,
                "Households with any monitoring trigger: income below the line, a sharp drop, heavy rigid expenditure, or a guarantee or drinking-water gap.",
            ),
            |t| t.flagged as f64,
        ),
        (
            indicator(
                "hh_flagged_rate",
                "预警户占比",
                "Share of households flagged",
                "%",
                LowerIsBetter,
                Aggregation::WeightedMean(code("hh_screened")),
                "Flagged households as a share of households screened.",
            ),
            |t| 100.0 * t.flagged as f64 / t.households as f64,
        ),
        (
            indicator(
                "mpi_poor_people",
                "多维贫困人数",
                "People MPI-poor",
                "persons",
                LowerIsBetter,
                Aggregation::Sum,
                "People in households with a global-MPI deprivation score of at least 1/3.",
            ),
            |t| t.mpi_poor_people as f64,
        ),
        (
            indicator(
                "mpi_h",
                "多维贫困发生率 H",
                "MPI headcount ratio H",
                "%",
                LowerIsBetter,
                Aggregation::WeightedMean(code("hh_screened_people")),
                "Alkire–Foster headcount ratio: MPI-poor people as a share of people screened.",
            ),
            |t| 100.0 * t.headcount(),
        ),
        (
            indicator(
                "mpi_a",
                "多维贫困强度 A",
                "MPI intensity A",
                "%",
                LowerIsBetter,
                Aggregation::WeightedMean(code("mpi_poor_people")),
                "Alkire–Foster intensity: the average deprivation score of the MPI-poor.",
            ),
            |t| 100.0 * t.intensity(),
        ),
        (
            indicator(
                "mpi_m0",
                "多维贫困指数 M0",
                "MPI adjusted headcount M0",
                "index",
                LowerIsBetter,
                Aggregation::WeightedMean(code("hh_screened_people")),
                "Alkire–Foster adjusted headcount ratio M0 = H × A (0 to 1).",
            ),
            |t| t.m0(),
        ),
    ]
}

/// What storing a screening wrote.
#[derive(Debug, Clone, Serialize)]
pub struct StoredScreening {
    /// Counties written.
    pub counties: usize,
    /// Observations written (or replaced).
    pub observations: u64,
    /// Indicators defined because they were missing.
    pub indicators_created: Vec<String>,
}

impl App {
    /// Stores a screening as observations of `year` for each county
    /// (replacing earlier values of the same year). Every county must be a
    /// loaded region (directly, in canonical form, or as a retired code with
    /// one successor, whose tallies are then merged) inside `within`, or
    /// nothing is written.
    pub async fn store_screening(
        &self,
        screening: &Screening,
        year: i32,
        within: &crate::Jurisdiction,
        by: &crate::auth::ChangeBy,
    ) -> AppResult<StoredScreening> {
        let mut resolver = RegionResolver::load(self).await?;
        let mut regions: BTreeMap<RegionCode, Tally> = BTreeMap::new();
        let mut problems = Vec::new();
        for (county, tally) in &screening.counties {
            let code = RegionCode::parse(&county.to_string())
                .map_err(|e| AppError::Invalid(format!("county {county}: {e}")))?;
            match resolver.resolve(&code, 0).as_deref() {
                Ok([one]) if within.covers(one) => regions.entry(one.clone()).or_default().merge(tally),
                Ok([one]) => problems.push(crate::import::outside(one)),
                Ok(many) => problems.push(format!(
                    "county {county} was split into {} regions; its households cannot be divided among them",
                    many.len()
                )),
                Err(reason) => problems.push(format!("county {county}: {reason}")),
            }
        }
        if !problems.is_empty() {
            let shown: Vec<&str> = problems.iter().take(10).map(String::as_str).collect();
            return Err(AppError::Invalid(format!(
                "nothing was stored: {} of {} counties cannot be stored ({})",
                problems.len(),
                screening.counties.len(),
                shown.join("; ")
            )));
        }

        let indicators = screening_indicators();
        let existing: HashSet<IndicatorCode> = self.store().indicators().await?.into_iter().map(|i| i.code).collect();
        let missing: Vec<Indicator> =
            indicators.iter().map(|(i, _)| i).filter(|i| !existing.contains(&i.code)).cloned().collect();
        if !missing.is_empty() {
            crate::import::require_everywhere(within, "indicators")?;
            let codes: Vec<String> = missing.iter().map(|i| i.code.to_string()).collect();
            let change = (None, Some("screening indicators".into()));
            let entry = by.entry("indicator.create", ("indicators", &codes.join(",")), None, change);
            self.store().write(entry, async |tx| tx.upsert_indicators(&missing).await).await?;
        }

        let period = Period::Year(year);
        let source = format!("screening of {} at a line of {} yuan", screening.file, screening.line);
        let mut observations = Vec::with_capacity(regions.len() * indicators.len());
        for (region, tally) in &regions {
            for (indicator, value) in &indicators {
                observations.push(Observation {
                    indicator: indicator.code.clone(),
                    region: region.clone(),
                    period,
                    value: value(tally),
                    source: Some(source.clone()),
                    status: ObservationStatus::Final,
                });
            }
        }
        let n = observations.len() as u64;
        let after = format!(
            "{{\"counties\":{},\"observations\":{n},\"year\":{year},\"line\":{}}}",
            regions.len(),
            screening.line
        );
        let codes: Vec<RegionCode> = regions.keys().cloned().collect();
        let region = self.store().common_ancestor(&codes).await?;
        let mut entry = by.entry("screen.store", ("screening", &screening.file), region.as_ref(), (None, Some(after)));
        let mut load = self.store().begin_observation_load(LoadMode::Replace).await?;
        if let Err(e) = load.write(observations).await {
            load.rollback().await?;
            return Err(e.into());
        }
        // Values of an earlier screening of the year are kept as revisions.
        let replaced = load.replaced().await?;
        let revision = (replaced > 0)
            .then(|| crate::auth::random_token().map(|id| revita_store::Revision { change_id: id, at: by.origin.now }))
            .transpose()?;
        if let Some(r) = &revision {
            entry.before = Some(format!("{{\"replaced\":{replaced},\"revisions\":\"{}\"}}", r.change_id));
        }
        let written = load.commit(&[entry], revision.as_ref()).await?;
        Ok(StoredScreening {
            counties: regions.len(),
            observations: written,
            indicators_created: missing.iter().map(|i| i.code.to_string()).collect(),
        })
    }
}
