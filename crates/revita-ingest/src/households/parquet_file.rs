//! The Parquet reader: one piece per row group, decoded by the `parquet`
//! crate's Arrow reader in batches, only the needed columns. Each batch is
//! turned column by column into the workers' scratch arrays (the deprivation
//! flags folded into one bit mask per household), then row by row into
//! households.

use std::fs::File;
use std::path::Path;
use std::sync::atomic::Ordering;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int8Type, Int16Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrowPrimitiveType, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ParquetRecordBatchReaderBuilder};
use revita_methods::screening::Household;

use super::{Field, HouseholdSink, Progress, run_pieces};
use crate::RowError;

/// Households decoded at a time: the scratch arrays stay in cache.
const BATCH_ROWS: usize = 16 << 10;

/// A worker's reusable arrays, one batch long, used only where a column's
/// integer width differs from SPEC B1's (the usual columns are read in place).
#[derive(Default)]
struct Scratch {
    village_code: Vec<i64>,
    size: Vec<i32>,
    labor: Vec<i32>,
    deprived: Vec<u16>,
    flag: Vec<i64>,
}

/// The amount columns, in the order of [`Scratch::amounts`].
const AMOUNTS: [Field; 5] =
    [Field::IncomePc, Field::IncomePcPrev, Field::MedicalExp, Field::EducationExp, Field::DisasterLoss];

pub(super) fn scan<S: HouseholdSink>(
    name: &str,
    path: &Path,
    file: &File,
    threads: usize,
    progress: &Progress,
    new_sink: &(impl Fn() -> S + Sync),
) -> Result<Vec<S>, RowError> {
    let whole = |reason: String| RowError::row(name, 0, reason);
    let metadata = ArrowReaderMetadata::load(file, Default::default())
        .map_err(|e| whole(format!("not a readable Parquet file: {e}")))?;
    let schema = metadata.schema().clone();
    let mut roots = Vec::new();
    for field in Field::REQUIRED {
        let Ok(index) = schema.index_of(field.name()) else {
            return Err(RowError::cell(
                name,
                0,
                field.name(),
                "the file has no such column (see SPEC B1 for the columns)",
            ));
        };
        check_type(field, schema.field(index).data_type())
            .map_err(|reason| RowError::cell(name, 0, field.name(), reason))?;
        roots.push(index);
    }
    let mask = ProjectionMask::roots(metadata.parquet_schema(), roots);
    let groups = metadata.metadata().row_groups();
    let first_rows: Vec<u64> = groups
        .iter()
        .scan(0u64, |rows, group| {
            let first = *rows;
            *rows += group.num_rows() as u64;
            Some(first)
        })
        .collect();
    progress.total.store(groups.iter().map(|g| g.num_rows() as u64).sum(), Ordering::Relaxed);

    let workers = run_pieces(
        groups.len(),
        threads,
        || (new_sink(), Scratch::default()),
        |group, (sink, scratch)| {
            // Each piece opens its own handle: handles cloned from one file
            // share its read position, and the reader seeks.
            let input = File::open(path).map_err(|e| whole(format!("cannot read: {e}")))?;
            let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(input, metadata.clone())
                .with_projection(mask.clone())
                .with_row_groups(vec![group])
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|e| whole(format!("row group {group}: {e}")))?;
            let mut first_row = first_rows[group];
            for batch in reader {
                let batch = batch.map_err(|e| whole(format!("row group {group} cannot be decoded: {e}")))?;
                screen_batch(&batch, scratch, sink).map_err(|(offset, column, reason)| RowError {
                    file: name.to_string(),
                    row: first_row + offset as u64 + 1,
                    column: Some(column.to_string()),
                    reason: format!("{reason} (row group {group})"),
                })?;
                first_row += batch.num_rows() as u64;
                progress.done.fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
            }
            Ok::<(), RowError>(())
        },
    )?;
    Ok(workers.into_iter().map(|(sink, _)| sink).collect())
}

