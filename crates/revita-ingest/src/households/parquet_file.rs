//! The Parquet reader: one piece per row group. Each worker decodes the
//! needed column chunks with the `parquet` crate's typed column readers
//! straight into its own reusable buffers, a batch of rows at a time (no
//! Arrow arrays are built), folds the eleven deprivation flags into one bit
//! mask per household, then feeds the households to its sink.

use std::fs::File;
use std::path::Path;
use std::sync::atomic::Ordering;

use parquet::basic::Type as PhysicalType;
use parquet::column::reader::ColumnReader;
use parquet::file::reader::{FileReader, SerializedFileReader};
use revita_methods::screening::Household;

use super::{Field, HouseholdSink, Progress, run_pieces};
use crate::RowError;
use crate::parquet_check::{check_layout, check_pages};
use crate::untrusted::catch_panic;

/// Households decoded at a time: a batch of every column stays in cache.
const BATCH_ROWS: usize = 16 << 10;

/// A column's decoded values, in its physical type.
enum Values {
    I32(Vec<i32>),
    I64(Vec<i64>),
    F64(Vec<f64>),
}

impl Values {
    fn for_type(physical: PhysicalType) -> Values {
        match physical {
            PhysicalType::INT32 => Values::I32(Vec::with_capacity(BATCH_ROWS)),
            PhysicalType::INT64 => Values::I64(Vec::with_capacity(BATCH_ROWS)),
            _ => Values::F64(Vec::with_capacity(BATCH_ROWS)),
        }
    }

    /// The value at `row` as an integer (for messages and conversions).
    fn int(&self, row: usize) -> i64 {
        match self {
            Values::I32(v) => i64::from(v[row]),
            Values::I64(v) => v[row],
            Values::F64(v) => v[row] as i64,
        }
    }
}

/// Where one needed field lives in the file.
#[derive(Clone, Copy)]
struct Column {
    field: Field,
    leaf: usize,
    physical: PhysicalType,
}

/// A worker's reusable buffers: one per needed column, plus the definition
/// levels (to find nulls) and the folded deprivation masks.
struct Scratch {
    values: Vec<Values>,
    levels: Vec<i16>,
    village_code: Vec<i64>,
    size: Vec<i32>,
    labor: Vec<i32>,
    deprived: Vec<u16>,
}

/// A bad value: its offset in the batch, the column and the reason.
type BatchError = (usize, &'static str, String);

/// Why a batch could not be read.
enum ReadError {
    /// The file is damaged or not what its metadata says.
    Broken(String),
    /// A value is missing.
    Bad(BatchError),
}

pub(super) fn scan<S: HouseholdSink>(
    name: &str,
    path: &Path,
    file: &File,
    threads: usize,
    progress: &Progress,
    new_sink: &(impl Fn() -> S + Sync),
) -> Result<Vec<S>, RowError> {
    let whole = |reason: String| RowError::row(name, 0, reason);
    let unreadable = |reason: String| whole(format!("not a readable Parquet file: {reason}"));
    let file_len = file.metadata().map_err(|e| whole(format!("cannot read: {e}")))?.len();
    let input = file.try_clone().map_err(|e| whole(format!("cannot read: {e}")))?;
    let reader =
        catch_panic(|| SerializedFileReader::new(input)).map_err(unreadable)?.map_err(|e| unreadable(e.to_string()))?;
    check_layout(reader.metadata(), file_len).map_err(unreadable)?;
    let columns = plan(name, &reader)?;
    let groups = reader.metadata().row_groups();
    let first_rows: Vec<u64> = groups
        .iter()
        .scan(0u64, |rows, group| {
            let first = *rows;
            // Saturating: counts come from the file (checked non-negative, not small).
            *rows = rows.saturating_add(group.num_rows() as u64);
            Some(first)
        })
        .collect();
    let total = groups.iter().fold(0u64, |total, g| total.saturating_add(g.num_rows() as u64));
    progress.total.store(total, Ordering::Relaxed);

    let new_scratch = || Scratch {
        values: columns.iter().map(|c| Values::for_type(c.physical)).collect(),
        levels: Vec::with_capacity(BATCH_ROWS),
        village_code: Vec::new(),
        size: Vec::new(),
        labor: Vec::new(),
        deprived: Vec::with_capacity(BATCH_ROWS),
    };
    let workers = run_pieces(
        groups.len(),
        threads,
        || (new_sink(), new_scratch()),
        |group, (sink, scratch)| {
            // The parquet crate panics on some damaged pages (a dictionary
            // page that is not one, a bad byte-stream-split page); such a
            // row group is reported, and the sink, which may have taken part
            // of it, is dropped with the scan's error.
            let at = RowGroup { name, path, group, first_row: first_rows[group], columns: &columns, progress };
            catch_panic(|| at.read(sink, scratch)).map_err(|reason| whole(format!("row group {group}: {reason}")))?
        },
    )?;
    Ok(workers.into_iter().map(|(sink, _)| sink).collect())
}

/// One row group to read: a piece of the scan.
struct RowGroup<'a> {
    name: &'a str,
    path: &'a Path,
    group: usize,
    /// Rows before it in the file.
    first_row: u64,
    columns: &'a [Column],
    progress: &'a Progress,
}

