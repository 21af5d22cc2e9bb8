use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int8Array, Int32Array, Int64Array, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use revita_methods::screening::{CountyTallies, Deprivation, Household, Tally};

use super::*;

const HEADER: &str = "hh_id,village_code,size,labor,income_pc,income_pc_prev,medical_exp,education_exp,disaster_loss,\
d_nutrition,d_child_mortality,d_schooling,d_attendance,d_cooking,d_sanitation,d_water,d_electricity,d_housing,d_assets,d_health_ins";

/// A small deterministic generator (64-bit LCG, Knuth's constants), so tests
/// need no data files.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub(crate) fn households(n: usize, seed: u64) -> Vec<Household> {
    let mut rng = Lcg(seed);
    (0..n)
        .map(|_| {
            let size = 1 + rng.below(6) as i32;
            let cents = |rng: &mut Lcg, max: u64| rng.below(max * 100) as f64 / 100.0;
            Household {
                village_code: (520_100 + rng.below(7) as i64) * 1_000_000 + 1_000 + rng.below(300) as i64,
                size,
                labor: rng.below(size as u64 + 1) as i32,
                income_pc: cents(&mut rng, 20_000),
                income_pc_prev: cents(&mut rng, 20_000),
                medical_exp: if rng.below(2) == 0 { 0.0 } else { cents(&mut rng, 8_000) },
                education_exp: cents(&mut rng, 5_000),
                disaster_loss: if rng.below(10) == 0 { cents(&mut rng, 20_000) } else { 0.0 },
                deprived: (0..11).fold(0, |bits, d| bits | (u16::from(rng.below(4) == 0) << d)),
            }
        })
        .collect()
}

fn csv_line(id: usize, h: &Household) -> String {
    let flags: Vec<String> = Deprivation::ALL.iter().map(|d| u8::from(h.is_deprived(*d)).to_string()).collect();
    format!(
        "{id},{},{},{},{},{},{},{},{},{}\n",
        h.village_code,
        h.size,
        h.labor,
        h.income_pc,
        h.income_pc_prev,
        h.medical_exp,
        h.education_exp,
        h.disaster_loss,
        flags.join(",")
    )
}

fn write_csv(dir: &Path, name: &str, rows: &[Household]) -> PathBuf {
    let mut text = format!("{HEADER}\n");
    for (i, h) in rows.iter().enumerate() {
        text.push_str(&csv_line(i + 1, h));
    }
    write(dir, name, &text)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

pub(crate) fn write_parquet(dir: &Path, name: &str, columns: Vec<(&str, ArrayRef)>, group_rows: usize) -> PathBuf {
    let path = dir.join(name);
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let props = WriterProperties::builder().set_max_row_group_row_count(Some(group_rows)).build();
    let mut writer = ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), batch.schema(), Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    path
}

/// The columns of SPEC B1 with its types (int8 flags, int32 counts).
pub(crate) fn parquet_columns(rows: &[Household]) -> Vec<(&'static str, ArrayRef)> {
    let mut columns: Vec<(&str, ArrayRef)> = vec![
        ("hh_id", Arc::new(Int64Array::from_iter_values(1..=rows.len() as i64))),
        ("village_code", Arc::new(Int64Array::from_iter_values(rows.iter().map(|h| h.village_code)))),
        ("size", Arc::new(Int32Array::from_iter_values(rows.iter().map(|h| h.size)))),
        ("labor", Arc::new(Int32Array::from_iter_values(rows.iter().map(|h| h.labor)))),
        ("income_pc", Arc::new(Float64Array::from_iter_values(rows.iter().map(|h| h.income_pc)))),
        ("income_pc_prev", Arc::new(Float64Array::from_iter_values(rows.iter().map(|h| h.income_pc_prev)))),
        ("medical_exp", Arc::new(Float64Array::from_iter_values(rows.iter().map(|h| h.medical_exp)))),
        ("education_exp", Arc::new(Float64Array::from_iter_values(rows.iter().map(|h| h.education_exp)))),
        ("disaster_loss", Arc::new(Float64Array::from_iter_values(rows.iter().map(|h| h.disaster_loss)))),
    ];
    for (d, name) in Deprivation::ALL.iter().zip(DEPRIVATION_COLUMNS) {
        columns.push((name, Arc::new(Int8Array::from_iter_values(rows.iter().map(|h| i8::from(h.is_deprived(*d)))))));
    }
    columns
}

