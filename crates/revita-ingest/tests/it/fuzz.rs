//! A dependency-free mutation fuzzer that runs on stable Rust (cargo-fuzz
//! needs nightly): seeded inputs from [`crate::seeds`], varied by a
//! deterministic generator, run through every reader of
//! [`crate::targets`]. A run fails on any panic that escapes a reader, and
//! on any panic in this crate's own code even if the crate's last line of
//! defence caught it; a panic inside a dependency that the crate turned
//! into an error is counted and reported, not failed.
//!
//! `REVITA_FUZZ_ITERATIONS` sets the inputs per target and weight unit
//! (default 200: a few seconds for all targets in a debug build),
//! `REVITA_FUZZ_SEED` the seed (default 1), `REVITA_FUZZ_DIR` where inputs
//! are written. See `tests/FUZZING.md`.

use std::collections::BTreeMap;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, Once};
use std::time::{Duration, Instant};

use crate::targets::{self, Outcome, Shape, Target};

/// SplitMix64 (Steele, Lea and Flood 2014): small, fast, and the same
/// sequence on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Bytes that mean something to some reader: CSV syntax, line ends, BOMs,
/// GBK and broken UTF-8, numbers at the edges, cell references at the
/// edges, XML and JSON structure.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b",",
    b",,,,,,,,",
    b"\r\n",
    b"\n",
    b"\r",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\xC3\x28",
    b"\x81\x30\x81\x30",
    b"\xB9\xF3",
    b"-",
    b"=",
    b"@",
    b"0",
    b"-1",
    b"99999999999999999999999",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"2147483648",
    b"1e309",
    b"-1e309",
    b"NaN",
    b"inf",
    b"2020Q5",
    b"2020-13-45",
    b"9999-12-31",
    b"520102001001",
    b"A1",
    b"XFD1048576",
    b"ZZZZZZZZ99999999999",
    b"r=\"4294967295\"",
    b"<row r=\"1048577\">",
    b"<c r=\"XFD1\" t=\"s\"><v>4294967295</v></c>",
    b"<c t=\"inlineStr\"><is><t>x</t></is></c>",
    b"<dimension ref=\"B2:A1\"/>",
    b"<dimension ref=\"A1:XFD1048576\"/>",
    b"s=\"65535\"",
    b"t=\"d\"",
    b"t=\"e\"",
    b"&#0;",
    b"&amp;",
    b"<![CDATA[",
    b"]]>",
    b"{\"type\":",
    b"[[[",
    b"]]]",
    b"null",
    b"1e999",
];

/// Integers at the edges, written over bytes of binary formats.
const EDGES: &[u64] = &[0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, u64::MAX];

/// The largest input the mutator makes.
const MAX_INPUT: usize = 1 << 20;

