//! `revita bench`: benchmarks measured against native tools in one run, as
//! BENCHMARKS.md reports them.
//!
//! `bench import` generates N long-format observations over China's real
//! counties and 100 indicators, then times, each under `/usr/bin/time` (wall
//! seconds and peak resident memory):
//! - `revita import observations` into SQLite, and `sqlite3 .import` of the
//!   same file into an equivalent table (same columns, primary key, secondary
//!   index and page-cache / journal settings) in a fresh file;
//! - `revita import observations` into PostgreSQL, and `psql \copy` into an
//!   equivalent table in the same database.
//!
//! `bench designate` times `revita designate` end to end over all counties
//! × 20 indicators × 3-year averages on both back ends (issue 5's scale
//! target: well under a second).
//!
//! revita does more than the native loaders (it checks every code, number and
//! period, maps retired codes, and reports errors by row), so a ratio near 1
//! means that checking is almost free.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::cli::{BenchArgs, BenchTask};

/// One timed run.
struct Run {
    label: String,
    seconds: f64,
    peak_mb: f64,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    match args.task {
        BenchTask::Import { rows, pg_url, no_postgres, dir } => import(rows, &pg_url, no_postgres, dir),
        BenchTask::Designate { indicators, years, repeat, pg_url, no_postgres } => {
            designate(indicators, years, repeat, &pg_url, no_postgres)
        }
        BenchTask::PlanPdf { projects, repeat, out } => plan_pdf(projects, repeat, out).await,
    }
}

fn import(rows: u64, pg_url: &str, no_postgres: bool, dir: Option<PathBuf>) -> anyhow::Result<()> {
    for tool in ["/usr/bin/time", "sqlite3"].iter().chain(if no_postgres { &[][..] } else { &["psql"][..] }) {
        which(tool).with_context(|| {
            format!("the benchmark needs {tool} (Debian packages time, sqlite3, postgresql-client)")
        })?;
    }
    let temp = tempfile::tempdir()?;
    let dir = dir.unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let regions = dir.join("regions.csv");
    std::fs::write(&regions, revita_app::demo::regions_csv())?;
    let indicators = dir.join("indicators.csv");
    let mut text = String::from("code,name_zh,unit,aggregation\n");
    for k in 0..100 {
        let _ = writeln!(text, "ind_{k:03},基准指标{k},units,sum");
    }
    std::fs::write(&indicators, text)?;
    let data = dir.join("observations.csv");
    let counties = county_codes()?;
    eprintln!("generating {rows} rows over {} counties…", counties.len());
    write_observations(&data, rows, &counties)?;
    let size_mb = std::fs::metadata(&data)?.len() as f64 / 1e6;

    let mut runs = Vec::new();
    let sqlite = dir.join("revita.sqlite");
    let url = format!("sqlite:{}", sqlite.display());
    revita(&["import", "regions"], &regions, &url)?;
    revita(&["import", "indicators"], &indicators, &url)?;
    runs.push(timed("revita import → SQLite (staged, merged in chunks)", revita_import_command(&data, &url, false)?)?);
    let exclusive = dir.join("exclusive.sqlite");
    let exclusive_url = format!("sqlite:{}", exclusive.display());
    revita(&["import", "regions"], &regions, &exclusive_url)?;
    revita(&["import", "indicators"], &indicators, &exclusive_url)?;
    runs.push(timed("revita import --exclusive → SQLite", revita_import_command(&data, &exclusive_url, true)?)?);

    let native = dir.join("native.sqlite");
    let ddl = "PRAGMA journal_mode=WAL; \
        CREATE TABLE observations_native (region_code TEXT NOT NULL, indicator_code TEXT NOT NULL, period TEXT NOT NULL, \
        value REAL NOT NULL, source TEXT, status TEXT NOT NULL, PRIMARY KEY (indicator_code, region_code, period)) WITHOUT ROWID; \
        CREATE INDEX observations_native_region ON observations_native (region_code, indicator_code);";
    check(Command::new("sqlite3").arg(&native).arg(ddl).output()?.status, "sqlite3 (create table)")?;
    let mut import = Command::new("sqlite3");
    import
        .args(["-cmd", "PRAGMA synchronous=NORMAL", "-cmd", "PRAGMA cache_size=-65536"])
        .arg(&native)
        .arg(format!(".import --csv --skip 1 {} observations_native", data.display()));
    runs.push(timed("sqlite3 .import", import)?);

    if !no_postgres {
        let database = format!("revita_bench_{}", std::process::id());
        psql(pg_url, &format!("CREATE DATABASE {database}"))?;
        let db_url = replace_database(pg_url, &database);
        let outcome = postgres_runs(&db_url, &regions, &indicators, &data);
        psql(pg_url, &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))?;
        runs.extend(outcome?);
    }
    print_table(rows, size_mb, &runs);
    Ok(())
}