impl RowGroup<'_> {
    fn read(&self, sink: &mut impl HouseholdSink, scratch: &mut Scratch) -> Result<(), RowError> {
        let (name, group) = (self.name, self.group);
        let whole = |reason: String| RowError::row(name, 0, reason);
        // Each piece opens its own handle: handles cloned from one file
        // share its read position, and the reader seeks.
        let input = File::open(self.path).map_err(|e| whole(format!("cannot read: {e}")))?;
        let headers = input.try_clone().map_err(|e| whole(format!("cannot read: {e}")))?;
        let reader = SerializedFileReader::new(input).map_err(|e| whole(format!("cannot read: {e}")))?;
        // The page headers first: the parquet crate allocates what they
        // claim before finding out whether the pages hold it.
        check_pages(&headers, reader.metadata(), group, self.columns.iter().map(|c| c.leaf))
            .map_err(|reason| whole(format!("not a readable Parquet file: {reason}")))?;
        let row_group = reader.get_row_group(group).map_err(|e| whole(format!("row group {group}: {e}")))?;
        let mut readers = self
            .columns
            .iter()
            .map(|c| row_group.get_column_reader(c.leaf))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| whole(format!("row group {group}: {e}")))?;
        let mut first_row = self.first_row;
        loop {
            let at = |(offset, column, reason): BatchError| RowError {
                file: name.to_string(),
                row: first_row + offset as u64 + 1,
                column: Some(column.to_string()),
                reason: format!("{reason} (row group {group})"),
            };
            let rows = read_batch(self.columns, &mut readers, scratch).map_err(|e| match e {
                ReadError::Broken(reason) => whole(format!("row group {group}: {reason}")),
                ReadError::Bad(bad) => at(bad),
            })?;
            if rows == 0 {
                return Ok(());
            }
            screen_batch(self.columns, rows, scratch, sink).map_err(at)?;
            first_row += rows as u64;
            self.progress.done.fetch_add(rows as u64, Ordering::Relaxed);
        }
    }
}

/// Finds every needed column and checks its physical type: 64-bit floats for
/// amounts, 32- or 64-bit integers (any logical width) for the rest.
fn plan(name: &str, reader: &SerializedFileReader<File>) -> Result<Vec<Column>, RowError> {
    let schema = reader.metadata().file_metadata().schema_descr();
    let mut columns = Vec::new();
    for field in Field::REQUIRED {
        let Some(leaf) = schema.columns().iter().position(|c| c.path().string() == field.name()) else {
            return Err(RowError::cell(
                name,
                0,
                field.name(),
                "the file has no such column (see SPEC B1 for the columns)",
            ));
        };
        let physical = schema.column(leaf).physical_type();
        let amount = matches!(
            field,
            Field::IncomePc | Field::IncomePcPrev | Field::MedicalExp | Field::EducationExp | Field::DisasterLoss
        );
        let fits = if amount {
            physical == PhysicalType::DOUBLE
        } else {
            matches!(physical, PhysicalType::INT32 | PhysicalType::INT64)
        };
        if !fits {
            let wanted = if amount { "double (float64)" } else { "an integer type" };
            return Err(RowError::cell(
                name,
                0,
                field.name(),
                format!("the column has type {physical}; it must be {wanted}"),
            ));
        }
        columns.push(Column { field, leaf, physical });
    }
    Ok(columns)
}

/// Reads the next batch of every column into the scratch buffers; returns
/// the rows read (0 at the end of the row group).
fn read_batch(columns: &[Column], readers: &mut [ColumnReader], scratch: &mut Scratch) -> Result<usize, ReadError> {
    let mut rows = None;
    for ((column, reader), values) in columns.iter().zip(readers).zip(&mut scratch.values) {
        let levels = &mut scratch.levels;
        levels.clear();
        let read = match (reader, values) {
            (ColumnReader::Int32ColumnReader(r), Values::I32(v)) => {
                v.clear();
                r.read_records(BATCH_ROWS, Some(levels), None, v)
            }
            (ColumnReader::Int64ColumnReader(r), Values::I64(v)) => {
                v.clear();
                r.read_records(BATCH_ROWS, Some(levels), None, v)
            }
            (ColumnReader::DoubleColumnReader(r), Values::F64(v)) => {
                v.clear();
                r.read_records(BATCH_ROWS, Some(levels), None, v)
            }
            _ => unreachable!("buffers are made for each column's physical type"),
        };
        let (records, values_read, _) =
            read.map_err(|e| ReadError::Broken(format!("column {}: {e}", column.field.name())))?;
        if values_read < records {
            let null = levels.iter().position(|l| *l == 0).unwrap_or(0);
            return Err(ReadError::Bad((null, column.field.name(), "the value is missing".to_string())));
        }
        match rows {
            None => rows = Some(records),
            Some(n) if n != records => {
                return Err(ReadError::Broken("its columns have different numbers of rows".to_string()));
            }
            Some(_) => {}
        }
    }
    Ok(rows.unwrap_or(0))
}

