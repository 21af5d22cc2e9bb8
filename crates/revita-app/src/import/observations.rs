//! Importing observations at scale: a reader thread parses and checks the
//! file in batches while the async side writes them into one store
//! transaction, so parsing and database work overlap on two cores and memory
//! stays flat however long the file is. Any problem stops the writing; the
//! transaction is rolled back and every problem found is reported.

use std::collections::HashSet;
use std::path::Path;

use revita_ingest::records::{Layout, ObservationOptions, ObservationReader, ObservationRecord};
use revita_ingest::{FileError, Problems, RowError, Table};
use revita_methods::{Observation, RegionCode};
use revita_store::{LoadMode, StoreError};
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
    /// Default source, period and status.
    pub options: ObservationOptions,
    /// The regions the importing user may change (`None`: everywhere).
    pub within: Option<std::sync::Arc<std::collections::HashSet<RegionCode>>>,
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
    observations: Vec<Observation>,
    progress: Progress,
}

/// What the reader thread found.
struct Scan {
    problems: Problems,
    remaps: Vec<CodeRemap>,
    rows_read: u64,
    valid: u64,
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
        let mut load = if import.dry_run { None } else { Some(self.store().begin_observation_load(mode).await?) };
        let mut store_error = None;
        while let Some(batch) = receiver.recv().await {
            progress(batch.progress);
            if let Some(load) = load.as_mut()
                && let Err(e) = load.write(batch.observations).await
            {
                store_error = Some(e);
                break;
            }
        }
        drop(receiver); // stops the reader if the store failed
        let scan = scan.await.map_err(|e| anyhow::anyhow!("reader thread failed: {e}"))?;

        let failed = store_error.is_some() || !scan.problems.is_empty();
        let written = match (load, failed) {
            (Some(load), false) => load.commit().await?,
            (Some(load), true) => {
                load.rollback().await?;
                0
            }
            (None, _) => 0,
        };
        if let Some(error) = store_error {
            return Err(self.explain_store_error(path, import, error).await);
        }
        if !scan.problems.is_empty() {
            return Err(scan.problems.into());
        }
        report.rows_read = scan.rows_read;
        report.records_valid = scan.valid;
        report.records_written = written;
        report.remapped_codes = scan.remaps;
        Ok(report)
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

    async fn indicator_codes(&self) -> AppResult<HashSet<String>> {
        Ok(self.store().indicators().await?.into_iter().map(|i| i.code.to_string()).collect())
    }

    /// Turns a duplicate key reported by the store into row numbers, by
    /// reading the file again (only on this failure path, so the happy path
    /// never holds every key in memory).
    async fn explain_store_error(&self, path: &Path, import: &ObservationImport, error: StoreError) -> AppError {
        let StoreError::DuplicateObservation { indicator, region, period } = &error else { return error.into() };
        let key = (indicator.clone(), region.clone(), period.clone());
        let rows = match (self.open_observations(path, import).await, RegionResolver::load(self).await) {
            (Ok(reader), Ok(resolver)) => {
                tokio::task::spawn_blocking(move || rows_with_key(reader, resolver, &key)).await.unwrap_or_default()
            }
            _ => Vec::new(),
        };
        let file = path.display().to_string();
        let what = format!("observation ({indicator}, {region}, {period})");
        let problem = match rows.as_slice() {
            [first, second, ..] => RowError::row(&file, *second, format!("{what} repeats row {first}")),
            [only] => RowError::row(
                &file,
                *only,
                format!("{what} is already stored; import with --replace to overwrite stored values"),
            ),
            [] => RowError::row(&file, 0, format!("{what} is duplicated")),
        };
        let mut problems = Problems::default();
        problems.push(problem);
        problems.into()
    }
}

fn layout_name(layout: &Layout) -> &'static str {
    match layout {
        Layout::Long => "long",
        Layout::WideByIndicator => "wide_by_indicator",
        Layout::WideByPeriod => "wide_by_period",
    }
}

/// Every value column of a wide-by-indicator file must be a defined indicator.
fn check_wide_columns(reader: &ObservationReader, indicators: &HashSet<String>) -> Result<(), FileError> {
    let wide = reader.wide_indicators();
    let unknown: Vec<String> = wide.iter().map(|i| i.to_string()).filter(|i| !indicators.contains(i)).collect();
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
    indicators: &HashSet<String>,
    within: &Option<std::sync::Arc<HashSet<RegionCode>>>,
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
    if !super::allowed(within, &observation.region) {
        return Err(RowError::cell(file, row, reader.region_column(), super::outside(&observation.region)));
    }
    if !indicators.contains(observation.indicator.as_str()) {
        let column = reader.indicator_column().unwrap_or("indicator");
        return Err(RowError::cell(
            file,
            row,
            column,
            format!("indicator {} is not defined; import its definition first", observation.indicator),
        ));
    }
    Ok(observation)
}

fn scan(
    mut reader: ObservationReader,
    mut resolver: RegionResolver,
    indicators: HashSet<String>,
    within: Option<std::sync::Arc<HashSet<RegionCode>>>,
    bytes_total: u64,
    sender: mpsc::Sender<Batch>,
) -> Scan {
    let mut problems = Problems::default();
    let mut records = Vec::with_capacity(BATCH_ROWS);
    let mut valid = 0;
    loop {
        records.clear();
        let more = reader.next_batch(BATCH_ROWS, &mut records, &mut problems);
        let mut batch = Vec::with_capacity(records.len());
        for record in records.drain(..) {
            match check(record, &reader, &mut resolver, &indicators, &within) {
                Ok(observation) => batch.push(observation),
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
    Scan { problems, remaps: resolver.into_remaps(), rows_read: reader.rows_read(), valid }
}

/// Row numbers (at most two) whose resolved key equals `key`.
fn rows_with_key(
    mut reader: ObservationReader,
    mut resolver: RegionResolver,
    key: &(String, String, String),
) -> Vec<u64> {
    let mut found = Vec::new();
    let mut records = Vec::new();
    let mut problems = Problems::default();
    loop {
        records.clear();
        let more = reader.next_batch(BATCH_ROWS, &mut records, &mut problems);
        for r in &records {
            let o = &r.observation;
            if o.indicator.as_str() != key.0 || o.period.to_string() != key.2 {
                continue;
            }
            if resolver.resolve(&o.region, r.row).is_ok_and(|t| t.len() == 1 && t[0].as_str() == key.1) {
                found.push(r.row);
                if found.len() == 2 {
                    return found;
                }
            }
        }
        if !more {
            return found;
        }
    }
}
