//! Regression inputs under `tests/corpus/`, each named
//! `<target>-<what>.<extension>`: files that once made a reader panic or
//! abort, replayed through their target. None may panic in this crate's
//! code or escape a reader; the first three, from the review that started
//! the fuzzer, must give the outcome named here.

use std::path::Path;

use crate::fuzz::{run_one, take_turn};
use crate::targets::{self, Outcome};

/// Inputs whose outcome is known: a GBK file without a final newline reads
/// cleanly (the decoder panicked once finished); a households Parquet file
/// whose dictionary page is not one, and a sheet whose used range is
/// A1:XFD1048576, are refused.
const EXPECTED: &[(&str, Outcome)] = &[
    ("table_csv-gbk-without-final-newline.csv", Outcome::Read),
    ("households_parquet-dictionary-page-not-a-dictionary.parquet", Outcome::Refused),
    ("table_xlsx-a1-and-xfd1048576.xlsx", Outcome::Refused),
];

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
        let run = run_one(target, &input);
        assert!(!run.failed(), "{name} panicked: {:?}", run.panics);
        if let Some((_, want)) = EXPECTED.iter().find(|(n, _)| *n == name) {
            assert_eq!(run.outcome, Some(*want), "{name}");
        }
    }
}
