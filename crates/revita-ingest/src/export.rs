//! Observation exports: CSV, XLSX and Parquet, all in the long layout
//! `region_code,indicator,period,value,source,status` so that an export can
//! be imported again unchanged. The `status` column carries `synthetic` for
//! made-up series, so no export can pass them off as real.
//!
//! Writers take batches (exports stream page by page from the store) and
//! write to `<path>.partial`, renamed into place only when complete: a
//! failed export never leaves a truncated file under the real name.
//!
//! Every CSV this crate writes goes through [`SafeCsvWriter`]: a UTF-8
//! byte-order mark first, so that Excel reads the text as UTF-8 (without
//! it, Chinese names come out as mojibake), and every cell through
//! [`csv_safe`], so that a region name or source a user typed cannot
//! become a formula when the file is opened in a spreadsheet.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use revita_methods::Observation;
use rust_xlsxwriter::{Format, Workbook};

/// The export header.
pub const COLUMNS: [&str; 6] = ["region_code", "indicator", "period", "value", "source", "status"];

/// The most data rows an XLSX sheet holds (1,048,576 rows less the header).
pub const XLSX_MAX_ROWS: u64 = 1_048_575;

/// The UTF-8 byte-order mark that starts every CSV file written here:
/// Excel takes a CSV file without one for the system's code page (GBK on
/// Chinese Windows). Readers drop it ([`crate::text::utf8_reader`]).
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A cell made safe for a spreadsheet to open (OWASP's rule against CSV
/// injection): text starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return, which spreadsheets may take for a formula, gets a leading `'`,
/// which they show as text. Numbers (`-3.5`, `+2`, `-1e5`: anything that
/// parses as a finite `f64`) are left alone, being no formula and needing
/// to stay numbers.
pub fn csv_safe(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') if !cell.parse::<f64>().is_ok_and(f64::is_finite) => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

/// A CSV writer for files people open in spreadsheets: it starts the
/// output with [`UTF8_BOM`] and passes every field through [`csv_safe`].
/// Other crates writing CSV use it too.
pub struct SafeCsvWriter<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> SafeCsvWriter<W> {
    /// A writer to `out`, which gets the byte-order mark at once.
    pub fn new(mut out: W) -> std::io::Result<SafeCsvWriter<W>> {
        out.write_all(UTF8_BOM)?;
        Ok(SafeCsvWriter { inner: csv::Writer::from_writer(out) })
    }

    /// Writes one record, each field made safe.
    pub fn write_record<I, T>(&mut self, record: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        for field in record {
            self.inner.write_field(csv_safe(field.as_ref()).as_bytes())?;
        }
        // An empty record ends the one whose fields were written.
        self.inner.write_record(None::<&[u8]>)
    }

    /// Flushes what is buffered to the output.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }

    /// Flushes and returns the output.
    pub fn into_inner(self) -> std::io::Result<W> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

/// An export file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated UTF-8 text.
    Csv,
    /// Excel workbook.
    Xlsx,
    /// Apache Parquet, snappy-compressed.
    Parquet,
}

impl ExportFormat {
    /// The format a file name's extension implies.
    pub fn from_path(path: &Path) -> Option<ExportFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            "parquet" => Some(ExportFormat::Parquet),
            _ => None,
        }
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing the file failed.
    #[error("{path}: {reason}")]
    Write {
        /// The file.
        path: String,
        /// What failed.
        reason: String,
    },
    /// More rows than an XLSX sheet holds.
    #[error("{path}: {rows} rows do not fit in an XLSX sheet (at most {XLSX_MAX_ROWS}); export CSV or Parquet instead")]
    TooManyRowsForXlsx {
        /// The file.
        path: String,
        /// Rows asked for.
        rows: u64,
    },
}

/// A file being written batch by batch.
pub trait ObservationWriter: Send {
    /// Appends a batch.
    fn write(&mut self, batch: &[Observation]) -> Result<(), ExportError>;
    /// Completes the file; returns the number of rows written.
    fn finish(self: Box<Self>) -> Result<u64, ExportError>;
}

/// Creates a writer for `path` in `format`.
pub fn create(path: &Path, format: ExportFormat) -> Result<Box<dyn ObservationWriter>, ExportError> {
    let partial = partial_path(path);
    let err =
        |e: &dyn std::fmt::Display| ExportError::Write { path: path.display().to_string(), reason: e.to_string() };
    Ok(match format {
        ExportFormat::Csv => {
            let file = File::create(&partial).map_err(|e| err(&e))?;
            let mut writer = SafeCsvWriter::new(BufWriter::with_capacity(1 << 20, file)).map_err(|e| err(&e))?;
            writer.write_record(COLUMNS).map_err(|e| err(&e))?;
            Box::new(CsvWriter { writer, target: path.to_path_buf(), partial, rows: 0 })
        }
        ExportFormat::Xlsx => Box::new(XlsxWriter::new(path)?),
        ExportFormat::Parquet => {
            let file = File::create(&partial).map_err(|e| err(&e))?;
            let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
            let writer = ArrowWriter::try_new(file, schema(), Some(props)).map_err(|e| err(&e))?;
            Box::new(ParquetWriter { writer, target: path.to_path_buf(), partial, rows: 0 })
        }
    })
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

fn finish_file(partial: &Path, target: &Path) -> Result<(), ExportError> {
    std::fs::rename(partial, target)
        .map_err(|e| ExportError::Write { path: target.display().to_string(), reason: e.to_string() })
}

struct CsvWriter {
    writer: SafeCsvWriter<BufWriter<File>>,
    target: PathBuf,
    partial: PathBuf,
    rows: u64,
}

impl ObservationWriter for CsvWriter {
    fn write(&mut self, batch: &[Observation]) -> Result<(), ExportError> {
        let err = |e: csv::Error| ExportError::Write { path: self.target.display().to_string(), reason: e.to_string() };
        let mut value = String::new();
        for o in batch {
            value.clear();
            use std::fmt::Write as _;
            let _ = write!(value, "{}", o.value);
            let period = o.period.to_string();
            let fields = [
                o.region.as_str(),
                o.indicator.as_str(),
                &period,
                &value,
                o.source.as_deref().unwrap_or(""),
                o.status.as_str(),
            ];
            self.writer.write_record(fields).map_err(err)?;
        }
        self.rows += batch.len() as u64;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<u64, ExportError> {
        let path = self.target.display().to_string();
        let mut inner =
            self.writer.into_inner().map_err(|e| ExportError::Write { path: path.clone(), reason: e.to_string() })?;
        inner.flush().map_err(|e| ExportError::Write { path, reason: e.to_string() })?;
        drop(inner);
        finish_file(&self.partial, &self.target)?;
        Ok(self.rows)
    }
}

struct XlsxWriter {
    workbook: Workbook,
    target: PathBuf,
    rows: u64,
}

impl XlsxWriter {
    fn new(path: &Path) -> Result<XlsxWriter, ExportError> {
        let mut workbook = Workbook::new();
        let err = |e: rust_xlsxwriter::XlsxError| ExportError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let sheet = workbook.add_worksheet_with_constant_memory().map_err(err)?;
        sheet.set_name("observations").map_err(err)?;
        let bold = Format::new().set_bold();
        for (col, name) in COLUMNS.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, *name, &bold).map_err(err)?;
        }
        Ok(XlsxWriter { workbook, target: path.to_path_buf(), rows: 0 })
    }
}

impl ObservationWriter for XlsxWriter {
    fn write(&mut self, batch: &[Observation]) -> Result<(), ExportError> {
        let path = self.target.display().to_string();
        if self.rows + batch.len() as u64 > XLSX_MAX_ROWS {
            return Err(ExportError::TooManyRowsForXlsx { path, rows: self.rows + batch.len() as u64 });
        }
        let err = |e: rust_xlsxwriter::XlsxError| ExportError::Write { path: path.clone(), reason: e.to_string() };
        let sheet = self.workbook.worksheet_from_index(0).map_err(err)?;
        for (i, o) in batch.iter().enumerate() {
            let row = (self.rows + i as u64 + 1) as u32;
            sheet.write_string(row, 0, o.region.as_str()).map_err(err)?;
            sheet.write_string(row, 1, o.indicator.as_str()).map_err(err)?;
            sheet.write_string(row, 2, o.period.to_string()).map_err(err)?;
            sheet.write_number(row, 3, o.value).map_err(err)?;
            if let Some(source) = &o.source {
                sheet.write_string(row, 4, source).map_err(err)?;
            }
            sheet.write_string(row, 5, o.status.as_str()).map_err(err)?;
        }
        self.rows += batch.len() as u64;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<u64, ExportError> {
        let partial = partial_path(&self.target);
        self.workbook
            .save(&partial)
            .map_err(|e| ExportError::Write { path: self.target.display().to_string(), reason: e.to_string() })?;
        finish_file(&partial, &self.target)?;
        Ok(self.rows)
    }
}

fn schema() -> Arc<Schema> {
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    Arc::new(Schema::new(vec![
        text("region_code", false),
        text("indicator", false),
        text("period", false),
        Field::new("value", DataType::Float64, false),
        text("source", true),
        text("status", false),
    ]))
}

struct ParquetWriter {
    writer: ArrowWriter<File>,
    target: PathBuf,
    partial: PathBuf,
    rows: u64,
}

impl ObservationWriter for ParquetWriter {
    fn write(&mut self, batch: &[Observation]) -> Result<(), ExportError> {
        let periods: Vec<String> = batch.iter().map(|o| o.period.to_string()).collect();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(batch.iter().map(|o| o.region.as_str()))),
            Arc::new(StringArray::from_iter_values(batch.iter().map(|o| o.indicator.as_str()))),
            Arc::new(StringArray::from_iter_values(periods.iter())),
            Arc::new(Float64Array::from_iter_values(batch.iter().map(|o| o.value))),
            Arc::new(StringArray::from_iter(batch.iter().map(|o| o.source.as_deref()))),
            Arc::new(StringArray::from_iter_values(batch.iter().map(|o| o.status.as_str()))),
        ];
        let err = |e: &dyn std::fmt::Display| ExportError::Write {
            path: self.target.display().to_string(),
            reason: e.to_string(),
        };
        let record_batch = RecordBatch::try_new(schema(), columns).map_err(|e| err(&e))?;
        self.writer.write(&record_batch).map_err(|e| err(&e))?;
        self.rows += batch.len() as u64;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<u64, ExportError> {
        self.writer
            .close()
            .map_err(|e| ExportError::Write { path: self.target.display().to_string(), reason: e.to_string() })?;
        finish_file(&self.partial, &self.target)?;
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Table;
    use revita_methods::{IndicatorCode, ObservationStatus, Period, RegionCode};

    fn sample() -> Vec<Observation> {
        vec![
            Observation {
                indicator: IndicatorCode::parse("pop_total").unwrap(),
                region: RegionCode::parse("520102").unwrap(),
                period: Period::Year(2020),
                value: 1_000.5,
                source: Some("census, 2020".into()),
                status: ObservationStatus::Final,
            },
            Observation {
                indicator: IndicatorCode::parse("gdp_pc").unwrap(),
                region: RegionCode::parse("520103").unwrap(),
                period: Period::Year(2021),
                value: -2.0,
                source: None,
                status: ObservationStatus::Synthetic,
            },
        ]
    }

    fn export(name: &str, format: ExportFormat) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        let mut writer = create(&path, format).unwrap();
        writer.write(&sample()).unwrap();
        assert_eq!(writer.finish().unwrap(), 2);
        assert!(!partial_path(&path).exists());
        (dir, path)
    }

    #[test]
    fn csv_exports_read_back_as_long_format() {
        let (_dir, path) = export("o.csv", ExportFormat::Csv);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "\u{feff}region_code,indicator,period,value,source,status\n\
             520102,pop_total,2020,1000.5,\"census, 2020\",final\n\
             520103,gdp_pc,2021,-2,,synthetic\n"
        );
    }

    #[test]
    fn csv_exports_read_back_through_the_importer() {
        let (_dir, path) = export("o.csv", ExportFormat::Csv);
        let table = Table::open(&path, None).unwrap();
        assert_eq!(table.header, COLUMNS, "the byte-order mark is not part of the first column's name");
        let mut reader = crate::records::ObservationReader::new(table, Default::default()).unwrap();
        let (mut rows, mut problems) = (Vec::new(), crate::Problems::default());
        while reader.next_batch(10, &mut rows, &mut problems) {}
        assert!(problems.is_empty(), "{problems}");
        let read: Vec<Observation> = rows.into_iter().map(|r| r.observation).collect();
        assert_eq!(read, sample());
    }

    #[test]
    fn cells_that_could_be_formulas_are_quoted_and_numbers_are_not() {
        for (cell, safe) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+1", "'+1+1"),
            ("-1+1", "'-1+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-inf", "'-inf"),
            ("-NaN", "'-NaN"),
        ] {
            assert_eq!(csv_safe(cell), safe, "{cell:?}");
        }
        for cell in ["-3.5", "-1e5", "+2", "-0", "520102", "南明区", "a=b", "", " =1", "'=1"] {
            assert!(matches!(csv_safe(cell), Cow::Borrowed(c) if c == cell), "{cell:?}");
        }
    }

    #[test]
    fn the_safe_writer_starts_with_a_bom_and_still_quotes_commas_and_quotes() {
        let mut writer = SafeCsvWriter::new(Vec::new()).unwrap();
        writer.write_record(["name", "note"]).unwrap();
        writer.write_record(["a, b", "say \"hi\""]).unwrap();
        writer.write_record(["=1+1", "-2"]).unwrap();
        writer.write_record(["=\"x\",y", ""]).unwrap();
        let bytes = writer.into_inner().unwrap();
        assert_eq!(&bytes[..3], UTF8_BOM);
        assert_eq!(
            std::str::from_utf8(&bytes[3..]).unwrap(),
            "name,note\n\"a, b\",\"say \"\"hi\"\"\"\n'=1+1,-2\n\"'=\"\"x\"\",y\",\n"
        );
    }

    #[test]
    fn xlsx_exports_read_back_through_the_importer() {
        let (_dir, path) = export("o.xlsx", ExportFormat::Xlsx);
        let mut table = Table::open(&path, None).unwrap();
        assert_eq!(table.header, COLUMNS);
        let mut record = csv::StringRecord::new();
        assert_eq!(table.next_record(&mut record).unwrap(), Some(2));
        assert_eq!(
            record.iter().collect::<Vec<_>>(),
            ["520102", "pop_total", "2020", "1000.5", "census, 2020", "final"]
        );
    }

    #[test]
    fn parquet_exports_have_the_long_schema() {
        let (_dir, path) = export("o.parquet", ExportFormat::Parquet);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!((&bytes[..4], &bytes[bytes.len() - 4..]), (&b"PAR1"[..], &b"PAR1"[..]));
        let reader = parquet::file::reader::SerializedFileReader::new(File::open(&path).unwrap()).unwrap();
        use parquet::file::reader::FileReader;
        let meta = reader.metadata();
        assert_eq!(meta.file_metadata().num_rows(), 2);
        let names: Vec<_> =
            meta.file_metadata().schema_descr().columns().iter().map(|c| c.name().to_string()).collect();
        assert_eq!(names, COLUMNS);
    }

    #[test]
    fn xlsx_refuses_more_rows_than_a_sheet_holds() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = XlsxWriter::new(&dir.path().join("big.xlsx")).unwrap();
        writer.rows = XLSX_MAX_ROWS - 1;
        assert!(matches!(writer.write(&sample()), Err(ExportError::TooManyRowsForXlsx { .. })));
    }

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(ExportFormat::from_path(Path::new("a.PARQUET")), Some(ExportFormat::Parquet));
        assert_eq!(ExportFormat::from_path(Path::new("a.json")), None);
    }
}

