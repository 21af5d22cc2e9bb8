//! XLSX sheets read in bounded memory and time.
//!
//! calamine's `worksheet_range` builds a dense grid from the first used
//! cell to the last: a 1.5 KB file with cells at A1 and XFD1048576 asks for
//! 17 billion cells and aborts the process. Here the workbook's zip
//! directory is checked first (declared sizes, compression ratios: see
//! [`crate::limits`]; the `zip` crate then fails any part that unpacks past
//! its declared size), the sheet's declared dimension is checked, and the
//! cells are streamed (`XlsxCellReader::next_cell`) into rows no wider than
//! the header, counted against the cell limit as they come.
//!
//! The cell reader borrows the workbook, so the sheet is read on a thread
//! of its own that sends rows in small batches over a bounded channel: a
//! sheet of a million rows is never held in memory. Everything that thread
//! does runs under [`catch_panic`], since calamine does arithmetic on
//! positions read from the file.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use calamine::{DataRef, Dimensions, Reader, Xlsx};

use crate::error::{FileError, RowError};
use crate::limits::{Limits, XLSX_RATIO_FREE_BYTES};
use crate::untrusted::catch_panic;

/// Rows sent at a time, and the text a batch may hold before it is sent.
const BATCH_ROWS: usize = 256;
const BATCH_BYTES: usize = 1 << 20;
/// Batches in flight between the reading thread and the table.
const BATCHES_IN_FLIGHT: usize = 2;

/// What the reading thread produces, in order.
pub(super) enum Item {
    /// A row's cells (as many as the header has) and its row number.
    Row(u64, Vec<String>),
    /// A row that cannot be read; reading goes on.
    Problem(RowError),
    /// A problem after which nothing more can be read.
    Stop(RowError),
    /// The sheet is read.
    End,
}

enum Message {
    /// The header's cells: the first message, unless the file is refused.
    Header(Vec<String>),
    /// The file cannot be read at all.
    Refused(FileError),
    Items(Vec<Item>),
}

/// A sheet being read on its own thread.
pub(super) struct SheetSource {
    file: String,
    messages: Receiver<Message>,
    pending: VecDeque<Item>,
    finished: bool,
    /// Tells the thread to stop when the table is dropped early.
    cancelled: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl SheetSource {
    /// Opens `sheet` (default: the first) of the workbook at `path` and
    /// reads its header.
    pub(super) fn open(
        file: &str,
        path: &Path,
        sheet: Option<&str>,
        limits: Limits,
    ) -> Result<(Vec<String>, SheetSource), FileError> {
        let (sender, messages) = sync_channel(BATCHES_IN_FLIGHT);
        let cancelled = Arc::new(AtomicBool::new(false));
        let mut out = Out { file: file.to_string(), sender, batch: Vec::new(), batch_bytes: 0, header_sent: false };
        let (path, sheet, flag) = (path.to_path_buf(), sheet.map(str::to_string), cancelled.clone());
        let worker = std::thread::Builder::new()
            .name("xlsx-reader".into())
            .spawn(move || {
                let reading = SheetReading { path, sheet, limits, cancelled: flag };
                reading.run(&mut out);
            })
            .map_err(|e| FileError::new(file, format!("cannot start reading the workbook: {e}")))?;
        let source = SheetSource {
            file: file.to_string(),
            messages,
            pending: VecDeque::new(),
            finished: false,
            cancelled,
            worker: Some(worker),
        };
        match source.messages.recv() {
            Ok(Message::Header(header)) => Ok((header, source)),
            Ok(Message::Refused(e)) => Err(e),
            Ok(Message::Items(_)) | Err(_) => Err(FileError::new(file, "the workbook reader stopped unexpectedly")),
        }
    }

    /// The next row or problem, or `None` at the end.
    pub(super) fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                if matches!(item, Item::End | Item::Stop(_)) {
                    self.finished = true;
                }
                return match item {
                    Item::End => None,
                    item => Some(item),
                };
            }
            if self.finished {
                return None;
            }
            match self.messages.recv() {
                Ok(Message::Items(items)) => self.pending.extend(items),
                Ok(Message::Header(_) | Message::Refused(_)) | Err(_) => {
                    self.finished = true;
                    return Some(Item::Stop(RowError::row(&self.file, 0, "the workbook reader stopped unexpectedly")));
                }
            }
        }
    }
}

