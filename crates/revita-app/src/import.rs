//! Imports: every file is read and checked whole before anything is
//! written, and written in one transaction, so an import either succeeds
//! completely or leaves the store exactly as it was.
//!
//! Region codes in data files are resolved in three steps: a code that is
//! loaded is used as is; otherwise its canonical form under the code scheme
//! (e.g. a 12-digit NBS county code shortened to six digits); otherwise the
//! code history maps a retired code to the current region(s) that took over
//! its area, and the import report lists every such mapping.

mod observations;
mod resolve;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use revita_ingest::records::{self, Parsed};
use revita_ingest::{FileError, Problems, RowError, Table};
use revita_methods::{Hierarchy, Region, RegionCode};
use revita_store::Boundary;

/// The problem of a row whose region lies outside the user's jurisdiction.
pub(crate) fn outside(code: &RegionCode) -> String {
    format!("region {code} is outside your jurisdiction")
}

/// Whether `code` lies within the importing user's jurisdiction.
pub(crate) fn allowed(within: &Option<std::sync::Arc<HashSet<RegionCode>>>, code: &RegionCode) -> bool {
    within.as_ref().is_none_or(|set| set.contains(code))
}

/// National definitions (indicators, the code history) are changed only by
/// users whose jurisdiction is everywhere.
pub(crate) fn require_everywhere(within: &Option<std::sync::Arc<HashSet<RegionCode>>>, what: &str) -> AppResult<()> {
    match within {
        None => Ok(()),
        Some(_) => Err(crate::AppError::Forbidden(format!(
            "{what} are national definitions; only a national user may change them"
        ))),
    }
}

pub use observations::{ObservationImport, Progress};
pub(crate) use resolve::RegionResolver;
pub use revita_ingest::records::ObservationOptions;

use crate::{App, AppResult, ImportReport};

/// Options every file import takes.
#[derive(Debug, Clone, Default)]
pub struct FileImport {
    /// Check everything, write nothing.
    pub dry_run: bool,
    /// XLSX worksheet to read (default: the first).
    pub sheet: Option<String>,
    /// The regions the importing user may change (`None`: everywhere, as for
    /// the command line on a local database). Rows for other regions are
    /// rejected like any other bad row.
    pub within: Option<std::sync::Arc<HashSet<RegionCode>>>,
    /// Regions: leave regions that are already loaded as they are, adding
    /// only new ones (e.g. NBS 2022 counties beside the MCA 2024 list,
    /// whose names are newer).
    pub keep_existing: bool,
}

/// The report of a table import that wrote (or, on a dry run, would have
/// written) `valid` records.
fn report<T>(table: &Table, kind: &str, options: &FileImport, parsed: &Parsed<T>, valid: usize) -> ImportReport {
    ImportReport {
        file: table.file.clone(),
        kind: kind.to_string(),
        encoding: table.encoding.name().to_string(),
        dry_run: options.dry_run,
        rows_read: parsed.rows.len() as u64,
        records_valid: valid as u64,
        records_written: if options.dry_run { 0 } else { valid as u64 },
        ignored_columns: parsed.ignored_columns.clone(),
        ..Default::default()
    }
}

/// Reads a table on a blocking thread (XLSX parsing and large CSV reads
/// must not stall the async runtime).
pub(crate) async fn read_table<T: Send + 'static>(
    path: &Path,
    sheet: Option<String>,
    read: impl FnOnce(&mut Table) -> Result<Parsed<T>, Problems> + Send + 'static,
) -> AppResult<(Table, Parsed<T>)> {
    let path = path.to_path_buf();
    let res = tokio::task::spawn_blocking(move || -> Result<(Table, Parsed<T>), Problems> {
        let mut table = Table::open(&path, sheet.as_deref())?;
        let parsed = read(&mut table)?;
        Ok((table, parsed))
    })
    .await
    .map_err(|e| anyhow::anyhow!("reader thread failed: {e}"))?;
    Ok(res?)
}

