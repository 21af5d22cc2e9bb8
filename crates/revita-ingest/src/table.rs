//! Tabular files (CSV and XLSX) read the same way: a header, then records
//! with their spreadsheet row numbers. CSV streams (a 10-million-row file is
//! never held in memory); XLSX sheets are read whole, as spreadsheets are
//! bounded at 1,048,576 rows anyway.

use std::fs::File;
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use csv::StringRecord;

use self::csv_source::{CsvError, CsvSource};
use crate::error::{FileError, RowError};
use crate::text::{Encoding, utf8_reader};

mod csv_source;

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
        let mut source = CsvSource::new(text);
        let mut header = StringRecord::new();
        match source.read(&mut header) {
            Ok(_) => {}
            Err(CsvError::Io(e)) => return Err(FileError::new(file, e.to_string())),
            Err(CsvError::NotUtf8 { .. }) => return Err(FileError::new(file, "the header is not UTF-8 text")),
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
                        return Err(match self.header.get(field) {
                            Some(column) => RowError::cell(&self.file, row, column, reason),
                            None => RowError::row(&self.file, row, reason),
                        });
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
            Source::Csv(source) => source.bytes_read(),
            Source::Sheet { .. } => 0,
        }
    }
}

fn clean_header(header: &StringRecord) -> Vec<String> {
    header.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_string()).collect()
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

    /// Every record's row number and first cell.
    fn rows(text: &str) -> Vec<(u64, String)> {
        let mut t = table(text).unwrap();
        let mut rec = StringRecord::new();
        let mut rows = Vec::new();
        while let Some(row) = t.next_record(&mut rec).unwrap() {
            rows.push((row, rec[0].to_string()));
        }
        rows
    }

    #[test]
    fn row_numbers_are_the_same_whatever_ends_the_lines() {
        // A quoted field across two lines is one row (as a spreadsheet shows
        // it); a wholly blank line is a row too (a spreadsheet shows an empty
        // one), as is a row of empty cells, though neither is returned.
        for eol in ["\n", "\r\n", "\r"] {
            let lines = ["a,b", "1,2", "\"x{eol}y\",3", "", "4,5", ",", "6,7"];
            let text = lines.join("{eol}").replace("{eol}", eol);
            let want = [(2, "1".to_string()), (3, format!("x{eol}y")), (5, "4".into()), (7, "6".into())];
            assert_eq!(rows(&text), want, "{eol:?} without a final line end");
            assert_eq!(rows(&format!("{text}{eol}")), want, "{eol:?} with a final line end");
        }
    }

    #[test]
    fn blank_lines_before_the_header_count_as_rows() {
        assert_eq!(rows("\r\n\r\na,b\r\n1,2\r\n"), [(4, "1".to_string())]);
    }

    #[test]
    fn an_error_in_a_crlf_file_names_the_row_a_spreadsheet_shows() {
        let mut t = table("a,b\r\n1,2\r\n\"3\r\n\",4\r\n5,6,7\r\n").unwrap();
        let mut rec = StringRecord::new();
        assert_eq!(t.next_record(&mut rec).unwrap(), Some(2));
        assert_eq!(t.next_record(&mut rec).unwrap(), Some(3));
        assert_eq!(t.next_record(&mut rec).unwrap_err().row, 4);
        assert_eq!(t.next_record(&mut rec).unwrap(), None);
    }

    #[test]
    fn bad_utf8_past_the_sniffed_head_is_an_error_in_its_row_and_column() {
        // The encoding is decided on the first 64 KiB; a bad byte later is
        // the problem of its row only.
        let mut bytes = b"a,b\n".to_vec();
        for i in 0..5_000 {
            bytes.extend_from_slice(format!("{i},valid text\n").as_bytes());
        }
        bytes.extend_from_slice(b"x,caf\xE9\nlast,ok\n");
        let mut t = Table::from_csv_reader("t.csv", std::io::Cursor::new(bytes)).unwrap();
        let mut rec = StringRecord::new();
        for row in 2..5_002 {
            assert_eq!(t.next_record(&mut rec).unwrap(), Some(row));
        }
        let e = t.next_record(&mut rec).unwrap_err();
        assert_eq!((e.row, e.column.as_deref()), (5_002, Some("b")), "{e}");
        assert_eq!(t.next_record(&mut rec).unwrap(), Some(5_003));
        assert_eq!(&rec[0], "last");
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