impl Drop for SheetSource {
    fn drop(&mut self) {
        // Stop the thread and wait for it, so that no reader outlives its
        // table (holding the file open, or working for nobody).
        self.cancelled.store(true, Ordering::Relaxed);
        let (_, closed) = sync_channel(0);
        drop(std::mem::replace(&mut self.messages, closed));
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// The reading thread's side of the channel.
struct Out {
    file: String,
    sender: SyncSender<Message>,
    batch: Vec<Item>,
    batch_bytes: usize,
    header_sent: bool,
}

/// The table is gone: stop reading.
struct Gone;

impl Out {
    fn header(&mut self, header: Vec<String>) -> Result<(), Gone> {
        self.header_sent = true;
        self.sender.send(Message::Header(header)).map_err(|_| Gone)
    }

    fn push(&mut self, item: Item, bytes: usize) -> Result<(), Gone> {
        self.batch.push(item);
        self.batch_bytes += bytes;
        if self.batch.len() >= BATCH_ROWS || self.batch_bytes >= BATCH_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Gone> {
        self.batch_bytes = 0;
        let batch = std::mem::take(&mut self.batch);
        self.sender.send(Message::Items(batch)).map_err(|_| Gone)
    }

    /// Ends the reading with `problem`: the file is refused if its header
    /// has not been sent, else the table stops at that row.
    fn fail(&mut self, row: u64, reason: String) {
        let message = if self.header_sent {
            self.batch.push(Item::Stop(RowError::row(&self.file, row, reason)));
            Message::Items(std::mem::take(&mut self.batch))
        } else {
            Message::Refused(FileError::new(&self.file, reason))
        };
        let _ = self.sender.send(message);
    }
}

/// Why the reading stopped early.
enum Stop {
    /// The table is gone.
    Gone,
    /// The file or sheet cannot be read further: at which row, and why.
    Failed(u64, String),
}

impl From<Gone> for Stop {
    fn from(_: Gone) -> Stop {
        Stop::Gone
    }
}

fn failed(reason: impl Into<String>) -> Stop {
    Stop::Failed(0, reason.into())
}

/// What the reading thread reads.
struct SheetReading {
    path: PathBuf,
    sheet: Option<String>,
    limits: Limits,
    cancelled: Arc<AtomicBool>,
}

impl SheetReading {
    fn run(self, out: &mut Out) {
        match catch_panic(|| self.read(out)) {
            Ok(Ok(())) => {}
            Ok(Err(Stop::Gone)) => {}
            Ok(Err(Stop::Failed(row, reason))) => out.fail(row, reason),
            Err(reason) => out.fail(0, reason),
        }
    }

    fn read(&self, out: &mut Out) -> Result<(), Stop> {
        let file = File::open(&self.path).map_err(|e| failed(format!("cannot open: {e}")))?;
        let mut input = BufReader::new(file);
        check_zip(&mut input, &self.limits).map_err(failed)?;
        input.rewind().map_err(|e| failed(format!("cannot read: {e}")))?;
        let mut workbook: Xlsx<_> = Xlsx::new(input).map_err(|e| failed(format!("cannot read workbook: {e}")))?;
        let names = workbook.sheet_names();
        let name = match self.sheet.as_deref() {
            Some(s) if names.iter().any(|n| n == s) => s.to_string(),
            Some(s) => return Err(failed(format!("no sheet '{s}' (sheets: {})", names.join(", ")))),
            None => names.first().cloned().ok_or_else(|| failed("the workbook has no sheets"))?,
        };
        let mut cells = workbook.worksheet_cells_reader(&name).map_err(|e| failed(format!("sheet '{name}': {e}")))?;
        check_dimension(cells.dimensions(), &self.limits).map_err(|r| failed(format!("sheet '{name}': {r}")))?;
        let file = out.file.clone();
        let mut rows = Rows::new(&file, &self.limits);
        let mut n_cells = 0u64;
        loop {
            if self.cancelled.load(Ordering::Relaxed) {
                return Err(Stop::Gone);
            }
            let cell = match cells.next_cell() {
                Ok(Some(cell)) => cell,
                Ok(None) => break,
                Err(e) => return Err(Stop::Failed(rows.next_row(), format!("sheet '{name}': {e}"))),
            };
            n_cells += 1;
            let (row, column) = cell.get_position();
            let row = u64::from(row) + 1;
            if n_cells > self.limits.xlsx_cells {
                // The rows before this one are whole: they go first.
                rows.end_row(out)?;
                let reason =
                    format!("sheet '{name}' has more than {} cells, the most a sheet may have", self.limits.xlsx_cells);
                return Err(Stop::Failed(row, reason));
            }
            rows.cell(row, column as usize, cell.get_value(), out)?;
        }
        rows.finish(out)?;
        out.push(Item::End, 0)?;
        out.flush()?;
        Ok(())
    }
}

/// Checks an XLSX file's zip directory before anything is unpacked: the
/// parts' declared sizes together, and the compression ratio of each.
fn check_zip<R: Read + Seek>(input: &mut R, limits: &Limits) -> Result<(), String> {
    let archive = zip::ZipArchive::new(input).map_err(|e| format!("cannot read workbook: not an XLSX file ({e})"))?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index_data(i).map_err(|e| format!("cannot read workbook: {e}"))?;
        let (size, packed) = (entry.size(), entry.compressed_size());
        total = total.saturating_add(size);
        if total > limits.xlsx_unpacked_bytes {
            return Err(format!(
                "the workbook unpacks to more than {} bytes, the most a workbook may; save its sheets as CSV",
                limits.xlsx_unpacked_bytes
            ));
        }
        if size > XLSX_RATIO_FREE_BYTES && size / packed.max(1) > limits.xlsx_compression_ratio {
            let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
            return Err(format!(
                "the part '{name}' packs {size} bytes into {packed}, more than {}:1: it is not a real workbook",
                limits.xlsx_compression_ratio
            ));
        }
    }
    Ok(())
}

/// Checks the used range a sheet declares (`<dimension ref="A1:F20">`;
/// absent, it is A1).
fn check_dimension(d: Dimensions, limits: &Limits) -> Result<(), String> {
    let name = || format!("{}{}:{}{}", column_name(d.start.1), d.start.0 + 1, column_name(d.end.1), d.end.0 + 1);
    if u64::from(d.end.0) >= limits.sheet_rows || d.end.1 as usize >= limits.columns {
        return Err(format!(
            "its used range {} reaches beyond row {} or column {}",
            name(),
            limits.sheet_rows,
            column_name(limits.columns.saturating_sub(1) as u32)
        ));
    }
    let rows = u64::from(d.end.0.saturating_sub(d.start.0)) + 1;
    let columns = u64::from(d.end.1.saturating_sub(d.start.1)) + 1;
    if rows.saturating_mul(columns) > limits.xlsx_cells {
        return Err(format!(
            "its used range {} spans more than {} cells, the most a sheet may have; delete the unused rows and columns",
            name(),
            limits.xlsx_cells
        ));
    }
    Ok(())
}

/// A column's letters: 0 is A, 26 is AA, 16,383 is XFD.
pub(super) fn column_name(column: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(column) + 1;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.iter().rev().map(|b| *b as char).collect()
}

/// Cells gathered into rows, the header first.
struct Rows<'l> {
    file: &'l str,
    limits: &'l Limits,
    /// The header's first column and its width, once it is found.
    header: Option<(usize, Vec<String>)>,
    /// The row being gathered (1-based), its cells, its text's length and
    /// its first problem.
    row: u64,
    cells: Vec<String>,
    bytes: usize,
    problem: Option<RowError>,
}

impl<'l> Rows<'l> {
    fn new(file: &'l str, limits: &'l Limits) -> Rows<'l> {
        Rows { file, limits, header: None, row: 0, cells: Vec::new(), bytes: 0, problem: None }
    }

