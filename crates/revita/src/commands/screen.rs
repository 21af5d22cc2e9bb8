//! `revita screen`: a household file screened as it streams (or the stored registry).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::{acting, cli_origin, open, scope};
use crate::cli::ScreenArgs;

pub(super) async fn screen(args: ScreenArgs) -> anyhow::Result<()> {
    use revita_app::screen::Progress as ScanProgress;
    use revita_app::screen::{ScreenOptions, screen_file};
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let options = ScreenOptions { line: args.line, threads };
    let started = std::time::Instant::now();
    let screening = match &args.households {
        Some(path) => {
            let progress = ScanProgress::default();
            let bar = screen_progress_bar(args.no_progress || args.json, path);
            let screening = std::thread::scope(|scope| {
                let work = scope.spawn(|| screen_file(path, &options, &progress));
                while !work.is_finished() {
                    bar.set_length(progress.total.load(std::sync::atomic::Ordering::Relaxed));
                    bar.set_position(progress.done.load(std::sync::atomic::Ordering::Relaxed));
                    std::thread::sleep(Duration::from_millis(50));
                }
                work.join().expect("the screening thread panicked")
            });
            bar.finish_and_clear();
            screening?
        }
        None => {
            let app = open(&args.db).await?;
            let actor = acting(&app, &args.db).await?;
            let visible = scope(&app, &actor, revita_methods::access::Action::Read).await?;
            app.screen_registry(args.line, &visible).await?
        }
    };
    if let Some(out) = &args.out {
        screening.write_table(out)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let stored = match (args.store, args.year) {
        (true, Some(year)) => {
            let app = open(&args.db).await?;
            let actor = acting(&app, &args.db).await?;
            let within = scope(&app, &actor, revita_methods::access::Action::EditData).await?;
            let by = revita_app::auth::ChangeBy { actor: actor.clone(), origin: cli_origin() };
            Some(app.store_screening(&screening, year, &within, &by).await?)
        }
        _ => None,
    };
    let summary = screening.summary();
    if args.json {
        let json = serde_json::json!({"summary": summary, "seconds": seconds, "threads": threads,
            "out": args.out, "stored": stored});
        outln!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(());
    }
    let share = |n: u64| if summary.households == 0 { 0.0 } else { 100.0 * n as f64 / summary.households as f64 };
    outln!(
        "screened {} households ({} people) in {} counties against a line of {} yuan in {seconds:.2} s",
        summary.households,
        summary.people,
        summary.counties,
        summary.line
    );
    outln!("  flagged {} ({:.1}%)", summary.flagged, share(summary.flagged));
    outln!(
        "    income below the line {}, sharp drop {}, heavy rigid expenditure {}, guarantee or water gap {}",
        summary.f_income,
        summary.f_drop,
        summary.f_expense,
        summary.f_guarantee
    );
    outln!(
        "  MPI (k = 1/3): H = {:.4}, A = {:.4}, M0 = {:.4}; {} people MPI-poor",
        summary.h,
        summary.a,
        summary.m0,
        summary.mpi_poor_people
    );
    if let Some(out) = &args.out {
        outln!("  county table: {}", out.display());
    }
    if let Some(stored) = stored {
        outln!("  stored {} observations for {} counties", stored.observations, stored.counties);
    }
    Ok(())
}

/// A progress bar for a screen: bytes for CSV, households for Parquet.
pub(super) fn screen_progress_bar(hidden: bool, path: &std::path::Path) -> ProgressBar {
    if hidden {
        return ProgressBar::hidden();
    }
    let csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let units = if csv { "{bytes}/{total_bytes}" } else { "{human_pos}/{human_len} households" };
    let bar = ProgressBar::new(0);
    let template = format!("{{spinner}} [{{elapsed_precise}}] {{wide_bar}} {units}");
    bar.set_style(ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()));
    bar
}
