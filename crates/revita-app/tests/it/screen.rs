//! Screening households: the county table against a reference computed here
//! straight from SPEC B1's text, for CSV and Parquet input; storing results.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int8Array, Int32Array, Int64Array, RecordBatch};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use revita_app::screen::{Progress, ScreenOptions, screen_file};

use super::*;

const FLAGS: [&str; 11] = [
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

/// One generated household, as plain columns.
struct Row {
    village: i64,
    size: i32,
    labor: i32,
    amounts: [f64; 5],
    flags: [i8; 11],
}

/// A seeded generator (64-bit LCG), so the test needs no data file.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
    fn cents(&mut self, max: u64) -> f64 {
        self.below(max * 100) as f64 / 100.0
    }
}

fn generate(n: usize, counties: &[i64], seed: u64) -> Vec<Row> {
    let mut rng = Lcg(seed);
    let mut rows: Vec<Row> = (0..n)
        .map(|_| {
            let size = 1 + rng.below(7) as i32;
            let county = counties[rng.below(counties.len() as u64) as usize];
            let income = rng.cents(25_000);
            Row {
                village: county * 1_000_000 + 100_000 + rng.below(900) as i64,
                size,
                labor: rng.below(size as u64 + 1) as i32,
                amounts: [
                    income,
                    if rng.below(5) == 0 { income * 2.0 } else { rng.cents(25_000) },
                    if rng.below(2) == 0 { 0.0 } else { rng.cents(15_000) },
                    rng.cents(6_000),
                    if rng.below(12) == 0 { rng.cents(40_000) } else { 0.0 },
                ],
                flags: std::array::from_fn(|_| i8::from(rng.below(5) == 0)),
            }
        })
        .collect();
    // Exact ties: spending equal to half the household's income is no trigger;
    // (0.1 + 0.2) + 0.3 is just above 0.6 and is one.
    rows[0].amounts = [9000.0, 9000.0, 5000.0, 3000.0, 1000.0];
    rows[0].size = 2;
    rows[0].labor = 1;
    rows[1].amounts = [1.2, 1.2, 0.1, 0.2, 0.3];
    rows[1].size = 1;
    rows[1].labor = 1;
    rows
}

fn csv_text(rows: &[Row]) -> String {
    let mut text =
        String::from("hh_id,village_code,size,labor,income_pc,income_pc_prev,medical_exp,education_exp,disaster_loss,");
    text.push_str(&FLAGS.join(","));
    text.push('\n');
    for (i, r) in rows.iter().enumerate() {
        let amounts: Vec<String> = r.amounts.iter().map(f64::to_string).collect();
        let flags: Vec<String> = r.flags.iter().map(i8::to_string).collect();
        text.push_str(&format!(
            "{},{},{},{},{},{}\n",
            i + 1,
            r.village,
            r.size,
            r.labor,
            amounts.join(","),
            flags.join(",")
        ));
    }
    text
}

fn write_parquet(path: &Path, rows: &[Row]) {
    let amount = |k: usize| -> ArrayRef { Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.amounts[k]))) };
    let mut columns: Vec<(&str, ArrayRef)> = vec![
        ("hh_id", Arc::new(Int64Array::from_iter_values(1..=rows.len() as i64))),
        ("village_code", Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.village)))),
        ("size", Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| r.size)))),
        ("labor", Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| r.labor)))),
    ];
    for (k, name) in ["income_pc", "income_pc_prev", "medical_exp", "education_exp", "disaster_loss"].iter().enumerate()
    {
        columns.push((name, amount(k)));
    }
    for (k, name) in FLAGS.iter().enumerate() {
        columns.push((name, Arc::new(Int8Array::from_iter_values(rows.iter().map(|r| r.flags[k])))));
    }
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let props = WriterProperties::builder().set_max_row_group_row_count(Some(4096)).build();
    let mut writer = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), batch.schema(), Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