/// One random change to `data`; `others` are the target's seeds, for
/// splicing.
fn mutate_once(rng: &mut Rng, data: &mut Vec<u8>, others: &[Vec<u8>]) {
    let len = data.len();
    match rng.below(11) {
        0 if len > 0 => {
            let i = rng.below(len);
            data[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            data[i] = *rng.pick(&[0x00, 0xFF, 0x7F, 0x80, b'"', b',', b'\n', b'\r', b'=', b'-', b'0', b'<', 0x81]);
        }
        2 => {
            let at = rng.below(len + 1);
            let n = 1 + rng.below(4);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            data.splice(at..at, bytes);
        }
        3 if len > 0 => {
            let at = rng.below(len);
            let n = (1 + rng.below(16)).min(len - at);
            data.drain(at..at + n);
        }
        4 if len > 0 => data.truncate(rng.below(len)),
        5 if len > 0 => {
            // Duplicate a chunk, sometimes many times, to grow the input.
            let at = rng.below(len);
            let n = (1 + rng.below(256)).min(len - at);
            let chunk = data[at..at + n].to_vec();
            let copies = if rng.below(8) == 0 { 1 + rng.below(200) } else { 1 };
            let to = rng.below(len + 1);
            let grown: Vec<u8> = chunk.iter().copied().cycle().take(n * copies).collect();
            data.splice(to..to, grown);
        }
        6 if !others.is_empty() => {
            let other = rng.pick(others);
            let cut = rng.below(len + 1);
            let from = rng.below(other.len() + 1);
            data.truncate(cut);
            data.extend_from_slice(&other[from..]);
        }
        7 | 8 => {
            let token = *rng.pick(TOKENS);
            let at = rng.below(len + 1);
            if rng.below(2) == 0 {
                data.splice(at..at, token.iter().copied());
            } else {
                let end = (at + token.len()).min(len);
                data.splice(at..end, token.iter().copied());
            }
        }
        9 if len > 0 => {
            let value = *rng.pick(EDGES);
            let width = *rng.pick(&[1usize, 2, 4, 8]);
            let at = rng.below(len);
            for (k, byte) in value.to_le_bytes().iter().take(width).enumerate() {
                if let Some(b) = data.get_mut(at + k) {
                    *b = *byte;
                }
            }
        }
        _ if len > 1 => {
            // Swap two bytes.
            let (i, j) = (rng.below(len), rng.below(len));
            data.swap(i, j);
        }
        _ => data.push(rng.next() as u8),
    }
    data.truncate(MAX_INPUT);
}

/// A mutated copy of `seed`: one to eight changes, fewer more often.
fn mutate_bytes(rng: &mut Rng, seed: &[u8], others: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seed.to_vec();
    let most = 1 + rng.below(8);
    let changes = 1 + rng.below(most);
    for _ in 0..changes {
        mutate_once(rng, &mut data, others);
    }
    data
}

/// A zip archive's parts, names and bytes.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a seed workbook unzips");
    (0..archive.len())
        .map(|i| {
            let mut part = archive.by_index(i).expect("a part");
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut part, &mut data).expect("a part unpacks");
            (part.name().expect("a part name").to_string(), data)
        })
        .collect()
}

fn zip(parts: &[(String, Vec<u8>)], stored: bool) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let method = if stored { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, data) in parts {
        out.start_file(name.as_str(), options).expect("a part starts");
        out.write_all(data).expect("a part is written");
    }
    out.finish().expect("a zip").into_inner()
}

/// A workbook with one part varied (the sheet most often), packed again.
fn mutate_zip(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut parts = unzip(seed);
    let sheet = parts.iter().position(|(name, _)| name.ends_with("sheet1.xml")).unwrap_or(0);
    let victim = if rng.below(2) == 0 { sheet } else { rng.below(parts.len()) };
    let others: Vec<Vec<u8>> = parts.iter().map(|(_, data)| data.clone()).collect();
    parts[victim].1 = mutate_bytes(rng, &parts[victim].1, &others);
    if rng.below(10) == 0 {
        parts.remove(rng.below(parts.len()));
    }
    zip(&parts, rng.below(4) == 0)
}

/// Whether panics are being recorded (while a target runs) rather than
/// reported by the default hook.
static RECORDING: AtomicBool = AtomicBool::new(false);
/// Panics seen while recording: where, and the message.
static PANICS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
/// Fuzz runs take turns: the panic hook is global to the process.
static TURNS: Mutex<()> = Mutex::new(());

/// Takes the turn to run targets, with the recording hook installed. Panics
/// outside a target (a failing assertion) still reach the default hook.
pub fn take_turn() -> MutexGuard<'static, ()> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if RECORDING.load(Ordering::SeqCst) {
                let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                PANICS.lock().unwrap_or_else(|e| e.into_inner()).push((location, message));
            } else {
                default(info);
            }
        }));
    });
    TURNS.lock().unwrap_or_else(|e| e.into_inner())
}

/// What one input did.
pub struct Run {
    pub outcome: Option<Outcome>,
    /// Panics that happened, caught or not: location and message.
    pub panics: Vec<(String, String)>,
    pub took: Duration,
}

impl Run {
    /// Whether the input shows a bug in this crate: a panic that escaped,
    /// or one in the crate's own code, caught or not.
    pub fn failed(&self) -> bool {
        self.outcome.is_none() || self.panics.iter().any(|(location, _)| in_this_crate(location))
    }
}