/// Screens a file with the given workers and piece size; returns sorted rows.
fn screen(path: &Path, threads: usize, chunk: usize) -> Result<Vec<(u32, Tally)>, crate::RowError> {
    let progress = Progress::default();
    let sinks = scan_in_pieces(path, threads, chunk, &progress, || CountyTallies::new(7600.0))?;
    let mut all = CountyTallies::new(7600.0);
    sinks.iter().for_each(|s| all.merge(s));
    assert_eq!(progress.done.load(Ordering::Relaxed), progress.total.load(Ordering::Relaxed));
    Ok(all.sorted())
}

/// The reference: every household added in order by one tally set.
fn expected(rows: &[Household]) -> Vec<(u32, Tally)> {
    let mut all = CountyTallies::new(7600.0);
    rows.iter().for_each(|h| all.add(h));
    all.sorted()
}

#[test]
fn csv_pieces_of_any_size_give_the_same_tallies() {
    let dir = tempfile::tempdir().unwrap();
    let rows = households(3_000, 7);
    let path = write_csv(dir.path(), "h.csv", &rows);
    let want = expected(&rows);
    assert_eq!(want.len(), 7);
    for (threads, chunk) in [(1, 1 << 30), (2, 97), (3, 1000), (4, 4096), (2, 1)] {
        assert_eq!(screen(&path, threads, chunk).unwrap(), want, "{threads} threads, {chunk}-byte pieces");
    }
}

#[test]
fn csv_columns_may_come_in_any_order_with_extras_and_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let rows = households(50, 3);
    // Reverse the columns, add an unread one, end lines with CRLF, no final line end.
    let mut text = String::from("note,");
    text.push_str(&HEADER.split(',').rev().collect::<Vec<_>>().join(","));
    for (i, h) in rows.iter().enumerate() {
        let line = csv_line(i + 1, h);
        let fields: Vec<&str> = line.trim_end().split(',').rev().collect();
        text.push_str(&format!("\r\nx,{}", fields.join(",")));
    }
    let path = write(dir.path(), "h.csv", &text);
    assert_eq!(screen(&path, 2, 64).unwrap(), expected(&rows));
}

#[test]
fn csv_numbers_parse_exactly_as_the_standard_library_does() {
    for text in
        ["0", "7", "12.5", "3581.45", "0.1", "16287.1", "123456789.99", "1e3", "2.5E-3", "-4.25", "0.30000000000000004"]
    {
        let mut value = f64::NAN;
        let buf = format!("{text},");
        let end = csv_file::tests_parse_f64(buf.as_bytes(), &mut value).unwrap();
        assert_eq!(end, text.len(), "{text}");
        assert_eq!(value.to_bits(), text.parse::<f64>().unwrap().to_bits(), "{text}");
    }
}

#[test]
fn parquet_row_groups_give_the_same_tallies_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let rows = households(2_500, 11);
    let path = write_parquet(dir.path(), "h.parquet", parquet_columns(&rows), 600);
    let want = expected(&rows);
    assert_eq!(screen(&path, 1, 0).unwrap(), want);
    assert_eq!(screen(&path, 3, 0).unwrap(), want);
}

fn csv_error(text: &str, chunk: usize) -> crate::RowError {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bad.csv", text);
    let error = screen(&path, 2, chunk).unwrap_err();
    assert!(error.file.ends_with("bad.csv"), "{error}");
    error
}

fn good_lines(n: usize) -> String {
    households(n, 5).iter().enumerate().map(|(i, h)| csv_line(i + 1, h)).collect()
}

