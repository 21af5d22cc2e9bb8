//! The readers under test, one target each: a name, seed inputs, and a
//! function that runs the reader over an input (written to a file where
//! the reader takes a path) and says whether it was read or refused.

use std::io::Cursor;
use std::path::Path;

use revita_ingest::households::{self, HouseholdSink, Progress};
use revita_ingest::records::{self, ObservationOptions, ObservationReader};
use revita_ingest::{Problems, Table};
use revita_methods::Period;
use revita_methods::screening::Household;

use crate::seeds;

/// How a reader took an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Read, with no problem reported.
    Read,
    /// Refused, or read with problems reported.
    Refused,
}

impl<T, E> From<&Result<T, E>> for Outcome {
    fn from(result: &Result<T, E>) -> Outcome {
        if result.is_ok() { Outcome::Read } else { Outcome::Refused }
    }
}

/// How inputs are varied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Bytes, whatever they are.
    Bytes,
    /// A zip archive: half the time a part is unpacked, varied and packed
    /// again, to reach the XML parsers behind the zip checks.
    Zip,
}

/// Runs a reader on an input, already written to the path.
pub type Run = Box<dyn Fn(&Path, &[u8]) -> Outcome>;

/// A reader under test.
pub struct Target {
    pub name: &'static str,
    /// The extension of the file the input is written to.
    pub extension: &'static str,
    /// Inputs per [`crate::fuzz`] iteration unit: cheap readers get more.
    pub weight: u64,
    pub shape: Shape,
    /// Whether the reader takes a path (else it reads from memory, and the
    /// input is written to its file only when asked: see `crate::fuzz`).
    pub takes_path: bool,
    pub seeds: fn() -> Vec<Vec<u8>>,
    pub run: Run,
}

