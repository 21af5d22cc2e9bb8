//! Import errors that say where and why: file, row, column, reason.

use std::fmt;

/// A problem with one cell or row of a file. Rows are numbered as a
/// spreadsheet shows them: the header is row 1, the first data row is row 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The file's name as the user gave it.
    pub file: String,
    /// Row number (header = 1); 0 for a problem with the file as a whole.
    pub row: u64,
    /// The column's header, where one column is at fault.
    pub column: Option<String>,
    /// What is wrong, in words a user can act on.
    pub reason: String,
}

impl RowError {
    /// A problem in one cell.
    pub fn cell(file: &str, row: u64, column: &str, reason: impl Into<String>) -> RowError {
        RowError { file: file.to_string(), row, column: Some(column.to_string()), reason: reason.into() }
    }

    /// A problem with a whole row.
    pub fn row(file: &str, row: u64, reason: impl Into<String>) -> RowError {
        RowError { file: file.to_string(), row, column: None, reason: reason.into() }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.row > 0 {
            write!(f, ", row {}", self.row)?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column '{column}'")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for RowError {}

/// A file that cannot be read at all: missing, unreadable, wrong format, bad
/// header. Such a file is rejected before any row is considered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {reason}")]
pub struct FileError {
    /// The file's name as the user gave it.
    pub file: String,
    /// What is wrong.
    pub reason: String,
}

impl FileError {
    /// Builds the error.
    pub fn new(file: &str, reason: impl Into<String>) -> FileError {
        FileError { file: file.to_string(), reason: reason.into() }
    }
}

impl From<FileError> for RowError {
    fn from(e: FileError) -> RowError {
        RowError { file: e.file, row: 0, column: None, reason: e.reason }
    }
}

/// Row problems collected while reading a whole file, so that a user fixes
/// them in one pass rather than one per attempt. The first
/// [`Problems::KEEP`] are kept; all are counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems {
    /// The first problems found, in file order.
    pub errors: Vec<RowError>,
    /// How many problems there were in all.
    pub total: u64,
}

impl Problems {
    /// How many problems are kept for the report.
    pub const KEEP: usize = 100;

    /// Records a problem.
    pub fn push(&mut self, error: RowError) {
        self.total += 1;
        if self.errors.len() < Self::KEEP {
            self.errors.push(error);
        }
    }

    /// Orders the kept problems by row (problems found by different checks
    /// arrive out of order).
    pub fn sort_by_row(&mut self) {
        self.errors.sort_by_key(|e| e.row);
    }

    /// Whether nothing went wrong.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

impl From<RowError> for Problems {
    fn from(e: RowError) -> Problems {
        Problems { errors: vec![e], total: 1 }
    }
}

impl From<FileError> for Problems {
    fn from(e: FileError) -> Problems {
        Problems { errors: vec![e.into()], total: 1 }
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.errors {
            writeln!(f, "{e}")?;
        }
        let hidden = self.total.saturating_sub(self.errors.len() as u64);
        if hidden > 0 {
            writeln!(f, "… and {hidden} more problems")?;
        }
        Ok(())
    }
}