/// SPEC B1's county table, computed the plainest way from the CSV text:
/// split lines, parse with the standard library, apply each rule as the
/// SPEC words it, sum per county in a BTreeMap.
fn reference(csv: &str, line: f64) -> Vec<Vec<String>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    // county -> [households, people, flagged, f_income, f_drop, f_expense,
    // f_guarantee, poor people, Σ size·s, 10 × censored people]
    let mut counties: BTreeMap<i64, [u64; 19]> = BTreeMap::new();
    for text in lines {
        let f: Vec<&str> = text.split(',').collect();
        let num = |name: &str| f[col(name)].parse::<f64>().unwrap();
        let d = |name: &str| f[col(name)].parse::<u64>().unwrap() == 1;
        let size: u64 = f[col("size")].parse().unwrap();
        let income = num("income_pc");
        let f_income = income < line;
        let f_drop = income < 1.5 * line && income < 0.7 * num("income_pc_prev");
        let f_expense = num("medical_exp") + num("education_exp") + num("disaster_loss") > 0.5 * income * size as f64;
        let f_guarantee = d("d_attendance") || d("d_health_ins") || d("d_housing") || d("d_water");
        let heavy = ["d_nutrition", "d_child_mortality", "d_schooling", "d_attendance"];
        let light = ["d_cooking", "d_sanitation", "d_water", "d_electricity", "d_housing", "d_assets"];
        let s = 3 * heavy.iter().filter(|n| d(n)).count() as u64 + light.iter().filter(|n| d(n)).count() as u64;
        let poor = s >= 6;
        let county = f[col("village_code")].parse::<i64>().unwrap() / 1_000_000;
        let c = counties.entry(county).or_insert([0; 19]);
        c[0] += 1;
        c[1] += size;
        c[2] += u64::from(f_income || f_drop || f_expense || f_guarantee);
        c[3] += u64::from(f_income);
        c[4] += u64::from(f_drop);
        c[5] += u64::from(f_expense);
        c[6] += u64::from(f_guarantee);
        if poor {
            c[7] += size;
            c[8] += size * s;
            for (k, name) in FLAGS[..10].iter().enumerate() {
                c[9 + k] += if d(name) { size } else { 0 };
            }
        }
    }
    counties
        .into_iter()
        .map(|(county, c)| {
            let people = c[1] as f64;
            let h = c[7] as f64 / people;
            let a = if c[7] == 0 { 0.0 } else { c[8] as f64 / 18.0 / c[7] as f64 };
            let mut row: Vec<String> =
                std::iter::once(county.to_string()).chain(c[..8].iter().map(u64::to_string)).collect();
            row.extend([h, a, h * a].iter().map(|v| format!("{v:.6}")));
            row.extend(c[9..].iter().map(|p| format!("{:.6}", *p as f64 / people)));
            row
        })
        .collect()
}

/// Compares a written table with the reference by SPEC B1's rule: the same
/// counties in order, integer columns equal, float columns within 1e-6.
fn assert_same_table(written: &str, reference: &[Vec<String>]) {
    let mut lines = written.lines();
    assert!(lines.next().unwrap().starts_with(
        "county,households,people,flagged,f_income,f_drop,f_expense,f_guarantee,mpi_poor_people,H,A,M0,ch_nutrition,"
    ));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), reference.len());
    for (row, want) in rows.iter().zip(reference) {
        assert_eq!(row.len(), 22);
        assert_eq!(row[..9], want[..9].iter().map(String::as_str).collect::<Vec<_>>()[..]);
        for (got, want) in row[9..].iter().zip(&want[9..]) {
            let (got, want): (f64, f64) = (got.parse().unwrap(), want.parse().unwrap());
            assert!((got - want).abs() <= 1e-6, "{got} vs {want} in county {}", row[0]);
        }
    }
}

#[test]
fn twenty_thousand_households_match_a_plain_reference_from_csv_and_parquet() {
    let files = Files::new();
    let counties: Vec<i64> = (0..37).map(|i| 520_100 + i * 3).chain([620_121, 653_024]).collect();
    let rows = generate(20_000, &counties, 42);
    let csv = csv_text(&rows);
    let want = reference(&csv, 7600.0);
    assert_eq!(want.len(), counties.len());
    let csv_path = files.write("households.csv", &csv);
    let parquet_path = files.path("households.parquet");
    write_parquet(&parquet_path, &rows);
    for (input, threads) in [(&csv_path, 1), (&csv_path, 2), (&parquet_path, 2)] {
        let options = ScreenOptions { line: 7600.0, threads };
        let screening = screen_file(input, &options, &Progress::default()).unwrap();
        assert_eq!(screening.total.households, 20_000);
        let out = files.path("county_screen.csv");
        screening.write_table(&out).unwrap();
        assert_same_table(&std::fs::read_to_string(&out).unwrap(), &want);
    }
    // A different line changes the income flags, and the reference agrees.
    let screening = screen_file(&csv_path, &ScreenOptions { line: 6000.0, threads: 2 }, &Progress::default()).unwrap();
    let out = files.path("at_6000.csv");
    screening.write_table(&out).unwrap();
    assert_same_table(&std::fs::read_to_string(&out).unwrap(), &reference(&csv, 6000.0));
}

