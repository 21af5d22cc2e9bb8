//! `revita`: the one binary. Parses the command line, resolves settings,
//! opens the store and runs a use case from `revita-app` or the web server
//! from `revita-web`.
//!
//! Exit codes: 0 success; 1 failure (the message says why); 2 invalid
//! command line (from clap); 3 input rejected (an import found problems and
//! wrote nothing).

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

/// Exit code of an import that was rejected.
const EXIT_REJECTED: u8 = 3;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The reader of our output went away (`revita … | head`): it has
            // what it wanted, so stop quietly, as ripgrep and coreutils do.
            if e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) {
                return ExitCode::SUCCESS;
            }
            if let Some(revita_app::AppError::Rejected { .. }) = e.downcast_ref::<revita_app::AppError>() {
                eprintln!("{e}");
                return ExitCode::from(EXIT_REJECTED);
            }
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(verbose: bool) {
    // sqlx warns of every statement over a second, which whole-table reads
    // of village-level data are by design; real errors still show.
    let default = if verbose { "debug" } else { "info,sqlx::query=error" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("REVITA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
