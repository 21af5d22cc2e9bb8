//! Imports: every file is read and checked whole before anything is
//! written, and written in one transaction, so an import either succeeds
//! completely or leaves the store exactly as it was.
//!
//! Region codes in data files are resolved in three steps: a code that is
//! loaded is used as is; otherwise its canonical form under the code scheme
//! (e.g. a 12-digit NBS county code shortened to six digits); otherwise the
//! code history maps a retired code to the current region(s) that took over
//! its area, and the import report lists every such mapping.

mod body;
mod observations;
mod resolve;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use revita_ingest::records::{self, Parsed};
use revita_ingest::{FileError, Problems, RowError, Table};
use revita_methods::{Hierarchy, Region, RegionChange, RegionCode};
use revita_store::security::AuditEntry;
use revita_store::{Boundary, StoreResult, Tx};

/// The problem of a row whose region lies outside the user's jurisdiction.
pub(crate) fn outside(code: &RegionCode) -> String {
    format!("region {code} is outside your jurisdiction")
}

/// National definitions (indicators, the code history) are changed only by
/// users whose jurisdiction is everywhere.
pub(crate) fn require_everywhere(within: &crate::Jurisdiction, what: &str) -> AppResult<()> {
    if within.is_everywhere() {
        Ok(())
    } else {
        Err(crate::AppError::Forbidden(format!(
            "{what} are national definitions; only a national user may change them"
        )))
    }
}

pub use body::ObservationBody;
pub use observations::{ObservationImport, Progress};
pub(crate) use resolve::RegionResolver;
pub use revita_ingest::records::ObservationOptions;

use crate::auth::{Actor, ChangeBy, Origin};
use crate::{App, AppResult, ImportReport};

/// The audit entry of a completed import: what file, how many rows and
/// records, and which retired codes were mapped (the values themselves are
/// in the store; the log says who put them there).
pub(crate) fn import_entry(options: &FileImport, report: &ImportReport, region: Option<&RegionCode>) -> AuditEntry {
    let remaps: Vec<String> =
        report.remapped_codes.iter().map(|r| format!("\"{}>{}\"", r.from, r.to.join("+"))).collect();
    let after = format!(
        "{{\"rows_read\":{},\"records_written\":{},\"remapped\":[{}]{}}}",
        report.rows_read,
        report.records_written,
        remaps.join(","),
        report.notes.iter().map(|n| format!(",\"note\":\"{}\"", n.replace('"', "'"))).collect::<String>()
    );
    let action = format!("import.{}", report.kind.replace([' ', '-'], "_"));
    let file = options.file_name.clone().unwrap_or_else(|| report.file.clone());
    options.by.entry(&action, (&report.kind, &file), region, (None, Some(after)))
}

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
    pub within: crate::Jurisdiction,
    /// Regions: leave regions that are already loaded as they are, adding
    /// only new ones (e.g. NBS 2022 counties beside the MCA 2024 list,
    /// whose names are newer).
    pub keep_existing: bool,
    /// Who imports, for the rules and the audit log.
    pub by: ChangeBy,
    /// The file's name as its user knows it (the web server keeps uploads
    /// under random names), for the audit log.
    pub file_name: Option<String>,
}

/// Why a region row may not be written by this importer, as the column it
/// concerns and the reason; `None` if it may.
fn region_refusal(
    region: &Region,
    stored: Option<&Region>,
    change: &RegionChange,
    within: &crate::Jurisdiction,
    restructure: &crate::Jurisdiction,
) -> Option<(&'static str, String)> {
    if stored.is_some() && !within.covers(&region.code) {
        return Some(("code", outside(&region.code)));
    }
    if let Some(parent) = stored.and_then(|s| s.parent.as_ref())
        && !within.covers(parent)
    {
        return Some((
            "code",
            format!("region {} lies under {parent}, which is outside your jurisdiction", region.code),
        ));
    }
    match &region.parent {
        Some(parent) if !within.covers(parent) => {
            return Some(("parent_code", format!("parent {parent} is outside your jurisdiction")));
        }
        None if !within.is_everywhere() => {
            return Some(("parent_code", "only a national user may add or change a top-level region".to_string()));
        }
        _ => {}
    }
    if change.restructures() && !restructure.covers(&region.code) {
        let what = [(change.renamed, "rename"), (change.moved, "move"), (change.relevelled, "change the level of")]
            .iter()
            .filter(|(done, _)| *done)
            .map(|(_, verb)| *verb)
            .collect::<Vec<_>>()
            .join(" and ");
        return Some(("code", format!("only an administrator may {what} region {} (an existing region)", region.code)));
    }
    None
}

