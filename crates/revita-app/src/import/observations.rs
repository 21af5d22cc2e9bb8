//! Importing observations at scale: a reader thread parses and checks the
//! file in batches while the async side writes them into one store
//! transaction, so parsing and database work overlap on two cores and memory
//! stays flat however long the file is. Any problem stops the writing; the
//! transaction is rolled back and every problem found is reported.
//!
//! A dry run goes through the same reader into a check of the store
//! (`ObservationCheck`): a temporary table compared with itself and with
//! the stored values, so that it finds every key the write would refuse —
//! repeated in the file, or already stored — without writing or locking
//! anything. A write refused for a key runs that check too, to report every
//! such key at once.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use revita_ingest::records::{Layout, ObservationOptions, ObservationReader, ObservationRecord};
use revita_ingest::{FileError, Problems, RowError, Table};
use revita_methods::{Observation, RegionCode};
use revita_store::{LoadFindings, LoadMode, Revision, StoreError};
use tokio::sync::mpsc;

use super::RegionResolver;
use crate::report::CodeRemap;
use crate::{App, AppError, AppResult, ImportReport};

/// Rows parsed per batch; a batch is also the unit of a store write.
const BATCH_ROWS: usize = 50_000;

/// Options of an observations import.
#[derive(Debug, Clone, Default)]
pub struct ObservationImport {
    /// Check everything, write nothing.
    pub dry_run: bool,
    /// XLSX worksheet to read.
    pub sheet: Option<String>,
    /// Replace stored values with the same key instead of rejecting them.
    pub replace: bool,
    /// SQLite: load in one transaction holding the write lock throughout
    /// (see `revita_store::LoadOptions`).
    pub exclusive: bool,
    /// Default source, period and status.
    pub options: ObservationOptions,
    /// The regions the importing user may change (`None`: everywhere).
    pub within: crate::Jurisdiction,
    /// Who imports, for the audit log.
    pub by: crate::auth::ChangeBy,
    /// The file's name as its user knows it, for the audit log.
    pub file_name: Option<String>,
}

/// How far an import has got, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the file read (0 for XLSX).
    pub bytes_read: u64,
    /// Size of the file in bytes.
    pub bytes_total: u64,
    /// Data rows read.
    pub rows_read: u64,
}

struct Batch {
    /// Each observation with its row in the file.
    observations: Vec<(u64, Observation)>,
    progress: Progress,
}

/// Where the batches go: a load, a check, or nowhere (after a problem).
enum Sink {
    Load(revita_store::ObservationLoad),
    Check(revita_store::ObservationCheck),
}

/// Keys listed of each kind a check finds (the report keeps 100 problems).
const CHECK_LIMIT: i64 = 100;

/// What the reader thread found.
struct Scan {
    problems: Problems,
    remaps: Vec<CodeRemap>,
    rows_read: u64,
    valid: u64,
    /// The regions of the valid rows.
    regions: HashSet<RegionCode>,
}

impl App {
    /// Imports observations from a CSV or XLSX file in long or wide layout.
    pub async fn import_observations(
        &self,
        path: &Path,
        import: &ObservationImport,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> AppResult<ImportReport> {
        let reader = self.open_observations(path, import).await?;
        let mut report = ImportReport {
            file: reader.file().to_string(),
            kind: "observations".into(),
            encoding: reader.table().encoding.name().into(),
            layout: Some(layout_name(reader.layout()).into()),
            dry_run: import.dry_run,
            ignored_columns: reader.ignored_columns().to_vec(),
            ..Default::default()
        };
        let resolver = RegionResolver::load(self).await?;
        let indicators = self.indicator_codes().await?;
        check_wide_columns(&reader, &indicators)?;
        let bytes_total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);

        let (sender, mut receiver) = mpsc::channel::<Batch>(4);
        let within = import.within.clone();
        let scan = tokio::task::spawn_blocking(move || scan(reader, resolver, indicators, within, bytes_total, sender));
        let mode = if import.replace { LoadMode::Replace } else { LoadMode::InsertOnly };
        let mut sink = if import.dry_run {
            Sink::Check(self.store().begin_observation_check().await?)
        } else {
            let options = revita_store::LoadOptions { mode, exclusive: import.exclusive };
            Sink::Load(self.store().begin_observation_load_with(options).await?)
        };
        let mut store_error = None;
        while let Some(batch) = receiver.recv().await {
            progress(batch.progress);
            let written = match &mut sink {
                Sink::Load(load) => load.write(batch.observations.into_iter().map(|(_, o)| o).collect()).await,
                Sink::Check(check) => check.write(batch.observations).await,
            };
            if let Err(e) = written {
                store_error = Some(e);
                break;
            }
        }
        drop(receiver); // stops the reader if the store failed
        let scan = scan.await.map_err(|e| anyhow::anyhow!("reader thread failed: {e}"))?;
        report.rows_read = scan.rows_read;
        report.records_valid = scan.valid;
        report.remapped_codes = scan.remaps.clone();

        let failed = store_error.is_some() || !scan.problems.is_empty();
        match sink {
            Sink::Check(check) => {
                if let Some(error) = store_error {
                    return Err(error.into());
                }
                if !scan.problems.is_empty() {
                    return Err(scan.problems.into());
                }
                let findings = check.finish(CHECK_LIMIT).await?;
                let stored = findings.stored_keys;
                findings_to_problems(reader_file(path), &findings, import.replace)?;
                if import.replace && stored > 0 {
                    report.replaces = stored;
                    report.notes.push(format!("{stored} stored value(s) would be replaced (and kept as revisions)"));
                }
                Ok(report)
            }
            Sink::Load(load) if failed => {
                load.rollback().await?;
                match store_error {
                    Some(error) => Err(self.refused_by_store(path, import, error).await),
                    None => Err(scan.problems.into()),
                }
            }
            Sink::Load(mut load) => {
                let replaced = load.replaced().await?;
                report.records_written = scan.valid;
                report.replaces = replaced;
                let codes: Vec<RegionCode> = scan.regions.iter().cloned().collect();
                let region = self.store().common_ancestor(&codes).await?;
                let revision = (replaced > 0)
                    .then(|| crate::auth::random_token().map(|id| Revision { change_id: id, at: import.by.origin.now }))
                    .transpose()?;
                let before =
                    revision.as_ref().map(|r| format!("{{\"replaced\":{replaced},\"revisions\":\"{}\"}}", r.change_id));
                let options = super::FileImport {
                    by: import.by.clone(),
                    file_name: import.file_name.clone(),
                    ..Default::default()
                };
                let mut entry = super::import_entry(&options, &report, region.as_ref());
                entry.before = before;
                // SQLite finds keys stored already while it merges, at commit.
                match load.commit(&[entry], revision.as_ref()).await {
                    Ok(written) => report.records_written = written,
                    Err(error) => return Err(self.refused_by_store(path, import, error).await),
                }
                Ok(report)
            }
        }
    }