/// Whether a panic's location is in revita's code (this crate or another
/// of the workspace it calls), rather than in a dependency or the standard
/// library.
fn in_this_crate(location: &str) -> bool {
    location.contains("revita-") && !location.contains(".cargo/registry")
}

/// Runs `target` on `input`, written first to the target's input file
/// (which thus holds the last input tried if the process dies) when the
/// reader takes a path or `REVITA_FUZZ_KEEP_INPUT` is set: writing costs
/// more than reading from memory on a machine busy writing.
pub fn run_one(target: &Target, input: &[u8]) -> Run {
    let path = work_dir(target.name).join(format!("{}.{}", target.name, target.extension));
    if target.takes_path || std::env::var_os("REVITA_FUZZ_KEEP_INPUT").is_some() {
        std::fs::write(&path, input).expect("the input is written");
    }
    RECORDING.store(true, Ordering::SeqCst);
    let start = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| (target.run)(&path, input))).ok();
    let took = start.elapsed();
    RECORDING.store(false, Ordering::SeqCst);
    let panics = std::mem::take(&mut *PANICS.lock().unwrap_or_else(|e| e.into_inner()));
    Run { outcome, panics, took }
}

/// A directory for one target's inputs: under `REVITA_FUZZ_DIR` if set (a
/// long run puts it in memory, `/dev/shm`), else in the build's scratch
/// space. Failing inputs are always saved in the build's scratch space.
pub fn work_dir(name: &str) -> PathBuf {
    let root = match std::env::var_os("REVITA_FUZZ_DIR") {
        Some(dir) if name != "failures" => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz"),
    };
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).expect("a work directory");
    dir
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The first bytes of an input, escaped, for a failure message.
fn preview(input: &[u8]) -> String {
    let shown: String = input.iter().take(200).flat_map(|b| std::ascii::escape_default(*b)).map(char::from).collect();
    if input.len() > 200 { format!("{shown}… ({} bytes)", input.len()) } else { shown }
}

/// Runs one target for its share of iterations and fails on the first
/// input showing a bug, saved under the work directory. Prints a summary
/// line (the numbers `tests/FUZZING.md` records).
fn fuzz(name: &str) {
    let _turn = take_turn();
    let target = targets::all().into_iter().find(|t| t.name == name).expect("a target of that name");
    let iterations = env_number("REVITA_FUZZ_ITERATIONS", 200) * target.weight;
    let seed = env_number("REVITA_FUZZ_SEED", 1);
    let seeds = (target.seeds)();
    let started = Instant::now();
    let (mut read, mut refused) = (0u64, 0u64);
    let mut guarded: BTreeMap<String, u64> = BTreeMap::new();
    let mut slowest = (Duration::ZERO, 0u64);
    // The seeds themselves first: they must read cleanly.
    for (i, input) in seeds.iter().enumerate() {
        let run = run_one(&target, input);
        assert!(!run.failed() && run.panics.is_empty(), "{name}: seed {i} panicked: {:?}", run.panics);
        assert_eq!(run.outcome, Some(Outcome::Read), "{name}: seed {i} is not read cleanly");
    }
    for iteration in 0..iterations {
        let mut rng = Rng::new(seed ^ iteration.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ fnv(name));
        let base = rng.pick(&seeds);
        let input = match target.shape {
            Shape::Zip if rng.below(2) == 0 => mutate_zip(&mut rng, base),
            _ => mutate_bytes(&mut rng, base, &seeds),
        };
        let run = run_one(&target, &input);
        if run.failed() {
            let saved =
                work_dir("failures").join(format!("{name}-seed{seed}-iteration{iteration}.{}", target.extension));
            std::fs::write(&saved, &input).expect("the failing input is saved");
            let panics: Vec<String> =
                run.panics.iter().map(|(at, message)| format!("{at}: {}", shorten(message))).collect();
            panic!(
                "{name}: seed {seed}, iteration {iteration} panicked: {panics:?}\ninput saved to {}\ninput: {}",
                saved.display(),
                preview(&input)
            );
        }
        match run.outcome {
            Some(Outcome::Read) => read += 1,
            _ => refused += 1,
        }
        for (location, _) in run.panics {
            let seen = guarded.entry(location.clone()).or_default();
            if *seen == 0 {
                // One input per place a dependency panicked, for the corpus.
                let at = location.rsplit('/').next().unwrap_or_default().replace(':', "-");
                let saved = work_dir("failures").join(format!("guarded-{name}-{at}.{}", target.extension));
                std::fs::write(saved, &input).expect("the input is saved");
            }
            *seen += 1;
        }
        if run.took > slowest.0 {
            slowest = (run.took, iteration);
            if run.took > Duration::from_millis(200) {
                let saved = work_dir("failures").join(format!("slowest-{name}.{}", target.extension));
                std::fs::write(saved, &input).expect("the input is saved");
            }
        }
    }
    let guarded_total: u64 = guarded.values().sum();
    println!(
        "fuzz {name}: {iterations} inputs (seed {seed}) in {:.1} s: {read} read, {refused} refused, \
         0 panics in revita-ingest, {guarded_total} dependency panics caught {guarded:?}, \
         slowest {:.0} ms (iteration {})",
        started.elapsed().as_secs_f64(),
        slowest.0.as_secs_f64() * 1e3,
        slowest.1
    );
}

