//! Household files for screening (the columns of `bench/SPEC.md` B1), read in
//! parallel and streamed into per-worker sinks.
//!
//! Both formats are read in independent pieces — byte ranges of a CSV file,
//! row groups of a Parquet file — claimed in order by a fixed set of worker
//! threads. Each worker owns one reusable buffer and one sink, so memory is
//! bounded by `threads × (buffer + sink)` whatever the number of households,
//! and nothing is allocated per row. Rows are checked as they are read
//! ([`Household::check`]); the first bad row in file order is reported with
//! its row and column.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use revita_methods::screening::{CountyTallies, Deprivation, Household, Tally};

mod csv_file;
mod parquet_file;

#[cfg(test)]
pub(crate) mod tests;

pub use self::csv_file::CSV_CHUNK_BYTES;

/// Where screened households go: one sink per worker thread, merged by the
/// caller when every worker is done.
pub trait HouseholdSink: Send {
    /// Takes one checked household.
    fn add(&mut self, household: &Household);
}

impl HouseholdSink for CountyTallies {
    #[inline]
    fn add(&mut self, household: &Household) {
        CountyTallies::add(self, household)
    }
}

/// How far a scan has got, for a progress bar: units are bytes for CSV and
/// households for Parquet; `total` is known once the scan has opened the file.
#[derive(Debug, Default)]
pub struct Progress {
    /// Units done so far.
    pub done: AtomicU64,
    /// Units in the whole file.
    pub total: AtomicU64,
}

/// The file formats a household file can have, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HouseholdFormat {
    /// Comma-separated text with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
}

impl HouseholdFormat {
    /// The format named by a file's extension (`.csv`, `.parquet`/`.pq`).
    pub fn from_path(path: &Path) -> Option<HouseholdFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(HouseholdFormat::Csv),
            "parquet" | "pq" => Some(HouseholdFormat::Parquet),
            _ => None,
        }
    }
}

/// The role of a column of a household file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    VillageCode,
    Size,
    Labor,
    IncomePc,
    IncomePcPrev,
    MedicalExp,
    EducationExp,
    DisasterLoss,
    Deprived(Deprivation),
}

impl Field {
    /// Every column the screen needs. (`hh_id` is not needed and not read.)
    const REQUIRED: [Field; 19] = {
        let mut fields = [Field::VillageCode; 19];
        let scalars = [
            Field::VillageCode,
            Field::Size,
            Field::Labor,
            Field::IncomePc,
            Field::IncomePcPrev,
            Field::MedicalExp,
            Field::EducationExp,
            Field::DisasterLoss,
        ];
        let mut i = 0;
        while i < 8 {
            fields[i] = scalars[i];
            i += 1;
        }
        while i < 19 {
            fields[i] = Field::Deprived(Deprivation::ALL[i - 8]);
            i += 1;
        }
        fields
    };

    fn name(self) -> &'static str {
        match self {
            Field::VillageCode => "village_code",
            Field::Size => "size",
            Field::Labor => "labor",
            Field::IncomePc => "income_pc",
            Field::IncomePcPrev => "income_pc_prev",
            Field::MedicalExp => "medical_exp",
            Field::EducationExp => "education_exp",
            Field::DisasterLoss => "disaster_loss",
            Field::Deprived(d) => DEPRIVATION_COLUMNS[d as usize],
        }
    }

    fn by_name(name: &str) -> Option<Field> {
        Field::REQUIRED.into_iter().find(|f| f.name() == name)
    }
}

/// Column names of the deprivation flags, in [`Deprivation::ALL`] order.
pub(crate) const DEPRIVATION_COLUMNS: [&str; 11] = [
    "d_nutrition",
    "d_child_mortality",
    "d_schooling",
    "d_attendance",
    "d_cooking",
    "d_sanitation",
    "d_water",
    "d_electricity",
    "d_housing",
    "d_assets",
    "d_health_ins",
];

/// Reads the household file at `path` with `threads` workers, each feeding a
/// sink made by `new_sink`, and returns the sinks. The format follows the
/// extension. Fails with the first bad row in file order.
pub fn scan<S: HouseholdSink>(
    path: &Path,
    threads: usize,
    progress: &Progress,
    new_sink: impl Fn() -> S + Sync,
) -> Result<Vec<S>, crate::RowError> {
    scan_in_pieces(path, threads, CSV_CHUNK_BYTES, progress, new_sink)
}