fn postgres_runs(url: &str, regions: &Path, indicators: &Path, data: &Path) -> anyhow::Result<Vec<Run>> {
    revita(&["import", "regions"], regions, url)?;
    revita(&["import", "indicators"], indicators, url)?;
    let ours = timed("revita import → PostgreSQL", revita_import_command(data, url, false)?)?;
    psql(
        url,
        "CREATE TABLE observations_native (region_code TEXT NOT NULL, indicator_code TEXT NOT NULL, period TEXT NOT NULL, \
         value DOUBLE PRECISION NOT NULL, source TEXT, status TEXT NOT NULL, PRIMARY KEY (indicator_code, region_code, period)); \
         CREATE INDEX observations_native_region ON observations_native (region_code, indicator_code);",
    )?;
    let mut copy = Command::new("psql");
    copy.args(["-q", "-v", "ON_ERROR_STOP=1", url, "-c"])
        .arg(format!("\\copy observations_native FROM '{}' WITH (FORMAT csv, HEADER true)", data.display()));
    let native = timed("psql \\copy", copy)?;
    Ok(vec![ours, native])
}

/// `bench designate`: all counties × `indicators` indicators × `years`
/// years, loaded through the importers, then `revita designate` timed end
/// to end for an index-and-bands spec and a threshold-rule spec.
fn designate(indicators: usize, years: u32, repeat: usize, pg_url: &str, no_postgres: bool) -> anyhow::Result<()> {
    which("/usr/bin/time").context("the benchmark needs /usr/bin/time (Debian package time)")?;
    let temp = tempfile::tempdir()?;
    let dir = temp.path();
    let regions = dir.join("regions.csv");
    std::fs::write(&regions, revita_app::demo::regions_csv())?;
    let codes: Vec<String> = (0..indicators).map(|k| format!("ind_{k:03}")).collect();
    let mut text = String::from("code,name_zh,unit,direction,aggregation\n");
    for (k, code) in codes.iter().enumerate() {
        let direction = if k % 2 == 0 { "higher_is_better" } else { "lower_is_better" };
        let _ = writeln!(text, "{code},基准指标{k},units,{direction},none");
    }
    let indicator_file = dir.join("indicators.csv");
    std::fs::write(&indicator_file, text)?;
    let counties = county_codes()?;
    let data = dir.join("observations.csv");
    write_panel(&data, &counties, &codes, 2020 + 1 - years as i32..=2020)?;
    let specs = bench_specs(dir, &codes, years)?;

    let mut urls = vec![("SQLite", format!("sqlite:{}", dir.join("revita.sqlite").display()))];
    let database = format!("revita_bench_{}", std::process::id());
    if !no_postgres {
        psql(pg_url, &format!("CREATE DATABASE {database}"))?;
        urls.push(("PostgreSQL", replace_database(pg_url, &database)));
    }
    let outcome = (|| -> anyhow::Result<()> {
        println!("{} counties × {indicators} indicators × {years} years, median of {repeat} runs\n", counties.len());
        println!("| back end | method | seconds (median) | seconds (best) | peak memory (MB) |");
        println!("|---|---|---:|---:|---:|");
        for (backend, url) in &urls {
            revita(&["import", "regions"], &regions, url)?;
            revita(&["import", "indicators"], &indicator_file, url)?;
            revita(&["import", "observations"], &data, url)?;
            for (method, spec) in &specs {
                let mut runs = Vec::new();
                for _ in 0..repeat.max(1) {
                    let mut command = Command::new(std::env::current_exe()?);
                    command.args(["designate", "--year", "2020", "--database-url", url, "--spec"]).arg(spec);
                    command.arg("--out").arg(dir.join("run.csv"));
                    runs.push(timed(method, command)?);
                }
                runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
                let median = &runs[runs.len() / 2];
                println!(
                    "| {backend} | {method} | {:.3} | {:.3} | {:.0} |",
                    median.seconds, runs[0].seconds, median.peak_mb
                );
            }
        }
        Ok(())
    })();
    if !no_postgres {
        psql(pg_url, &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))?;
    }
    outcome
}