#[test]
fn bad_csv_rows_are_named_by_row_and_column() {
    let ok = "1,520102001001,3,1,5000,6000,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n";
    let cases = [
        ("1,520102001001,-3,1,5000,6000,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n", "size", "at least one member"),
        ("1,520102001001,3,4,5000,6000,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n", "labor", "outside 0..=3"),
        ("1,520102001001,3,1,5000,6000,0,0,0,2,0,0,0,0,0,0,0,0,0,0\n", "d_nutrition", "'2' is not 0 or 1"),
        ("1,520102001001,3,1,abc,6000,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n", "income_pc", "'abc' is not a number"),
        ("1,520102001001,3.5,1,5000,6000,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n", "size", "'3.5' is not a whole number"),
        ("1,520102001001,3,1,5000,,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n", "income_pc_prev", "missing"),
        ("1,520102001001,3,1,5000,6000,-1,0,0,0,0,0,0,0,0,0,0,0,0,0\n", "medical_exp", "non-negative"),
        ("1,5201020,3,1,5000,6000,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n", "village_code", "12-digit"),
    ];
    for (line, column, reason) in cases {
        // The bad row is row 42: the header, 40 good rows, then it, then more.
        let text = format!("{HEADER}\n{}{line}{ok}{ok}", good_lines(40));
        for chunk in [1 << 20, 300] {
            let e = csv_error(&text, chunk);
            assert_eq!((e.row, e.column.as_deref()), (42, Some(column)), "{e}");
            assert!(e.reason.contains(reason), "{e}");
        }
    }
}

#[test]
fn rows_with_too_few_or_too_many_fields_are_reported() {
    let short = format!("{HEADER}\n{}1,520102001001,3,1\n", good_lines(3));
    let e = csv_error(&short, 1 << 20);
    assert_eq!(e.row, 5);
    assert!(e.reason.contains("the row has 4 fields; the header has 20"), "{e}");
    let long = format!("{HEADER}\n1,520102001001,3,1,5000,6000,0,0,0,0,0,0,0,0,0,0,0,0,0,0,9\n");
    assert!(csv_error(&long, 1 << 20).reason.contains("more fields"));
}

#[test]
fn a_missing_or_repeated_column_is_named_from_the_header() {
    let without = HEADER.replace(",d_water", "");
    let e = csv_error(&format!("{without}\n"), 1 << 20);
    assert_eq!((e.row, e.column.as_deref()), (1, Some("d_water")));
    let twice = format!("{HEADER},size\n");
    let e = csv_error(&twice, 1 << 20);
    assert_eq!((e.row, e.column.as_deref()), (1, Some("size")));
    assert!(e.reason.contains("twice"));
    assert_eq!(csv_error("", 1 << 20).row, 1);
}

#[test]
fn the_first_bad_row_in_the_file_is_reported_whichever_worker_finds_it() {
    let bad_size = "1,520102001001,0,0,5000,6000,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n";
    let bad_flag = "1,520102001001,3,1,5000,6000,0,0,0,9,0,0,0,0,0,0,0,0,0,0\n";
    let text = format!("{HEADER}\n{}{bad_size}{}{bad_flag}", good_lines(200), good_lines(200));
    for _ in 0..5 {
        let e = csv_error(&text, 128);
        assert_eq!((e.row, e.column.as_deref()), (202, Some("size")), "{e}");
    }
}

#[test]
fn files_of_other_kinds_are_refused_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "h.txt", HEADER);
    assert!(screen(&path, 1, 100).unwrap_err().reason.contains(".csv or .parquet"));
    assert!(screen(&dir.path().join("missing.csv"), 1, 100).unwrap_err().reason.contains("cannot open"));
}