/// [`scan`] with CSV pieces of `chunk_bytes` (tests cut files finely to put
/// lines across piece boundaries).
fn scan_in_pieces<S: HouseholdSink>(
    path: &Path,
    threads: usize,
    chunk_bytes: usize,
    progress: &Progress,
    new_sink: impl Fn() -> S + Sync,
) -> Result<Vec<S>, crate::RowError> {
    let name = path.display().to_string();
    let format = HouseholdFormat::from_path(path).ok_or_else(|| {
        crate::RowError::row(&name, 0, "a household file must be .csv or .parquet (the extension names the format)")
    })?;
    let file = File::open(path).map_err(|e| crate::RowError::row(&name, 0, format!("cannot open: {e}")))?;
    let threads = threads.max(1);
    match format {
        HouseholdFormat::Csv => csv_file::scan(&name, &file, threads, chunk_bytes, progress, &new_sink),
        HouseholdFormat::Parquet => parquet_file::scan(&name, path, &file, threads, progress, &new_sink),
    }
}

/// Pieces of work claimed in order by workers, and the first failure among
/// them: once piece `i` fails, pieces after `i` are skipped, but the pieces
/// before it still run, so the error kept is the first in the file.
struct Pieces<E> {
    count: usize,
    next: AtomicUsize,
    first_failed: AtomicUsize,
    failure: Mutex<Option<(usize, E)>>,
}

impl<E> Pieces<E> {
    fn new(count: usize) -> Pieces<E> {
        Pieces {
            count,
            next: AtomicUsize::new(0),
            first_failed: AtomicUsize::new(usize::MAX),
            failure: Mutex::new(None),
        }
    }

    /// The next piece to read, or `None` when there is none worth reading.
    fn claim(&self) -> Option<usize> {
        let piece = self.next.fetch_add(1, Ordering::Relaxed);
        (piece < self.count && piece < self.first_failed.load(Ordering::Relaxed)).then_some(piece)
    }

    fn fail(&self, piece: usize, error: E) {
        self.first_failed.fetch_min(piece, Ordering::Relaxed);
        let mut failure = self.failure.lock().unwrap_or_else(|e| e.into_inner());
        if failure.as_ref().is_none_or(|(first, _)| piece < *first) {
            *failure = Some((piece, error));
        }
    }

    fn into_failure(self) -> Option<E> {
        self.failure.into_inner().unwrap_or_else(|e| e.into_inner()).map(|(_, e)| e)
    }
}

/// Runs `work` for every piece on `threads` scoped workers, each with its own
/// state (a sink and its buffers), and returns the workers' states, or the
/// first piece's failure in file order.
fn run_pieces<W: Send, E: Send>(
    pieces: usize,
    threads: usize,
    new_worker: impl Fn() -> W + Sync,
    work: impl Fn(usize, &mut W) -> Result<(), E> + Sync,
) -> Result<Vec<W>, E> {
    let plan = Pieces::new(pieces);
    let workers = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.min(pieces).max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut worker = new_worker();
                    while let Some(piece) = plan.claim() {
                        if let Err(e) = work(piece, &mut worker) {
                            plan.fail(piece, e);
                            break;
                        }
                    }
                    worker
                })
            })
            .collect();
        handles.into_iter().map(|w| w.join().expect("a screening worker panicked")).collect::<Vec<_>>()
    });
    match plan.into_failure() {
        Some(e) => Err(e),
        None => Ok(workers),
    }
}

/// Reads exactly `buf.len()` bytes at `offset` (or fewer at the end of the
/// file), returning how many were read.
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read_at(&mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The columns of the county screening table (SPEC B1's `county_screen.csv`).
pub const COUNTY_SCREEN_COLUMNS: [&str; 22] = [
    "county",
    "households",
    "people",
    "flagged",
    "f_income",
    "f_drop",
    "f_expense",
    "f_guarantee",
    "mpi_poor_people",
    "H",
    "A",
    "M0",
    "ch_nutrition",
    "ch_child_mortality",
    "ch_schooling",
    "ch_attendance",
    "ch_cooking",
    "ch_sanitation",
    "ch_water",
    "ch_electricity",
    "ch_housing",
    "ch_assets",
];

/// Writes the county screening table of SPEC B1 to `path`: one row per
/// county in the order given, counts as integers, ratios with six decimals.
/// The file is written as `<path>.partial` and renamed only when complete,
/// so a failed run never leaves a half-written table.
pub fn write_county_screen(path: &Path, counties: &[(u32, Tally)]) -> std::io::Result<()> {
    use std::io::Write;
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let result = (|| {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, File::create(&partial)?);
        writeln!(out, "{}", COUNTY_SCREEN_COLUMNS.join(","))?;
        for (county, t) in counties {
            write!(
                out,
                "{county},{},{},{},{},{},{},{},{},{:.6},{:.6},{:.6}",
                t.households,
                t.people,
                t.flagged,
                t.f_income,
                t.f_drop,
                t.f_expense,
                t.f_guarantee,
                t.mpi_poor_people,
                t.headcount(),
                t.intensity(),
                t.m0()
            )?;
            for share in t.censored_headcounts() {
                write!(out, ",{share:.6}")?;
            }
            writeln!(out)?;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    match result {
        Ok(()) => std::fs::rename(&partial, path),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}