    /// The row a failure now concerns.
    fn next_row(&self) -> u64 {
        self.row.max(1)
    }

    fn cell(&mut self, row: u64, column: usize, value: &DataRef<'_>, out: &mut Out) -> Result<(), Stop> {
        if row != self.row {
            self.end_row(out)?;
            if row < self.row {
                let reason = format!("the cells of row {row} come after row {}; save the file again", self.row);
                return Err(Stop::Failed(self.row, reason));
            }
            self.row = row;
        }
        if row > self.limits.sheet_rows {
            let reason = format!("a cell lies beyond row {}, the last a sheet may have", self.limits.sheet_rows);
            return Err(Stop::Failed(row, reason));
        }
        if matches!(value, DataRef::Empty) || self.problem.is_some() {
            return Ok(());
        }
        let text = super::cell_text(value);
        if text.trim().is_empty() {
            return Ok(());
        }
        match &self.header {
            None => self.header_cell(column, text),
            Some((first, header)) => {
                let (first, width) = (*first, header.len());
                if column < first || column >= first + width {
                    let reason = format!(
                        "the row has a value in column {}, outside the header's columns {} to {}",
                        column_name(column as u32),
                        column_name(first as u32),
                        column_name((first + width - 1) as u32)
                    );
                    self.problem(RowError::row(self.file, row, reason));
                    return Ok(());
                }
                if text.len() > self.limits.field_bytes {
                    let reason = format!(
                        "the value is {} bytes long, more than the {} bytes a cell may hold",
                        text.len(),
                        self.limits.field_bytes
                    );
                    let error = RowError::cell(self.file, row, &header[column - first], reason);
                    self.problem(error);
                    return Ok(());
                }
                self.add_bytes(text.len(), row);
                if self.cells.is_empty() {
                    self.cells.resize(width, String::new());
                }
                self.cells[column - first] = text;
                Ok(())
            }
        }
    }

