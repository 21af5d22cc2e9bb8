//! Last lines of defence for decoding untrusted files with libraries that
//! may panic on damaged input (the `parquet` crate asserts and indexes
//! freely; `calamine` does arithmetic on positions read from the file).
//!
//! A panic there must not take down an import or a screen, let alone the
//! server: [`catch_panic`] turns it into an error message, and
//! [`check_parquet_layout`] refuses what can be checked in the metadata
//! before any page is decoded. Both rely on unwinding, the default
//! `panic` strategy; a build with `panic = "abort"` would lose the guard.

use std::panic::{AssertUnwindSafe, catch_unwind};

use parquet::file::metadata::ParquetMetaData;

/// Runs `f`, turning a panic into the panic's message. The state `f`
/// touched may be half-updated after a panic, so callers drop it and report
/// the file as damaged, which is why asserting unwind safety is sound here.
pub(crate) fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string());
        // A panic message can be long (a debug dump); a report needs the gist.
        let message: String = message.chars().take(200).collect();
        format!("the file is damaged (its decoder failed: {message})")
    })
}

/// Checks the row groups and column chunks a Parquet footer describes
/// against the file's length: non-negative counts and offsets, chunks that
/// lie inside the file. The `parquet` crate asserts some of these (a
/// negative offset panics) and trusts the rest.
pub(crate) fn check_parquet_layout(metadata: &ParquetMetaData, file_len: u64) -> Result<(), String> {
    for (g, group) in metadata.row_groups().iter().enumerate() {
        if group.num_rows() < 0 {
            return Err(format!("row group {g} claims {} rows", group.num_rows()));
        }
        for column in group.columns() {
            let name = column.column_path().string();
            let data = column.data_page_offset();
            let start = column.dictionary_page_offset().unwrap_or(data);
            let length = column.compressed_size();
            let inside = start >= 0
                && length >= 0
                && start <= data
                && start.checked_add(length).is_some_and(|end| end as u64 <= file_len && data < end);
            if !inside {
                return Err(format!(
                    "row group {g}, column {name}: the chunk (bytes {start}, {length} long, data from {data}) \
                     does not lie inside the file of {file_len} bytes"
                ));
            }
            if column.num_values() < 0 {
                return Err(format!("row group {g}, column {name} claims {} values", column.num_values()));
            }
        }
    }
    Ok(())
}