/// The audit entry of one region an import changes, before and after.
fn region_entry(by: &ChangeBy, before: &Region, after: &Region) -> AuditEntry {
    let json = |r: &Region| {
        serde_json::json!({
            "name_zh": r.name_zh, "name_en": r.name_en, "level": r.level,
            "parent": r.parent.as_ref().map(|p| p.to_string()),
            "valid_from": r.valid_from.map(|d| d.to_string()), "valid_to": r.valid_to.map(|d| d.to_string()),
        })
        .to_string()
    };
    let code = after.code.to_string();
    let change = (Some(json(before)), Some(json(after)));
    by.entry("region.update", ("region", &code), Some(&after.code), change)
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
pub(crate) async fn read_table<R: Send + 'static>(
    path: &Path,
    sheet: Option<String>,
    read: impl FnOnce(&mut Table) -> Result<R, Problems> + Send + 'static,
) -> AppResult<(Table, R)> {
    let path = path.to_path_buf();
    let res = tokio::task::spawn_blocking(move || -> Result<(Table, R), Problems> {
        let mut table = Table::open(&path, sheet.as_deref())?;
        let parsed = read(&mut table)?;
        Ok((table, parsed))
    })
    .await
    .map_err(|e| anyhow::anyhow!("reader thread failed: {e}"))?;
    Ok(res?)
}

/// The region every one of `codes` is (the import's region for its audit
/// entry), or none when they differ or there are none.
pub(crate) fn common_region<'a>(mut codes: impl Iterator<Item = &'a RegionCode>) -> Option<RegionCode> {
    let first = codes.next()?.clone();
    codes.all(|c| *c == first).then_some(first)
}

/// The tail of a domain import: its audit entry (`<kind>.import`, the file,
/// the region its rows share, what was written) added to the transaction
/// that wrote the rows, and the commit.
pub(crate) async fn commit_import(
    mut tx: Tx,
    actor: &Actor,
    origin: &Origin,
    (kind, file): (&str, &str),
    region: Option<RegionCode>,
    summary: String,
) -> AppResult<()> {
    let action = format!("{kind}.import");
    tx.audit(crate::auth::audit_entry(
        &actor.name,
        &action,
        (kind, file),
        region.as_ref(),
        (None, Some(summary)),
        origin,
    ));
    tx.commit().await?;
    Ok(())
}

