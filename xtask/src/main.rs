//! Repository tasks. `cargo xtask ci` is the one entry point that CI
//! (`.ci/run`) and developers run: formatting, lints, then every test
//! (the tidy checks of `tidy.rs` included, as a `#[test]`), with the slow
//! tests switched on.

mod tidy;

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "ci" => ci(),
        "tidy" => tidy::check(&tidy::workspace_root()).map_err(|problems| problems.join("\n")),
        _ => Err("usage: cargo xtask ci | tidy".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn cargo(args: &[&str], envs: &[(&str, &str)]) -> Result<(), String> {
    eprintln!("$ cargo {}", args.join(" "));
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .envs(envs.iter().copied())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("cargo {} failed", args.join(" "))) }
}

fn ci() -> Result<(), String> {
    cargo(&["fmt", "--all", "--check"], &[])?;
    cargo(&["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"], &[])?;
    cargo(&["test", "--workspace", "--no-fail-fast"], &[("REVITA_SLOW_TESTS", "1")])
}
