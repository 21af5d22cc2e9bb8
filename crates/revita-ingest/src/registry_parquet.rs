//! Monitoring-registry households from a Parquet file: the columns of a
//! screening file (`hh_id` as an integer or text), and optionally
//! `head_name`, `id_number` and `phone` as text. Read through the Arrow
//! reader a batch at a time (the registry import is not the hot path the
//! screen is); every value checked as screening checks it, every problem
//! named by row (the household's position in the file) and column.

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int8Type, Int16Type, Int32Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use revita_methods::monitoring::RegisteredHousehold;
use revita_methods::screening::{Deprivation, Household};

use crate::parquet_check::{check_layout, check_pages};
use crate::untrusted::catch_panic;
use crate::{Problems, RowError};

const AMOUNTS: [&str; 5] = ["income_pc", "income_pc_prev", "medical_exp", "education_exp", "disaster_loss"];
/// The deprivation flag columns, in [`Deprivation::ALL`] order.
const FLAGS: [&str; 11] = crate::households::DEPRIVATION_COLUMNS;

/// Reads every household of a Parquet registry file, with its row number
/// (1 for the first household), or all the problems found.
pub fn read_registered_households_parquet(path: &Path) -> Result<Vec<(u64, RegisteredHousehold)>, Problems> {
    let name = path.display().to_string();
    let whole = |reason: String| Problems::from(RowError::row(&name, 0, reason));
    let file = File::open(path).map_err(|e| whole(format!("cannot open: {e}")))?;
    let file_len = file.metadata().map_err(|e| whole(format!("cannot read: {e}")))?.len();
    // The parquet crate panics on some damaged pages (a dictionary page that
    // is not one, a bad byte-stream-split page): the whole read is guarded,
    // and what it collected is dropped with the error.
    catch_panic(|| read_file(&name, file, file_len)).map_err(|reason| whole(format!("cannot be decoded: {reason}")))?
}

fn read_file(name: &str, file: File, file_len: u64) -> Result<Vec<(u64, RegisteredHousehold)>, Problems> {
    let whole = |reason: String| Problems::from(RowError::row(name, 0, reason));
    let unreadable = |reason: String| whole(format!("not a readable Parquet file: {reason}"));
    let headers = file.try_clone().map_err(|e| whole(format!("cannot read: {e}")))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| unreadable(e.to_string()))?;
    check_layout(builder.metadata(), file_len).map_err(unreadable)?;
    // Every page header before any page: the parquet crate allocates what
    // they claim before finding out whether the pages hold it.
    let metadata = builder.metadata();
    for (group, row_group) in metadata.row_groups().iter().enumerate() {
        check_pages(&headers, metadata, group, 0..row_group.num_columns()).map_err(unreadable)?;
    }
    let reader =
        builder.with_batch_size(8192).build().map_err(|e| whole(format!("not a readable Parquet file: {e}")))?;
    let mut rows = Vec::new();
    let mut problems = Problems::default();
    let mut first = 1u64;
    for batch in reader {
        let batch = batch.map_err(|e| whole(format!("cannot be decoded: {e}")))?;
        read_batch(name, &batch, first, &mut rows, &mut problems)?;
        first += batch.num_rows() as u64;
    }
    if problems.is_empty() { Ok(rows) } else { Err(problems) }
}

/// A column of the batch, or the problem of its absence.
fn column<'a>(name: &str, batch: &'a RecordBatch, column: &str) -> Result<&'a dyn Array, Problems> {
    batch
        .column_by_name(column)
        .map(|a| a.as_ref())
        .ok_or_else(|| RowError::cell(name, 0, column, "the file has no such column").into())
}

/// An integer cell of any width, or text digits.
fn int(array: &dyn Array, i: usize) -> Option<i64> {
    if array.is_null(i) {
        return None;
    }
    match array.data_type() {
        DataType::Int8 => Some(i64::from(array.as_primitive::<Int8Type>().value(i))),
        DataType::Int16 => Some(i64::from(array.as_primitive::<Int16Type>().value(i))),
        DataType::Int32 => Some(i64::from(array.as_primitive::<Int32Type>().value(i))),
        DataType::Int64 => Some(array.as_primitive::<Int64Type>().value(i)),
        _ => None,
    }
}

/// A text cell (integers as their digits), `None` for null or absent.
fn text(array: Option<&dyn Array>, i: usize) -> Option<String> {
    let array = array?;
    if array.is_null(i) {
        return None;
    }
    match array.data_type() {
        DataType::Utf8 => Some(array.as_string::<i32>().value(i).to_string()),
        DataType::LargeUtf8 => Some(array.as_string::<i64>().value(i).to_string()),
        _ => int(array, i).map(|v| v.to_string()),
    }
    .filter(|t| !t.trim().is_empty())
}