impl App {
    /// Imports regions (`code,name_zh[,name_en,level,parent_code,valid_from,valid_to]`).
    /// Under the China scheme level and parent may be left out: the code's
    /// digits give the level, and the nearest existing prefix gives the parent.
    ///
    /// Issue 13: a row may change only what lies in the importer's
    /// jurisdiction — the region, the parent it has and the parent it gets
    /// — levels must nest (no province under a county), and renaming,
    /// moving or re-levelling an existing region needs an administrator
    /// there. Rows that change nothing are not written; every region that
    /// changes is audited with its values before and after.
    pub async fn import_regions(&self, path: &Path, options: &FileImport) -> AppResult<ImportReport> {
        let (table, parsed) = read_table(path, options.sheet.clone(), records::read_regions).await?;
        let existing = self.store().regions().await?;
        let mut regions = self.check_regions(&table.file, &parsed, &existing)?;
        let stored: HashMap<&RegionCode, &Region> = existing.iter().map(|r| (&r.code, r)).collect();
        if options.keep_existing {
            regions.retain(|(_, r)| !stored.contains_key(&r.code));
        }
        let restructure = match &options.by.actor {
            None => crate::Jurisdiction::everywhere(),
            Some(actor) => self.jurisdiction(actor, revita_methods::access::Action::RestructureRegions).await?,
        };
        let mut problems = Problems::default();
        let mut changes = Vec::new();
        for (row, region) in &regions {
            let before = stored.get(&region.code).copied();
            let change = RegionChange::between(before, region);
            if let Some(reason) = region_refusal(region, before, &change, &options.within, &restructure) {
                problems.push(RowError::cell(&table.file, *row, reason.0, reason.1));
                continue;
            }
            if change.is_change() {
                changes.push((region.clone(), before.cloned()));
            }
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        let kept = parsed.rows.len() - regions.len();
        let unchanged = regions.len() - changes.len();
        let mut report = report(&table, "regions", options, &parsed, changes.len());
        if kept > 0 {
            report.notes.push(format!("{kept} region(s) already loaded were left unchanged (--keep-existing)"));
        }
        if unchanged > 0 {
            report.notes.push(format!("{unchanged} region(s) already loaded as in the file were not rewritten"));
        }
        if !options.dry_run && !changes.is_empty() {
            let written: Vec<Region> = changes.iter().map(|(r, _)| r.clone()).collect();
            let codes: Vec<RegionCode> = written.iter().filter_map(|r| r.parent.clone()).collect();
            let region = self.store().common_ancestor(&codes).await?;
            let mut tx = self.store().begin().await?;
            tx.upsert_regions(&written).await?;
            for (after, before) in &changes {
                if let Some(before) = before {
                    tx.audit(region_entry(&options.by, before, after));
                }
            }
            tx.audit(import_entry(options, &report, region.as_ref()));
            tx.commit().await?;
        }
        Ok(report)
    }

    fn check_regions(
        &self,
        file: &str,
        parsed: &Parsed<records::RegionRecord>,
        existing: &[Region],
    ) -> Result<Vec<(u64, Region)>, Problems> {
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
                Ok(()) => regions.push((row, region)),
                Err(e) => problems.push(RowError::row(file, row, e.to_string())),
            }
        }
        if problems.is_empty() {
            let incoming: HashMap<&RegionCode, u64> = regions.iter().map(|(row, r)| (&r.code, *row)).collect();
            let merged = existing
                .iter()
                .filter(|r| !incoming.contains_key(&r.code))
                .chain(regions.iter().map(|(_, r)| r))
                .map(|r| (r.code.clone(), r.level.clone(), r.parent.clone()));
            match Hierarchy::build(merged) {
                Err(e) => {
                    let row = match &e {
                        revita_methods::hierarchy::HierarchyError::Cycle(code) => incoming.get(code).copied(),
                        revita_methods::hierarchy::HierarchyError::MissingParent { child, .. } => {
                            incoming.get(child).copied()
                        }
                        _ => None,
                    };
                    problems.push(RowError::cell(file, row.unwrap_or(0), "parent_code", e.to_string()));
                }
                Ok(tree) => {
                    if let Err(e) = tree.check_level_order(scheme.levels()) {
                        // Name the row that brings the misplaced region (or its parent).
                        let row = match &e {
                            revita_methods::hierarchy::HierarchyError::LevelOrder { child, parent, .. } => {
                                incoming.get(child).or_else(|| incoming.get(parent)).copied().unwrap_or(0)
                            }
                            _ => 0,
                        };
                        problems.push(RowError::cell(file, row, "parent_code", e.to_string()));
                    }
                }
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
        let report = report(&table, "indicators", options, &parsed, indicators.len());
        if !options.dry_run {
            self.write_import(options, &report, &[], async |tx| tx.upsert_indicators(&indicators).await).await?;
        }
        Ok(report)
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
                if !options.within.covers(&region) {
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
        let mut report = report(&table, "designations", options, &parsed, designations.len());
        report.remapped_codes = resolver.into_remaps();
        if !options.dry_run {
            let regions = distinct(designations.iter().map(|d| &d.region));
            self.write_import(options, &report, &regions, async |tx| tx.upsert_designations(&designations).await)
                .await?;
        }
        Ok(report)
    }

    /// Imports pairings; retired codes on either side are mapped to their
    /// successor (a split is an error: a pair needs one region on each side).
    pub async fn import_pairings(&self, path: &Path, options: &FileImport) -> AppResult<ImportReport> {
        let (table, parsed) = read_table(path, options.sheet.clone(), records::read_pairings).await?;
        let mut resolver = RegionResolver::load(self).await?;
        let mut problems = Problems::default();
        let mut pairings = Vec::new();
        let mut first_row = HashMap::new();
        for (row, pairing) in &parsed.rows {
            let mut one = |code: &RegionCode, column: &str| match resolver.resolve(code, *row).as_deref() {
                Ok([region]) if !options.within.covers(region) => {
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
                // A pair given twice would keep only its last row, silently.
                let key = (pairing.program.clone(), donor.clone(), recipient.clone());
                if let Some(first) = first_row.insert(key, *row) {
                    let reason =
                        format!("the pair {donor} → {recipient} of {} is already on row {first}", pairing.program);
                    problems.push(RowError::row(&table.file, *row, reason));
                    continue;
                }
                pairings.push(revita_methods::Pairing { donor, recipient, ..pairing.clone() });
            }
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        let mut report = report(&table, "pairings", options, &parsed, pairings.len());
        report.remapped_codes = resolver.into_remaps();
        if !options.dry_run {
            let regions = distinct(pairings.iter().flat_map(|p| [&p.donor, &p.recipient]));
            self.write_import(options, &report, &regions, async |tx| tx.upsert_pairings(&pairings).await).await?;
        }
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
        let mut rows_of: HashMap<&str, u64> = HashMap::with_capacity(parsed.rows.len());
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
                Ok([region]) if options.within.covers(region) => {
                    rows_of.insert(household.id.as_str(), *row);
                    households.push(household.clone());
                }
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
        // Issue 13: an id already in the registry is replaced only if the
        // stored household lies in the importer's jurisdiction too — else a
        // clerk could take over another county's household by its id.
        let ids: Vec<&str> = rows_of.keys().copied().collect();
        let stored = self.store().household_counties(&ids).await?;
        check_stored_households(&file, &stored, &rows_of, &options.within)?;
        let mut report = ImportReport {
            file: file.clone(),
            kind: "households".into(),
            encoding,
            dry_run: options.dry_run,
            rows_read: parsed.rows.len() as u64,
            records_valid: households.len() as u64,
            records_written: if options.dry_run { 0 } else { households.len() as u64 },
            ignored_columns: parsed.ignored_columns.clone(),
            ..Default::default()
        };
        if !stored.is_empty() {
            report.notes.push(format!("{} household(s) already in the registry are replaced", stored.len()));
        }
        if !options.dry_run {
            let new_counties = households.iter().map(|h| format!("{:06}", h.household.county()));
            let counties: Vec<RegionCode> =
                stored.values().cloned().chain(new_counties).filter_map(|c| RegionCode::parse(&c).ok()).collect();
            let region = self.store().common_ancestor(&distinct(counties.iter())).await?;
            let mut tx = self.store().begin().await?;
            // Checked again inside the transaction: the stored rows cannot
            // change between this check and the write.
            let stored = tx.household_counties(&ids).await?;
            check_stored_households(&file, &stored, &rows_of, &options.within)?;
            tx.upsert_households(&households).await?;
            tx.audit(import_entry(options, &report, region.as_ref()));
            tx.commit().await?;
        }
        Ok(report)
    }

    /// Imports monitoring lines (`region_code,year,amount[,rule,multiple]`).
    /// A line belongs to the region that set it: a national user sets any,
    /// a provincial user its province's (and its counties').
    pub async fn import_monitoring_lines(&self, path: &Path, options: &FileImport) -> AppResult<ImportReport> {
        let (table, parsed) = read_table(path, options.sheet.clone(), records::read_monitoring_lines).await?;
        let mut resolver = RegionResolver::load(self).await?;
        let mut problems = Problems::default();
        let mut lines = Vec::new();
        let mut first_row = HashMap::new();
        for (row, line) in &parsed.rows {
            match resolver.resolve(&line.region, *row).as_deref() {
                Ok([region]) if !options.within.covers(region) => {
                    problems.push(RowError::cell(&table.file, *row, "region_code", outside(region)))
                }
                Ok([region]) => match first_row.insert((region.clone(), line.year), *row) {
                    // A line given twice would keep only its last row, silently.
                    Some(first) => problems.push(RowError::cell(
                        &table.file,
                        *row,
                        "region_code",
                        format!("the line of {region} for {} is already on row {first}", line.year),
                    )),
                    None => lines
                        .push(revita_methods::monitoring::MonitoringLine { region: region.clone(), ..line.clone() }),
                },
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
        let mut report = report(&table, "monitoring lines", options, &parsed, lines.len());
        report.remapped_codes = resolver.into_remaps();
        if !options.dry_run {
            let regions = distinct(lines.iter().map(|l| &l.region));
            self.write_import(options, &report, &regions, async |tx| tx.upsert_monitoring_lines(&lines).await).await?;
        }
        Ok(report)
    }

    /// Sets one monitoring line (a form's edit): the region must be loaded
    /// and within `within`, the amount positive; replaces the region's line
    /// for the year.
    pub async fn set_monitoring_line(
        &self,
        line: revita_methods::monitoring::MonitoringLine,
        within: &crate::Jurisdiction,
        by: &ChangeBy,
    ) -> AppResult<()> {
        line.validate().map_err(|e| crate::AppError::Invalid(e.to_string()))?;
        self.store()
            .region(&line.region)
            .await?
            .ok_or_else(|| crate::AppError::NotFound(format!("region {}", line.region)))?;
        if !within.covers(&line.region) {
            return Err(crate::AppError::Forbidden(outside(&line.region)));
        }
        let before =
            self.store().monitoring_lines(Some(line.year)).await?.into_iter().find(|l| l.region == line.region);
        let text = |l: &revita_methods::monitoring::MonitoringLine| {
            let (rule, multiple) = l.rule.parts();
            format!("{{\"year\":{},\"amount\":{},\"rule\":\"{rule}\",\"multiple\":{multiple:?}}}", l.year, l.amount)
        };
        let change = (before.as_ref().map(text), Some(text(&line)));
        let id = format!("{}/{}", line.region, line.year);
        let entry = by.entry("monitoring_line.set", ("monitoring_line", &id), Some(&line.region), change);
        self.store().write(entry, async |tx| tx.upsert_monitoring_lines(std::slice::from_ref(&line)).await).await?;
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
        let report = report(&table, "code history records", options, &parsed, history.len());
        if !options.dry_run {
            self.write_import(options, &report, &[], async |tx| tx.replace_code_history(&history).await).await?;
        }
        Ok(report)
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
            if !options.within.covers(&code) {
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
        let report = ImportReport {
            file,
            kind: "boundaries".into(),
            encoding: "UTF-8".into(),
            rows_read: features.len() as u64,
            records_valid: boundaries.len() as u64,
            records_written: if dry_run { 0 } else { boundaries.len() as u64 },
            dry_run,
            ..Default::default()
        };
        if !dry_run {
            let regions = distinct(boundaries.iter().map(|b| &b.region));
            self.write_import(options, &report, &regions, async |tx| tx.upsert_boundaries(&boundaries).await).await?;
        }
        Ok(report)
    }
}

impl App {
    /// Writes an import's records in one transaction with its audit entry,
    /// which names the deepest region holding every region written.
    pub(crate) async fn write_import<T>(
        &self,
        options: &FileImport,
        report: &ImportReport,
        regions: &[RegionCode],
        write: impl AsyncFnOnce(&mut Tx) -> StoreResult<T>,
    ) -> AppResult<T> {
        let region = self.store().common_ancestor(regions).await?;
        Ok(self.store().write(import_entry(options, report, region.as_ref()), write).await?)
    }
}

/// The distinct codes among `codes`.
pub(crate) fn distinct<'a>(codes: impl Iterator<Item = &'a RegionCode>) -> Vec<RegionCode> {
    let set: HashSet<&RegionCode> = codes.collect();
    set.into_iter().cloned().collect()
}

/// Refuses households whose stored county lies outside `within`, naming
/// each one's row.
fn check_stored_households(
    file: &str,
    stored: &HashMap<String, String>,
    rows_of: &HashMap<&str, u64>,
    within: &crate::Jurisdiction,
) -> AppResult<()> {
    let mut problems = Problems::default();
    for (id, county) in stored {
        let inside = RegionCode::parse(county).is_ok_and(|c| within.covers(&c));
        if !inside {
            let row = rows_of.get(id.as_str()).copied().unwrap_or(0);
            let reason = format!(
                "household {id} is registered in county {county}, outside your jurisdiction; it cannot be replaced from here"
            );
            problems.push(RowError::cell(file, row, "hh_id", reason));
        }
    }
    problems.sort_by_row();
    if problems.is_empty() { Ok(()) } else { Err(problems.into()) }
}

impl From<FileError> for crate::AppError {
    fn from(e: FileError) -> crate::AppError {
        Problems::from(e).into()
    }
}
