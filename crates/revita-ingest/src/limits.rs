//! How much an imported file may hold: the bounds that keep a hostile or
//! broken file (a quote left open, a sheet whose last cell is XFD1048576, a
//! zip bomb) from taking all the memory or time of the machine reading it.
//!
//! Every limit is far above what a real file of revita's kinds needs, and a
//! file beyond one is refused with an error naming the limit, so that a
//! user can tell a broken file from a big one. The size of an upload is
//! bounded by the web layer; these bound what the bytes unpack to.

/// The longest cell, in bytes of UTF-8 text: 128 KiB. Excel's own limit is
/// 32,767 UTF-16 units, at most 98,301 bytes of UTF-8 (three bytes a unit
/// for Chinese text), so every cell a spreadsheet can write fits. A longer
/// CSV field is most often a quote left open, swallowing the rest of the
/// file.
pub const MAX_FIELD_BYTES: usize = 128 * 1024;

/// The longest row, in bytes of UTF-8 text in its cells: 4 MiB.
pub const MAX_ROW_BYTES: usize = 4 << 20;

/// The most columns a header may have: 16,384, a spreadsheet's width (A to
/// XFD). A row is never wider than its header: cells beyond it are errors.
pub const MAX_COLUMNS: usize = 16_384;

/// The last row an XLSX sheet may have: 1,048,576, a spreadsheet's height.
/// (A CSV file may have any number of rows: it is streamed.)
pub const MAX_SHEET_ROWS: u64 = 1_048_576;

/// The most cells an XLSX sheet may have, empty (formatted) ones included:
/// 20 million, three times an export of the most rows a sheet holds in the
/// long layout's six columns. It bounds the time a sheet takes, and its
/// declared dimension (`<dimension ref="A1:F1000">`) is held to it too.
pub const MAX_XLSX_CELLS: u64 = 20_000_000;

/// The most bytes an XLSX workbook may unpack to, all its parts together,
/// as its zip directory declares them (reading a part past its declared
/// size is an error): 512 MiB, enough for a sheet of 1,048,576 rows.
pub const MAX_XLSX_UNPACKED_BYTES: u64 = 512 << 20;

/// The highest compression ratio (unpacked bytes per packed byte) of an
/// XLSX part larger than [`XLSX_RATIO_FREE_BYTES`]: 100. Worksheet XML
/// packs 10 to 20 times, even a sheet of one value repeated (its cell
/// references differ: measured on sheets of 200,000 rows written by
/// rust_xlsxwriter); a zip bomb's runs of one pattern pack 200 to 1,000
/// times (DEFLATE's ceiling is about 1,032).
pub const MAX_XLSX_COMPRESSION_RATIO: u64 = 100;

/// Parts up to this size (1 MiB) may have any compression ratio: they are
/// harmless however well they pack.
pub const XLSX_RATIO_FREE_BYTES: u64 = 1 << 20;

/// The most bytes a Parquet page may unpack to: 128 MiB. Writers cut pages
/// at about 1 MiB; the `parquet` crate allocates what a page header claims
/// before it finds the page short.
pub const MAX_PARQUET_PAGE_BYTES: u64 = 128 << 20;

/// The highest ratio of a compressed Parquet page's unpacked to packed
/// size: 32. Snappy, the one codec read, packs at most about 21 to one.
pub const MAX_PARQUET_PAGE_RATIO: u64 = 32;

/// The limits a reader applies; [`Limits::DEFAULT`] holds the constants of
/// this module, and tests lower them to try the checks on small files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// See [`MAX_FIELD_BYTES`].
    pub field_bytes: usize,
    /// See [`MAX_ROW_BYTES`].
    pub row_bytes: usize,
    /// See [`MAX_COLUMNS`].
    pub columns: usize,
    /// See [`MAX_SHEET_ROWS`].
    pub sheet_rows: u64,
    /// See [`MAX_XLSX_CELLS`].
    pub xlsx_cells: u64,
    /// See [`MAX_XLSX_UNPACKED_BYTES`].
    pub xlsx_unpacked_bytes: u64,
    /// See [`MAX_XLSX_COMPRESSION_RATIO`].
    pub xlsx_compression_ratio: u64,
}

impl Limits {
    /// The limits of this module's constants.
    pub const DEFAULT: Limits = Limits {
        field_bytes: MAX_FIELD_BYTES,
        row_bytes: MAX_ROW_BYTES,
        columns: MAX_COLUMNS,
        sheet_rows: MAX_SHEET_ROWS,
        xlsx_cells: MAX_XLSX_CELLS,
        xlsx_unpacked_bytes: MAX_XLSX_UNPACKED_BYTES,
        xlsx_compression_ratio: MAX_XLSX_COMPRESSION_RATIO,
    };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}