/// Every target, in a fixed order.
pub fn all() -> Vec<Target> {
    vec![
        csv_target("table_csv", 4, table_seeds, |bytes| read_table(table(bytes))),
        Target {
            name: "table_xlsx",
            extension: "xlsx",
            weight: 1,
            shape: Shape::Zip,
            takes_path: true,
            seeds: seeds::workbooks,
            run: Box::new(|path, _| read_table(Table::open(path, None))),
        },
        csv_target("regions", 4, || seeds::csv_variants(seeds::REGIONS), |b| parsed(table(b), records::read_regions)),
        csv_target(
            "indicators",
            4,
            || seeds::csv_variants(seeds::INDICATORS),
            |b| parsed(table(b), records::read_indicators),
        ),
        csv_target(
            "designations",
            4,
            || seeds::csv_variants(seeds::DESIGNATIONS),
            |b| parsed(table(b), records::read_designations),
        ),
        csv_target(
            "pairings",
            4,
            || seeds::csv_variants(seeds::PAIRINGS),
            |b| parsed(table(b), records::read_pairings),
        ),
        csv_target(
            "water_samples",
            4,
            || seeds::csv_variants(seeds::WATER_SAMPLES),
            |b| parsed(table(b), records::read_water_samples),
        ),
        csv_target(
            "land_use",
            4,
            || seeds::csv_variants(seeds::LAND_USE),
            |b| parsed(table(b), records::read_land_use),
        ),
        csv_target(
            "gep_items",
            4,
            || seeds::csv_variants(seeds::GEP_ITEMS),
            |b| parsed(table(b), records::read_gep_items),
        ),
        csv_target(
            "transfer_counties",
            4,
            || seeds::csv_variants(seeds::TRANSFER_COUNTIES),
            |b| parsed(table(b), records::read_transfer_counties),
        ),
        csv_target(
            "pairing_flows",
            4,
            || seeds::csv_variants(seeds::PAIRING_FLOWS),
            |b| parsed(table(b), records::read_pairing_flows_with_problems),
        ),
        csv_target(
            "assessment",
            4,
            || seeds::csv_variants(seeds::ASSESSMENT),
            |b| parsed(table(b), records::read_assessment_with_problems),
        ),
        csv_target(
            "hit_counties",
            4,
            || seeds::csv_variants(seeds::HIT_COUNTIES),
            |b| parsed(table(b), records::read_hit_counties),
        ),
        csv_target(
            "rebuilds",
            4,
            || seeds::csv_variants(seeds::REBUILDS),
            |b| parsed(table(b), records::read_rebuilds),
        ),
        csv_target("places", 4, || seeds::csv_variants(seeds::PLACES), |b| parsed(table(b), records::read_places)),
        csv_target("houses", 4, || seeds::csv_variants(seeds::HOUSES), |b| parsed(table(b), records::read_houses)),
        csv_target("parcels", 4, || seeds::csv_variants(seeds::PARCELS), |b| parsed(table(b), records::read_parcels)),
        csv_target("sites", 4, || seeds::csv_variants(seeds::SITES), |b| parsed(table(b), records::read_sites)),
        csv_target(
            "relocations",
            4,
            || seeds::csv_variants(seeds::RELOCATIONS),
            |b| parsed(table(b), records::read_relocations),
        ),
        csv_target(
            "relocation_incomes",
            4,
            || seeds::csv_variants(seeds::RELOCATION_INCOMES),
            |b| parsed(table(b), records::read_relocation_incomes),
        ),
        csv_target(
            "relief_projects",
            4,
            || seeds::csv_variants(seeds::RELIEF_PROJECTS),
            |b| parsed(table(b), records::read_relief_projects),
        ),
        csv_target(
            "relief_workers",
            4,
            || seeds::csv_variants(seeds::RELIEF_WORKERS),
            |b| parsed(table(b), records::read_relief_workers),
        ),
        csv_target(
            "relief_payments",
            4,
            || seeds::csv_variants(seeds::RELIEF_PAYMENTS),
            |b| parsed(table(b), records::read_relief_payments),
        ),
        csv_target(
            "monitoring_lines",
            4,
            || seeds::csv_variants(seeds::MONITORING_LINES),
            |b| parsed(table(b), records::read_monitoring_lines),
        ),
        csv_target(
            "registry_households_csv",
            4,
            || seeds::csv_variants(&seeds::registry_csv()),
            |b| parsed(table(b), records::read_registered_households),
        ),
        csv_target(
            "household_members",
            4,
            || seeds::csv_variants(seeds::MEMBERS),
            |b| parsed(table(b), |t| records::read_household_members(t, 2026)),
        ),
        csv_target(
            "projects",
            4,
            || seeds::csv_variants(&seeds::projects_csv()),
            |b| parsed(table(b), records::read_projects),
        ),
        csv_target(
            "code_history",
            4,
            || seeds::csv_variants(seeds::CODE_HISTORY),
            |b| parsed(table(b), records::read_code_history),
        ),
        csv_target("observations", 4, observation_seeds, |b| observations(table(b))),
        Target {
            name: "observations_xlsx",
            extension: "xlsx",
            weight: 1,
            shape: Shape::Zip,
            takes_path: true,
            seeds: seeds::workbooks,
            run: Box::new(|path, _| observations(Table::open(path, None))),
        },
        Target {
            name: "sites_geojson",
            extension: "geojson",
            weight: 2,
            shape: Shape::Bytes,
            takes_path: true,
            seeds: || vec![seeds::SITES_GEOJSON.as_bytes().to_vec()],
            run: Box::new(|path, _| parsed(Table::open(path, None), records::read_sites)),
        },
        Target {
            name: "observations_parquet",
            extension: "parquet",
            weight: 1,
            shape: Shape::Bytes,
            takes_path: true,
            seeds: seeds::observations_parquet,
            run: Box::new(|path, _| observations(Table::open(path, None))),
        },
        Target {
            name: "subsidence_areas",
            extension: "geojson",
            weight: 4,
            shape: Shape::Bytes,
            takes_path: false,
            seeds: || vec![seeds::AREAS.as_bytes().to_vec()],
            run: Box::new(|_, bytes| {
                let result = revita_ingest::subsidence::parse_areas("areas.geojson", bytes);
                for record in result.iter().flatten() {
                    // What is stored must parse back.
                    let _ = revita_ingest::boundaries::parse_geometry(&record.geometry);
                }
                Outcome::from(&result)
            }),
        },
        Target {
            name: "numeric_csv",
            extension: "csv",
            weight: 2,
            shape: Shape::Bytes,
            takes_path: false,
            seeds: || vec![b"point_id,lon,lat,population\n1,113.3,40.05,820\n2,113.31,40.06,4\n".to_vec()],
            run: Box::new(|_, bytes| {
                use revita_ingest::numeric::{Kind, parse_numeric_csv};
                let wanted = [("point_id", Kind::Int), ("lon", Kind::Float), ("population", Kind::Int)];
                Outcome::from(&parse_numeric_csv("points.csv", bytes, &wanted, 2))
            }),
        },
        Target {
            name: "boundaries",
            extension: "geojson",
            weight: 4,
            shape: Shape::Bytes,
            takes_path: true,
            seeds: || vec![seeds::BOUNDARIES.as_bytes().to_vec()],
            run: Box::new(|path, _| {
                let result = revita_ingest::boundaries::read_boundaries(path, "code");
                for record in result.iter().flatten() {
                    // What is stored must parse back.
                    let _ = revita_ingest::boundaries::parse_geometry(&record.geometry);
                }
                Outcome::from(&result)
            }),
        },
        Target {
            name: "households_csv",
            extension: "csv",
            weight: 2,
            shape: Shape::Bytes,
            takes_path: true,
            seeds: || seeds::csv_variants(&seeds::households_csv(30)),
            run: Box::new(|path, _| screen(path)),
        },
        Target {
            name: "households_parquet",
            extension: "parquet",
            weight: 1,
            shape: Shape::Bytes,
            takes_path: true,
            seeds: seeds::households_parquet,
            run: Box::new(|path, _| screen(path)),
        },
        Target {
            name: "registry_parquet",
            extension: "parquet",
            weight: 1,
            shape: Shape::Bytes,
            takes_path: true,
            seeds: seeds::registry_parquet,
            run: Box::new(|path, _| {
                Outcome::from(&revita_ingest::registry_parquet::read_registered_households_parquet(path))
            }),
        },
        Target {
            name: "export_round_trip",
            extension: "txt",
            weight: 4,
            shape: Shape::Bytes,
            takes_path: false,
            seeds: || vec!["a\u{1}=b\u{1}c\u{1}-1.5\u{1}\"q\"\r\n\u{1} \u{1}@x,y".as_bytes().to_vec()],
            run: Box::new(|_, bytes| export_round_trip(bytes)),
        },
    ]
}

