//! Tabular files (CSV and XLSX) read the same way: a header, then records
//! with their spreadsheet row numbers. CSV streams (a 10-million-row file is
//! never held in memory); XLSX sheets are read whole, as spreadsheets are
//! bounded at 1,048,576 rows anyway.

use std::fs::File;
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use csv::StringRecord;

use crate::error::{FileError, RowError};
use crate::text::{Encoding, utf8_reader};

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
    Csv(csv::Reader<Box<dyn std::io::Read + Send>>),
    Sheet { rows: std::vec::IntoIter<Vec<String>>, next_row: u64 },
}

impl Table {
    /// Opens a `.csv` (or `.txt`) or `.xlsx` file; other extensions are
    /// rejected. `sheet` picks an XLSX worksheet (default: the first).
    pub fn open(path: &Path, sheet: Option<&str>) -> Result<Table, FileError> {
        let file = path.display().to_string();
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match extension.as_str() {
            "csv" | "txt" => {
                let input = File::open(path).map_err(|e| FileError::new(&file, format!("cannot open: {e}")))?;
                Table::from_csv_reader(&file, input)
            }
            "xlsx" | "xlsm" | "xls" => Table::open_sheet(&file, path, sheet),
            other => Err(FileError::new(
                &file,
                format!("unsupported file type '.{other}': use .csv or .xlsx (UTF-8 or GBK text for CSV)"),
            )),
        }
    }

    /// Reads CSV from any reader (UTF-8 or GBK).
    pub fn from_csv_reader(file: &str, input: impl std::io::Read + Send + 'static) -> Result<Table, FileError> {
        let (text, encoding) = utf8_reader(input).map_err(|e| FileError::new(file, e.to_string()))?;
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text);
        let header = reader.headers().map_err(|e| FileError::new(file, csv_reason(&e)))?.clone();
        let table = Table {
            file: file.to_string(),
            header: clean_header(&header),
            encoding,
            source: Source::Csv(reader),
            broken: false,
        };
        table.check_header()?;
        Ok(table)
    }

    fn open_sheet(file: &str, path: &Path, sheet: Option<&str>) -> Result<Table, FileError> {
        let mut workbook =
            open_workbook_auto(path).map_err(|e| FileError::new(file, format!("cannot read workbook: {e}")))?;
        let names = workbook.sheet_names();
        let name = match sheet {
            Some(s) if names.iter().any(|n| n == s) => s.to_string(),
            Some(s) => return Err(FileError::new(file, format!("no sheet '{s}' (sheets: {})", names.join(", ")))),
            None => names.first().cloned().ok_or_else(|| FileError::new(file, "the workbook has no sheets"))?,
        };
        let range =
            workbook.worksheet_range(&name).map_err(|e| FileError::new(file, format!("sheet '{name}': {e}")))?;
        let mut rows = range.rows().map(|r| r.iter().map(cell_text).collect::<Vec<_>>());
        let header = rows.next().ok_or_else(|| FileError::new(file, "the file is empty (no header row)"))?;
        let header = header.iter().map(|h| h.trim().to_string()).collect();
        let table = Table {
            file: file.to_string(),
            header,
            encoding: Encoding::Utf8,
            source: Source::Sheet { rows: rows.collect::<Vec<_>>().into_iter(), next_row: 2 },
            broken: false,
        };
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
    /// `None` at the end. Rows whose cells are all empty are skipped. (The
    /// CSV parser drops wholly blank lines without counting them, so after
    /// one the row numbers of a CSV run one behind its line numbers.)
    ///
    /// An error concerns one row; reading may go on after it, except after
    /// an IO error, when the table reports its end.
    pub fn next_record(&mut self, record: &mut StringRecord) -> Result<Option<u64>, RowError> {
        if self.broken {
            return Ok(None);
        }
        loop {
            let row = match &mut self.source {
                Source::Csv(reader) => match reader.read_record(record) {
                    Ok(false) => return Ok(None),
                    Ok(true) => record.position().map_or(0, |p| p.line()),
                    Err(e) => {
                        let row = e.position().map_or(0, |p| p.line());
                        self.broken = matches!(e.kind(), csv::ErrorKind::Io(_));
                        return Err(RowError::row(&self.file, row, csv_reason(&e)));
                    }
                },
                Source::Sheet { rows, next_row } => {
                    let Some(cells) = rows.next() else { return Ok(None) };
                    *record = StringRecord::from(cells);
                    *next_row += 1;
                    *next_row - 1
                }
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
            Source::Csv(reader) => reader.position().byte(),
            Source::Sheet { .. } => 0,
        }
    }
}

fn clean_header(header: &StringRecord) -> Vec<String> {
    header.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_string()).collect()
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8 text (save the file as UTF-8 or GBK)".to_string(),
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => e.to_string(),
    }
}

