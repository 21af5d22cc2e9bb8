//! The API against its own description (issue 16): Schemathesis generates
//! requests from `/api/v1/openapi.json` — valid ones, which must be
//! answered as described, and invalid ones, which must be refused — and runs
//! every check (`--checks all`) on the demo data, on SQLite and on
//! PostgreSQL. Any finding fails the test. Without Schemathesis (`st`) the
//! test is skipped, except under CI (`CI` set), where it fails.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Requests per operation and generation phase: enough to reach every
/// parameter's edges, few enough for two back ends in CI's time.
const EXAMPLES: &str = "25";

/// The Schemathesis executable, from `PATH`.
fn schemathesis() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("st")).find(|p| p.is_file())
}

fn revita(args: &[&str], database_url: &str) -> std::process::Output {
    let output = Command::new(env!("CARGO_BIN_EXE_revita"))
        .args(args)
        .args(["--database-url", database_url])
        .env_remove("REVITA_DATABASE_URL")
        .output()
        .unwrap();
    assert!(output.status.success(), "revita {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// `GET url` with a bearer token over plain HTTP/1.1; the body.
fn get(url: &str, token: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream = TcpStream::connect(host).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(!head.to_ascii_lowercase().contains("transfer-encoding: chunked"), "a plain body: {head}");
    body.to_string()
}

/// Loads the demo into `database_url`, serves it and runs Schemathesis on
/// its API with every check.
fn conforms(st: &Path, database_url: &str, dir: &Path) {
    revita(&["demo"], database_url);
    let output = revita(&["user", "token", "admin"], database_url);
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    let token = printed.split_whitespace().find(|w| w.starts_with("rvt_")).expect("a token").to_string();
    let (_server, url) = crate::browser::serve(&["--database-url", database_url], dir);
    let schema = dir.join("openapi.json");
    std::fs::write(&schema, get(&format!("{url}/api/v1/openapi.json"), &token)).unwrap();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/schemathesis.toml");
    let run = Command::new(st)
        .arg("--config-file")
        .arg(&config)
        .arg("run")
        .arg(&schema)
        .args(["--url", &url, "--header", &format!("Authorization: Bearer {token}")])
        .args(["--checks", "all", "--max-examples", EXAMPLES, "--seed", "16", "--no-color"])
        .current_dir(dir)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "Schemathesis found problems on {database_url}:\n{report}");
    assert!(report.contains("passed"), "{report}");
}

fn schemathesis_or_skip() -> Option<PathBuf> {
    let st = schemathesis();
    if st.is_none() {
        assert!(std::env::var_os("CI").is_none(), "CI is set but Schemathesis (st) is not installed");
        eprintln!("skipping: Schemathesis (st) is not installed (pip install schemathesis)");
    }
    st
}

#[test]
fn the_api_answers_as_its_description_says_on_sqlite() {
    let Some(st) = schemathesis_or_skip() else { return };
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("demo.sqlite");
    conforms(&st, database.to_str().unwrap(), dir.path());
}

#[test]
fn the_api_answers_as_its_description_says_on_postgres() {
    let Some(st) = schemathesis_or_skip() else { return };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(database) = runtime.block_on(revita_testkit::TestDatabase::postgres()) else { return };
    let dir = tempfile::tempdir().unwrap();
    conforms(&st, database.url.expose(), dir.path());
    runtime.block_on(database.finish());
}