/// A small table (header and rows of text cells) as a file in memory: CSV,
/// or XLSX with numeric-looking cells written as numbers. For downloads of
/// what a page shows; large exports use [`create`].
pub fn table_bytes(header: &[String], rows: &[Vec<String>], format: ExportFormat) -> Result<Vec<u8>, ExportError> {
    let err = |e: &dyn std::fmt::Display| ExportError::Write { path: "download".into(), reason: e.to_string() };
    match format {
        ExportFormat::Xlsx => {
            let mut workbook = Workbook::new();
            let sheet = workbook.add_worksheet();
            let bold = Format::new().set_bold();
            for (c, h) in header.iter().enumerate() {
                sheet.write_string_with_format(0, c as u16, h, &bold).map_err(|e| err(&e))?;
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (r, c) = (r as u32 + 1, c as u16);
                    // Codes stay text (leading zeros matter); other numbers are numbers.
                    match cell.parse::<f64>() {
                        Ok(v) if c > 0 && !cell.is_empty() => sheet.write_number(r, c, v),
                        _ => sheet.write_string(r, c, cell),
                    }
                    .map_err(|e| err(&e))?;
                }
            }
            workbook.save_to_buffer().map_err(|e| err(&e))
        }
        _ => {
            let mut writer = SafeCsvWriter::new(Vec::new()).map_err(|e| err(&e))?;
            writer.write_record(header).map_err(|e| err(&e))?;
            for row in rows {
                writer.write_record(row).map_err(|e| err(&e))?;
            }
            writer.into_inner().map_err(|e| err(&e))
        }
    }
}

