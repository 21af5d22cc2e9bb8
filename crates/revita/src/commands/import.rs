//! `revita import`: every kind of file, all or nothing, with a dry run.

use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use revita_app::ImportReport;
use revita_app::import::{FileImport, ObservationImport, ObservationOptions, Progress};
use revita_methods::{ObservationStatus, Period};

use super::{acting, cli_origin, now, open, scope};
use crate::cli::{ImportArgs, ImportKind};

pub(super) fn print_report(report: &ImportReport, json: bool) -> anyhow::Result<()> {
    if json {
        outln!("{}", serde_json::to_string_pretty(report)?);
    } else {
        out!("{report}");
    }
    Ok(())
}

pub(super) fn progress_bar(hidden: bool) -> ProgressBar {
    if hidden {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    let style = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

pub(super) async fn import(args: ImportArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    let actor = acting(&app, &args.db).await?;
    let action = match args.kind {
        ImportKind::Designations | ImportKind::Pairings => revita_methods::access::Action::EditDecisions,
        _ => revita_methods::access::Action::EditData,
    };
    let within = scope(&app, &actor, action).await?;
    let by = revita_app::auth::ChangeBy { actor: actor.clone(), origin: cli_origin() };
    let file = FileImport {
        dry_run: args.dry_run,
        sheet: args.sheet.clone(),
        keep_existing: args.keep_existing,
        within: within.clone(),
        by: by.clone(),
        file_name: None,
    };
    let options = ObservationOptions {
        source: args.source.clone(),
        period: args.period.as_deref().map(Period::parse).transpose()?,
        status: match args.status.as_deref() {
            None => ObservationStatus::Final,
            Some(s) => ObservationStatus::parse(s)
                .with_context(|| format!("--status '{s}' is not final, provisional, estimated or synthetic"))?,
        },
    };
    let result = match args.kind {
        ImportKind::Regions => app.import_regions(&args.file, &file).await,
        ImportKind::Indicators => app.import_indicators(&args.file, &file).await,
        ImportKind::Designations => app.import_designations(&args.file, &file).await,
        ImportKind::Pairings => app.import_pairings(&args.file, &file).await,
        ImportKind::CodeHistory => app.import_code_history(&args.file, &file).await,
        ImportKind::MonitoringLines => app.import_monitoring_lines(&args.file, &file).await,
        ImportKind::Households => app.import_households(&args.file, &file).await,
        ImportKind::HouseholdMembers => {
            let today = revita_methods::Date::from_days_since_epoch(now().div_euclid(86_400));
            app.import_household_members(&args.file, &file, today.year()).await
        }
        ImportKind::Boundaries => {
            app.import_boundaries(&args.file, &args.code_property, args.source.as_deref(), &file).await
        }
        ImportKind::Observations => {
            let import = ObservationImport {
                dry_run: args.dry_run,
                sheet: args.sheet.clone(),
                replace: args.replace,
                exclusive: args.exclusive,
                options,
                within,
                by,
                file_name: None,
            };
            let bar = progress_bar(args.no_progress || args.json);
            let on_progress = |p: Progress| {
                bar.set_length(p.bytes_total);
                bar.set_position(p.bytes_read);
                bar.set_message(format!("{} rows", p.rows_read));
            };
            let result = app.import_observations(&args.file, &import, &on_progress).await;
            bar.finish_and_clear();
            result
        }
    };
    match result {
        Ok(report) => print_report(&report, args.json),
        Err(error) => {
            // `--json` reads the same whether the file was taken or refused.
            if args.json
                && let revita_app::AppError::Rejected { problems, stored } = &error
            {
                let rows: Vec<_> = problems
                    .errors
                    .iter()
                    .map(|e| serde_json::json!({"file": e.file, "row": e.row, "column": e.column, "reason": e.reason}))
                    .collect();
                let value = serde_json::json!({"file": args.file, "rejected": true, "dry_run": args.dry_run,
                    "problems_total": problems.total, "problems": rows, "stored_conflicts": stored});
                outln!("{}", serde_json::to_string_pretty(&value)?);
            }
            Err(error.into())
        }
    }
}