    /// A cell of the header row (the first row with a value).
    fn header_cell(&mut self, column: usize, text: String) -> Result<(), Stop> {
        if column >= self.limits.columns {
            return Err(failed(format!(
                "the header reaches column {}, beyond the {} columns a file may have",
                column_name(column as u32),
                self.limits.columns
            )));
        }
        if text.len() > self.limits.field_bytes {
            return Err(failed(format!(
                "the header's column {} is {} bytes long, more than the {} bytes a cell may hold",
                column_name(column as u32),
                text.len(),
                self.limits.field_bytes
            )));
        }
        self.bytes += text.len();
        if self.bytes > self.limits.row_bytes {
            return Err(failed(format!(
                "the header is longer than the {} bytes a row may hold",
                self.limits.row_bytes
            )));
        }
        if self.cells.len() <= column {
            self.cells.resize(column + 1, String::new());
        }
        self.cells[column] = text;
        Ok(())
    }

    fn add_bytes(&mut self, bytes: usize, row: u64) {
        self.bytes += bytes;
        if self.bytes > self.limits.row_bytes {
            let reason = format!("the row is longer than the {} bytes a row may hold", self.limits.row_bytes);
            self.problem(RowError::row(self.file, row, reason));
        }
    }

    fn problem(&mut self, error: RowError) {
        if self.problem.is_none() {
            self.problem = Some(error);
        }
        // The row will not be kept: its cells need not be either.
        self.cells = Vec::new();
    }

    /// Sends the row gathered, if it has anything.
    fn end_row(&mut self, out: &mut Out) -> Result<(), Stop> {
        let cells = std::mem::take(&mut self.cells);
        let bytes = std::mem::take(&mut self.bytes);
        if let Some(problem) = self.problem.take() {
            return Ok(out.push(Item::Problem(problem), 0)?);
        }
        if cells.is_empty() {
            return Ok(());
        }
        match &self.header {
            Some(_) => out.push(Item::Row(self.row, cells), bytes)?,
            None => {
                // The header: from its first cell with a value to its last.
                let first = cells.iter().position(|c| !c.trim().is_empty()).unwrap_or(0);
                let last = cells.iter().rposition(|c| !c.trim().is_empty()).unwrap_or(0);
                let header: Vec<String> = cells[first..=last.max(first)].iter().map(|h| h.trim().to_string()).collect();
                out.header(header.clone())?;
                self.header = Some((first, header));
            }
        }
        Ok(())
    }

    /// Sends the last row; a sheet without a header is refused.
    fn finish(&mut self, out: &mut Out) -> Result<(), Stop> {
        self.end_row(out)?;
        if self.header.is_none() {
            return Err(failed("the file is empty (no header row)"));
        }
        Ok(())
    }
}