    /// The error to report for a write the store refused: for a key
    /// repeated or stored already, every such key with its rows, found as a
    /// dry run finds them.
    async fn refused_by_store(&self, path: &Path, import: &ObservationImport, error: StoreError) -> AppError {
        if !matches!(error, StoreError::DuplicateObservation { .. }) {
            return error.into();
        }
        let check = ObservationImport { dry_run: true, ..import.clone() };
        match Box::pin(self.import_observations(path, &check, &|_| {})).await {
            Err(e) => e,
            // The data changed since: report the store's refusal.
            Ok(_) => error.into(),
        }
    }

    async fn open_observations(&self, path: &Path, import: &ObservationImport) -> AppResult<ObservationReader> {
        let (path, sheet, options) = (path.to_path_buf(), import.sheet.clone(), import.options.clone());
        let reader = tokio::task::spawn_blocking(move || -> Result<ObservationReader, FileError> {
            ObservationReader::new(Table::open(&path, sheet.as_deref())?, options)
        })
        .await
        .map_err(|e| anyhow::anyhow!("reader thread failed: {e}"))??;
        Ok(reader)
    }

    /// Each defined indicator's code with what its values may be.
    async fn indicator_codes(&self) -> AppResult<HashMap<String, Accepts>> {
        let this_year = crate::clock::this_year();
        Ok(self
            .store()
            .indicators()
            .await?
            .into_iter()
            .map(|i| (i.code.to_string(), Accepts { range: i.range, unit: i.unit, this_year }))
            .collect())
    }
}

/// The file's name as reports give it.
fn reader_file(path: &Path) -> String {
    path.display().to_string()
}

/// The problems a check found, each at its row: keys the file repeats, and
/// (unless the import replaces them) keys already stored.
fn findings_to_problems(file: String, findings: &LoadFindings, replace: bool) -> AppResult<()> {
    let mut problems = Problems::default();
    let what = |k: &revita_store::ObservationKey| format!("observation ({}, {}, {})", k.indicator, k.region, k.period);
    for (key, n, first, last) in &findings.repeated {
        let reason = match n {
            2 => format!("{} repeats row {first}", what(key)),
            _ => format!("{} appears {n} times in the file (rows {first} to {last}); give it once", what(key)),
        };
        problems.push(RowError::row(&file, *last, reason));
    }
    problems.total += findings.repeated_keys.saturating_sub(findings.repeated.len() as u64);
    let mut stored = 0;
    if !replace {
        for (row, key, old, new) in &findings.stored {
            let reason = format!(
                "{} is already stored (stored value {old}, this file {new}); import replacing stored values (--replace) to overwrite it",
                what(key)
            );
            problems.push(RowError::row(&file, *row, reason));
        }
        stored = findings.stored_keys;
        problems.total += findings.stored_keys.saturating_sub(findings.stored.len() as u64);
    }
    if problems.is_empty() {
        return Ok(());
    }
    problems.sort_by_row();
    Err(AppError::Rejected { problems, stored: if findings.repeated_keys == 0 { stored } else { 0 } })
}

