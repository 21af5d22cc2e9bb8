//! Tabular files (CSV, XLSX, Parquet, and GeoJSON points) read the same way: a
//! header, then records with their spreadsheet row numbers (a GeoJSON
//! record's is its feature's number). Both stream: a 10-million-row CSV
//! file is never held in memory, nor is a sheet of a million rows. What a
//! file may hold is bounded by [`Limits`]: a cell, a row, the columns, and
//! for XLSX what the workbook unpacks to and the cells of its sheet.

use std::fs::File;
use std::path::Path;

use calamine::DataRef;
use csv::StringRecord;

use self::csv_source::{CsvError, CsvSource};
use self::geojson_source::GeoJsonSource;
use self::parquet_source::ParquetSource;
use self::sheet::{Item, SheetSource};
use crate::error::{FileError, RowError};
use crate::limits::Limits;
use crate::text::{Encoding, utf8_reader};

mod csv_source;
mod geojson_source;
mod parquet_source;
mod sheet;

/// A tabular file being read.
pub struct Table {
    /// The file's display name.
    pub file: String,
    /// Column headers, trimmed.
    pub header: Vec<String>,
    /// The text encoding (XLSX is always UTF-8).
    pub encoding: Encoding,
    source: Source,
    /// Set after an IO error: nothing more can be read.
    broken: bool,
}

enum Source {
    // Boxed: the parser carries its state tables.
    Csv(Box<CsvSource>),
    /// A source that hands over whole rows of text cells (a worksheet, a
    /// Parquet file).
    Rows(Box<dyn RowSource>),
}

/// A source of whole rows: the next row, a problem with one, the end.
trait RowSource: Send {
    fn next_item(&mut self) -> Option<Item>;
}

impl RowSource for SheetSource {
    fn next_item(&mut self) -> Option<Item> {
        self.next()
    }
}

impl RowSource for GeoJsonSource {
    fn next_item(&mut self) -> Option<Item> {
        GeoJsonSource::next_item(self)
    }
}

impl RowSource for ParquetSource {
    fn next_item(&mut self) -> Option<Item> {
        self.next()
    }
}

impl Table {
    /// Opens a `.csv` (or `.txt`), `.xlsx` (or `.xlsm`), `.parquet` or
    /// `.geojson` (points: `lon`, `lat`, then the properties) file; other
    /// extensions are rejected. `sheet` picks an XLSX worksheet (default:
    /// the first). The [`Limits::DEFAULT`] apply.
    pub fn open(path: &Path, sheet: Option<&str>) -> Result<Table, FileError> {
        Table::open_with_limits(path, sheet, Limits::DEFAULT)
    }

    /// [`Table::open`] with other limits.
    pub fn open_with_limits(path: &Path, sheet: Option<&str>, limits: Limits) -> Result<Table, FileError> {
        let file = path.display().to_string();
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match extension.as_str() {
            "csv" | "txt" => {
                let input = File::open(path).map_err(|e| FileError::new(&file, format!("cannot open: {e}")))?;
                Table::from_csv_reader_with_limits(&file, input, limits)
            }
            "xlsx" | "xlsm" => {
                let (header, source) = SheetSource::open(&file, path, sheet, limits)?;
                Table::of_rows(file, header, Box::new(source))
            }
            "parquet" => {
                let (header, source) = ParquetSource::open(&file, path, limits)?;
                Table::of_rows(file, header, Box::new(source))
            }
            "geojson" => {
                let (header, source) = GeoJsonSource::open(&file, path, limits)?;
                Table::of_rows(file, header, Box::new(source))
            }
            // calamine reads a legacy workbook whole into dense grids as it
            // opens it, which no limit can bound.
            "xls" => Err(FileError::new(&file, "legacy .xls workbooks are not read: save the file as .xlsx or .csv")),
            other => Err(FileError::new(
                &file,
                format!(
                    "unsupported file type '.{other}': use .csv, .xlsx, .parquet or .geojson (UTF-8 or GBK text for CSV)"
                ),
            )),
        }
    }

    /// Reads CSV from any reader (UTF-8 or GBK). The [`Limits::DEFAULT`]
    /// apply.
    pub fn from_csv_reader(file: &str, input: impl std::io::Read + Send + 'static) -> Result<Table, FileError> {
        Table::from_csv_reader_with_limits(file, input, Limits::DEFAULT)
    }

    /// [`Table::from_csv_reader`] with other limits.
    pub fn from_csv_reader_with_limits(
        file: &str,
        input: impl std::io::Read + Send + 'static,
        limits: Limits,
    ) -> Result<Table, FileError> {
        let (text, encoding) = utf8_reader(input).map_err(|e| FileError::new(file, e.to_string()))?;
        let mut source = CsvSource::new(text, limits);
        let mut header = StringRecord::new();
        match source.read(&mut header) {
            Ok(_) => {}
            Err(CsvError::Io(e)) => return Err(FileError::new(file, e.to_string())),
            Err(CsvError::NotUtf8 { .. }) => return Err(FileError::new(file, "the header is not UTF-8 text")),
            Err(CsvError::TooBig { reason, .. }) => return Err(FileError::new(file, format!("the header: {reason}"))),
        }
        let table = Table {
            file: file.to_string(),
            header: clean_header(&header),
            encoding,
            source: Source::Csv(Box::new(source)),
            broken: false,
        };
        table.check_header()?;
        Ok(table)
    }