/// Every county × indicator × year, with values spread over 1–100 by a
/// fixed multiplicative hash so runs are repeatable.
fn write_panel(
    path: &Path,
    counties: &[String],
    codes: &[String],
    years: std::ops::RangeInclusive<i32>,
) -> anyhow::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "region_code,indicator,period,value")?;
    let mut i: u64 = 0;
    for code in codes {
        for county in counties {
            for year in years.clone() {
                i += 1;
                let value = 1.0 + (i.wrapping_mul(2_654_435_761) % 9_900) as f64 / 100.0;
                writeln!(out, "{county},{code},{year},{value}")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// An ARC-style index-and-bands spec and a "k of n" rule spec over `codes`.
fn bench_specs(dir: &Path, codes: &[String], years: u32) -> anyhow::Result<Vec<(&'static str, PathBuf)>> {
    let indicators: Vec<String> = codes.iter().map(|c| format!(r#"{{"code": "{c}"}}"#)).collect();
    let thresholds: Vec<String> =
        codes.iter().map(|c| format!(r#"{{"at_most": {{"indicator": "{c}", "share": 0.9}}}}"#)).collect();
    let head =
        format!(r#""universe": {{"level": "county"}}, "years": {years}, "indicators": [{}]"#, indicators.join(", "));
    let index = format!(
        r#"{{"name": "bench index", {head}, "method": {{"kind": "index", "bands": [
            {{"upper": 0.1, "label": "distressed"}}, {{"upper": 0.25, "label": "at-risk"}},
            {{"upper": 0.75, "label": "transitional"}}, {{"upper": 0.9, "label": "competitive"}},
            {{"upper": 1.0, "label": "attainment"}}]}}}}"#
    );
    let rule = format!(
        r#"{{"name": "bench rule", {head}, "method": {{"kind": "rule", "rule": {{"k_of_n": {{"k": {}, "rules": [{}]}}}}}}}}"#,
        codes.len().div_ceil(2),
        thresholds.join(", ")
    );
    let mut specs = Vec::new();
    for (name, text) in [("index and bands", index), ("k-of-n rule", rule)] {
        let path = dir.join(format!("{}.json", name.replace(' ', "-")));
        std::fs::write(&path, text)?;
        specs.push((name, path));
    }
    Ok(specs)
}

fn county_codes() -> anyhow::Result<Vec<String>> {
    let text = std::str::from_utf8(revita_app::demo::regions_csv())?;
    Ok(text
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split(',');
            let code = fields.next()?;
            (fields.nth(2)? == "county").then(|| code.to_string())
        })
        .collect())
}

/// Unique keys: indicator i mod 100, then county, then year from 1900 on
/// (the earliest an observation may be for: 10M rows over 2,846 counties
/// reach 1935).
fn write_observations(path: &Path, rows: u64, counties: &[String]) -> anyhow::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "region_code,indicator,period,value,source,status")?;
    let n = counties.len() as u64;
    for i in 0..rows {
        let (indicator, j) = (i % 100, i / 100);
        let county = &counties[(j % n) as usize];
        let year = 1900 + j / n;
        writeln!(out, "{county},ind_{indicator:03},{year},{}.{:02},bench,final", i / 7, i % 100)?;
    }
    out.flush()?;
    Ok(())
}

fn which(tool: &str) -> anyhow::Result<()> {
    let found = if tool.starts_with('/') {
        Path::new(tool).exists()
    } else {
        std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).exists()))
    };
    if found { Ok(()) } else { bail!("{tool} not found") }
}

fn revita_import_command(data: &Path, url: &str, exclusive: bool) -> anyhow::Result<Command> {
    let mut command = Command::new(std::env::current_exe()?);
    command.args(["import", "observations"]).arg(data).args(["--database-url", url, "--no-progress", "--json"]);
    if exclusive {
        command.arg("--exclusive");
    }
    Ok(command)
}

