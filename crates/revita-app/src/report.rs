//! What an import did, for the CLI (text or `--json`) and the web UI.

use serde::Serialize;

/// The outcome of a successful (or dry-run) import.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// The file imported.
    pub file: String,
    /// What was imported: regions, boundaries, indicators, observations,
    /// designations or code history.
    pub kind: String,
    /// The file's text encoding.
    pub encoding: String,
    /// For observations: long, wide_by_indicator or wide_by_period.
    pub layout: Option<String>,
    /// Data rows (or features) read.
    pub rows_read: u64,
    /// Records written (0 on a dry run).
    pub records_written: u64,
    /// Records that would be or were written.
    pub records_valid: u64,
    /// Whether this was a validation-only run.
    pub dry_run: bool,
    /// Columns present in the file but not used.
    pub ignored_columns: Vec<String>,
    /// Retired codes mapped to current regions through the code history.
    pub remapped_codes: Vec<CodeRemap>,
    /// Stored values the import replaces (or, on a dry run, would
    /// replace); the replaced values are kept as revisions.
    pub replaces: u64,
    /// Records kept but flagged for review (e.g. a relocated household's
    /// self-contribution above the caps); each is named in `notes`.
    pub flagged: u64,
    /// Anything else worth telling.
    pub notes: Vec<String>,
}

/// A retired code found in a file and the current code(s) its rows went to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeRemap {
    /// The retired code as written.
    pub from: String,
    /// The current code(s).
    pub to: Vec<String>,
    /// The year the old code stopped being valid.
    pub retired_in: Option<i32>,
    /// Rows that used the old code.
    pub rows: u64,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.dry_run { "would import" } else { "imported" };
        write!(f, "{}: {verb} {} {} from {} rows", self.file, self.records_valid, self.kind, self.rows_read)?;
        if let Some(layout) = &self.layout {
            write!(f, " ({layout} layout)")?;
        }
        writeln!(f, "; encoding {}", self.encoding)?;
        if !self.ignored_columns.is_empty() {
            writeln!(f, "  ignored columns: {}", self.ignored_columns.join(", "))?;
        }
        for remap in &self.remapped_codes {
            let retired = remap.retired_in.map(|y| format!(" (retired {y})")).unwrap_or_default();
            writeln!(
                f,
                "  retired code {}{retired} mapped to {} in {} row(s)",
                remap.from,
                remap.to.join(", "),
                remap.rows
            )?;
        }
        for note in &self.notes {
            writeln!(f, "  note: {note}")?;
        }
        Ok(())
    }
}

impl ImportReport {
    /// The report of a file of `records` rows that were all checked (and,
    /// unless a dry run, written): the records importers of one table kind
    /// make (samples, land use, GEP items, pairing deliveries).
    pub fn checked(
        table: &revita_ingest::Table,
        kind: &str,
        dry_run: bool,
        records: usize,
        ignored: &[String],
    ) -> ImportReport {
        ImportReport {
            file: table.file.clone(),
            kind: kind.into(),
            encoding: table.encoding.name().to_string(),
            dry_run,
            rows_read: records as u64,
            records_valid: records as u64,
            records_written: if dry_run { 0 } else { records as u64 },
            ignored_columns: ignored.to_vec(),
            ..Default::default()
        }
    }
}