fn read_batch(
    name: &str,
    batch: &RecordBatch,
    first: u64,
    rows: &mut Vec<(u64, RegisteredHousehold)>,
    problems: &mut Problems,
) -> Result<(), Problems> {
    let id = column(name, batch, "hh_id")?;
    let village = column(name, batch, "village_code")?;
    let size = column(name, batch, "size")?;
    let labor = column(name, batch, "labor")?;
    let amounts = AMOUNTS.iter().map(|c| column(name, batch, c)).collect::<Result<Vec<_>, _>>()?;
    let flags = FLAGS.iter().map(|c| column(name, batch, c)).collect::<Result<Vec<_>, _>>()?;
    let optional = |c: &str| batch.column_by_name(c).map(|a| a.as_ref());
    let (head, id_number, phone) = (optional("head_name"), optional("id_number"), optional("phone"));
    let sources = crate::records::INCOME_SOURCE_COLUMNS.map(optional);
    let site = optional("relocation_site");
    for i in 0..batch.num_rows() {
        let row = first + i as u64;
        let cell = |column: &str, reason: &str| RowError::cell(name, row, column, reason);
        let result = (|| -> Result<RegisteredHousehold, RowError> {
            let id = text(Some(id), i).ok_or_else(|| cell("hh_id", "the value is missing"))?;
            let small = |array: &dyn Array, column: &str| -> Result<i32, RowError> {
                int(array, i)
                    .and_then(|v| i32::try_from(v).ok())
                    .ok_or_else(|| cell(column, "is missing or not a whole number in range"))
            };
            let mut values = [0.0; 5];
            for (k, (array, column)) in amounts.iter().zip(AMOUNTS).enumerate() {
                if array.is_null(i) || *array.data_type() != DataType::Float64 {
                    return Err(cell(column, "is missing or not a double"));
                }
                values[k] = array.as_primitive::<Float64Type>().value(i);
            }
            let mut deprived = 0u16;
            for ((array, column), d) in flags.iter().zip(FLAGS).zip(Deprivation::ALL) {
                match int(*array, i) {
                    Some(0) => {}
                    Some(1) => deprived |= d.bit(),
                    _ => return Err(cell(column, "is not 0 or 1")),
                }
            }
            let household = Household {
                village_code: int(village, i)
                    .ok_or_else(|| cell("village_code", "is missing or not a whole number"))?,
                size: small(size, "size")?,
                labor: small(labor, "labor")?,
                income_pc: values[0],
                income_pc_prev: values[1],
                medical_exp: values[2],
                education_exp: values[3],
                disaster_loss: values[4],
                deprived,
            };
            household.check().map_err(|p| cell(p.column, &p.reason))?;
            Ok(RegisteredHousehold {
                id,
                household,
                head_name: text(head, i),
                id_number: text(id_number, i),
                phone: text(phone, i),
                income_sources: crate::records::income_sources(
                    |k| match sources[k] {
                        Some(array) if !array.is_null(i) => match array.data_type() {
                            DataType::Float64 => Ok(Some(array.as_primitive::<Float64Type>().value(i))),
                            _ => Err(cell(crate::records::INCOME_SOURCE_COLUMNS[k], "is not a double")),
                        },
                        _ => Ok(None),
                    },
                    |k| cell(crate::records::INCOME_SOURCE_COLUMNS[k], "give all four income sources or none"),
                )?,
                relocation_site: text(site, i),
            })
        })();
        match result {
            Ok(h) => rows.push((row, h)),
            Err(e) => problems.push(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::households::tests::{corrupt_chunk, dictionary_encoded_file};

    #[test]
    fn a_corrupted_dictionary_page_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dictionary_encoded_file(dir.path());
        assert_eq!(read_registered_households_parquet(&path).unwrap().len(), 200);
        // The dictionary page of `size` becomes an index page (see the
        // households test of the same name): the Arrow reader panicked too.
        let bad = corrupt_chunk(&path, "bad.parquet", "size", 1, 0x02);
        let problems = read_registered_households_parquet(&bad).unwrap_err();
        let e = &problems.errors[0];
        assert!(e.file.ends_with("bad.parquet") && e.reason.contains("damaged"), "{e}");
    }

    #[test]
    fn a_chunk_outside_the_file_is_refused_before_decoding() {
        use crate::households::tests::{households, parquet_columns, write_parquet};
        let dir = tempfile::tempdir().unwrap();
        let path = write_parquet(dir.path(), "h.parquet", parquet_columns(&households(5_000, 3)), 2_000);
        // Keep the footer but drop the pages: the chunks it describes now
        // lie past the end of the file.
        let bytes = std::fs::read(&path).unwrap();
        let footer_len = u32::from_le_bytes(bytes[bytes.len() - 8..bytes.len() - 4].try_into().unwrap()) as usize;
        let mut cut = b"PAR1".to_vec();
        cut.extend_from_slice(&bytes[bytes.len() - 8 - footer_len..]);
        assert!(cut.len() < bytes.len() / 4, "the pages outweigh the footer");
        let bad = dir.path().join("cut.parquet");
        std::fs::write(&bad, cut).unwrap();
        let problems = read_registered_households_parquet(&bad).unwrap_err();
        assert!(problems.errors[0].reason.contains("does not lie inside the file"), "{}", problems.errors[0]);
    }
}