impl App {
    /// Imports regions (`code,name_zh[,name_en,level,parent_code,valid_from,valid_to]`).
    /// Under the China scheme level and parent may be left out: the code's
    /// digits give the level, and the nearest existing prefix gives the parent.
    pub async fn import_regions(&self, path: &Path, options: &FileImport) -> AppResult<ImportReport> {
        let (table, parsed) = read_table(path, options.sheet.clone(), records::read_regions).await?;
        let existing = self.store().regions().await?;
        let mut regions = self.check_regions(&table.file, &parsed, &existing)?;
        let mut problems = Problems::default();
        for (row, region) in parsed.rows.iter().map(|(row, _)| *row).zip(&regions) {
            let parent_ok = region.parent.as_ref().is_some_and(|p| allowed(&options.within, p));
            if !allowed(&options.within, &region.code) && !parent_ok {
                problems.push(RowError::cell(&table.file, row, "code", outside(&region.code)));
            }
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        let mut kept = 0;
        if options.keep_existing {
            let loaded: HashSet<&RegionCode> = existing.iter().map(|r| &r.code).collect();
            let before = regions.len();
            regions.retain(|r| !loaded.contains(&r.code));
            kept = before - regions.len();
        }
        if !options.dry_run {
            self.store().upsert_regions(&regions).await?;
        }
        let mut report = report(&table, "regions", options, &parsed, regions.len());
        if kept > 0 {
            report.notes.push(format!("{kept} region(s) already loaded were left unchanged (--keep-existing)"));
        }
        Ok(report)
    }

    fn check_regions(
        &self,
        file: &str,
        parsed: &Parsed<records::RegionRecord>,
        existing: &[Region],
    ) -> Result<Vec<Region>, Problems> {
        let scheme = self.scheme();
        let mut problems = Problems::default();
        let mut first_row: HashMap<RegionCode, u64> = HashMap::new();
        let mut staged = Vec::new();
        for (row, record) in &parsed.rows {
            let code = match scheme.normalize(&record.code) {
                Ok(code) => code,
                Err(e) => {
                    problems.push(RowError::cell(file, *row, "code", e.to_string()));
                    continue;
                }
            };
            if let Some(first) = first_row.insert(code.clone(), *row) {
                problems.push(RowError::cell(
                    file,
                    *row,
                    "code",
                    format!("region {code} already appears in row {first}"),
                ));
                continue;
            }
            let level = match record.level.clone().or_else(|| scheme.level_of(&code).map(str::to_string)) {
                Some(level) => level,
                None => {
                    problems.push(RowError::cell(file, *row, "level", "is empty and cannot be inferred from the code"));
                    continue;
                }
            };
            if let Err(e) = scheme.check_level(&code, &level) {
                problems.push(RowError::cell(file, *row, "level", e.to_string()));
                continue;
            }
            staged.push((*row, code, level, record));
        }
        let known: HashSet<&RegionCode> = existing.iter().map(|r| &r.code).chain(first_row.keys()).collect();
        let root_level = scheme.levels().first().copied().unwrap_or("");
        let mut regions = Vec::with_capacity(staged.len());
        for (row, code, level, record) in staged {
            let parent = match &record.parent {
                Some(stated) => match scheme.normalize(stated) {
                    Ok(p) if known.contains(&p) => Some(p),
                    Ok(p) => {
                        problems.push(RowError::cell(file, row, "parent_code", format!("parent {p} does not exist")));
                        continue;
                    }
                    Err(e) => {
                        problems.push(RowError::cell(file, row, "parent_code", e.to_string()));
                        continue;
                    }
                },
                None => {
                    let candidates = scheme.parent_candidates(&code);
                    match candidates.iter().find(|c| known.contains(c)) {
                        Some(p) => Some(p.clone()),
                        None if level == root_level => None,
                        None if candidates.is_empty() => {
                            problems.push(RowError::cell(file, row, "parent_code", "is empty; give the parent's code"));
                            continue;
                        }
                        None => {
                            let tried = candidates.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(" or ");
                            problems.push(RowError::cell(file, row, "parent_code", format!("is empty and no parent exists ({tried}); import the parent first or give parent_code")));
                            continue;
                        }
                    }
                }
            };
            let region = Region {
                code,
                name_zh: record.name_zh.clone(),
                name_en: record.name_en.clone(),
                level,
                parent,
                valid_from: record.valid_from,
                valid_to: record.valid_to,
            };
            match region.validate() {
                Ok(()) => regions.push(region),
                Err(e) => problems.push(RowError::row(file, row, e.to_string())),
            }
        }
        if problems.is_empty() {
            let incoming: HashSet<&RegionCode> = regions.iter().map(|r| &r.code).collect();
            let merged = existing
                .iter()
                .filter(|r| !incoming.contains(&r.code))
                .chain(&regions)
                .map(|r| (r.code.clone(), r.level.clone(), r.parent.clone()));
            if let Err(e) = Hierarchy::build(merged) {
                problems.push(RowError::row(file, 0, e.to_string()));
            }
        }
        if problems.is_empty() { Ok(regions) } else { Err(problems) }
    }

    /// Imports indicator definitions.
    pub async fn import_indicators(&self, path: &Path, options: &FileImport) -> AppResult<ImportReport> {
        require_everywhere(&options.within, "indicators")?;
        let (table, parsed) = read_table(path, options.sheet.clone(), records::read_indicators).await?;
        let stored: HashSet<String> =
            self.store().indicators().await?.into_iter().map(|i| i.code.to_string()).collect();
        let in_file: HashSet<String> = parsed.rows.iter().map(|(_, i)| i.code.to_string()).collect();
        let mut problems = Problems::default();
        let mut first_row = HashMap::new();
        for (row, indicator) in &parsed.rows {
            if let Some(first) = first_row.insert(indicator.code.to_string(), *row) {
                problems.push(RowError::cell(
                    &table.file,
                    *row,
                    "code",
                    format!("indicator {} already appears in row {first}", indicator.code),
                ));
            }
            if let Some(weight) = indicator.aggregation.weight()
                && !stored.contains(weight.as_str())
                && !in_file.contains(weight.as_str())
            {
                problems.push(RowError::cell(
                    &table.file,
                    *row,
                    "weight_indicator",
                    format!("indicator {weight} is not defined"),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        let indicators: Vec<_> = parsed.rows.iter().map(|(_, i)| i.clone()).collect();
        if !options.dry_run {
            self.store().upsert_indicators(&indicators).await?;
        }
        Ok(report(&table, "indicators", options, &parsed, indicators.len()))
    }

    /// Imports a designation list. A retired code designates the region(s)
    /// that took over its area (all of them after a split).
    pub async fn import_designations(&self, path: &Path, options: &FileImport) -> AppResult<ImportReport> {
        let (table, parsed) = read_table(path, options.sheet.clone(), records::read_designations).await?;
        let mut resolver = RegionResolver::load(self).await?;
        let mut problems = Problems::default();
        let mut designations = Vec::new();
        let mut first_row = HashMap::new();
        for (row, designation) in &parsed.rows {
            let targets = match resolver.resolve(&designation.region, *row) {
                Ok(targets) => targets,
                Err(reason) => {
                    problems.push(RowError::cell(&table.file, *row, "region_code", reason));
                    continue;
                }
            };
            for region in targets {
                if !allowed(&options.within, &region) {
                    problems.push(RowError::cell(&table.file, *row, "region_code", outside(&region)));
                    continue;
                }
                let key = (region.clone(), designation.category.as_str(), designation.valid_from);
                if let Some(first) = first_row.insert(key, *row) {
                    problems.push(RowError::row(
                        &table.file,
                        *row,
                        format!("region {region} already has this designation from the same date in row {first}"),
                    ));
                    continue;
                }
                designations.push(revita_methods::Designation { region, ..designation.clone() });
            }
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        if !options.dry_run {
            self.store().upsert_designations(&designations).await?;
        }
        let mut report = report(&table, "designations", options, &parsed, designations.len());
        report.remapped_codes = resolver.into_remaps();
        Ok(report)
    }

    /// Imports pairings; retired codes on either side are mapped to their
    /// successor (a split is an error: a pair needs one region on each side).
    pub async fn import_pairings(&self, path: &Path, options: &FileImport) -> AppResult<ImportReport> {
        let (table, parsed) = read_table(path, options.sheet.clone(), records::read_pairings).await?;
        let mut resolver = RegionResolver::load(self).await?;
        let mut problems = Problems::default();
        let mut pairings = Vec::new();
        for (row, pairing) in &parsed.rows {
            let mut one = |code: &RegionCode, column: &str| match resolver.resolve(code, *row).as_deref() {
                Ok([region]) if !allowed(&options.within, region) => {
                    problems.push(RowError::cell(&table.file, *row, column, outside(region)));
                    None
                }
                Ok([region]) => Some(region.clone()),
                Ok(many) => {
                    let list = many.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ");
                    problems.push(RowError::cell(
                        &table.file,
                        *row,
                        column,
                        format!("retired code {code} was split into {list}; give the current code"),
                    ));
                    None
                }
                Err(reason) => {
                    problems.push(RowError::cell(&table.file, *row, column, reason));
                    None
                }
            };
            let donor = one(&pairing.donor, "donor_code");
            let recipient = one(&pairing.recipient, "recipient_code");
            if let (Some(donor), Some(recipient)) = (donor, recipient) {
                pairings.push(revita_methods::Pairing { donor, recipient, ..pairing.clone() });
            }
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        if !options.dry_run {
            self.store().upsert_pairings(&pairings).await?;
        }
        let mut report = report(&table, "pairings", options, &parsed, pairings.len());
        report.remapped_codes = resolver.into_remaps();
        Ok(report)
    }

    /// Imports households into the monitoring registry (SPEC B1's columns
    /// plus optional head name, ID number and phone), replacing those with
    /// the same id. Each household's county (its village code's first six
    /// digits) must be a loaded region within the importing user's
    /// jurisdiction; an id may appear once per file.
    pub async fn import_households(&self, path: &Path, options: &FileImport) -> AppResult<ImportReport> {
        let parquet = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
        let (file, encoding, parsed) = if parquet {
            let owned = path.to_path_buf();
            let rows = tokio::task::spawn_blocking(move || {
                revita_ingest::registry_parquet::read_registered_households_parquet(&owned)
            })
            .await
            .map_err(|e| anyhow::anyhow!("reader thread failed: {e}"))??;
            (path.display().to_string(), "parquet".to_string(), Parsed { rows, ignored_columns: Vec::new() })
        } else {
            let (table, parsed) = read_table(path, options.sheet.clone(), records::read_registered_households).await?;
            (table.file.clone(), table.encoding.name().to_string(), parsed)
        };
        let mut resolver = RegionResolver::load(self).await?;
        let mut problems = Problems::default();
        let mut seen: HashMap<&str, u64> = HashMap::new();
        let mut households = Vec::with_capacity(parsed.rows.len());
        for (row, household) in &parsed.rows {
            if let Some(first) = seen.insert(household.id.as_str(), *row) {
                problems.push(RowError::cell(
                    &file,
                    *row,
                    "hh_id",
                    format!("household {} is already on row {first}", household.id),
                ));
                continue;
            }
            let county = RegionCode::parse(&(household.household.village_code / 1_000_000).to_string())
                .map_err(|e| crate::AppError::Invalid(e.to_string()))?;
            match resolver.resolve(&county, *row).as_deref() {
                Ok([region]) if allowed(&options.within, region) => households.push(household.clone()),
                Ok([region]) => problems.push(RowError::cell(&file, *row, "village_code", outside(region))),
                Ok(_) => problems.push(RowError::cell(
                    &file,
                    *row,
                    "village_code",
                    format!("county {county} was split; give the current village code"),
                )),
                Err(reason) => problems.push(RowError::cell(&file, *row, "village_code", reason)),
            }
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        if !options.dry_run {
            self.store().upsert_households(&households).await?;
        }
        Ok(ImportReport {
            file,
            kind: "households".into(),
            encoding,
            dry_run: options.dry_run,
            rows_read: parsed.rows.len() as u64,
            records_valid: households.len() as u64,
            records_written: if options.dry_run { 0 } else { households.len() as u64 },
            ignored_columns: parsed.ignored_columns.clone(),
            ..Default::default()
        })
    }

    /// Imports monitoring lines (`region_code,year,amount[,rule,multiple]`).
    /// A line belongs to the region that set it: a national user sets any,
    /// a provincial user its province's (and its counties').
    pub async fn import_monitoring_lines(&self, path: &Path, options: &FileImport) -> AppResult<ImportReport> {
        let (table, parsed) = read_table(path, options.sheet.clone(), records::read_monitoring_lines).await?;
        let mut resolver = RegionResolver::load(self).await?;
        let mut problems = Problems::default();
        let mut lines = Vec::new();
        for (row, line) in &parsed.rows {
            match resolver.resolve(&line.region, *row).as_deref() {
                Ok([region]) if !allowed(&options.within, region) => {
                    problems.push(RowError::cell(&table.file, *row, "region_code", outside(region)))
                }
                Ok([region]) => {
                    lines.push(revita_methods::monitoring::MonitoringLine { region: region.clone(), ..line.clone() })
                }
                Ok(_) => problems.push(RowError::cell(
                    &table.file,
                    *row,
                    "region_code",
                    format!("retired code {} was split; give the current code", line.region),
                )),
                Err(reason) => problems.push(RowError::cell(&table.file, *row, "region_code", reason)),
            }
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        if !options.dry_run {
            self.store().upsert_monitoring_lines(&lines).await?;
        }
        let mut report = report(&table, "monitoring lines", options, &parsed, lines.len());
        report.remapped_codes = resolver.into_remaps();
        Ok(report)
    }

    /// Sets one monitoring line (a form's edit): the region must be loaded
    /// and within `within`, the amount positive; replaces the region's line
    /// for the year.
    pub async fn set_monitoring_line(
        &self,
        line: revita_methods::monitoring::MonitoringLine,
        within: &Option<std::sync::Arc<HashSet<RegionCode>>>,
    ) -> AppResult<()> {
        line.validate().map_err(crate::AppError::Invalid)?;
        self.store()
            .region(&line.region)
            .await?
            .ok_or_else(|| crate::AppError::NotFound(format!("region {}", line.region)))?;
        if !allowed(within, &line.region) {
            return Err(crate::AppError::Forbidden(outside(&line.region)));
        }
        self.store().upsert_monitoring_lines(&[line]).await?;
        Ok(())
    }

    /// The monitoring line that applies in `year` to a region: the line of
    /// the nearest region (itself, then its ancestors) that set one.
    pub async fn monitoring_line_for(
        &self,
        region: &RegionCode,
        year: i32,
    ) -> AppResult<Option<revita_methods::monitoring::MonitoringLine>> {
        let mut nearest_first = vec![region.clone()];
        let mut ancestors: Vec<RegionCode> =
            self.store().ancestors(region).await?.into_iter().map(|r| r.code).collect();
        ancestors.reverse();
        nearest_first.extend(ancestors);
        let lines = self.store().monitoring_lines(Some(year)).await?;
        Ok(revita_methods::monitoring::applicable_line(&lines, year, &nearest_first).cloned())
    }

    /// Replaces the code history (the MCA 1981–2024 format).
    pub async fn import_code_history(&self, path: &Path, options: &FileImport) -> AppResult<ImportReport> {
        require_everywhere(&options.within, "code histories")?;
        let (table, parsed) = read_table(path, options.sheet.clone(), records::read_code_history).await?;
        let history: Vec<_> = parsed.rows.iter().map(|(_, r)| r.clone()).collect();
        if !options.dry_run {
            self.store().replace_code_history(&history).await?;
        }
        Ok(report(&table, "code history records", options, &parsed, history.len()))
    }

    /// Imports boundaries from GeoJSON; `code_property` names the feature
    /// property holding the region code. Codes must name loaded regions: the
    /// boundary of a retired area is not the boundary of its successor.
    pub async fn import_boundaries(
        &self,
        path: &Path,
        code_property: &str,
        source: Option<&str>,
        options: &FileImport,
    ) -> AppResult<ImportReport> {
        let dry_run = options.dry_run;
        let file = path.display().to_string();
        let (owned_path, property) = (path.to_path_buf(), code_property.to_string());
        let features =
            tokio::task::spawn_blocking(move || revita_ingest::boundaries::read_boundaries(&owned_path, &property))
                .await
                .map_err(|e| anyhow::anyhow!("reader thread failed: {e}"))??;
        let known: HashSet<RegionCode> = self.store().regions().await?.into_iter().map(|r| r.code).collect();
        let mut problems = Problems::default();
        let mut first_feature = HashMap::new();
        let mut boundaries = Vec::new();
        for f in &features {
            let column = format!("feature {}", f.feature);
            let code = self.scheme().normalize(&f.code).unwrap_or_else(|_| f.code.clone());
            if !known.contains(&code) {
                problems.push(RowError {
                    file: file.clone(),
                    row: f.feature,
                    column: Some(column),
                    reason: format!("region {code} is not loaded"),
                });
                continue;
            }
            if !allowed(&options.within, &code) {
                problems.push(RowError {
                    file: file.clone(),
                    row: f.feature,
                    column: Some(column),
                    reason: outside(&code),
                });
                continue;
            }
            if let Some(first) = first_feature.insert(code.clone(), f.feature) {
                problems.push(RowError {
                    file: file.clone(),
                    row: f.feature,
                    column: Some(column),
                    reason: format!("region {code} already has a boundary in feature {first}"),
                });
                continue;
            }
            boundaries.push(Boundary { region: code, geojson: f.geometry.clone(), source: source.map(str::to_string) });
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        if !dry_run {
            self.store().upsert_boundaries(&boundaries).await?;
        }
        Ok(ImportReport {
            file,
            kind: "boundaries".into(),
            encoding: "UTF-8".into(),
            rows_read: features.len() as u64,
            records_valid: boundaries.len() as u64,
            records_written: if dry_run { 0 } else { boundaries.len() as u64 },
            dry_run,
            ..Default::default()
        })
    }
}

impl From<FileError> for crate::AppError {
    fn from(e: FileError) -> crate::AppError {
        Problems::from(e).into()
    }
}