fn layout_name(layout: &Layout) -> &'static str {
    match layout {
        Layout::Long => "long",
        Layout::WideByIndicator => "wide_by_indicator",
        Layout::WideByPeriod => "wide_by_period",
    }
}

/// Every value column of a wide-by-indicator file must be a defined indicator.
fn check_wide_columns(reader: &ObservationReader, indicators: &HashMap<String, Accepts>) -> Result<(), FileError> {
    let wide = reader.wide_indicators();
    let unknown: Vec<String> = wide.iter().map(|i| i.to_string()).filter(|i| !indicators.contains_key(i)).collect();
    if unknown.is_empty() {
        Ok(())
    } else if unknown.len() == wide.len() {
        Err(FileError::new(
            reader.file(),
            format!(
                "no column is a defined indicator ({}) and there is no 'value' column: a long file needs region_code,indicator,period,value; a wide file needs one column per defined indicator",
                unknown.join(", ")
            ),
        ))
    } else {
        Err(FileError::new(
            reader.file(),
            format!("column(s) {} are not defined indicators; import their definitions first", unknown.join(", ")),
        ))
    }
}

/// Checks one record's region and indicator; returns the observation to
/// store, or why not.
fn check(
    record: ObservationRecord,
    reader: &ObservationReader,
    resolver: &mut RegionResolver,
    indicators: &HashMap<String, Accepts>,
    within: &crate::Jurisdiction,
) -> Result<Observation, RowError> {
    let ObservationRecord { row, mut observation } = record;
    let file = reader.file();
    let targets = resolver
        .resolve(&observation.region, row)
        .map_err(|reason| RowError::cell(file, row, reader.region_column(), reason))?;
    observation.region = match targets.as_slice() {
        [one] => one.clone(),
        many => {
            let list = many.iter().map(RegionCode::as_str).collect::<Vec<_>>().join(", ");
            return Err(RowError::cell(
                file,
                row,
                reader.region_column(),
                format!(
                    "retired code {} was split into {list}; a value cannot be assigned to one of them — give it under the current codes",
                    observation.region
                ),
            ));
        }
    };
    if !within.covers(&observation.region) {
        return Err(RowError::cell(file, row, reader.region_column(), super::outside(&observation.region)));
    }
    let Some(accepts) = indicators.get(observation.indicator.as_str()) else {
        let column = reader.indicator_column().unwrap_or("indicator");
        return Err(RowError::cell(
            file,
            row,
            column,
            format!("indicator {} is not defined; import its definition first", observation.indicator),
        ));
    };
    if !accepts.range.contains(observation.value) {
        let reason = format!(
            "{} is outside the range of {} ({} {})",
            observation.value,
            observation.indicator,
            accepts.range.describe(),
            accepts.unit
        );
        return Err(RowError::cell(file, row, &reader.value_column(&observation), reason));
    }
    if let Err(e) = observation.period.check_plausible(accepts.this_year) {
        return Err(RowError::cell(file, row, &reader.period_column(&observation), e.to_string()));
    }
    Ok(observation)
}

/// What an indicator's values may be: within its range, for a period up to
/// the current year.
#[derive(Debug, Clone)]
struct Accepts {
    range: revita_methods::ValueRange,
    unit: String,
    this_year: i32,
}

fn scan(
    mut reader: ObservationReader,
    mut resolver: RegionResolver,
    indicators: HashMap<String, Accepts>,
    within: crate::Jurisdiction,
    bytes_total: u64,
    sender: mpsc::Sender<Batch>,
) -> Scan {
    let mut problems = Problems::default();
    let mut records = Vec::with_capacity(BATCH_ROWS);
    let mut valid = 0;
    let mut regions = HashSet::new();
    loop {
        records.clear();
        let more = reader.next_batch(BATCH_ROWS, &mut records, &mut problems);
        let mut batch = Vec::with_capacity(records.len());
        for record in records.drain(..) {
            let row = record.row;
            match check(record, &reader, &mut resolver, &indicators, &within) {
                Ok(observation) => {
                    if !regions.contains(&observation.region) {
                        regions.insert(observation.region.clone());
                    }
                    batch.push((row, observation));
                }
                Err(e) => problems.push(e),
            }
        }
        valid += batch.len() as u64;
        if problems.is_empty() && !batch.is_empty() {
            let progress =
                Progress { bytes_read: reader.table().bytes_read(), bytes_total, rows_read: reader.rows_read() };
            if sender.blocking_send(Batch { observations: batch, progress }).is_err() {
                break; // the writer stopped
            }
        }
        if !more {
            break;
        }
    }
    problems.sort_by_row();
    if reader.rows_read() == 0 && problems.is_empty() {
        problems.push(RowError::row(reader.file(), 0, "the file has a header but no data rows"));
    }
    Scan { problems, remaps: resolver.into_remaps(), rows_read: reader.rows_read(), valid, regions }
}