/// A cell of a worksheet that shows its working: text, a number, or a
/// formula with the value it computes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (codes stay text: leading zeros matter).
    Text(String),
    /// A number.
    Number(f64),
    /// A spreadsheet formula (A1 references, leading `=`) and its value,
    /// stored as the cached result so that viewers that do not recalculate
    /// still show it; a CSV gets the value.
    Formula(String, f64),
}

/// A named worksheet: a bold header row and rows of cells.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The sheet's name (at most 31 characters).
    pub name: String,
    /// Column headers.
    pub header: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<Cell>>,
}

/// A workbook of sheets as XLSX bytes, formulas kept as formulas.
pub fn workbook_bytes(sheets: &[Sheet]) -> Result<Vec<u8>, ExportError> {
    let err = |e: &dyn std::fmt::Display| ExportError::Write { path: "download".into(), reason: e.to_string() };
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    for s in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(&s.name).map_err(|e| err(&e))?;
        for (c, h) in s.header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold).map_err(|e| err(&e))?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    Cell::Text(text) => sheet.write_string(r, c, text),
                    Cell::Number(v) => sheet.write_number(r, c, *v),
                    Cell::Formula(f, v) => {
                        sheet.write_formula(r, c, rust_xlsxwriter::Formula::new(f).set_result(v.to_string()))
                    }
                }
                .map_err(|e| err(&e))?;
            }
        }
    }
    workbook.save_to_buffer().map_err(|e| err(&e))
}

