//! Black-box tests of the `revita` binary: the commands a user types, their
//! output and exit codes, and the server answering `/health`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod api;
mod browser;
use std::time::{Duration, Instant};

fn revita() -> Command {
    Command::new(env!("CARGO_BIN_EXE_revita"))
}

fn run(args: &[&str], db: &Path) -> Output {
    revita().args(args).arg("--database-url").arg(db).env_remove("REVITA_DATABASE_URL").output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture { dir: tempfile::tempdir().unwrap() }
    }
    fn db(&self) -> PathBuf {
        self.dir.path().join("t.sqlite")
    }
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

const REGIONS: &str =
    "code,name_zh,name_en\n000000,全国,China\n520000,贵州省,Guizhou\n520100,贵阳市,\n520102,南明区,\n520103,云岩区,\n";
const INDICATORS: &str = "code,name_zh,unit,aggregation\npop_total,常住人口,persons,sum\n";

fn loaded() -> Fixture {
    let f = Fixture::new();
    for (kind, name, text) in [("regions", "r.csv", REGIONS), ("indicators", "i.csv", INDICATORS)] {
        let out = run(&["import", kind, f.file(name, text).to_str().unwrap()], &f.db());
        assert!(out.status.success(), "{}", stderr(&out));
    }
    f
}

#[test]
fn imports_print_a_report_and_json_on_request() {
    let f = loaded();
    let data =
        f.file("o.csv", "region_code,indicator,period,value\n520102,pop_total,2020,100\n520103,pop_total,2020,300\n");
    let out = run(&["import", "observations", data.to_str().unwrap(), "--json"], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!((report["records_written"].as_u64(), report["layout"].as_str()), (Some(2), Some("long")));
    let out = run(&["rollup", "--region", "520100", "--indicator", "pop_total", "--period", "2020"], &f.db());
    assert_eq!(stdout(&out), "520100 pop_total 2020 (sum): 400 from 2 of 2 children — complete\n");
}

#[test]
fn a_rejected_import_exits_3_and_names_row_and_column() {
    let f = loaded();
    let data = f.file("bad.csv", "region_code,indicator,period,value\n520102,pop_total,2020,abc\n");
    let out = run(&["import", "observations", data.to_str().unwrap()], &f.db());
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("bad.csv, row 2, column 'value': 'abc' is not a number"), "{}", stderr(&out));
    let out = run(&["inventory"], &f.db());
    assert!(stdout(&out).contains("observations: 0"), "{}", stdout(&out));
    // Issue 13: --json prints the report as JSON when the file is refused too.
    let out = run(&["import", "observations", data.to_str().unwrap(), "--dry-run", "--json"], &f.db());
    assert_eq!(out.status.code(), Some(3));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON on stdout");
    assert_eq!(report["rejected"], true);
    assert_eq!(report["problems"][0]["row"], 2);
    assert_eq!(report["problems"][0]["column"], "value");
}

#[test]
fn the_audit_chain_verifies() {
    let f = loaded();
    let out = run(&["audit", "verify"], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("the chain is intact"), "{}", stdout(&out));
    let out = run(&["audit", "verify", "--json"], &f.db());
    let chain: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(chain["rows"].as_u64().unwrap() >= 2 && chain["broken_at"].is_null(), "{chain}");
}

