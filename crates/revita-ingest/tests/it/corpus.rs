//! Regression inputs under `tests/corpus/`, each named
//! `<target>-<what>.<extension>`: files that once made a reader panic,
//! abort or take far too much memory, replayed through their target. None
//! may panic in revita's code or escape a reader, each must give the
//! outcome named here, and (where Linux can tell) none may take more than
//! [`MAX_PEAK_RSS_KB`] of memory.

use std::path::Path;

use crate::fuzz::{run_one, take_turn};
use crate::targets::{self, Outcome};

/// The outcome of each input. From the review that started the fuzzer: a
/// GBK file without a final newline reads cleanly (the decoder panicked
/// once finished); a households Parquet file whose dictionary page is not
/// one, and a sheet whose used range is A1:XFD1048576, are refused (the
/// first panicked, the second aborted). From the fuzzer: a 7 KB Parquet
/// file whose snappy page claims 1.5 GB (it took that much), one whose
/// page claims byte-stream-split encoding (the decoder panicked), sheets
/// whose dimension ends before it starts or whose column letters overflow
/// (calamine's arithmetic panicked; in a release build it wraps), registry
/// files on which the Arrow reader divided by zero or asserted.
const EXPECTED: &[(&str, Outcome)] = &[
    ("table_csv-gbk-without-final-newline.csv", Outcome::Read),
    ("households_parquet-dictionary-page-not-a-dictionary.parquet", Outcome::Refused),
    ("table_xlsx-a1-and-xfd1048576.xlsx", Outcome::Refused),
    ("households_parquet-snappy-page-claims-1.5-gb.parquet", Outcome::Refused),
    ("households_parquet-byte-stream-split-page-too-short.parquet", Outcome::Refused),
    ("table_xlsx-dimension-ends-before-it-starts.xlsx", Outcome::Refused),
    ("table_xlsx-column-letters-overflow.xlsx", Outcome::Refused),
    ("registry_parquet-byte-array-division-by-zero.parquet", Outcome::Refused),
    ("registry_parquet-bit-chunk-out-of-bounds.parquet", Outcome::Refused),
];

/// The most memory reading one input may take: 200 MB.
const MAX_PEAK_RSS_KB: u64 = 200_000;

/// Resets the process's peak resident memory (Linux: `clear_refs`), so
/// that the next reading of it measures what follows; `false` where that
/// cannot be done.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The process's peak resident memory since the last reset, in kB.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn regression_inputs_give_errors_not_panics() {
    let _turn = take_turn();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let targets = targets::all();
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).expect("tests/corpus").map(|e| e.expect("an entry").path()).collect();
    files.sort();
    for (name, _) in EXPECTED {
        assert!(files.iter().any(|f| f.ends_with(name)), "tests/corpus/{name} is missing");
    }
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).expect("a file name").to_string();
        let target_name = name.split('-').next().unwrap_or_default();
        let target = targets.iter().find(|t| t.name == target_name).unwrap_or_else(|| panic!("{name}: no target"));
        let input = std::fs::read(&path).expect("a corpus file");
        // The other tests of this binary wait for the turn: the peak is
        // this input's.
        let measured = reset_peak_rss();
        let run = run_one(target, &input);
        assert!(!run.failed(), "{name} panicked: {:?}", run.panics);
        let want = EXPECTED.iter().find(|(n, _)| *n == name).map(|(_, want)| *want);
        assert_eq!(run.outcome, Some(want.unwrap_or_else(|| panic!("{name}: no outcome in EXPECTED"))), "{name}");
        if let (true, Some(peak)) = (measured, peak_rss_kb()) {
            assert!(peak < MAX_PEAK_RSS_KB, "{name} took {peak} kB");
        }
    }
}