/// A cell as text: integral numbers without a fraction (codes and years
/// typed as numbers), other numbers in their shortest exact form, dates as
/// ISO dates.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_serial_date(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#ERROR {e:?}"),
    }
}

/// Converts an Excel 1900-system serial day number to `YYYY-MM-DD`
/// (serial 1 = 1900-01-01; Excel's phantom 1900-02-29 makes serial 25,569
/// fall on 1970-01-01 for every date from March 1900 on).
fn excel_serial_date(serial: f64) -> String {
    let serial = serial.floor() as i64;
    // Serials before the phantom 1900-02-29 (serial 60) are one day later.
    let days = serial - 25_569 + i64::from(serial < 60);
    revita_methods::Date::from_days_since_epoch(days).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Result<Table, FileError> {
        Table::from_csv_reader("t.csv", std::io::Cursor::new(text.as_bytes().to_vec()))
    }

    #[test]
    fn records_carry_spreadsheet_row_numbers_and_skip_empty_rows() {
        let mut t = table("a,b\n1,2\n,\n\"3\n\",4\n").unwrap();
        let mut rec = StringRecord::new();
        assert_eq!(t.next_record(&mut rec).unwrap(), Some(2));
        assert_eq!(t.next_record(&mut rec).unwrap(), Some(4));
        assert_eq!(&rec[0], "3\n");
        assert_eq!(&rec[1], "4");
        assert_eq!(t.next_record(&mut rec).unwrap(), None);
    }

    #[test]
    fn a_row_longer_than_the_header_is_an_error() {
        let mut t = table("a,b\n1,2\n12,5,3\n4\n").unwrap();
        let mut rec = StringRecord::new();
        assert_eq!(t.next_record(&mut rec).unwrap(), Some(2));
        let err = t.next_record(&mut rec).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv, row 3: the row has 3 fields but the header has 2 (is there an unquoted comma, e.g. a thousands separator?)"
        );
        // A short row is read with its missing cells empty.
        assert_eq!(t.next_record(&mut rec).unwrap(), Some(4));
    }

    #[test]
    fn bad_headers_are_rejected_before_any_row() {
        assert_eq!(table("").err().unwrap().reason, "the file is empty (no header row)");
        assert_eq!(table("a,,b\n").err().unwrap().reason, "column 2 has an empty header");
        assert_eq!(table("a,b,a\n").err().unwrap().reason, "column 'a' appears twice in the header");
    }

    #[test]
    fn excel_serials_become_iso_dates() {
        assert_eq!(excel_serial_date(1.0), "1900-01-01");
        assert_eq!(excel_serial_date(44_435.0), "2021-08-27");
        assert_eq!(excel_serial_date(43_830.75), "2019-12-31");
    }

    #[test]
    fn numeric_cells_print_like_the_user_typed_them() {
        assert_eq!(cell_text(&Data::Float(520102.0)), "520102");
        assert_eq!(cell_text(&Data::Float(12.5)), "12.5");
        assert_eq!(cell_text(&Data::Empty), "");
    }

    #[test]
    fn unknown_file_types_are_refused() {
        let err = Table::open(Path::new("data.json"), None).err().unwrap();
        assert!(err.reason.starts_with("unsupported file type '.json'"), "{err}");
    }
}
