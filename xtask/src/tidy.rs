//! The tidy checks: the invariants of ARCHITECTURE.md that a reviewer would
//! otherwise have to remember. Run by `cargo test` (see the test below) and
//! by `cargo xtask tidy`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The workspace crates each crate may depend on (normal dependencies).
/// Dependencies point down only: methods ← store, ingest ← app ← web ← revita;
/// methods ← report ← web; pdf ← app.
const ALLOWED_EDGES: &[(&str, &[&str])] = &[
    ("revita-methods", &[]),
    ("revita-store", &["revita-methods"]),
    ("revita-ingest", &["revita-methods"]),
    ("revita-report", &["revita-methods"]),
    ("revita-pdf", &[]),
    ("revita-app", &["revita-methods", "revita-store", "revita-ingest", "revita-pdf"]),
    ("revita-web", &["revita-methods", "revita-app", "revita-report"]),
    ("revita", &["revita-methods", "revita-store", "revita-app", "revita-web"]),
    ("revita-testkit", &["revita-store"]),
    ("xtask", &[]),
];

/// External crates the pure core must never pull in, even transitively.
const FORBIDDEN_IN_METHODS: &[&str] = &["tokio", "sqlx", "axum", "serde_json", "hyper", "calamine", "parquet"];

/// Files that may exceed the size limit: the shipped demo data (see data/README.md).
const LARGE_FILE_DIRS: &[&str] = &["data/demo"];

/// The size limit for any other file.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace root").to_path_buf()
}

/// Runs every check; returns the problems found.
pub fn check(root: &Path) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    match cargo_metadata(root) {
        Ok(metadata) => {
            problems.extend(crate_edges(&metadata));
            problems.extend(methods_stays_pure(&metadata));
        }
        Err(e) => problems.push(e),
    }
    let files = source_files(root);
    for file in &files {
        problems.extend(file_problems(root, file));
    }
    problems.extend(migrations_pair_up(root));
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

fn cargo_metadata(root: &Path) -> Result<Value, String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata is not JSON: {e}"))
}

fn workspace_packages(metadata: &Value) -> Vec<&Value> {
    let members: BTreeSet<&str> =
        metadata["workspace_members"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["id"].as_str().is_some_and(|id| members.contains(id)))
        .collect()
}

fn crate_edges(metadata: &Value) -> Vec<String> {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED_EDGES.iter().copied().collect();
    let mut problems = Vec::new();
    let packages = workspace_packages(metadata);
    let names: BTreeSet<&str> = packages.iter().filter_map(|p| p["name"].as_str()).collect();
    for package in packages {
        let name = package["name"].as_str().unwrap_or("?");
        let Some(allowed_deps) = allowed.get(name) else {
            problems.push(format!("crate {name} is not in tidy's ALLOWED_EDGES: add it there and to ARCHITECTURE.md"));
            continue;
        };
        for dep in package["dependencies"].as_array().into_iter().flatten() {
            let dep_name = dep["name"].as_str().unwrap_or("?");
            let is_normal = dep["kind"].is_null();
            if is_normal && names.contains(dep_name) && !allowed_deps.contains(&dep_name) {
                problems.push(format!("forbidden crate edge: {name} depends on {dep_name} (see ARCHITECTURE.md)"));
            }
        }
    }
    problems
}

/// The transitive normal dependencies of revita-methods.
fn methods_stays_pure(metadata: &Value) -> Vec<String> {
    let nodes = metadata["resolve"]["nodes"].as_array().cloned().unwrap_or_default();
    let by_id: BTreeMap<&str, &Value> = nodes.iter().filter_map(|n| Some((n["id"].as_str()?, n))).collect();
    let name_of = |id: &str| -> String {
        metadata["packages"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["id"].as_str() == Some(id))
            .and_then(|p| p["name"].as_str())
            .unwrap_or(id)
            .to_string()
    };
    let Some(start) =
        workspace_packages(metadata).into_iter().find(|p| p["name"] == "revita-methods").and_then(|p| p["id"].as_str())
    else {
        return vec!["revita-methods is missing from the workspace".into()];
    };
    let mut seen = BTreeSet::new();
    let mut stack = vec![start];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dep in by_id.get(id).and_then(|n| n["deps"].as_array()).into_iter().flatten() {
            let normal = dep["dep_kinds"].as_array().into_iter().flatten().any(|k| k["kind"].is_null());
            if normal && let Some(pkg) = dep["pkg"].as_str() {
                stack.push(pkg);
            }
        }
    }
    seen.iter()
        .map(|id| name_of(id))
        .filter(|name| FORBIDDEN_IN_METHODS.contains(&name.as_str()))
        .map(|name| format!("revita-methods must stay pure but pulls in {name}"))
        .collect()
}

