//! Parquet as a table: the schema's field names are the header, each row's
//! values become text cells (numbers in their shortest exact form, dates as
//! ISO dates, nulls as empty cells), so that a Parquet file imports like the
//! CSV or XLSX of the same table — in particular revita's own Parquet
//! exports import again.
//!
//! The file is untrusted: its footer's layout and every page header are
//! checked before any page is decoded (the parquet crate allocates what a
//! header claims), decoding runs under a panic guard, and a cell longer than
//! the field limit ([`Limits::field_bytes`]) is refused like a CSV field.

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type,
    UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

use super::sheet::Item;
use crate::error::{FileError, RowError};
use crate::limits::Limits;
use crate::parquet_check::{check_layout, check_pages};
use crate::untrusted::catch_panic;

/// Rows decoded at a time.
const BATCH_ROWS: usize = 8192;

/// A Parquet file being read row by row.
pub(crate) struct ParquetSource {
    file: String,
    reader: ParquetRecordBatchReader,
    batch: Option<RecordBatch>,
    /// The next row of `batch`.
    offset: usize,
    /// The spreadsheet row number of the next record (the header is row 1).
    next_row: u64,
    limits: Limits,
}

impl ParquetSource {
    /// Opens the file: checks its layout and page headers and that every
    /// column has a type that reads as text; returns the header.
    pub(crate) fn open(file: &str, path: &Path, limits: Limits) -> Result<(Vec<String>, ParquetSource), FileError> {
        let unreadable = |reason: String| FileError::new(file, format!("not a readable Parquet file: {reason}"));
        let input = File::open(path).map_err(|e| FileError::new(file, format!("cannot open: {e}")))?;
        let length = input.metadata().map_err(|e| FileError::new(file, format!("cannot read: {e}")))?.len();
        let headers = input.try_clone().map_err(|e| FileError::new(file, format!("cannot read: {e}")))?;
        let opened = catch_panic(|| -> Result<_, FileError> {
            let builder = ParquetRecordBatchReaderBuilder::try_new(input).map_err(|e| unreadable(e.to_string()))?;
            check_layout(builder.metadata(), length).map_err(unreadable)?;
            let metadata = builder.metadata().clone();
            for (group, row_group) in metadata.row_groups().iter().enumerate() {
                check_pages(&headers, &metadata, group, 0..row_group.num_columns()).map_err(unreadable)?;
            }
            let schema = builder.schema().clone();
            if schema.fields().len() > limits.columns {
                return Err(FileError::new(
                    file,
                    format!(
                        "the file has {} columns, more than the {} accepted",
                        schema.fields().len(),
                        limits.columns
                    ),
                ));
            }
            if let Some(field) = schema.fields().iter().find(|f| !readable(f.data_type())) {
                return Err(FileError::new(
                    file,
                    format!(
                        "column '{}' holds {}, which is not read: write it as text, a number or a date",
                        field.name(),
                        field.data_type()
                    ),
                ));
            }
            let header = schema.fields().iter().map(|f| f.name().trim().to_string()).collect();
            let reader = builder.with_batch_size(BATCH_ROWS).build().map_err(|e| unreadable(e.to_string()))?;
            Ok((header, reader))
        })
        .map_err(unreadable)??;
        let (header, reader) = opened;
        let source = ParquetSource { file: file.to_string(), reader, batch: None, offset: 0, next_row: 2, limits };
        Ok((header, source))
    }

    /// The next row, or `None` at the end.
    pub(crate) fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(batch) = &self.batch
                && self.offset < batch.num_rows()
            {
                let (row, offset) = (self.next_row, self.offset);
                self.offset += 1;
                self.next_row += 1;
                return Some(self.row(batch, offset, row));
            }
            let file = &self.file;
            let next_row = self.next_row;
            match catch_panic(|| self.reader.next()) {
                Ok(None) => return None,
                Ok(Some(Ok(batch))) => {
                    self.batch = Some(batch);
                    self.offset = 0;
                }
                Ok(Some(Err(e))) => {
                    return Some(Item::Stop(RowError::row(file, next_row, format!("cannot be decoded: {e}"))));
                }
                Err(reason) => {
                    return Some(Item::Stop(RowError::row(file, next_row, format!("cannot be decoded: {reason}"))));
                }
            }
        }
    }

    fn row(&self, batch: &RecordBatch, offset: usize, row: u64) -> Item {
        let mut cells = Vec::with_capacity(batch.num_columns());
        for (k, column) in batch.columns().iter().enumerate() {
            let text = cell_text(column.as_ref(), offset);
            if text.len() > self.limits.field_bytes {
                let name = batch.schema().field(k).name().clone();
                let reason = format!("the value is longer than {} bytes", self.limits.field_bytes);
                return Item::Problem(RowError::cell(&self.file, row, &name, reason));
            }
            cells.push(text);
        }
        Item::Row(row, cells)
    }
}

/// Whether a column of this type reads as text cells.
fn readable(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Boolean
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Float32
            | DataType::Float64
            | DataType::Date32
            | DataType::Null
    )
}

/// A value as text: numbers in their shortest exact form (`100`, `2.5`),
/// dates as ISO dates, a null as an empty cell.
fn cell_text(column: &dyn Array, i: usize) -> String {
    if column.is_null(i) {
        return String::new();
    }
    match column.data_type() {
        DataType::Utf8 => column.as_string::<i32>().value(i).to_string(),
        DataType::LargeUtf8 => column.as_string::<i64>().value(i).to_string(),
        DataType::Utf8View => column.as_string_view().value(i).to_string(),
        DataType::Boolean => column.as_boolean().value(i).to_string(),
        DataType::Int8 => column.as_primitive::<Int8Type>().value(i).to_string(),
        DataType::Int16 => column.as_primitive::<Int16Type>().value(i).to_string(),
        DataType::Int32 => column.as_primitive::<Int32Type>().value(i).to_string(),
        DataType::Int64 => column.as_primitive::<Int64Type>().value(i).to_string(),
        DataType::UInt8 => column.as_primitive::<UInt8Type>().value(i).to_string(),
        DataType::UInt16 => column.as_primitive::<UInt16Type>().value(i).to_string(),
        DataType::UInt32 => column.as_primitive::<UInt32Type>().value(i).to_string(),
        DataType::UInt64 => column.as_primitive::<UInt64Type>().value(i).to_string(),
        DataType::Float32 => column.as_primitive::<Float32Type>().value(i).to_string(),
        DataType::Float64 => column.as_primitive::<Float64Type>().value(i).to_string(),
        DataType::Date32 => {
            revita_methods::Date::from_days_since_epoch(i64::from(column.as_primitive::<Date32Type>().value(i)))
                .to_string()
        }
        _ => String::new(),
    }
}
