//! revita's file formats. Readers turn CSV, XLSX and GeoJSON files into
//! domain records, every problem reported with the file, row, column and
//! reason; writers turn observations into CSV, XLSX and Parquet.
//!
//! This crate reads and writes files but knows nothing of the store: whether
//! a region code exists, or an indicator is defined, is decided by the
//! import use cases in `revita-app`, which also make imports all-or-nothing.

pub mod boundaries;
pub mod error;
pub mod export;
pub mod households;
pub mod limits;
pub mod numeric;
mod parquet_check;
pub mod records;
pub mod registry_parquet;
pub mod subsidence;
pub mod table;
pub mod text;
mod untrusted;

pub use error::{FileError, Problems, RowError};
pub use limits::Limits;
pub use table::Table;