#[test]
fn bad_parquet_values_are_named_by_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let rows = households(100, 2);
    let with = |name: &str, array: ArrayRef| {
        let mut columns = parquet_columns(&rows);
        columns.iter_mut().find(|(n, _)| *n == name).unwrap().1 = array;
        columns
    };
    let mut flags: Vec<i8> = rows.iter().map(|_| 0).collect();
    flags[70] = 3;
    let path = write_parquet(dir.path(), "flag.parquet", with("d_water", Arc::new(Int8Array::from(flags))), 30);
    let e = screen(&path, 2, 0).unwrap_err();
    assert_eq!((e.row, e.column.as_deref()), (71, Some("d_water")), "{e}");
    assert!(e.reason.contains("3 is not 0 or 1") && e.reason.contains("row group 2"), "{e}");

    let mut sizes: Vec<Option<i32>> = rows.iter().map(|h| Some(h.size)).collect();
    sizes[12] = None;
    let path = write_parquet(dir.path(), "null.parquet", with("size", Arc::new(Int32Array::from(sizes))), 30);
    let e = screen(&path, 2, 0).unwrap_err();
    assert_eq!((e.row, e.column.as_deref()), (13, Some("size")), "{e}");
    assert!(e.reason.contains("missing"));

    let mut labor: Vec<i32> = rows.iter().map(|h| h.labor).collect();
    labor[99] = rows[99].size + 1;
    let path = write_parquet(dir.path(), "labor.parquet", with("labor", Arc::new(Int32Array::from(labor))), 30);
    assert_eq!(screen(&path, 2, 0).unwrap_err().row, 100);

    let text: Vec<String> = rows.iter().map(|h| h.income_pc.to_string()).collect();
    let path = write_parquet(dir.path(), "type.parquet", with("income_pc", Arc::new(StringArray::from(text))), 30);
    let e = screen(&path, 2, 0).unwrap_err();
    assert_eq!(e.column.as_deref(), Some("income_pc"));
    assert!(e.reason.contains("must be double"), "{e}");

    let mut columns = parquet_columns(&rows);
    columns.retain(|(n, _)| *n != "d_assets");
    let path = write_parquet(dir.path(), "missing.parquet", columns, 30);
    assert_eq!(screen(&path, 2, 0).unwrap_err().column.as_deref(), Some("d_assets"));

    let path = write(dir.path(), "junk.parquet", "not parquet at all");
    assert!(screen(&path, 2, 0).unwrap_err().reason.contains("not a readable Parquet file"));
}

/// A copy of the Parquet file at `path`, written to `name`, with `value`
/// at `offset` bytes into the first row group's `column` chunk (its
/// dictionary page first, when it has one).
pub(crate) fn corrupt_chunk(path: &Path, name: &str, column: &str, offset: u64, value: u8) -> PathBuf {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let chunk = reader.metadata().row_group(0).columns().iter().find(|c| c.column_path().string() == column).unwrap();
    let (start, len) = chunk.byte_range();
    assert!(offset < len, "{column} has {len} bytes");
    let mut bytes = std::fs::read(path).unwrap();
    bytes[(start + offset) as usize] = value;
    let out = path.with_file_name(name);
    std::fs::write(&out, bytes).unwrap();
    out
}

/// A households file of three row groups whose columns are all
/// dictionary-encoded (the writer's default).
pub(crate) fn dictionary_encoded_file(dir: &Path) -> PathBuf {
    write_parquet(dir, "h.parquet", parquet_columns(&households(200, 2)), 100)
}

#[test]
fn a_corrupted_dictionary_page_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dictionary_encoded_file(dir.path());
    // Byte 1 of the chunk is the dictionary page header's page type (a
    // zigzag varint after the field header 0x15): 0x02 makes the dictionary
    // page an index page, so the data pages refer to a dictionary that was
    // never read, and the parquet crate panicked ("Decoder for dict should
    // have been set").
    let bad = corrupt_chunk(&path, "bad.parquet", "size", 1, 0x02);
    let e = screen(&bad, 2, 0).unwrap_err();
    assert!(e.file.ends_with("bad.parquet"), "{e}");
    assert!(e.reason.contains("row group 0") && e.reason.contains("damaged"), "{e}");
}

#[test]
fn no_single_byte_corruption_of_a_column_chunk_panics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dictionary_encoded_file(dir.path());
    let len = {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
        reader
            .metadata()
            .row_group(0)
            .columns()
            .iter()
            .find(|c| c.column_path().string() == "size")
            .unwrap()
            .byte_range()
            .1
    };
    // 0x12 makes a data page's encoding byte-stream-split, which panicked on
    // a too-short page; 0x02 and the extremes stand for the rest.
    for offset in 0..len {
        for value in [0x00, 0x02, 0x12, 0x7F, 0xFF] {
            let bad = corrupt_chunk(&path, "bad.parquet", "size", offset, value);
            let result = std::panic::catch_unwind(|| screen(&bad, 1, 0).map(|_| ()));
            assert!(result.is_ok(), "byte {offset} = {value:#04x} panicked");
        }
    }
}