/// Turns a decoded batch into households for the sink.
fn screen_batch(
    columns: &[Column],
    rows: usize,
    scratch: &mut Scratch,
    sink: &mut impl HouseholdSink,
) -> Result<(), BatchError> {
    let Scratch { values, deprived, village_code, size, labor, .. } = scratch;
    deprived.clear();
    deprived.resize(rows, 0);
    let mut amounts: [&[f64]; 5] = [&[]; 5];
    let (mut village, mut sizes, mut labors): (&[i64], &[i32], &[i32]) = (&[], &[], &[]);
    for (column, values) in columns.iter().zip(values.iter()) {
        match column.field {
            Field::VillageCode => village = as_i64(values, village_code),
            Field::Size => sizes = as_i32(values, size).map_err(|i| out_of_range(i, "size", values))?,
            Field::Labor => labors = as_i32(values, labor).map_err(|i| out_of_range(i, "labor", values))?,
            Field::IncomePc => amounts[0] = doubles(values),
            Field::IncomePcPrev => amounts[1] = doubles(values),
            Field::MedicalExp => amounts[2] = doubles(values),
            Field::EducationExp => amounts[3] = doubles(values),
            Field::DisasterLoss => amounts[4] = doubles(values),
            Field::Deprived(d) => fold_flag(values, d as u16, deprived)
                .map_err(|i| (i, column.field.name(), format!("{} is not 0 or 1", values.int(i))))?,
        }
    }
    let [income_pc, income_pc_prev, medical_exp, education_exp, disaster_loss] = amounts;
    for i in 0..rows {
        let household = Household {
            village_code: village[i],
            size: sizes[i],
            labor: labors[i],
            income_pc: income_pc[i],
            income_pc_prev: income_pc_prev[i],
            medical_exp: medical_exp[i],
            education_exp: education_exp[i],
            disaster_loss: disaster_loss[i],
            deprived: deprived[i],
        };
        household.check().map_err(|p| (i, p.column, p.reason))?;
        sink.add(&household);
    }
    Ok(())
}

fn out_of_range(row: usize, column: &'static str, values: &Values) -> BatchError {
    (row, column, format!("{} is out of range", values.int(row)))
}

fn doubles(values: &Values) -> &[f64] {
    match values {
        Values::F64(v) => v,
        _ => unreachable!("amount columns are checked to be doubles"),
    }
}

/// An integer column as i64: in place when it is INT64, else widened into
/// `scratch`.
fn as_i64<'a>(values: &'a Values, scratch: &'a mut Vec<i64>) -> &'a [i64] {
    match values {
        Values::I64(v) => v,
        Values::I32(v) => {
            scratch.clear();
            scratch.extend(v.iter().map(|x| i64::from(*x)));
            scratch
        }
        Values::F64(_) => unreachable!("integer columns are checked to be integers"),
    }
}

/// An integer column as i32: in place when it is INT32, else narrowed into
/// `scratch`; `Err(row)` names a value out of range.
fn as_i32<'a>(values: &'a Values, scratch: &'a mut Vec<i32>) -> Result<&'a [i32], usize> {
    match values {
        Values::I32(v) => Ok(v),
        Values::I64(v) => {
            scratch.clear();
            for (row, x) in v.iter().enumerate() {
                scratch.push(i32::try_from(*x).map_err(|_| row)?);
            }
            Ok(scratch)
        }
        Values::F64(_) => unreachable!("integer columns are checked to be integers"),
    }
}

/// ORs a 0/1 column into the masks at `bit`; `Err(row)` names a value that
/// is neither.
fn fold_flag(values: &Values, bit: u16, masks: &mut [u16]) -> Result<(), usize> {
    fn fold<T: Copy + Into<i64>>(values: &[T], bit: u16, masks: &mut [u16]) -> Result<(), usize> {
        let mut bad = false;
        for (mask, value) in masks.iter_mut().zip(values) {
            let value: i64 = (*value).into();
            bad |= !matches!(value, 0 | 1);
            *mask |= ((value & 1) as u16) << bit;
        }
        match bad {
            false => Ok(()),
            true => Err(values.iter().position(|v| !matches!((*v).into(), 0 | 1)).unwrap_or(0)),
        }
    }
    match values {
        Values::I32(v) => fold(v, bit, masks),
        Values::I64(v) => fold(v, bit, masks),
        Values::F64(_) => unreachable!("flag columns are checked to be integers"),
    }
}