fn source_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" || name == ".ci" || name == ".cargo" {
                    stack.push(path);
                }
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn file_problems(root: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(root).unwrap_or(file).to_string_lossy().replace('\\', "/");
    let mut problems = Vec::new();
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE_BYTES && !LARGE_FILE_DIRS.iter().any(|d| rel.starts_with(d)) {
        problems.push(format!("{rel}: {size} bytes is over the 1 MiB limit; generate large data in tests instead"));
    }
    let is_text = ["rs", "md", "toml", "sql", "py", "sh", "yml"].iter().any(|e| rel.ends_with(&format!(".{e}")))
        || rel == ".ci/run";
    let Ok(text) = std::fs::read_to_string(file) else { return problems };
    if is_text {
        for (i, line) in text.lines().enumerate() {
            if line.ends_with(' ') || line.ends_with('\t') {
                problems.push(format!("{rel}:{}: trailing whitespace", i + 1));
            }
        }
    }
    if rel.ends_with(".rs") {
        problems.extend(rust_problems(&rel, &text));
    }
    problems
}

fn rust_problems(rel: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let is_test_file = rel.ends_with("/tests.rs") || rel.contains("/tests/");
    let in_src = rel.contains("/src/");
    if in_src && !is_test_file && !text.starts_with("//!") {
        problems.push(format!("{rel}: a module starts with `//!` docs saying what it is for"));
    }
    // Patterns are split so that this file does not match itself.
    let banned = [concat!("dbg", "!("), concat!("todo", "!("), concat!("#[ig", "nore"), concat!("#[should", "_panic")];
    for (i, line) in text.lines().enumerate() {
        for pattern in banned {
            if line.contains(pattern) {
                problems.push(format!("{rel}:{}: `{pattern}` is not allowed (see docs in ARCHITECTURE.md)", i + 1));
            }
        }
    }
    if in_src && !is_test_file && !rel.starts_with("xtask/") {
        let production = text.split("#[cfg(test)]").next().unwrap_or(text);
        for (i, line) in production.lines().enumerate() {
            if line.contains(concat!(".unwrap", "()")) {
                problems.push(format!(
                    "{rel}:{}: `unwrap()` outside tests; use `?` or `expect` naming the invariant",
                    i + 1
                ));
            }
        }
    }
    problems
}

fn migrations_pair_up(root: &Path) -> Vec<String> {
    let list = |backend: &str| -> BTreeSet<String> {
        std::fs::read_dir(root.join("crates/revita-store/migrations").join(backend))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    };
    let (sqlite, postgres) = (list("sqlite"), list("postgres"));
    sqlite
        .symmetric_difference(&postgres)
        .map(|m| {
            format!("migration {m} exists for one back end only; write its SQLite and PostgreSQL versions together")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_is_tidy() {
        if let Err(problems) = check(&workspace_root()) {
            panic!("tidy found {} problem(s):\n{}", problems.len(), problems.join("\n"));
        }
    }

    #[test]
    fn tidy_catches_what_it_should() {
        let problems = rust_problems("crates/x/src/a.rs", "fn f() { let x = y.unwrap(); }\n");
        assert_eq!(problems.len(), 2, "{problems:?}"); // no //! docs, an unwrap
        let in_tests =
            rust_problems("crates/x/src/a.rs", "//! Doc.\n#[cfg(test)]\nmod tests { fn f() { y.unwrap(); } }\n");
        assert!(in_tests.is_empty(), "{in_tests:?}");
        let banned = rust_problems("crates/x/tests/it/main.rs", &format!("#[{}]\nfn t() {{}}\n", "ignore"));
        assert_eq!(banned.len(), 1, "{banned:?}");
    }
}