#[test]
fn a_bad_file_writes_no_table() {
    let files = Files::new();
    let counties = [520_102];
    let mut csv = csv_text(&generate(500, &counties, 1));
    csv.push_str("501,520102100001,2,3,100,100,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n");
    let input = files.write("households.csv", &csv);
    let error = screen_file(&input, &ScreenOptions { line: 7600.0, threads: 2 }, &Progress::default()).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("row 502") && text.contains("column 'labor'"), "{text}");
    let bad_line = screen_file(&input, &ScreenOptions { line: -1.0, threads: 2 }, &Progress::default()).unwrap_err();
    assert!(bad_line.to_string().contains("monitoring line"));
    // A table that cannot be written leaves nothing behind.
    let good = files.write("good.csv", &csv_text(&generate(10, &counties, 1)));
    let screening = screen_file(&good, &ScreenOptions { line: 7600.0, threads: 1 }, &Progress::default()).unwrap();
    let nowhere = files.path("missing-dir/county_screen.csv");
    assert!(screening.write_table(&nowhere).is_err());
    assert!(!files.path("missing-dir").exists());
}

both_backends!(a_screening_is_stored_as_county_observations, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    // 522401 is 毕节市, retired in 2011 into 七星关区 520502: its households
    // join that county's.
    let rows = generate(900, &[520_102, 520_103, 520_502, 522_401], 9);
    let input = files.write("households.csv", &csv_text(&rows));
    let screening = screen_file(&input, &ScreenOptions { line: 7600.0, threads: 2 }, &Progress::default()).unwrap();
    let before = observation_count(&app).await;

    // A county user elsewhere may not store Guizhou-wide results.
    let nanming: HashSet<RegionCode> = [code("520102")].into();
    let error = app
        .store_screening(&screening, 2024, &Jurisdiction::of_regions(nanming), &Default::default())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("outside your jurisdiction"), "{error}");
    assert_eq!(observation_count(&app).await, before);

    let stored = app.store_screening(&screening, 2024, &Jurisdiction::everywhere(), &Default::default()).await.unwrap();
    assert_eq!(stored.counties, 3);
    assert_eq!(stored.observations, 3 * 8);
    assert!(stored.indicators_created.contains(&"mpi_m0".to_string()));
    let query = ObservationQuery {
        indicator: Some(revita_methods::IndicatorCode::parse("hh_screened").unwrap()),
        ..Default::default()
    };
    let screened = app.test_store().observations(&query, None, 100).await.unwrap();
    let total: f64 = screened.iter().map(|o| o.value).sum();
    assert_eq!(total, 900.0);
    let qixingguan: f64 = screened.iter().filter(|o| o.region.as_str() == "520502").map(|o| o.value).sum();
    let in_bijie = rows.iter().filter(|r| matches!(r.village / 1_000_000, 520_502 | 522_401)).count();
    assert_eq!(qixingguan, in_bijie as f64);

    // Storing again replaces the year's values rather than failing.
    let again = app.store_screening(&screening, 2024, &Jurisdiction::everywhere(), &Default::default()).await.unwrap();
    assert!(again.indicators_created.is_empty());
    assert_eq!(observation_count(&app).await, before + 24);

    // A county that is not loaded stops the whole store.
    let stray = files.write("stray.csv", &csv_text(&generate(50, &[520_102, 999_901], 3)));
    let screening = screen_file(&stray, &ScreenOptions { line: 7600.0, threads: 1 }, &Progress::default()).unwrap();
    let error =
        app.store_screening(&screening, 2025, &Jurisdiction::everywhere(), &Default::default()).await.unwrap_err();
    assert!(error.to_string().contains("999901"), "{error}");
    assert_eq!(observation_count(&app).await, before + 24);
});

