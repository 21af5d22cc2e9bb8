//! CSV records read with `csv_core`'s state machine (the parser under the
//! `csv` crate, with the same defaults: comma, double quotes, any of CRLF,
//! LF or CR ending a record), numbered as a spreadsheet numbers the rows.
//!
//! The `csv` crate numbers records by the line they start on, counting
//! `\n` as it goes; a CRLF's `\n` is only consumed when the next record is
//! read, so its rows came out one too low, and a quoted field over several
//! lines pushed every later row down. Here the row of a record is one more
//! than the line ends before it outside quoted fields: a record is one row
//! however many lines its fields span, and a wholly blank line is a row (a
//! spreadsheet opening the file shows an empty one), though the parser
//! returns no record for it.

use std::io::{BufRead, BufReader, Read};

use csv::StringRecord;
use csv_core::ReadRecordResult;

use crate::limits::Limits;

/// A record that could not be read.
pub(super) enum CsvError {
    /// Reading the input failed: nothing more can be read.
    Io(std::io::Error),
    /// A field is not UTF-8 text; the record is skipped.
    NotUtf8 {
        /// The record's row.
        row: u64,
        /// The field's position in the record.
        field: usize,
    },
    /// The record is beyond a limit; it is skipped (read to its end
    /// without being kept).
    TooBig {
        /// The record's row.
        row: u64,
        /// The field at fault, when one is.
        field: Option<usize>,
        /// Which limit, in words.
        reason: String,
    },
}

/// Counts line ends in text met piece by piece: CRLF, LF and a lone CR
/// each count once, as they each end a record.
#[derive(Default)]
struct LineEnds {
    count: u64,
    /// Whether the last byte seen was a CR, whose LF would not count.
    after_cr: bool,
}

impl LineEnds {
    fn feed(&mut self, bytes: &[u8]) {
        let Some(&first) = bytes.first() else { return };
        if !bytes.contains(&b'\r') {
            // The common case, kept to a count the compiler vectorises.
            let lf = bytes.iter().filter(|b| **b == b'\n').count() as u64;
            self.count += lf - u64::from(self.after_cr && first == b'\n');
            self.after_cr = false;
            return;
        }
        for &b in bytes {
            match b {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' => self.count += 1,
                b'\r' => {
                    self.count += 1;
                    self.after_cr = true;
                }
                _ => self.after_cr = false,
            }
        }
    }
}

/// A stream of CSV records with their rows.
pub(super) struct CsvSource {
    input: BufReader<Box<dyn Read + Send>>,
    parser: csv_core::Reader,
    limits: Limits,
    /// The current record's fields, back to back, and where each ends
    /// (offsets from the record's start, less `Record::base`).
    fields: Vec<u8>,
    ends: Vec<usize>,
    /// Bytes of (UTF-8) input consumed.
    bytes: u64,
    /// Line ends in all the input consumed.
    line_ends: LineEnds,
    /// Line ends inside the fields of the records read (quoted ones).
    line_ends_in_fields: u64,
}

/// Where the reading of one record stands.
#[derive(Default)]
struct Record {
    /// Bytes and field ends in the buffers.
    n_out: usize,
    n_ends: usize,
    /// The record offset of the buffer's first byte: 0 unless the record
    /// is over a limit, when the buffer is reused for what follows.
    base: usize,
    /// Fields ended so far, and the record offset of the current one.
    fields: usize,
    field_start: usize,
    /// Line ends in the current field so far.
    line_ends: LineEnds,
    /// The first limit the record went beyond: the field, and why.
    too_big: Option<(Option<usize>, String)>,
}

impl CsvSource {
    pub(super) fn new(input: Box<dyn Read + Send>, limits: Limits) -> CsvSource {
        CsvSource {
            input: BufReader::with_capacity(64 << 10, input),
            parser: csv_core::Reader::new(),
            limits,
            fields: vec![0; 1024],
            ends: vec![0; 64],
            bytes: 0,
            line_ends: LineEnds::default(),
            line_ends_in_fields: 0,
        }
    }

    /// Bytes read so far.
    pub(super) fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// The row the next record would have if it started now.
    pub(super) fn next_row(&self) -> u64 {
        self.line_ends.count.saturating_sub(self.line_ends_in_fields) + 1
    }

