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
    /// The current record's fields, back to back, and where each ends.
    fields: Vec<u8>,
    ends: Vec<usize>,
    /// Bytes of (UTF-8) input consumed.
    bytes: u64,
    /// Line ends in all the input consumed.
    line_ends: LineEnds,
    /// Line ends inside the fields of the records read (quoted ones).
    line_ends_in_fields: u64,
}

impl CsvSource {
    pub(super) fn new(input: Box<dyn Read + Send>) -> CsvSource {
        CsvSource {
            input: BufReader::with_capacity(64 << 10, input),
            parser: csv_core::Reader::new(),
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
        let (mut n_out, mut n_ends) = (0, 0);
        let terminated = loop {
            let input = self.input.fill_buf().map_err(CsvError::Io)?;
            let at_end = input.is_empty();
            let (result, n_in, out, ends) =
                self.parser.read_record(input, &mut self.fields[n_out..], &mut self.ends[n_ends..]);
            self.line_ends.feed(&input[..n_in]);
            self.input.consume(n_in);
            self.bytes += n_in as u64;
            n_out += out;
            n_ends += ends;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.fields.resize(self.fields.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                // The parser stops right after a record's line end, so a
                // record found in non-empty input ended with one; at the end
                // of the input the last record may have none.
                ReadRecordResult::Record => break !at_end,
                ReadRecordResult::End => return Ok(None),
            }
        };
        let mut start = 0;
        for &end in &self.ends[..n_ends] {
            let mut inside = LineEnds::default();
            inside.feed(&self.fields[start..end]);
            self.line_ends_in_fields += inside.count;
            start = end;
        }
        // Line ends outside fields, this record's own included if it has one.
        let outside = self.line_ends.count.saturating_sub(self.line_ends_in_fields);
        let row = if terminated { outside } else { outside + 1 };
        record.clear();
        let mut start = 0;
        for (field, &end) in self.ends[..n_ends].iter().enumerate() {
            let text = std::str::from_utf8(&self.fields[start..end]).map_err(|_| CsvError::NotUtf8 { row, field })?;
            record.push_field(text);
            start = end;
        }
        Ok(Some(row))
    }
}