/// Starts `revita serve --demo` (with `extra` arguments) in `dir`, waits
/// until it is ready and stops it; returns what it wrote to stderr.
fn demo_start(dir: &std::path::Path, extra: &[&str]) -> String {
    let mut server = revita()
        .args(["serve", "--demo", "--port", "0"])
        .args(extra)
        .current_dir(dir)
        .env_remove("REVITA_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("the server printed its address").unwrap();
        if line.starts_with("revita is ready at ") {
            break;
        }
    }
    let _ = server.kill();
    let output = server.wait_with_output().unwrap();
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn serve_demo_keeps_its_database_unless_reset() {
    // Issue 13: `serve --demo` deleted an existing demo database on every start.
    let f = Fixture::new();
    let demo = f.dir.path().join("revita-demo.sqlite");
    let first = demo_start(f.dir.path(), &[]);
    assert!(first.contains("loading the demo dataset"), "{first}");
    let marker = f.file("marker.csv", "code,name_zh,unit,aggregation\nmarker_entered,用户录入,count,sum\n");
    assert!(run(&["import", "indicators", marker.to_str().unwrap()], &demo).status.success());
    let second = demo_start(f.dir.path(), &[]);
    assert!(second.contains("serving the demo database as it is") && !second.contains("loading"), "{second}");
    assert!(indicator_kept(&demo), "what was entered is kept");
    let third = demo_start(f.dir.path(), &["--reset-demo"]);
    assert!(third.contains("loading the demo dataset"), "{third}");
    assert!(!indicator_kept(&demo), "--reset-demo starts afresh");
}

/// Whether the marker indicator entered between starts is still there.
fn indicator_kept(db: &std::path::Path) -> bool {
    let out = run(&["rollup", "--region", "000000", "--indicator", "marker_entered", "--period", "2020"], db);
    out.status.success()
}

#[test]
fn regions_are_looked_up_by_code_and_name() {
    let f = loaded();
    let out = run(&["region", "search", "云岩"], &f.db());
    assert_eq!(stdout(&out), "520103\t云岩区\tcounty\n");
    let out = run(&["region", "show", "520103", "--json"], &f.db());
    let shown: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(shown["ancestors"][1]["name_en"], "Guizhou");
    let out = run(&["region", "descendants", "520000", "--level", "county"], &f.db());
    assert_eq!(stdout(&out).lines().count(), 2);
}

/// Issue 15: `--profile` is given once and kept by the database; a later
/// command without it reads the codes the same way, and one naming another
/// scheme is refused.
#[test]
fn the_code_scheme_is_given_once_and_kept_by_the_database() {
    let f = Fixture::new();
    let fips = f.file(
        "fips.csv",
        "code,name_zh,name_en,level,parent_code\nUS,美国,United States,country,\n01,阿拉巴马州,Alabama,state,US\n\
         01001,奥陶加县,Autauga County,county,01\n",
    );
    let out = run(&["import", "regions", fips.to_str().unwrap(), "--profile", "country,state,county"], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["region", "descendants", "US", "--level", "county"], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("01001\t"), "{}", stdout(&out));
    let out = run(&["region", "show", "01001", "--profile", "china"], &f.db());
    assert!(!out.status.success());
    assert!(stderr(&out).contains("follow the code scheme 'country,state,county', not 'china'"), "{}", stderr(&out));
}

#[test]
fn exports_write_each_format() {
    let f = loaded();
    let data =
        f.file("o.csv", "region_code,indicator,period,value,source\n520102,pop_total,2020,-100,=cmd|' /C calc'!A0\n");
    assert!(run(&["import", "observations", data.to_str().unwrap()], &f.db()).status.success());
    for name in ["x.csv", "x.xlsx", "x.parquet"] {
        let out_path = f.dir.path().join(name);
        let out = run(&["export", "--out", out_path.to_str().unwrap()], &f.db());
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert_eq!(stdout(&out), format!("{}: wrote 1 observations\n", out_path.display()));
    }
    // Issue 13: the CSV opens in a spreadsheet as text, not as a formula; a
    // negative number stays a number.
    let csv = std::fs::read_to_string(f.dir.path().join("x.csv")).unwrap();
    assert!(csv.starts_with('\u{feff}'), "{csv}");
    assert!(csv.contains(",-100,'=cmd|' /C calc'!A0,"), "{csv}");
    let out = run(&["export", "--out", f.dir.path().join("x.json").to_str().unwrap()], &f.db());
    assert!(!out.status.success());
    assert!(stderr(&out).contains("give --format or a .csv, .xlsx or .parquet name"));
    // Issue 16: a Parquet export imports again, value for value (into a
    // fresh database: the same rows again would be refused as duplicates).
    let other = f.dir.path().join("other.sqlite");
    for (kind, name, text) in [("regions", "r.csv", REGIONS), ("indicators", "i.csv", INDICATORS)] {
        assert!(run(&["import", kind, f.file(name, text).to_str().unwrap()], &other).status.success());
    }
    let parquet = f.dir.path().join("x.parquet");
    let out = run(&["import", "observations", parquet.to_str().unwrap()], &other);
    assert!(out.status.success(), "{}", stderr(&out));
    let again = f.dir.path().join("again.csv");
    assert!(run(&["export", "--out", again.to_str().unwrap()], &other).status.success());
    assert_eq!(std::fs::read_to_string(&again).unwrap(), csv);
    // A parent with a level gives the regions at that level below it.
    let counties = f.dir.path().join("counties.csv");
    let out = run(&["export", "--out", counties.to_str().unwrap(), "--parent", "520000", "--level", "county"], &f.db());
    assert_eq!(stdout(&out), format!("{}: wrote 1 observations\n", counties.display()));
}

#[test]
fn serve_answers_health_and_healthcheck_sees_it() {
    let f = loaded();
    let mut server = revita()
        .args(["serve", "--port", "0", "--database-url"])
        .arg(f.db())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    let url = loop {
        assert!(Instant::now() < deadline, "the server did not start");
        let line = lines.next().unwrap().unwrap();
        if let Some(rest) = line.strip_prefix("revita is ready at ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    let out = revita().args(["healthcheck", "--url", &format!("{url}/health")]).output().unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert!(out.status.success(), "{}", stderr(&out));
    let refused = revita().args(["healthcheck", "--url", &format!("{url}/health")]).output().unwrap();
    assert!(!refused.status.success());
}

#[test]
fn serve_applies_its_limits_to_slow_clients_and_keeps_uploads_private() {
    use std::io::{Read, Write};
    use std::os::unix::fs::PermissionsExt;
    let f = loaded();
    let uploads = f.dir.path().join("uploads");
    let mut server = revita()
        .args(["serve", "--port", "0", "--header-timeout-secs", "1", "--idle-timeout-secs", "1"])
        .args(["--max-connections", "8", "--max-upload-mb", "1", "--upload-dir"])
        .arg(&uploads)
        .arg("--database-url")
        .arg(f.db())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("the server printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("revita is ready at ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    let addr = url.trim_start_matches("http://").to_string();
    // A header that never finishes is cut off after a second.
    let opened = Instant::now();
    let mut slow = std::net::TcpStream::connect(&addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: revita\r\n").unwrap();
    let mut answer = Vec::new();
    let read = slow.read_to_end(&mut answer);
    let waited = opened.elapsed();
    // Ordinary requests still work.
    let health = revita().args(["healthcheck", "--url", &format!("{url}/health")]).output().unwrap();
    let mode = std::fs::metadata(&uploads).map(|m| m.permissions().mode() & 0o777);
    let _ = server.kill();
    let _ = server.wait();
    assert!(read.is_ok() && answer.is_empty(), "closed without an answer: {read:?}");
    assert!(waited >= Duration::from_millis(800) && waited < Duration::from_secs(15), "{waited:?}");
    assert!(health.status.success(), "{}", stderr(&health));
    assert_eq!(mode.unwrap(), 0o700, "the upload directory is made private");

    // A directory other users may read is refused.
    std::fs::set_permissions(&uploads, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = revita()
        .args(["serve", "--port", "0", "--upload-dir"])
        .arg(&uploads)
        .arg("--database-url")
        .arg(f.db())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("may be read by other users"), "{}", stderr(&out));
}

#[test]
fn the_first_administrator_is_created_from_the_command_line() {
    use std::io::Write as _;
    let f = loaded();
    let mut child = revita()
        .args(["user", "create", "root_admin", "--role", "admin", "--scope", "000000", "--database-url"])
        .arg(f.db())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"a long enough passphrase\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "created user root_admin (admin @ 000000)\n");
    let mut weak = revita()
        .args(["user", "create", "li", "--role", "viewer", "--scope", "520000", "--database-url"])
        .arg(f.db())
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    weak.stdin.take().unwrap().write_all(b"short\n").unwrap();
    let out = weak.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("at least 12 characters"), "{}", stderr(&out));
}

#[test]
fn with_a_token_the_command_line_acts_within_the_users_jurisdiction() {
    use std::io::Write as _;
    let f = loaded();
    let data =
        f.file("o.csv", "region_code,indicator,period,value\n520102,pop_total,2020,100\n520103,pop_total,2020,300\n");
    assert!(run(&["import", "observations", data.to_str().unwrap()], &f.db()).status.success());
    let mut create = revita()
        .args(["user", "create", "nm_clerk", "--role", "data_entry", "--scope", "520102", "--database-url"])
        .arg(f.db())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    create.stdin.take().unwrap().write_all(b"a long enough passphrase\n").unwrap();
    assert!(create.wait().unwrap().success());
    let out = run(&["user", "token", "nm_clerk"], &f.db());
    let token = stdout(&out).trim().to_string();
    assert!(token.starts_with("rvt_"), "{}", stderr(&out));
    let as_clerk = |args: &[&str]| {
        revita().args(args).arg("--database-url").arg(f.db()).env("REVITA_TOKEN", &token).output().unwrap()
    };
    let search = as_clerk(&["region", "search", "区"]);
    assert_eq!(stdout(&search), "520102\t南明区\tcounty\n");
    let other = as_clerk(&["region", "show", "520103"]);
    assert!(!other.status.success() && stderr(&other).contains("outside your jurisdiction"));
    let out_path = f.dir.path().join("mine.csv");
    let export = as_clerk(&["export", "--out", out_path.to_str().unwrap()]);
    assert!(export.status.success(), "{}", stderr(&export));
    let exported = std::fs::read_to_string(&out_path).unwrap();
    assert!(exported.contains("520102") && !exported.contains("520103"), "{exported}");
    let bad = f.file("b.csv", "region_code,indicator,period,value\n520103,pop_total,2021,1\n");
    let import = as_clerk(&["import", "observations", bad.to_str().unwrap()]);
    assert_eq!(import.status.code(), Some(3));
    assert!(stderr(&import).contains("region 520103 is outside your jurisdiction"), "{}", stderr(&import));
    let forged =
        revita().args(["inventory", "--database-url"]).arg(f.db()).env("REVITA_TOKEN", "rvt_forged").output().unwrap();
    assert!(stderr(&forged).contains("the API token is not valid"));
}

#[test]
fn designate_ranks_classifies_and_writes_the_table() {
    let f = loaded();
    let data =
        f.file("o.csv", "region_code,indicator,period,value\n520102,pop_total,2020,100\n520103,pop_total,2020,300\n");
    assert!(run(&["import", "observations", data.to_str().unwrap()], &f.db()).status.success());
    // Reference 200: 南明 100/200 → index 50, 云岩 300/200 → 150, the worse.
    let spec = f.file(
        "spec.json",
        r#"{"name": "Crowded", "universe": {"level": "county"},
            "indicators": [{"code": "pop_total", "direction": "lower_is_better"}],
            "method": {"kind": "index", "bands": [{"upper": 0.5, "label": "lagging"}, {"upper": 1.0, "label": "other"}]}}"#,
    );
    let out_path = f.dir.path().join("run.csv");
    let args = ["designate", "--spec", spec.to_str().unwrap(), "--year", "2020", "--out", out_path.to_str().unwrap()];
    let out = run(&args, &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Crowded v1 for 2020: 2 regions classified, 0 excluded\n  lagging: 1\n  other: 1\n");
    let table = std::fs::read_to_string(&out_path).unwrap();
    // 云岩 leaves the worst band when its index falls below 南明's 50: 100
    // points away, at a population just under 100.
    assert!(
        table.contains("\n520103,云岩区,300.000000,1.500000,150.000000,1,0.000000,lagging,100.000000,pop_total 300.000000 → 100.000000 (-66.7%): other,,\n"),
        "{table}"
    );
    let bad_out = f.dir.path().join("run.json");
    let out = run(
        &["designate", "--spec", spec.to_str().unwrap(), "--year", "2020", "--out", bad_out.to_str().unwrap()],
        &f.db(),
    );
    assert!(stderr(&out).contains("write .csv or .xlsx"), "{}", stderr(&out));
    // The same from a file of observations, the database's left as they are.
    let survey =
        f.file("s.csv", "region_code,indicator,period,value\n520102,pop_total,2020,500\n520103,pop_total,2020,300\n");
    let args =
        ["designate", "--spec", spec.to_str().unwrap(), "--year", "2020", "--observations", survey.to_str().unwrap()];
    let out = run(&args, &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Crowded v1 for 2020: 2 regions classified, 0 excluded\n  lagging: 1\n  other: 1\n");
    // Compared with itself: the diagonal of the transition matrix.
    let args = ["designate", "--spec", spec.to_str().unwrap(), "--year", "2020", "--against-year", "2020"];
    let out = run(&args, &f.db());
    assert!(
        stdout(&out).contains("  \tlagging\tother\n  lagging\t1\t0\n  other\t0\t1\n0 of 2 regions changed class"),
        "{}",
        stdout(&out)
    );
    // Committed as an official list: 云岩 (lagging) joins.
    let args = [
        "designate",
        "--spec",
        spec.to_str().unwrap(),
        "--year",
        "2020",
        "--commit",
        "custom:crowded",
        "--classes",
        "lagging",
        "--basis",
        "关于认定人口密集县的通知",
        "--effective",
        "2021-01-01",
    ];
    // Issue 13: without --confirm the list is only previewed.
    let out = run(&args, &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let preview = stdout(&out);
    assert!(preview.contains("  joining (1): 520103\n") && preview.contains("nothing was written"), "{preview}");
    let fingerprint = preview.rsplit("--confirm ").next().unwrap().trim().to_string();
    let mut args = args.to_vec();
    args.extend(["--confirm", fingerprint.as_str()]);
    let out = run(&args, &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("list 1 committed: 1 regions in custom:crowded from 2021-01-01; 1 join, 0 leave\n"),
        "{}",
        stdout(&out)
    );
    let out = run(&["lists"], &f.db());
    assert!(
        stdout(&out)
            .starts_with("1\tcustom:crowded\tfrom 2021-01-01\t1 regions (+1 −0)\t关于认定人口密集县的通知\tCrowded v1"),
        "{}",
        stdout(&out)
    );
    let members = f.dir.path().join("list1.csv");
    let out = run(&["lists", "--id", "1", "--out", members.to_str().unwrap()], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let table = std::fs::read_to_string(&members).unwrap();
    assert!(
        table.contains("\n1,custom:crowded,520103,云岩区,lagging,关于认定人口密集县的通知,,2021-01-01,"),
        "{table}"
    );
    let out = run(&["region", "show", "520103"], &f.db());
    assert!(
        stdout(&out).contains("designation: crowded (2021-01-01 – …) Crowded v1 (2020): lagging"),
        "{}",
        stdout(&out)
    );
    let broken = f.file("broken.json", r#"{"name": "x"}"#);
    let out = run(&["designate", "--spec", broken.to_str().unwrap(), "--year", "2020"], &f.db());
    assert!(stderr(&out).contains("broken.json") && stderr(&out).contains("missing field"), "{}", stderr(&out));
}

#[test]
fn allocate_splits_a_fund_and_writes_the_workbook() {
    let f = loaded();
    let data =
        f.file("o.csv", "region_code,indicator,period,value\n520102,pop_total,2020,100\n520103,pop_total,2020,300\n");
    assert!(run(&["import", "observations", data.to_str().unwrap()], &f.db()).status.success());
    let spec = f.file(
        "fund.json",
        r#"{"name": "Fund", "total": 1000000, "universe": {"level": "county"}, "rounding": 10000,
            "factors": [{"name": "population", "weight": 1, "indicator": "pop_total"}]}"#,
    );
    let book = f.dir.path().join("fund.xlsx");
    let args = ["allocate", "--spec", spec.to_str().unwrap(), "--year", "2020", "--out", book.to_str().unwrap()];
    let out = run(&args, &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    // 100 : 300 of a million.
    assert!(stdout(&out).contains("520103 云岩区: 750000\n  520102 南明区: 250000\n"), "{}", stdout(&out));
    assert!(std::fs::metadata(&book).unwrap().len() > 1000);
    let broken = f.file("broken.json", r#"{"name": "x", "total": -1, "universe": {"level": "county"}, "factors": []}"#);
    let out = run(&["allocate", "--spec", broken.to_str().unwrap(), "--year", "2020"], &f.db());
    assert!(!out.status.success() && stderr(&out).contains("positive amount"), "{}", stderr(&out));
}

const HOUSEHOLDS: &str = "hh_id,village_code,size,labor,income_pc,income_pc_prev,medical_exp,education_exp,disaster_loss,\
d_nutrition,d_child_mortality,d_schooling,d_attendance,d_cooking,d_sanitation,d_water,d_electricity,d_housing,d_assets,d_health_ins
1,520102001001,4,2,7000,8000,10000,0,0,1,0,0,0,1,1,0,0,0,0,0
2,520102003210,2,1,9000,14000,5000,3000,1000,0,0,1,1,0,0,0,0,0,0,0
3,520103002003,3,3,20000,20000,0,0,30001,1,1,0,0,0,0,1,1,1,1,0
";

#[test]
fn screen_writes_the_county_table_and_stores_it_on_request() {
    let f = loaded();
    let input = f.file("households.csv", HOUSEHOLDS);
    let table = f.dir.path().join("county_screen.csv");
    let args = ["screen", input.to_str().unwrap(), "--line", "7600", "--out", table.to_str().unwrap(), "--json"];
    let out = run(&args, &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    // The hand-checked households of revita-methods' screening tests: all
    // three flagged; h2 (2 people, score 6) and h3 (3 people, score 10) poor.
    assert_eq!(json["summary"]["households"], 3);
    assert_eq!(json["summary"]["flagged"], 3);
    assert_eq!(json["summary"]["mpi_poor_people"], 5);
    assert_eq!(json["stored"], serde_json::Value::Null);
    let text = std::fs::read_to_string(&table).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[1],
        "520102,2,6,2,1,1,0,1,2,0.333333,0.333333,0.111111,0.000000,0.000000,0.333333,0.333333,0.000000,0.000000,0.000000,0.000000,0.000000,0.000000"
    );
    assert!(lines[2].starts_with("520103,1,3,1,0,0,1,1,3,1.000000,0.555556,0.555556,1.000000,1.000000,0.000000,"));

    let out = run(&["screen", input.to_str().unwrap(), "--store", "--year", "2024"], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("stored 16 observations for 2 counties"), "{}", stdout(&out));
    let out = run(&["rollup", "--region", "520100", "--indicator", "hh_flagged", "--period", "2024"], &f.db());
    assert!(stdout(&out).contains(": 3 from 2 of 2 children"), "{}", stdout(&out));
    let out = run(&["screen", input.to_str().unwrap(), "--store"], &f.db());
    assert!(!out.status.success() && stderr(&out).contains("--year"), "{}", stderr(&out));
}

#[test]
fn the_registry_is_imported_and_screened_like_a_file() {
    let f = loaded();
    let input = f.file("households.csv", HOUSEHOLDS);
    let out = run(&["import", "households", input.to_str().unwrap()], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let (from_file, from_registry) = (f.dir.path().join("file.csv"), f.dir.path().join("registry.csv"));
    let out = run(&["screen", input.to_str().unwrap(), "--out", from_file.to_str().unwrap()], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["screen", "--registry", "--out", from_registry.to_str().unwrap()], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&from_file).unwrap(), std::fs::read_to_string(&from_registry).unwrap());
    let out = run(&["screen", input.to_str().unwrap(), "--registry"], &f.db());
    assert!(!out.status.success(), "a file or the registry, not both");
    // The registry exported, one row per household with its triggers.
    let export = f.dir.path().join("registry-export.csv");
    let out = run(&["export", "--registry", "--line", "7600", "--out", export.to_str().unwrap()], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&export).unwrap();
    let households = HOUSEHOLDS.lines().count() - 1;
    assert!(text.starts_with("\u{feff}hh_id,village_code,size") && text.lines().count() == households + 1, "{text}");
    assert!(text.lines().next().unwrap().contains("f_income,f_drop,f_expense,f_guarantee,mpi_score"));
}

#[test]
fn a_case_is_opened_moved_shown_and_found_overdue() {
    let f = loaded();
    let input = f.file("households.csv", HOUSEHOLDS);
    assert!(run(&["import", "households", input.to_str().unwrap()], &f.db()).status.success());
    let open = [
        "case",
        "open",
        "--household",
        "2",
        "--category",
        "marginal",
        "--channel",
        "data_screening",
        "--on",
        "2024-03-01",
    ];
    let out = run(&open, &f.db());
    assert_eq!(stdout(&out), "case 1 opened for household 2\n", "{}", stderr(&out));
    let out = run(&["case", "move", "1", "--to", "approved", "--on", "2024-03-02", "--case-version", "1"], &f.db());
    assert!(!out.status.success() && stderr(&out).contains("next: verified"), "{}", stderr(&out));
    let out = run(
        &["case", "move", "1", "--to", "verified", "--on", "2024-03-04", "--case-version", "1", "--evidence", "visit"],
        &f.db(),
    );
    assert_eq!(stdout(&out), "case 1 is at verified since 2024-03-04 (version 2)\n", "{}", stderr(&out));
    let out = run(&["case", "show", "1"], &f.db());
    assert!(stdout(&out).contains("  2024-03-04 verified by cli: visit"), "{}", stdout(&out));
    let out = run(&["case", "overdue", "--today", "2024-04-01", "--limit", "consented=10"], &f.db());
    assert_eq!(stdout(&out), "case 1 household 2: consented due 2024-03-14 (18 days late)\n", "{}", stderr(&out));
}

#[test]
fn screen_names_the_bad_row_and_leaves_no_table() {
    let f = Fixture::new();
    let bad = HOUSEHOLDS.replace("3,3,20000", "3,5,20000");
    let input = f.file("households.csv", &bad);
    let table = f.dir.path().join("county_screen.csv");
    let out = run(&["screen", input.to_str().unwrap(), "--out", table.to_str().unwrap()], &f.db());
    assert!(!out.status.success());
    let message = stderr(&out);
    assert!(
        message.contains("households.csv, row 4, column 'labor'") && message.contains("outside 0..=3"),
        "{message}"
    );
    assert!(!table.exists());
    assert!(!f.dir.path().join("county_screen.csv.partial").exists());
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let f = loaded();
    // The reading end is closed before revita starts, so its first write fails.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = revita()
        .args(["region", "descendants", "000000", "--database-url"])
        .arg(f.db())
        .env_remove("REVITA_DATABASE_URL")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn plans_are_created_filled_and_exported_from_the_command_line() {
    let f = loaded();
    let db = f.db();
    let out = run(
        &[
            "plan",
            "create",
            "--title",
            "贵阳规划",
            "--region",
            "520100",
            "--scope",
            "subtree:520100",
            "--start",
            "2021",
            "--end",
            "2025",
        ],
        &db,
    );
    assert!(out.status.success() && stdout(&out).contains("plan 1 created"), "{}", stderr(&out));
    let template = f.dir.path().join("template.xlsx");
    let out = run(&["plan", "template", "--out", template.to_str().unwrap()], &db);
    assert!(out.status.success() && template.exists(), "{}", stderr(&out));
    let header = "code,name,category,region_code,lon,lat,start,end,status,percent,goals,budget_central_budget";
    let bad = f.file("bad.csv", &format!("{header}\nP1,水厂,infrastructure,520000,,,2022-01-01,2023-12-31,,,,100\n"));
    let out = run(&["plan", "import-projects", "1", bad.to_str().unwrap()], &db);
    assert_eq!(out.status.code(), Some(3), "a rejected import: {}", stderr(&out));
    assert!(stderr(&out).contains("row 2") && stderr(&out).contains("not in the plan's scope"), "{}", stderr(&out));
    let good = f.file("good.csv", &format!("{header}\nP1,水厂,infrastructure,520102,,,2022-01-01,2023-12-31,,,,100\n"));
    let out = run(&["plan", "import-projects", "1", good.to_str().unwrap()], &db);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["plan", "move", "1", "--to", "under_review", "--plan-version", "1"], &db);
    assert!(out.status.success() && stdout(&out).contains("under_review (version 2)"), "{}", stderr(&out));
    let out = run(&["plan", "move", "1", "--to", "approved", "--plan-version", "1"], &db);
    assert!(!out.status.success() && stderr(&out).contains("changed since version 1"), "{}", stderr(&out));
    let out = run(&["plan", "show", "1", "--json"], &db);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!((json["status"].as_str(), json["budget"].as_f64()), (Some("under_review"), Some(100.0)));
    let xlsx = f.dir.path().join("plan.xlsx");
    let out = run(&["plan", "export", "1", "--out", xlsx.to_str().unwrap()], &db);
    assert!(out.status.success() && xlsx.exists(), "{}", stderr(&out));
    let pdf = f.dir.path().join("plan.pdf");
    let out = run(&["plan", "pdf", "1", "--out", pdf.to_str().unwrap()], &db);
    if stderr(&out).contains("no CJK font") && std::env::var_os("CI").is_none() {
        return;
    }
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
}

// Issue 19: a basin agreement settled from its samples — from files alone,
// and stored: the agreement, its samples (a bad file refused naming row and
// column, nothing written), the settlement and the payments ledger;
// ecosystem-service value from land use; the key-zone transfer.
const XINAN_TEST: &str = r#"{"name": "新安江 round 1", "upstream": "安徽", "downstream": "浙江", "section": "街口",
    "rounds": [{"name": "1", "from": 2012, "to": 2020, "k0": 0.85, "amount": 100000000,
        "indicators": [{"code": "codmn", "weight": 0.25, "limit": 2.0}, {"code": "nh3n", "weight": 0.25, "limit": 0.1},
                       {"code": "tn", "weight": 0.25, "limit": 1.0}, {"code": "tp", "weight": 0.25, "limit": 0.02}]}]}"#;

#[test]
fn eco_settles_a_basin_and_values_ecosystem_services() {
    let f = Fixture::new();
    // From files alone: no database is opened.
    let eco = |args: &[&str]| revita().args(args).env_remove("REVITA_DATABASE_URL").output().unwrap();
    let agreement = f.file("xinan.json", XINAN_TEST);
    let samples = f.file(
        "samples.csv",
        "section,date,indicator,upstream,downstream\n街口,2020-01-05,codmn,1.6,1.6\n街口,2020-01-05,nh3n,0.1,0.1\n\
         街口,2020-01-05,tn,1.2,1.2\n街口,2020-01-05,tp,0.02,0.02\n",
    );
    let args = ["eco", "settle", "--agreement", agreement.to_str().unwrap(), "--samples", samples.to_str().unwrap()];
    let out = eco(&[&args[..], &["--year", "2020"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("P = k0 × Σ = 0.85 × 1.0000 = 0.8500: met (P ≤ 1)"), "{text}");
    assert!(text.contains("浙江 pays 安徽 100000000.00 yuan (街口)"), "{text}");
    let bad = f.file("bad.csv", "section,date,indicator,upstream,downstream\n街口,2020-01-05,codmn,lots,1.6\n");
    let bad_args = ["eco", "settle", "--agreement", agreement.to_str().unwrap(), "--samples", bad.to_str().unwrap()];
    let out = eco(&[&bad_args[..], &["--year", "2020"]].concat());
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("bad.csv, row 2, column 'upstream': 'lots' is not a number"), "{}", stderr(&out));

    // 100 ha of paddy at 4,600.89 kg/ha × 2.28 yuan/kg ÷ 7 = 1,498.58 yuan/ha
    // (the default parameters): 3.89 equivalents × 100 ha × 1,498.5756 =
    // 582,946 yuan a year.
    let areas = f.file("areas.csv", "region_code,type,hectares\n341021,paddy,100\n");
    let out = eco(&["eco", "esv", "--areas", areas.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!((value["standard_equivalent"].as_f64().unwrap() * 100.0).round() / 100.0, 1_498.58);
    assert_eq!(value["regions"][0]["total"].as_f64().unwrap().round(), 582_946.0);

    // The transfer: gap 500 × 0.5 + 10 km² × 1,000 + 2 rangers × 10,000 = 30,250.
    let counties = f
        .file("counties.csv", "county,standard_expenditure,standard_revenue,prohibited_area,rangers\nA,800,300,10,2\n");
    let rule = f.file("rule.json", r#"{"coefficient": 0.5, "prohibited_rate": 1000, "ranger_standard": 10000}"#);
    let out =
        eco(&["eco", "transfer", "--counties", counties.to_str().unwrap(), "--rule", rule.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let grants: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(grants[0]["grant"].as_f64(), Some(30_250.0));
}

#[test]
fn eco_stores_an_agreement_and_settles_it_with_a_ledger() {
    let f = loaded();
    let agreement = f.file("xinan.json", XINAN_TEST);
    let out = run(&["eco", "agreement", agreement.to_str().unwrap(), "--region", "520000"], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("agreement 1 stored"), "{}", stdout(&out));
    // A sample of a section the agreement does not name: nothing is written.
    let bad = f.file(
        "bad.csv",
        "section,date,indicator,upstream,downstream\n街口,2020-01-05,tp,0.02,0.02\n鸠坑口,2020-01-05,tp,0.02,0.02\n",
    );
    let out = run(&["eco", "samples", "--id", "1", bad.to_str().unwrap()], &f.db());
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("bad.csv, row 3, column 'section'"), "{}", stderr(&out));
    let samples = f.file(
        "samples.csv",
        "section,date,indicator,upstream,downstream\n街口,2020-01-05,codmn,1.6,1.6\n街口,2020-01-05,nh3n,0.1,0.1\n\
         街口,2020-01-05,tn,1.2,1.2\n街口,2020-01-05,tp,0.02,0.02\n",
    );
    let out = run(&["eco", "samples", "--id", "1", samples.to_str().unwrap()], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("4 rows read; wrote 4 (0 replacing stored)"), "{}", stdout(&out));
    let out = run(&["eco", "settle", "--id", "1", "--year", "2020"], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("= 0.8500: met"), "{}", stdout(&out));
    let out = run(&["eco", "payments"], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("浙江 → 安徽\t100000000.00\tdue\t街口 P=0.8500"), "{}", stdout(&out));
}

// Issue 18: the pairing ledger and the evidence brief on the command line.
#[test]
fn pairing_ledger_and_brief_from_the_command_line() {
    let f = loaded();
    let files = [
        (
            "pairings",
            "p.csv",
            "program,donor_code,recipient_code,start_year\n东西部协作,520100,520102,2016\n东西部协作,520100,520103,2016\n",
        ),
        (
            "indicators",
            "i2.csv",
            "code,name_zh,unit,direction,aggregation\nfiscal_revenue,一般公共预算收入,yuan,higher_is_better,sum\n\
             schooling,受教育年限,years,higher_is_better,mean\n",
        ),
        (
            "observations",
            "o.csv",
            "region_code,indicator,period,value\n520100,fiscal_revenue,2020,1000000000\n520000,schooling,2020,5\n\
             000000,schooling,2020,10\n",
        ),
    ];
    for (kind, name, text) in files {
        let out = run(&["import", kind, f.file(name, text).to_str().unwrap()], &f.db());
        assert!(out.status.success(), "{kind}: {}", stderr(&out));
    }
    let rule =
        ["pairing", "rule", "--program", "东西部协作", "--donor", "520100", "--share", "0.01", "--start-year", "2016"];
    let out = run(&rule, &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let flows = f.file(
        "flows.csv",
        "program,donor_code,recipient_code,year,kind,project,amount,sector,county_level,livelihood\n\
         东西部协作,520100,520102,2021,funds,小学,4000000,education,1,1\n",
    );
    let out = run(&["pairing", "flows", flows.to_str().unwrap()], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    // 1% of 1 bn (2020) = 10 m in 2021, 5 m to each county; 4 m delivered: 80%.
    let out = run(&["pairing", "ledger", "--year", "2021", "--json"], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let ledger: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let nanming = ledger["ledger"].as_array().unwrap().iter().find(|r| r["recipient"] == "520102").unwrap();
    assert_eq!((nanming["obligation"].as_f64(), nanming["fulfilment"].as_f64()), (Some(5e6), Some(0.8)));
    let xml = f.dir.path().join("iati.xml");
    let out = run(&["pairing", "iati", "--from", "2021", "--to", "2021", "--out", xml.to_str().unwrap()], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&xml).unwrap().contains("<iati-activities version=\"2.03\""));
    // The brief on 贵州省: 5 years of schooling against 10 — far behind; the assistance received.
    let out = run(&["brief", "520000", "--year", "2021", "--indicators", "schooling", "--json"], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let brief: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(brief["indicators"][0]["recommendation"].as_str().unwrap().starts_with("Priority"), "{brief}");
    assert_eq!(brief["assistance"]["funds"].as_f64(), Some(4e6));
    let pdf = f.dir.path().join("brief.pdf");
    let out = run(
        &["brief", "520000", "--year", "2021", "--indicators", "pop_total", "--out", pdf.to_str().unwrap()],
        &f.db(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
}

// Issue 21: an event recorded, its data imported (a bad file refused by row
// and column), its damage, losses and needs, and its report.
#[test]
fn a_disaster_is_recorded_assessed_and_reported_from_the_command_line() {
    let f = loaded();
    let create =
        ["disaster", "create", "--name", "南明洪涝", "--kind", "flood", "--date", "2021-07-01", "--region", "520100"];
    let out = run(&[&create[..], &["--needs", r#"{"default_uplift": 0.2, "recovery_share": 0.5}"#]].concat(), &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let counties = f.file("c.csv", "county_code,severity,affected\n520102,severe,1000\n");
    let out = run(&["disaster", "import", "--id", "1", "--kind", "counties", counties.to_str().unwrap()], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let bad =
        f.file("bad.csv", "county_code,sector,asset,ownership,kind,destroyed\n520102,palaces,x,public,damage,1\n");
    let out = run(&["disaster", "import", "--id", "1", "--kind", "assessment", bad.to_str().unwrap()], &f.db());
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("bad.csv, row 2, column 'sector'"), "{}", stderr(&out));
    // 10 houses at 100,000 = 1 m of damage; needs 1.2 m.
    let lines = f.file(
        "a.csv",
        "county_code,sector,asset,ownership,kind,destroyed,replacement_cost\n520102,housing,house,private,damage,10,100000\n",
    );
    let out = run(&["disaster", "import", "--id", "1", "--kind", "assessment", lines.to_str().unwrap()], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["disaster", "report", "--id", "1"], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!((report["damage"].as_f64(), report["needs"].as_f64()), (Some(1e6), Some(1.2e6)));
    let pdf = f.dir.path().join("report.pdf");
    let out = run(&["disaster", "report", "--id", "1", "--out", pdf.to_str().unwrap()], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
}

// Issues 20 and 17: the file-to-file jobs of the benchmarks — points in
// zones counted (a zone with none has its 0 row; a bow tie refused with its
// feature), and the exact assignment with who could not be placed.
#[test]
fn subsidence_join_and_relocate_assign_work_on_files() {
    let f = Fixture::new();
    let zones = f.file(
        "z.geojson",
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"zone_id":2},"geometry":{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]]]}},
        {"type":"Feature","properties":{"zone_id":1},"geometry":{"type":"Polygon","coordinates":[[[5,5],[6,5],[6,6],[5,5]]]}}]}"#,
    );
    let points = f.file("p.csv", "point_id,lon,lat,population\n1,1,1,10\n2,1.5,0.5,5\n3,3,3,7\n");
    let out_path = f.dir.path().join("counts.csv");
    let out = revita()
        .args(["subsidence", "join", "--zones", zones.to_str().unwrap(), "--points", points.to_str().unwrap()])
        .args(["--out", out_path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&out_path).unwrap(), "zone_id,points,population\n1,0,0\n2,2,15\n");
    let bow_tie = f.file(
        "bad.geojson",
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"zone_id":1},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}"#,
    );
    let out = revita()
        .args(["subsidence", "join", "--zones", bow_tie.to_str().unwrap(), "--points", points.to_str().unwrap()])
        .args(["--out", out_path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("bad.geojson") && stderr(&out).contains("intersects itself"), "{}", stderr(&out));
    // Two origins of 3 and 2 households, one site of room 4 (cost 10 and
    // 20): the cheaper origin placed whole, one household of the other not.
    let origins = f.file("o.csv", "origin_id,households\n1,3\n2,2\n");
    let sites = f.file("s.csv", "site_id,capacity\n7,4\n");
    let arcs = f.file("a.csv", "origin_id,site_id,cost\n1,7,10\n2,7,20\n");
    let assignment = f.dir.path().join("assignment.csv");
    let out = revita()
        .args(["relocate", "assign", "--origins", origins.to_str().unwrap(), "--sites", sites.to_str().unwrap()])
        .args(["--arcs", arcs.to_str().unwrap(), "--out", assignment.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "total_cost=50\n");
    assert_eq!(std::fs::read_to_string(&assignment).unwrap(), "origin_id,site_id,households\n1,7,3\n2,7,1\n");
    assert!(
        stderr(&out).contains("origin 2: 1 households not placed: every site within reach is full"),
        "{}",
        stderr(&out)
    );
}

/// A deterministic standard normal stream (SplitMix64 and Box–Muller), so
/// that the test's survey is the same on every machine.
struct Normals(u64);

impl Normals {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn next(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * self.unit()).cos()
    }
}

#[test]
fn sae_ebp_follows_the_b2_contract_on_a_small_survey() {
    let f = Fixture::new();
    // log y = 8 + 0.5 x1 − 0.3 x2 + 0.2 x3 + 0.1 x4 + 0 x5 + u_d + e, with
    // σu = 0.2 and σe = 0.1: small noise, so REML recovers β closely.
    let beta = [8.0, 0.5, -0.3, 0.2, 0.1, 0.0];
    let mut g = Normals(7);
    let (mut sample, mut census) = (String::from("domain,y,x1,x2,x3,x4,x5\n"), String::from("domain,x1,x2,x3,x4,x5\n"));
    for d in 1..=6 {
        let u = 0.2 * g.next();
        for j in 0..60 {
            let x: Vec<f64> = (0..5).map(|_| g.next()).collect();
            let row = x.iter().map(|v| format!("{v:.6}")).collect::<Vec<_>>().join(",");
            census.push_str(&format!("{}{d},{row}\n", 100));
            // Domain 6 is not surveyed; the others, 15 of their units.
            if d < 6 && j < 15 {
                let eta = beta[0] + x.iter().zip(&beta[1..]).map(|(a, b)| a * b).sum::<f64>() + u + 0.1 * g.next();
                sample.push_str(&format!("{}{d},{:.6},{row}\n", 100, eta.exp()));
            }
        }
    }
    let out_path = f.dir.path().join("ebp.csv");
    let args = [
        "sae",
        "ebp",
        "--sample",
        f.file("sample.csv", &sample).to_str().unwrap(),
        "--population",
        f.file("population.csv", &census).to_str().unwrap(),
        "--out",
        out_path.to_str().unwrap(),
        "--z",
        "3000",
        "--L",
        "50",
        "--B",
        "2",
        "--seed",
        "1",
        "--threads",
        "2",
    ]
    .map(String::from);
    let out = revita().args(&args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("params b0=") && stdout(&out).contains("TIME read="), "{}", stdout(&out));
    assert!(stdout(&out).contains("bootstrap: 2 replicates, "), "{}", stdout(&out));
    let params = std::fs::read_to_string(f.dir.path().join("ebp_params.csv")).unwrap();
    let value = |name: &str| -> f64 {
        params.lines().find_map(|l| l.strip_prefix(&format!("{name},"))).unwrap().parse().unwrap()
    };
    for (i, b) in beta.iter().enumerate() {
        assert!((value(&format!("b{i}")) - b).abs() < 0.2, "b{i}: {params}");
    }
    assert!((value("se2") - 0.01).abs() < 0.005, "{params}");
    assert!(value("su2") > 0.0 && value("su2") < 0.2, "{params}");
    let table = std::fs::read_to_string(&out_path).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "domain,n_sample,N_pop,mean,fgt0,mse_mean,mse_fgt0");
    assert_eq!(lines.len(), 7, "{table}");
    assert!(lines[1].starts_with("1001,15,60,") && lines[6].starts_with("1006,0,60,"), "{table}");
    for line in &lines[1..] {
        let cells: Vec<f64> = line.split(',').skip(3).map(|c| c.parse().unwrap()).collect();
        assert!(cells[0] > 0.0 && (0.0..=1.0).contains(&cells[1]) && cells[2] >= 0.0, "{line}");
    }
    // The same seed gives the same file.
    assert!(revita().args(&args).output().unwrap().status.success());
    assert_eq!(std::fs::read_to_string(&out_path).unwrap(), table);
    // --gini adds the Gini columns and leaves the others as they were.
    let mut gini_args = args.to_vec();
    gini_args.push("--gini".into());
    assert!(revita().args(&gini_args).output().unwrap().status.success());
    let with = std::fs::read_to_string(&out_path).unwrap();
    let with: Vec<&str> = with.lines().collect();
    assert_eq!(with[0], "domain,n_sample,N_pop,mean,fgt0,gini,mse_mean,mse_fgt0,mse_gini");
    for (w, p) in with[1..].iter().zip(&lines[1..]) {
        let (w, p): (Vec<&str>, Vec<&str>) = (w.split(',').collect(), p.split(',').collect());
        assert_eq!([&w[..5], &w[6..8]].concat(), p, "{w:?}");
        let (g, mse_g): (f64, f64) = (w[5].parse().unwrap(), w[8].parse().unwrap());
        assert!(g > 0.0 && g < 1.0 && mse_g >= 0.0, "{w:?}");
    }
    // A sample without its y column is refused naming it.
    let bad = f.file("bad.csv", "domain,x1,x2,x3,x4,x5\n1001,0,0,0,0,0\n");
    let mut bad_args = args.clone();
    bad_args[3] = bad.to_str().unwrap().to_string();
    let out = revita().args(&bad_args).output().unwrap();
    assert!(!out.status.success() && stderr(&out).contains("no column y"), "{}", stderr(&out));
}

#[test]
fn sae_fh_estimates_and_stores_from_the_command_line() {
    let f = loaded();
    let more =
        "code,name_zh,name_en\n520111,花溪区,\n520112,乌当区,\n520113,白云区,\n520115,观山湖区,\n520121,开阳县,\n";
    let indicators =
        "code,name_zh,unit,aggregation\npov,贫困率,%,none\npov_var,贫困率方差,%²,none\nill,文盲率,%,none\n";
    let mut obs = String::from("region_code,indicator,period,value\n");
    for (code, x, d, v) in [
        ("520102", 2.0, 11.0, 1.0),
        ("520103", 3.0, 7.0, 2.0),
        ("520111", 5.0, 15.5, 1.5),
        ("520112", 6.0, 11.0, 4.0),
        ("520113", 4.0, 13.5, 1.0),
        ("520115", 1.0, 4.0, 0.8),
    ] {
        obs.push_str(&format!("{code},ill,2020,{x}\n{code},pov,2020,{d}\n{code},pov_var,2020,{v}\n"));
    }
    obs.push_str("520121,ill,2020,8\n");
    for (kind, name, text) in
        [("regions", "r2.csv", more), ("indicators", "i2.csv", indicators), ("observations", "o.csv", &obs)]
    {
        let out = run(&["import", kind, f.file(name, text).to_str().unwrap()], &f.db());
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let spec = f.file(
        "fh.json",
        r#"{"name": "cli", "level": "county", "year": 2020, "direct": "pov", "variance": "pov_var",
            "covariates": ["ill"], "output": "pov_sae"}"#,
    );
    let csv = f.dir.path().join("fh.csv");
    let out = run(&["sae", "fh", "--spec", spec.to_str().unwrap(), "--out", csv.to_str().unwrap()], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("520121\t开阳县\tfalse\t"), "{}", stdout(&out));
    assert!(std::fs::read_to_string(&csv).unwrap().starts_with("\u{feff}code,name,in_sample"));
    let out = run(&["sae", "fh", "--spec", spec.to_str().unwrap(), "--store", "--dry-run"], &f.db());
    assert!(stdout(&out).contains("would store 21 observations"), "{}{}", stdout(&out), stderr(&out));
    let exported = f.dir.path().join("pov_sae.csv");
    let out = run(&["export", "--indicator", "pov_sae", "--out", exported.to_str().unwrap()], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!std::fs::read_to_string(&exported).unwrap().contains("520121"), "the dry run stored nothing");
    let out = run(&["sae", "fh", "--spec", spec.to_str().unwrap(), "--store"], &f.db());
    assert!(
        stdout(&out).contains("stored 21 observations (indicators defined: pov_sae, pov_sae_mse, pov_sae_cv"),
        "{}",
        stdout(&out)
    );
    let out = run(&["audit", "verify"], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["export", "--indicator", "pov_sae", "--out", exported.to_str().unwrap()], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(text.contains("520121") && text.contains("estimated"), "{text}");
}

#[test]
fn sae_ebp_store_estimates_regions_and_stores_them() {
    let f = loaded();
    // Two counties of the demo: log y = 9 + 0.4 x + u_d + e.
    let mut g = Normals(11);
    let (mut sample, mut census) = (String::from("domain,y,x\n"), String::from("domain,x\n"));
    for (d, code) in ["520102", "520103"].iter().enumerate() {
        let u = if d == 0 { 0.2 } else { -0.2 };
        for j in 0..80 {
            let x = g.next();
            census.push_str(&format!("{code},{x:.6}\n"));
            if j < 20 {
                sample.push_str(&format!("{code},{:.4},{x:.6}\n", (9.0 + 0.4 * x + u + 0.5 * g.next()).exp()));
            }
        }
    }
    let (sample, census) = (f.file("s.csv", &sample), f.file("c.csv", &census));
    let csv = f.dir.path().join("ebp.csv");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "sae",
            "ebp-store",
            "--sample",
            sample.to_str().unwrap(),
            "--population",
            census.to_str().unwrap(),
            "--z",
            "6000",
            "--L",
            "20",
            "--B",
            "3",
            "--output",
            "pov_ebp",
            "--year",
            "2020",
        ];
        a.extend_from_slice(extra);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let dry: Vec<String> = args(&["--dry-run", "--out", csv.to_str().unwrap()]);
    let out = run(&dry.iter().map(String::as_str).collect::<Vec<_>>(), &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
    // 4 indicators (mean, FGT0, FGT1, Gini) × (estimate, MSE, CV) × 2
    // counties, and the survey's direct four with their variances: 24 + 16.
    assert!(stdout(&out).contains("would store 40 values of 2 domains"), "{}", stdout(&out));
    assert!(std::fs::read_to_string(&csv).unwrap().starts_with("\u{feff}domain,name,n_sample"));
    let store = args(&[]);
    let out = run(&store.iter().map(String::as_str).collect::<Vec<_>>(), &f.db());
    assert!(stdout(&out).contains("stored 40 values"), "{}{}", stdout(&out), stderr(&out));
    let out = run(&["audit", "verify"], &f.db());
    assert!(out.status.success(), "{}", stderr(&out));
}