/// One sheet as CSV bytes: formulas give way to their values.
pub fn sheet_csv_bytes(sheet: &Sheet) -> Result<Vec<u8>, ExportError> {
    let text = |cell: &Cell| match cell {
        Cell::Text(t) => t.clone(),
        Cell::Number(v) | Cell::Formula(_, v) => v.to_string(),
    };
    let rows: Vec<Vec<String>> = sheet.rows.iter().map(|row| row.iter().map(text).collect()).collect();
    table_bytes(&sheet.header, &rows, ExportFormat::Csv)
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn small_tables_download_as_csv_and_xlsx() {
        let header = vec!["code".to_string(), "pop".to_string()];
        let rows = vec![vec!["520102".to_string(), "1000".to_string()]];
        let csv = table_bytes(&header, &rows, ExportFormat::Csv).unwrap();
        assert_eq!(String::from_utf8(csv).unwrap(), "\u{feff}code,pop\n520102,1000\n");
        let xlsx = table_bytes(&header, &rows, ExportFormat::Xlsx).unwrap();
        assert_eq!(&xlsx[..2], b"PK");
    }

    #[test]
    fn downloads_escape_formulas_and_read_back() {
        let header = vec!["name".to_string(), "share".to_string()];
        let rows = vec![vec!["=cmd|' /C calc'!A0".to_string(), "-0.25".to_string()]];
        let csv = table_bytes(&header, &rows, ExportFormat::Csv).unwrap();
        assert_eq!(String::from_utf8(csv.clone()).unwrap(), "\u{feff}name,share\n'=cmd|' /C calc'!A0,-0.25\n");
        let mut table = crate::Table::from_csv_reader("d.csv", std::io::Cursor::new(csv)).unwrap();
        assert_eq!(table.header, header);
        let mut record = csv::StringRecord::new();
        assert_eq!(table.next_record(&mut record).unwrap(), Some(2));
        assert_eq!(&record[1], "-0.25");
        // A sheet's CSV gets the formulas' values, made safe in turn.
        let sheet = Sheet {
            name: "s".into(),
            header: header.clone(),
            rows: vec![vec![Cell::Text("@x".into()), Cell::Formula("=1-2".into(), -1.0)]],
        };
        let csv = sheet_csv_bytes(&sheet).unwrap();
        assert_eq!(String::from_utf8(csv).unwrap(), "\u{feff}name,share\n'@x,-1\n");
    }
}