    /// A table over a source of whole rows (a worksheet, a Parquet file),
    /// its header checked.
    fn of_rows(file: String, header: Vec<String>, source: Box<dyn RowSource>) -> Result<Table, FileError> {
        let table = Table { file, header, encoding: Encoding::Utf8, source: Source::Rows(source), broken: false };
        table.check_header()?;
        Ok(table)
    }

    fn check_header(&self) -> Result<(), FileError> {
        if self.header.iter().all(|h| h.is_empty()) {
            return Err(FileError::new(&self.file, "the file is empty (no header row)"));
        }
        for (i, h) in self.header.iter().enumerate() {
            if h.is_empty() {
                return Err(FileError::new(&self.file, format!("column {} has an empty header", i + 1)));
            }
            if self.header[..i].contains(h) {
                return Err(FileError::new(&self.file, format!("column '{h}' appears twice in the header")));
            }
        }
        Ok(())
    }

    /// The index of a column, trying aliases in order.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.header.iter().position(|h| h == n))
    }

    /// Reads the next record into `record`; returns its row number, or
    /// `None` at the end. Rows are numbered as a spreadsheet shows them: the
    /// header is row 1 (unless blank lines come before it), a record whose
    /// quoted fields span several lines is one row, and a wholly blank line
    /// of a CSV file counts as a row, as a spreadsheet opening the file
    /// shows it. Rows whose cells are all empty are skipped.
    ///
    /// An error concerns one row; reading may go on after it, except after
    /// an IO error, when the table reports its end.
    pub fn next_record(&mut self, record: &mut StringRecord) -> Result<Option<u64>, RowError> {
        if self.broken {
            return Ok(None);
        }
        loop {
            let row = match &mut self.source {
                Source::Csv(source) => match source.read(record) {
                    Ok(None) => return Ok(None),
                    Ok(Some(row)) => row,
                    Err(CsvError::Io(e)) => {
                        self.broken = true;
                        return Err(RowError::row(&self.file, source.next_row(), e.to_string()));
                    }
                    Err(CsvError::NotUtf8 { row, field }) => {
                        let reason = "invalid UTF-8 text (save the file as UTF-8 or GBK)";
                        return Err(self.field_error(row, Some(field), reason));
                    }
                    Err(CsvError::TooBig { row, field, reason }) => return Err(self.field_error(row, field, reason)),
                },
                Source::Rows(rows) => match rows.next_item() {
                    None | Some(Item::End) => return Ok(None),
                    Some(Item::Row(row, cells)) => {
                        record.clear();
                        cells.iter().for_each(|c| record.push_field(c));
                        row
                    }
                    Some(Item::Problem(e)) => return Err(e),
                    Some(Item::Stop(e)) => {
                        self.broken = true;
                        return Err(e);
                    }
                },
            };
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if record.iter().skip(self.header.len()).any(|f| !f.trim().is_empty()) {
                let reason = format!(
                    "the row has {} fields but the header has {} (is there an unquoted comma, e.g. a thousands separator?)",
                    record.len(),
                    self.header.len()
                );
                return Err(RowError::row(&self.file, row, reason));
            }
            return Ok(Some(row));
        }
    }

    /// Bytes read so far (CSV only), for progress bars.
    pub fn bytes_read(&self) -> u64 {
        match &self.source {
            Source::Csv(source) => source.bytes_read(),
            Source::Rows(_) => 0,
        }
    }
}

impl Table {
    /// A problem with a row, in its `field` when one is at fault.
    fn field_error(&self, row: u64, field: Option<usize>, reason: impl Into<String>) -> RowError {
        match field.and_then(|f| self.header.get(f)) {
            Some(column) => RowError::cell(&self.file, row, column, reason),
            None => RowError::row(&self.file, row, reason),
        }
    }
}

fn clean_header(header: &StringRecord) -> Vec<String> {
    header.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_string()).collect()
}

/// A cell as text: integral numbers without a fraction (codes and years
/// typed as numbers), other numbers in their shortest exact form, dates as
/// ISO dates.
fn cell_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => excel_serial_date(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => format!("#ERROR {e:?}"),
    }
}

/// The serial of 9999-12-31, Excel's last date.
const LAST_EXCEL_SERIAL: f64 = 2_958_465.0;

/// Converts an Excel 1900-system serial day number to `YYYY-MM-DD`
/// (serial 1 = 1900-01-01; Excel's phantom 1900-02-29 makes serial 25,569
/// fall on 1970-01-01 for every date from March 1900 on). A serial outside
/// Excel's dates (a number styled as a date) stays a number.
fn excel_serial_date(serial: f64) -> String {
    if !(0.0..LAST_EXCEL_SERIAL + 1.0).contains(&serial) {
        return serial.to_string();
    }
    let serial = serial.floor() as i64;
    // Serials before the phantom 1900-02-29 (serial 60) are one day later.
    let days = serial - 25_569 + i64::from(serial < 60);
    revita_methods::Date::from_days_since_epoch(days).to_string()
}

#[cfg(test)]
mod tests;