fn revita(args: &[&str], file: &Path, url: &str) -> anyhow::Result<()> {
    let output = Command::new(std::env::current_exe()?).args(args).arg(file).args(["--database-url", url]).output()?;
    if !output.status.success() {
        bail!("revita {} failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr));
    }
    Ok(())
}

fn psql(url: &str, sql: &str) -> anyhow::Result<()> {
    let status = Command::new("psql").args(["-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql]).status()?;
    check(status, &format!("psql -c {sql}"))
}

fn check(status: std::process::ExitStatus, what: &str) -> anyhow::Result<()> {
    if status.success() { Ok(()) } else { bail!("{what} failed ({status})") }
}

/// Runs `command` under `/usr/bin/time -f '%e %M'`.
fn timed(label: &str, command: Command) -> anyhow::Result<Run> {
    eprintln!("running {label}…");
    let mut wrapped = Command::new("/usr/bin/time");
    wrapped.args(["-f", "REVITA_TIME %e %M"]).arg(command.get_program()).args(command.get_args());
    let output = wrapped.output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("{label} failed: {stderr}");
    }
    let line = stderr.lines().rev().find(|l| l.starts_with("REVITA_TIME")).context("no timing from /usr/bin/time")?;
    let mut parts = line.split_whitespace().skip(1);
    let seconds: f64 = parts.next().context("no seconds")?.parse()?;
    let peak_kb: f64 = parts.next().context("no memory")?.parse()?;
    Ok(Run { label: label.to_string(), seconds, peak_mb: peak_kb / 1024.0 })
}

fn replace_database(url: &str, database: &str) -> String {
    match url.rsplit_once('/') {
        Some((base, _)) if base.contains("://") && base.len() > url.find("://").unwrap_or(0) + 3 => {
            format!("{base}/{database}")
        }
        _ => format!("{url}/{database}"),
    }
}

fn print_table(rows: u64, size_mb: f64, runs: &[Run]) {
    println!("{rows} rows, {size_mb:.0} MB CSV\n");
    println!("| loader | seconds | rows/s | peak memory (MB) | speed vs native |");
    println!("|---|---:|---:|---:|---:|");
    // Each group is revita's loads of a back end followed by its native loader.
    let mut group: Vec<&Run> = Vec::new();
    for run in runs {
        group.push(run);
        if run.label.starts_with("revita") {
            continue;
        }
        for member in &group {
            println!(
                "| {} | {:.1} | {:.0} | {:.0} | {:.2}x |",
                member.label,
                member.seconds,
                rows as f64 / member.seconds,
                member.peak_mb,
                run.seconds / member.seconds
            );
        }
        group.clear();
    }
}

/// Times the PDF of a plan with `projects` projects (issue 6's target: under
/// two seconds for 200), on a fresh SQLite database with the demo dataset.
async fn plan_pdf(projects: usize, repeat: usize, keep: Option<PathBuf>) -> anyhow::Result<()> {
    use revita_app::auth::{Actor, Origin};
    use revita_methods::access::{Access, Grant, Role};
    use revita_methods::plan::{
        FundingSource, PlanKind, PlanScope, PlanStatus, PlanTarget, Project, ProjectCategory, ProjectStatus, Target,
    };
    use revita_methods::{Date, IndicatorCode, RegionCode};

    let temp = tempfile::tempdir()?;
    let url = revita_store::DatabaseUrl::new(temp.path().join("bench.sqlite").display().to_string());
    let app = revita_app::App::new(revita_store::open(&url).await?, &revita_app::Profile::China);
    eprintln!("loading the demo dataset…");
    revita_app::demo::load(&app).await?;
    let admin = Actor {
        user_id: 0,
        name: "bench".into(),
        access: Access::new(vec![Grant { role: Role::Admin, scope: RegionCode::parse("000000")? }]),
        must_change_password: false,
    };
    let origin = Origin::default();
    let guizhou = RegionCode::parse("520000")?;
    let draft = revita_app::plans::PlanDraft {
        title: "贵州省革命老区振兴发展规划（2021—2025年）".into(),
        kind: PlanKind::FiveYear,
        region: guizhou.clone(),
        scope: PlanScope::Subtree(guizhou.clone()),
        start_year: 2021,
        end_year: 2025,
        office: "贵州省发展和改革委员会".into(),
    };
    let plan = app.create_plan(&admin, &draft, &origin).await?;
    let counties: Vec<RegionCode> =
        app.descendants(&guizhou, Some("county")).await?.into_iter().map(|r| r.code).collect();
    let mut goals = Vec::new();
    for chapter in 1..=5 {
        let c = app.add_goal(&admin, plan, None, &format!("第{chapter}章 发展目标"), &origin).await?;
        for g in 1..=2 {
            goals.push(app.add_goal(&admin, plan, Some(c), &format!("目标 {chapter}.{g}"), &origin).await?);
        }
    }
    for (k, county) in counties.iter().take(30).enumerate() {
        let target = PlanTarget {
            id: 0,
            goal_id: goals[k % goals.len()],
            indicator: IndicatorCode::parse("pop_total")?,
            region: Some(county.clone()),
            target: Target {
                baseline_year: 2015,
                baseline: 300_000.0,
                target_year: 2025,
                target: 330_000.0 + 1000.0 * k as f64,
                binding: k % 3 != 0,
                intermediate: Vec::new(),
            },
        };
        app.add_target(&admin, plan, &target, &origin).await?;
    }
    let start = Date::parse("2021-03-01")?.days_since_epoch();
    let list: Vec<Project> = (0..projects)
        .map(|i| Project {
            id: 0,
            plan_id: plan,
            code: format!("GZ{i:04}"),
            name: format!("{}重点项目{i}", ["交通", "水利", "产业园", "学校", "医院", "安置区"][i % 6]),
            category: ProjectCategory::ALL[i % ProjectCategory::ALL.len()],
            region: counties[i % counties.len()].clone(),
            point: None,
            start: Date::from_days_since_epoch(start + (i as i64 * 7) % 700),
            end: Date::from_days_since_epoch(start + (i as i64 * 7) % 700 + 200 + (i as i64 * 11) % 900),
            status: ProjectStatus::Underway,
            percent: (i * 13 % 100) as f64,
            goals: vec![goals[i % goals.len()]],
            budget: vec![
                (FundingSource::CentralBudget, 1_000_000.0 * (1 + i % 9) as f64),
                (FundingSource::LocalBudget, 500_000.0 * (1 + i % 5) as f64),
            ],
            version: 1,
        })
        .collect();
    let ids = app.save_projects(&admin, plan, &list, &origin).await?;
    for (id, project) in ids.iter().zip(&list) {
        let due = Date::from_days_since_epoch(project.start.days_since_epoch() + 200);
        app.add_milestone(&admin, *id, "开工", project.start, &origin).await?;
        app.add_milestone(&admin, *id, "主体完工", due, &origin).await?;
    }
    for (status, version) in
        [(PlanStatus::UnderReview, 1), (PlanStatus::Approved, 2), (PlanStatus::InImplementation, 3)]
    {
        app.move_plan(&admin, plan, status, version, None, &origin).await?;
    }
    for (id, project) in ids.iter().zip(&list) {
        let on = Date::from_days_since_epoch(project.start.days_since_epoch() + 30);
        app.add_disbursement(&admin, *id, on, 300_000.0, FundingSource::CentralBudget, &origin).await?;
    }
    let today = Date::parse("2024-07-01")?;
    let first = app.plan_pdf(&admin, plan, today, true).await?;
    if let Some(path) = &keep {
        std::fs::write(path, &first).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let mut seconds = Vec::with_capacity(repeat);
    for _ in 0..repeat {
        let t = std::time::Instant::now();
        let bytes = app.plan_pdf(&admin, plan, today, true).await?;
        seconds.push(t.elapsed().as_secs_f64());
        anyhow::ensure!(bytes.len() == first.len(), "renderings differ");
    }
    seconds.sort_by(f64::total_cmp);
    let text = String::from_utf8_lossy(&first);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    println!(
        "plan PDF, {projects} projects, {} counties mapped: {} bytes, {pages} pages; {repeat} renderings: min {:.3} s, median {:.3} s, max {:.3} s",
        counties.len(),
        first.len(),
        seconds[0],
        seconds[seconds.len() / 2],
        seconds[seconds.len() - 1]
    );
    Ok(())
}
