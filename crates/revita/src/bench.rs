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
    runs.push(timed("revita import → SQLite", revita_import_command(&data, &url)?)?);

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
    let ours = timed("revita import → PostgreSQL", revita_import_command(data, url)?)?;
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

/// Unique keys: indicator i mod 100, then county, then year from 1000 on.
fn write_observations(path: &Path, rows: u64, counties: &[String]) -> anyhow::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "region_code,indicator,period,value,source,status")?;
    let n = counties.len() as u64;
    for i in 0..rows {
        let (indicator, j) = (i % 100, i / 100);
        let county = &counties[(j % n) as usize];
        let year = 1000 + j / n;
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

fn revita_import_command(data: &Path, url: &str) -> anyhow::Result<Command> {
    let mut command = Command::new(std::env::current_exe()?);
    command.args(["import", "observations"]).arg(data).args(["--database-url", url, "--no-progress", "--json"]);
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
    for pair in runs.chunks(2) {
        let native = pair.get(1).map(|r| r.seconds);
        for (i, run) in pair.iter().enumerate() {
            let ratio = match (i, native) {
                (0, Some(n)) => format!("{:.2}x", n / run.seconds),
                _ => "1.00x".to_string(),
            };
            println!(
                "| {} | {:.1} | {:.0} | {:.0} | {ratio} |",
                run.label,
                run.seconds,
                rows as f64 / run.seconds,
                run.peak_mb
            );
        }
    }
}