both_backends!(the_registry_screens_like_its_file, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let rows = generate(400, &[520_102, 520_103, 520_502], 21);
    let mut csv = csv_text(&rows);
    // Identifiers are optional columns; give them on one row.
    csv = csv.replacen("d_health_ins\n", "d_health_ins,head_name,id_number,phone\n", 1);
    csv = csv
        .lines()
        .enumerate()
        .map(|(i, l)| match i {
            0 => l.to_string(),
            1 => format!("{l},张三,520102199001011234,13812345678"),
            _ => format!("{l},,,"),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let path = files.write("registry.csv", &format!("{csv}\n"));
    let report = app.import_households(&path, &FileImport::default()).await.unwrap();
    assert_eq!(report.records_written, 400);
    let first = app.test_store().household("1").await.unwrap().unwrap();
    assert_eq!(first.id_number.as_deref(), Some("520102199001011234"));
    assert_eq!(first.masked().id_number.as_deref(), Some("520102********1234"));

    // The registry screens exactly as the file does.
    let from_file = screen_file(&path, &ScreenOptions { line: 7600.0, threads: 2 }, &Progress::default()).unwrap();
    let from_registry = app.screen_registry(7600.0, &Jurisdiction::everywhere()).await.unwrap();
    assert_eq!(from_registry.counties, from_file.counties);
    // A 南明 user screens 南明's households only.
    let nanming: HashSet<RegionCode> = [code("520102")].into();
    let scoped = app.screen_registry(7600.0, &Jurisdiction::of_regions(nanming.clone())).await.unwrap();
    assert_eq!(scoped.counties.iter().map(|(c, _)| *c).collect::<Vec<_>>(), [520_102]);

    // Bad files are refused whole: a repeated id, an unknown county, another county's household.
    let header = csv.lines().next().unwrap().to_string();
    let line = |id: &str, village: &str| format!("{id},{village},3,1,5000,6000,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,,");
    let bad = format!(
        "{header}\n{}\n{}\n{}\n",
        line("X1", "520102001001"),
        line("X1", "520102001002"),
        line("X2", "529999001001")
    );
    let problems = rejected(app.import_households(&files.write("bad.csv", &bad), &FileImport::default()).await);
    assert!(problems[0].contains("row 3, column 'hh_id'") && problems[0].contains("already on row 2"), "{problems:?}");
    assert!(problems[1].contains("row 4, column 'village_code'") && problems[1].contains("529999"), "{problems:?}");
    let other = format!("{header}\n{}\n", line("X3", "520103001001"));
    let scoped_import = FileImport { within: Jurisdiction::of_regions(nanming), ..Default::default() };
    let problems = rejected(app.import_households(&files.write("other.csv", &other), &scoped_import).await);
    assert!(problems[0].contains("outside your jurisdiction"), "{problems:?}");
    let bad_value = format!("{header}\n{}\n", line("X4", "520102001001").replacen(",3,1,", ",3,4,", 1));
    let problems = rejected(app.import_households(&files.write("labor.csv", &bad_value), &FileImport::default()).await);
    assert!(problems[0].contains("column 'labor'") && problems[0].contains("outside 0..=3"), "{problems:?}");
    assert_eq!(app.test_store().households().await.unwrap().len(), 400, "nothing was written");
});

both_backends!(the_registry_imports_parquet_too, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let mut rows = generate(300, &[520_102, 520_103], 5);
    let path = files.path("registry.parquet");
    write_parquet(&path, &rows);
    let report = app.import_households(&path, &FileImport::default()).await.unwrap();
    assert_eq!((report.records_written, report.encoding.as_str()), (300, "parquet"));
    let from_file = screen_file(&path, &ScreenOptions { line: 7600.0, threads: 1 }, &Progress::default()).unwrap();
    assert_eq!(app.screen_registry(7600.0, &Jurisdiction::everywhere()).await.unwrap().counties, from_file.counties);

    // A bad flag and a labour count above the size, named by row and column.
    rows[9].flags[3] = 2;
    rows[20].labor = rows[20].size + 1;
    let bad = files.path("bad.parquet");
    write_parquet(&bad, &rows);
    let problems = rejected(app.import_households(&bad, &FileImport::default()).await);
    assert!(problems[0].contains("row 10, column 'd_attendance'") && problems[0].contains("0 or 1"), "{problems:?}");
    assert!(problems[1].contains("row 21, column 'labor'"), "{problems:?}");
});