/// A panic message cut to a readable length.
fn shorten(message: &str) -> String {
    let short: String = message.chars().take(600).collect();
    if short.len() < message.len() { format!("{short}…") } else { short }
}

/// FNV-1a of a name, to give each target its own input sequence.
fn fnv(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3))
}

macro_rules! fuzz_targets {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                fuzz($name);
            }
        )*

        /// Every target has its test.
        #[test]
        fn every_target_is_fuzzed() {
            let mut tested = vec![$($name),*];
            let mut all: Vec<&str> = targets::all().iter().map(|t| t.name).collect();
            tested.sort_unstable();
            all.sort_unstable();
            assert_eq!(tested, all);
        }
    };
}

fuzz_targets! {
    fuzz_table_csv => "table_csv",
    fuzz_table_xlsx => "table_xlsx",
    fuzz_regions => "regions",
    fuzz_indicators => "indicators",
    fuzz_designations => "designations",
    fuzz_pairings => "pairings",
    fuzz_monitoring_lines => "monitoring_lines",
    fuzz_water_samples => "water_samples",
    fuzz_land_use => "land_use",
    fuzz_gep_items => "gep_items",
    fuzz_transfer_counties => "transfer_counties",
    fuzz_pairing_flows => "pairing_flows",
    fuzz_assessment => "assessment",
    fuzz_hit_counties => "hit_counties",
    fuzz_rebuilds => "rebuilds",
    fuzz_places => "places",
    fuzz_houses => "houses",
    fuzz_parcels => "parcels",
    fuzz_subsidence_areas => "subsidence_areas",
    fuzz_numeric_csv => "numeric_csv",
    fuzz_sites => "sites",
    fuzz_sites_geojson => "sites_geojson",
    fuzz_relocations => "relocations",
    fuzz_relocation_incomes => "relocation_incomes",
    fuzz_relief_projects => "relief_projects",
    fuzz_relief_workers => "relief_workers",
    fuzz_relief_payments => "relief_payments",
    fuzz_registry_households_csv => "registry_households_csv",
    fuzz_household_members => "household_members",
    fuzz_projects => "projects",
    fuzz_code_history => "code_history",
    fuzz_observations => "observations",
    fuzz_observations_xlsx => "observations_xlsx",
    fuzz_observations_parquet => "observations_parquet",
    fuzz_boundaries => "boundaries",
    fuzz_households_csv => "households_csv",
    fuzz_households_parquet => "households_parquet",
    fuzz_registry_parquet => "registry_parquet",
    fuzz_export_round_trip => "export_round_trip",
}
