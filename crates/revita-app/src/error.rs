//! Use-case errors: the user's fault (invalid input, rejected file, not
//! found, conflict) kept apart from the unexpected (internal).

use revita_ingest::Problems;
use revita_store::StoreError;

/// What a use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A request or argument is invalid.
    #[error("{0}")]
    Invalid(String),
    /// A file was rejected; nothing was written.
    #[error("nothing was imported: {} problem(s) found\n{problems}", problems.total)]
    Rejected {
        /// What is wrong, with file, row and column.
        problems: Problems,
        /// How many of the problems are values already stored, which an
        /// import that replaces stored values would overwrite (when it is
        /// every problem, replacing is the way through).
        stored: u64,
    },
    /// The database is busy with another change; try again shortly.
    #[error("the database is busy with another change; try again in a moment")]
    Busy,
    /// Not logged in, or the credentials are wrong.
    #[error("{0}")]
    Unauthorized(String),
    /// Logged in but not allowed to do this here.
    #[error("{0}")]
    Forbidden(String),
    /// The object does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The write conflicts with stored data.
    #[error("{0}")]
    Conflict(String),
    /// Anything unexpected (database down, disk full).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Result of a use case.
pub type AppResult<T> = Result<T, AppError>;

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::Conflict(what) => AppError::Conflict(what),
            e @ StoreError::DuplicateObservation { .. } => AppError::Conflict(e.to_string()),
            StoreError::Busy => AppError::Busy,
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<Problems> for AppError {
    fn from(problems: Problems) -> AppError {
        AppError::Rejected { problems, stored: 0 }
    }
}