/// A reader of CSV text, which reads from memory.
fn csv_target(name: &'static str, weight: u64, seeds: fn() -> Vec<Vec<u8>>, run: fn(&[u8]) -> Outcome) -> Target {
    let run: Run = Box::new(move |_, bytes| run(bytes));
    Target { name, extension: "csv", weight, shape: Shape::Bytes, takes_path: false, seeds, run }
}

fn table_seeds() -> Vec<Vec<u8>> {
    let mut seeds = seeds::csv_variants("a,b,c\n1,\"two\nlines\",3\n,,\n\n4,5,6\n");
    seeds.push(b"\xEF\xBB\xBFcode,name\r\n520102,\"a \"\"quoted\"\" name\"\r\n520103,x".to_vec());
    seeds
}

fn observation_seeds() -> Vec<Vec<u8>> {
    [seeds::OBSERVATIONS_LONG, seeds::OBSERVATIONS_WIDE_BY_INDICATOR, seeds::OBSERVATIONS_WIDE_BY_PERIOD]
        .iter()
        .flat_map(|text| seeds::csv_variants(text))
        .collect()
}

fn table(bytes: &[u8]) -> Result<Table, revita_ingest::FileError> {
    Table::from_csv_reader("fuzz.csv", Cursor::new(bytes.to_vec()))
}

/// Reads every record of a table.
fn read_table(table: Result<Table, revita_ingest::FileError>) -> Outcome {
    let Ok(mut table) = table else { return Outcome::Refused };
    let mut record = csv::StringRecord::new();
    let mut outcome = Outcome::Read;
    loop {
        match table.next_record(&mut record) {
            Ok(Some(_)) => {}
            Ok(None) => return outcome,
            Err(_) => outcome = Outcome::Refused,
        }
    }
}

fn parsed<T>(
    table: Result<Table, revita_ingest::FileError>,
    read: impl FnOnce(&mut Table) -> Result<T, Problems>,
) -> Outcome {
    match table {
        Ok(mut table) => Outcome::from(&read(&mut table)),
        Err(_) => Outcome::Refused,
    }
}

fn observations(table: Result<Table, revita_ingest::FileError>) -> Outcome {
    let Ok(table) = table else { return Outcome::Refused };
    let options = ObservationOptions { period: Some(Period::Year(2020)), ..Default::default() };
    let Ok(mut reader) = ObservationReader::new(table, options) else { return Outcome::Refused };
    let (mut rows, mut problems) = (Vec::new(), Problems::default());
    while reader.next_batch(7, &mut rows, &mut problems) {
        rows.clear();
    }
    if problems.is_empty() { Outcome::Read } else { Outcome::Refused }
}

/// A sink that counts.
struct Count(u64);

impl HouseholdSink for Count {
    fn add(&mut self, _: &Household) {
        self.0 += 1;
    }
}

fn screen(path: &Path) -> Outcome {
    Outcome::from(&households::scan(path, 2, &Progress::default(), || Count(0)))
}

/// Cells from the input (split at U+0001, three to a row) written by the
/// table download and read back: each must come back as `csv_safe` made
/// it, rows of blank cells aside (the reader skips those).
fn export_round_trip(bytes: &[u8]) -> Outcome {
    use revita_ingest::export::{ExportFormat, csv_safe, table_bytes};
    let text = String::from_utf8_lossy(bytes);
    let cells: Vec<String> = text.split('\u{1}').map(str::to_string).collect();
    // Records all have the header's length (the writer insists).
    let rows: Vec<Vec<String>> = cells
        .chunks(3)
        .map(|c| {
            let mut row = c.to_vec();
            row.resize(3, String::new());
            row
        })
        .collect();
    let header = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    let Ok(csv) = table_bytes(&header, &rows, ExportFormat::Csv) else { return Outcome::Refused };
    let mut table = Table::from_csv_reader("round.csv", Cursor::new(csv)).expect("a download reads back");
    // Rows are compared as written: a quote makes "\r\n" a cell with text.
    let want: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|c| csv_safe(c).into_owned()).collect::<Vec<_>>())
        .filter(|row| !row.iter().all(|c| c.trim().is_empty()))
        .collect();
    let mut got = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match table.next_record(&mut record) {
            Ok(Some(_)) => got.push(record.iter().map(str::to_string).collect::<Vec<_>>()),
            Ok(None) => break,
            // A cell over a limit is refused, as it should be.
            Err(e) if e.reason.contains("the most a") => return Outcome::Refused,
            Err(e) => panic!("a download does not read back: {e}"),
        }
    }
    assert_eq!(got, want, "a download reads back as written");
    Outcome::Read
}