    /// Reads the next record into `record`; returns its row, or `None` at
    /// the end of the input.
    pub(super) fn read(&mut self, record: &mut StringRecord) -> Result<Option<u64>, CsvError> {
        let mut at = Record::default();
        let terminated = loop {
            let input = self.input.fill_buf().map_err(CsvError::Io)?;
            let at_end = input.is_empty();
            let (out_before, ends_before) = (at.n_out, at.n_ends);
            let (result, n_in, out, ends) =
                self.parser.read_record(input, &mut self.fields[at.n_out..], &mut self.ends[at.n_ends..]);
            self.line_ends.feed(&input[..n_in]);
            self.input.consume(n_in);
            self.bytes += n_in as u64;
            at.n_out += out;
            at.n_ends += ends;
            self.count_fields(&mut at, out_before, ends_before);
            match result {
                ReadRecordResult::InputEmpty => {}
                // Over a limit, the buffers are reused: the record is read to
                // its end (to go on with the next) but not kept.
                ReadRecordResult::OutputFull if at.too_big.is_some() => {
                    at.base += at.n_out;
                    at.n_out = 0;
                }
                ReadRecordResult::OutputEndsFull if at.too_big.is_some() => at.n_ends = 0,
                ReadRecordResult::OutputFull => self.fields.resize(self.fields.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                // The parser stops right after a record's line end, so a
                // record found in non-empty input ended with one; at the end
                // of the input the last record may have none.
                ReadRecordResult::Record => break !at_end,
                ReadRecordResult::End => return Ok(None),
            }
        };
        // Line ends outside fields, this record's own included if it has one.
        let outside = self.line_ends.count.saturating_sub(self.line_ends_in_fields);
        let row = if terminated { outside } else { outside + 1 };
        if let Some((field, reason)) = at.too_big {
            return Err(CsvError::TooBig { row, field, reason });
        }
        record.clear();
        let mut start = 0;
        for (field, &end) in self.ends[..at.n_ends].iter().enumerate() {
            let text = std::str::from_utf8(&self.fields[start..end]).map_err(|_| CsvError::NotUtf8 { row, field })?;
            record.push_field(text);
            start = end;
        }
        Ok(Some(row))
    }

    /// Takes in what the parser's last step output (bytes from `out_before`,
    /// field ends from `ends_before`): counts the line ends inside fields,
    /// field by field as each CRLF is one, and checks the limits.
    fn count_fields(&mut self, at: &mut Record, out_before: usize, ends_before: usize) {
        let mut from = out_before;
        for &end in &self.ends[ends_before..at.n_ends] {
            // Ends are record offsets; the buffer starts at `base`.
            let to = end.saturating_sub(at.base).min(at.n_out).max(from);
            at.line_ends.feed(&self.fields[from..to]);
            self.line_ends_in_fields += std::mem::take(&mut at.line_ends).count;
            self.check_field(at, end);
            at.fields += 1;
            at.field_start = end;
            if at.fields > self.limits.columns && at.too_big.is_none() {
                let reason = format!("the row has more than {} fields, the most a row may have", self.limits.columns);
                at.too_big = Some((None, reason));
            }
            from = to;
        }
        // The current field goes on: its count so far is taken, but not
        // whether it ended in a CR, whose LF may come next.
        at.line_ends.feed(&self.fields[from..at.n_out]);
        self.line_ends_in_fields += std::mem::take(&mut at.line_ends.count);
        self.check_field(at, at.base + at.n_out);
    }

    /// Checks the record so far, with its current field ending at `end`.
    fn check_field(&self, at: &mut Record, end: usize) {
        if at.too_big.is_some() {
            return;
        }
        let limits = &self.limits;
        if end - at.field_start > limits.field_bytes {
            let reason = format!(
                "the value is longer than {} bytes, the most a cell may hold (is a quote left open?)",
                limits.field_bytes
            );
            at.too_big = Some((Some(at.fields), reason));
        } else if end > limits.row_bytes {
            at.too_big =
                Some((None, format!("the row is longer than {} bytes, the most a row may hold", limits.row_bytes)));
        }
    }
}