/// Whether a column's Arrow type can hold the field: integers of any width
/// for codes, counts and flags; 64-bit floats for amounts.
fn check_type(field: Field, data_type: &DataType) -> Result<(), String> {
    let ok = match field {
        Field::IncomePc | Field::IncomePcPrev | Field::MedicalExp | Field::EducationExp | Field::DisasterLoss => {
            *data_type == DataType::Float64
        }
        _ => matches!(data_type, DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64),
    };
    if ok {
        Ok(())
    } else {
        let wanted = match field {
            Field::IncomePc | Field::IncomePcPrev | Field::MedicalExp | Field::EducationExp | Field::DisasterLoss => {
                "double (float64)"
            }
            _ => "an integer type",
        };
        Err(format!("the column has type {data_type}; it must be {wanted}"))
    }
}

/// A bad value: its offset in the batch, the column and the reason.
type BatchError = (usize, &'static str, String);

fn screen_batch(batch: &RecordBatch, scratch: &mut Scratch, sink: &mut impl HouseholdSink) -> Result<(), BatchError> {
    let column = |field: Field| -> Result<&dyn Array, BatchError> {
        let array = batch.column_by_name(field.name()).expect("projected columns are present").as_ref();
        match array.null_count() {
            0 => Ok(array),
            _ => Err((first_null(array), field.name(), "the value is missing".to_string())),
        }
    };
    let Scratch { village_code, size, labor, deprived, flag } = scratch;
    let village_code = as_i64(column(Field::VillageCode)?, village_code);
    let size = as_i32(column(Field::Size)?, size).map_err(|i| (i, "size", "the value is out of range".to_string()))?;
    let labor =
        as_i32(column(Field::Labor)?, labor).map_err(|i| (i, "labor", "the value is out of range".to_string()))?;
    let mut amounts: [&[f64]; 5] = [&[]; 5];
    for (field, values) in AMOUNTS.iter().zip(&mut amounts) {
        *values = column(*field)?.as_primitive::<Float64Type>().values();
    }
    let [income_pc, income_pc_prev, medical_exp, education_exp, disaster_loss] = amounts;
    deprived.clear();
    deprived.resize(batch.num_rows(), 0);
    for field in Field::REQUIRED {
        if let Field::Deprived(d) = field {
            let values = as_i64(column(field)?, flag);
            if let Some(bad) = values.iter().position(|v| !matches!(v, 0 | 1)) {
                return Err((bad, field.name(), format!("{} is not 0 or 1", values[bad])));
            }
            for (mask, value) in deprived.iter_mut().zip(values) {
                *mask |= (*value as u16) << (d as u16);
            }
        }
    }
    for i in 0..batch.num_rows() {
        let household = Household {
            village_code: village_code[i],
            size: size[i],
            labor: labor[i],
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

/// An integer column as i64 values: in place when it is Int64, else copied
/// into `scratch`.
fn as_i64<'a>(array: &'a dyn Array, scratch: &'a mut Vec<i64>) -> &'a [i64] {
    fn copy<T: ArrowPrimitiveType>(array: &dyn Array, out: &mut Vec<i64>)
    where
        T::Native: Into<i64>,
    {
        out.clear();
        out.extend(array.as_primitive::<T>().values().iter().map(|v| (*v).into()));
    }
    match array.data_type() {
        DataType::Int64 => return array.as_primitive::<Int64Type>().values(),
        DataType::Int8 => copy::<Int8Type>(array, scratch),
        DataType::Int16 => copy::<Int16Type>(array, scratch),
        DataType::Int32 => copy::<Int32Type>(array, scratch),
        other => unreachable!("column types are checked before reading ({other})"),
    }
    scratch
}

/// An integer column as i32 values: in place when it is Int32, else
/// converted into `scratch`; `Err(row)` names a value out of range.
fn as_i32<'a>(array: &'a dyn Array, scratch: &'a mut Vec<i32>) -> Result<&'a [i32], usize> {
    if let DataType::Int32 = array.data_type() {
        return Ok(array.as_primitive::<Int32Type>().values());
    }
    let mut wide = Vec::new();
    let values = as_i64(array, &mut wide);
    scratch.clear();
    for (row, value) in values.iter().enumerate() {
        scratch.push(i32::try_from(*value).map_err(|_| row)?);
    }
    Ok(scratch)
}

fn first_null(array: &dyn Array) -> usize {
    (0..array.len()).find(|i| array.is_null(*i)).unwrap_or(0)
}
