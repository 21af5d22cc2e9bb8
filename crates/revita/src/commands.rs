//! Each subcommand: resolve its settings, open the store, run the use case,
//! print the result (text, or JSON with `--json`).

use std::net::SocketAddr;

use std::time::Duration;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use revita_app::export::ExportFormat;
use revita_app::import::{FileImport, ObservationImport, ObservationOptions, Progress};
use revita_app::{App, DatabaseUrl, ImportReport, ObservationQuery, Profile};
use revita_methods::{ObservationStatus, Period};

use crate::cli::{
    AllocateArgs, CaseAction, CaseArgs, Cli, Command, DatabaseArgs, DesignateArgs, ExportArgs, Format, ImportArgs,
    ImportKind, ListsArgs, RegionAction, RegionArgs, RollupArgs, ScreenArgs, ServeArgs,
};

/// The demo database file `serve --demo` creates afresh.
const DEMO_DATABASE: &str = "revita-demo.sqlite";

/// `println!` that returns the write error instead of panicking, so that a
/// closed pipe (`revita … | head`) ends the command quietly (see `main`).
macro_rules! outln {
    ($($arg:tt)*) => {
        std::io::Write::write_fmt(&mut std::io::stdout(), format_args!("{}\n", format_args!($($arg)*)))?
    };
}

/// `print!` that returns the write error instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        std::io::Write::write_fmt(&mut std::io::stdout(), format_args!($($arg)*))?
    };
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(db) => {
            open(&db).await?;
            outln!("database {} is up to date", DatabaseUrl::new(&db.database_url));
            Ok(())
        }
        Command::Demo(db) => {
            let app = open(&db).await?;
            load_demo(&app).await?;
            create_demo_users(&app).await
        }
        Command::Audit(args) => audit(args).await,
        Command::Import(args) => import(args).await,
        Command::Export(args) => export(args).await,
        Command::Region(args) => region(args).await,
        Command::Rollup(args) => rollup(args).await,
        Command::Designate(args) => designate(args).await,
        Command::Screen(args) => screen(args).await,
        Command::Allocate(args) => allocate(args).await,
        Command::Lists(args) => lists(args).await,
        Command::Case(args) => case(args).await,
        Command::Plan(args) => crate::plan::run(args).await,
        Command::Inventory(db) => {
            let app = open(&db).await?;
            let actor = acting(&app, &db).await?;
            let inventory = app.inventory(&scope(&app, &actor, revita_methods::access::Action::Read).await?).await?;
            for (level, n) in &inventory.regions_by_level {
                outln!("regions ({level}): {n}");
            }
            outln!("boundaries: {}", inventory.boundaries);
            outln!("indicators: {}", inventory.indicators);
            outln!("observations: {}", inventory.observations);
            outln!("designations: {}", inventory.designations);
            outln!("code history: {} codes", inventory.history_codes);
            Ok(())
        }
        Command::Healthcheck(args) => crate::health::check(&args.url),
        Command::Bench(args) => crate::bench::run(args).await,
        Command::User(args) => user(args).await,
    }
}

fn profile(text: &str) -> anyhow::Result<Profile> {
    if text == "china" {
        return Ok(Profile::China);
    }
    let levels: Vec<String> = text.split(',').map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
    if levels.is_empty() {
        bail!("--profile must be 'china' or a comma-separated list of levels");
    }
    Ok(Profile::Generic(levels))
}

/// The user the command acts as: the owner of `--token` (within that user's
/// jurisdiction), or `None` for the database owner (everywhere).
pub(crate) async fn acting(app: &App, db: &DatabaseArgs) -> anyhow::Result<Option<revita_app::auth::Actor>> {
    let Some(token) = &db.token else { return Ok(None) };
    let actor =
        app.token_actor(token, now()).await?.context("the API token is not valid (unknown, expired or revoked)")?;
    Ok(Some(actor))
}

/// Where a command's changes come from, for the audit log.
pub(crate) fn cli_origin() -> revita_app::auth::Origin {
    revita_app::auth::Origin { now: now(), request_id: None, client_addr: Some("cli".into()) }
}

/// Where the command may act (everywhere for the database owner).
async fn scope(
    app: &App,
    actor: &Option<revita_app::auth::Actor>,
    action: revita_methods::access::Action,
) -> anyhow::Result<revita_app::Jurisdiction> {
    match actor {
        None => Ok(revita_app::Jurisdiction::everywhere()),
        Some(actor) => Ok(app.jurisdiction(actor, action).await?),
    }
}

/// Fails unless the region is in scope (the same rule as the web server's).
fn check_readable(visible: &revita_app::Jurisdiction, code: &revita_methods::RegionCode) -> anyhow::Result<()> {
    if visible.covers(code) { Ok(()) } else { bail!("region {code} is outside your jurisdiction") }
}

/// Opens (and migrates) the database the arguments name.
pub async fn open(db: &DatabaseArgs) -> anyhow::Result<App> {
    let url = DatabaseUrl::new(&db.database_url);
    let options = revita_store::StoreOptions { pool_size: db.pool_size, ..Default::default() };
    let store = revita_store::open_with(&url, &options).await.with_context(|| format!("cannot open database {url}"))?;
    Ok(App::new(store, &profile(&db.profile)?))
}

async fn load_demo(app: &App) -> anyhow::Result<()> {
    if !app.is_empty().await? {
        bail!("the database already holds data; load the demo into an empty database");
    }
    eprintln!("loading the demo dataset…");
    for report in revita_app::demo::load(app).await? {
        eprint!("{report}");
    }
    Ok(())
}

/// Creates the demo users that do not exist yet and lists them.
async fn create_demo_users(app: &App) -> anyhow::Result<()> {
    let created = revita_app::demo::create_users(app, now()).await?;
    outln!("demo users (name / password / role @ jurisdiction){}:", if created == 0 { ", already there" } else { "" });
    for (name, password, role, scope) in revita_app::demo::USERS {
        outln!("  {name:<14} {password:<20} {role} @ {scope}");
    }
    Ok(())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let mut db = args.db.clone();
    let default_file = db.database_url == "revita.sqlite";
    if args.demo && default_file {
        db.database_url = DEMO_DATABASE.to_string();
    }
    if args.reset_demo {
        // Only the demo's own file is ever deleted: what a user names with
        // --database-url may hold their work.
        if !(args.demo && default_file) {
            bail!("--reset-demo starts {DEMO_DATABASE} afresh; it works with --demo and no --database-url");
        }
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{DEMO_DATABASE}{suffix}"));
        }
    }
    let app = open(&db).await?;
    if args.demo {
        // A demo database kept from an earlier start keeps what its users
        // entered (issue 13); an empty one gets the demo dataset.
        if app.is_empty().await? {
            load_demo(&app).await?;
        } else {
            eprintln!("serving the demo database as it is (start with --reset-demo for a fresh one)");
        }
        create_demo_users(&app).await?;
    }
    let public = args
        .public
        .iter()
        .map(|p| {
            revita_web::auth::PublicPage::parse(p).with_context(|| format!("--public '{p}' is not map or indicators"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let settings = revita_web::UploadSettings {
        max_bytes: args.max_upload_mb.saturating_mul(1024 * 1024),
        ..revita_web::UploadSettings::DEFAULT
    };
    // A temporary upload directory is made with the first upload, so that a
    // server that never takes one leaves nothing behind even when killed.
    let uploads = match &args.upload_dir {
        Some(dir) => revita_web::Uploads::in_dir(dir, settings)
            .with_context(|| format!("cannot use --upload-dir {}", dir.display()))?,
        None => revita_web::Uploads::temporary(settings),
    };
    tracing::info!(upload_dir = ?args.upload_dir, max_upload_mb = args.max_upload_mb, "uploads");
    let options = revita_web::Options { public, uploads };
    let limits = revita_web::ConnectionLimits {
        header_timeout: std::time::Duration::from_secs(args.header_timeout_secs),
        idle_timeout: std::time::Duration::from_secs(args.idle_timeout_secs),
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
    };
    tracing::info!(?limits, "connections");
    let addr = SocketAddr::new(args.bind, args.port);
    revita_web::serve(app, options, limits, addr, |bound| {
        tracing::info!(database = %DatabaseUrl::new(&db.database_url), "revita listening on http://{bound}");
        println!("revita is ready at http://{bound} (health: http://{bound}/health)");
    })
    .await
    .with_context(|| format!("cannot serve on {addr}"))
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// `revita audit verify`: recomputes the audit log's hash chain.
async fn audit(args: crate::cli::AuditArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    match args.action {
        crate::cli::AuditAction::Verify { json } => {
            let chain = app.verify_audit_chain().await?;
            if json {
                let value = serde_json::json!({"rows": chain.rows, "unchained": chain.unchained, "head": chain.head,
                    "broken_at": chain.broken_at.as_ref().map(|(id, why)| serde_json::json!({"id": id, "reason": why}))});
                outln!("{}", serde_json::to_string_pretty(&value)?);
            } else {
                outln!("{} audit entries; {} written before the chain began", chain.rows, chain.unchained);
                if let Some(head) = &chain.head {
                    outln!("head {head}");
                }
            }
            match chain.broken_at {
                None => {
                    if !json {
                        outln!("the chain is intact");
                    }
                    Ok(())
                }
                Some((id, why)) => bail!("the audit log was tampered with at entry {id}: {why}"),
            }
        }
    }
}

async fn user(args: crate::cli::UserArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    match args.action {
        crate::cli::UserAction::Create { name, role, scope } => {
            let role = revita_methods::access::Role::parse(&role)
                .with_context(|| format!("--role '{role}' is not admin, planner, data_entry, viewer or auditor"))?;
            let grant = revita_methods::access::Grant { role, scope: app.parse_region_code(&scope)? };
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).context("cannot read the password from standard input")?;
            let origin = revita_app::auth::Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
            app.create_user(None, &name, password.trim_end_matches(['\n', '\r']), &[grant], &origin).await?;
            outln!("created user {name} ({role} @ {scope})");
            Ok(())
        }
        crate::cli::UserAction::Token { name, label, days } => {
            let actor = app.actor_named(&name).await?;
            let origin = revita_app::auth::Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
            let (secret, _) = app.create_api_token(&actor, &label, days, &origin).await?;
            outln!("{secret}");
            Ok(())
        }
    }
}

fn print_report(report: &ImportReport, json: bool) -> anyhow::Result<()> {
    if json {
        outln!("{}", serde_json::to_string_pretty(report)?);
    } else {
        out!("{report}");
    }
    Ok(())
}

fn progress_bar(hidden: bool) -> ProgressBar {
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

async fn import(args: ImportArgs) -> anyhow::Result<()> {
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

fn export_format(args: &ExportArgs) -> anyhow::Result<ExportFormat> {
    Ok(match args.format {
        Some(Format::Csv) => ExportFormat::Csv,
        Some(Format::Xlsx) => ExportFormat::Xlsx,
        Some(Format::Parquet) => ExportFormat::Parquet,
        None => ExportFormat::from_path(&args.out)
            .with_context(|| format!("{}: give --format or a .csv, .xlsx or .parquet name", args.out.display()))?,
    })
}

async fn export(args: ExportArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    if args.registry {
        let actor = crate::plan::actor(&app, &args.db).await?;
        let origin = revita_app::auth::Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
        let partial = args.out.with_extension("partial");
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(&partial).with_context(|| format!("cannot write {}", partial.display()))?,
        );
        let written = app.export_registry(&actor, args.line, &mut file, &origin).await?;
        drop(file);
        std::fs::rename(&partial, &args.out).with_context(|| format!("cannot write {}", args.out.display()))?;
        outln!(
            "wrote {} households to {} ({} with identifiers)",
            written.households,
            args.out.display(),
            written.unmasked
        );
        return Ok(());
    }
    let format = export_format(&args)?;
    let query = ObservationQuery {
        indicator: args.indicator.as_deref().map(revita_methods::IndicatorCode::parse).transpose()?,
        region: args.region.as_deref().map(|c| app.parse_region_code(c)).transpose()?,
        parent: args.parent.as_deref().map(|c| app.parse_region_code(c)).transpose()?,
        level: args.level.clone(),
        period: args.period.as_deref().map(Period::parse).transpose()?.map(|p| p.to_string()),
        within: None,
    };
    let actor = acting(&app, &args.db).await?;
    let visible = scope(&app, &actor, revita_methods::access::Action::Read).await?;
    let rows = app.export_observations(&query, &args.out, format, &visible).await?;
    outln!("{}: wrote {rows} observations", args.out.display());
    Ok(())
}

fn region_line(r: &revita_methods::Region) -> String {
    let en = r.name_en.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
    format!("{}\t{}{en}\t{}", r.code, r.name_zh, r.level)
}

fn region_json(r: &revita_methods::Region) -> serde_json::Value {
    serde_json::json!({
        "code": r.code.to_string(), "name_zh": r.name_zh, "name_en": r.name_en, "level": r.level,
        "parent": r.parent.as_ref().map(|p| p.to_string()),
        "valid_from": r.valid_from.map(|d| d.to_string()), "valid_to": r.valid_to.map(|d| d.to_string()),
    })
}

fn print_regions(regions: &[revita_methods::Region], json: bool) -> anyhow::Result<()> {
    if json {
        let list: Vec<_> = regions.iter().map(region_json).collect();
        outln!("{}", serde_json::to_string_pretty(&list)?);
    } else {
        for r in regions {
            outln!("{}", region_line(r));
        }
    }
    Ok(())
}

async fn region(args: RegionArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    let actor = acting(&app, &args.db).await?;
    let visible = scope(&app, &actor, revita_methods::access::Action::Read).await?;
    match &args.action {
        RegionAction::Show { code } => {
            let code = app.parse_region_code(code)?;
            check_readable(&visible, &code)?;
            let detail = app.region_detail(&code).await?;
            if args.json {
                let mut value = region_json(&detail.region);
                value["ancestors"] = detail.ancestors.iter().map(region_json).collect();
                value["children"] = detail.children.into();
                value["designations"] = detail
                    .designations
                    .iter()
                    .map(|d| serde_json::json!({
                        "category": d.category.as_str(), "class": d.class, "basis_title": d.basis.title,
                        "valid_from": d.valid_from.map(|x| x.to_string()), "valid_to": d.valid_to.map(|x| x.to_string()), "notes": d.notes,
                    }))
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&value)?);
            } else {
                let crumbs: Vec<_> = detail.ancestors.iter().map(|a| a.name_zh.as_str()).collect();
                outln!("{}", region_line(&detail.region));
                outln!("in: {}", crumbs.join(" › "));
                outln!("children: {}", detail.children);
                for d in &detail.designations {
                    let to = d.valid_to.map(|x| x.to_string()).unwrap_or_else(|| "…".into());
                    let from = d.valid_from.map(|x| x.to_string()).unwrap_or_else(|| "?".into());
                    outln!(
                        "designation: {} ({from} – {to}) {}",
                        d.category.name_en(),
                        d.notes.as_deref().unwrap_or("")
                    );
                }
            }
            Ok(())
        }
        RegionAction::Children { code } => {
            let code = app.parse_region_code(code)?;
            check_readable(&visible, &code)?;
            print_regions(&app.children(&code).await?, args.json)
        }
        RegionAction::Descendants { code, level } => {
            let code = app.parse_region_code(code)?;
            check_readable(&visible, &code)?;
            print_regions(&app.descendants(&code, level.as_deref()).await?, args.json)
        }
        RegionAction::Search { query, limit } => print_regions(&app.search(query, *limit, &visible).await?, args.json),
    }
}

async fn designate(args: DesignateArgs) -> anyhow::Result<()> {
    let read_spec = |path: &std::path::Path| -> anyhow::Result<revita_app::designate::DesignationSpec> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        revita_app::designate::DesignationSpec::from_json(&text).with_context(|| format!("{}", path.display()))
    };
    let spec = read_spec(&args.run.spec)?;
    let against = match (&args.against_spec, args.against_year) {
        (None, None) => None,
        (path, year) => Some((path.as_deref().map(read_spec).transpose()?, year.unwrap_or(args.run.year))),
    };
    let app = open(&args.db).await?;
    let actor = acting(&app, &args.db).await?;
    let visible = scope(&app, &actor, revita_methods::access::Action::Read).await?;
    let scratch = from_files(&app, &args.run.observations).await?;
    let source = scratch.as_ref().map_or(&app, |s| &s.app);
    let run = source.designate(&spec, args.run.year, &visible).await?;
    let format = match &args.run.out {
        None => None,
        Some(out) => match ExportFormat::from_path(out) {
            Some(f @ (ExportFormat::Csv | ExportFormat::Xlsx)) => Some((out, f)),
            _ => anyhow::bail!("{}: write .csv or .xlsx", out.display()),
        },
    };
    if let Some((other_spec, other_year)) = against {
        let other = source.designate(other_spec.as_ref().unwrap_or(&spec), other_year, &visible).await?;
        return print_comparison(&run.compare(&other), format, args.run.json);
    }
    if let Some((out, format)) = format {
        std::fs::write(out, run.table(format)?).with_context(|| format!("writing {}", out.display()))?;
    }
    if let Some(category) = &args.commit {
        return commit_list(&app, &actor, &spec, &run, category, &args).await;
    }
    if args.run.json {
        outln!("{}", serde_json::to_string_pretty(&run)?);
        return Ok(());
    }
    let mut classes: Vec<(&str, usize)> = Vec::new();
    for row in &run.rows {
        match classes.iter_mut().find(|(c, _)| *c == row.class) {
            Some((_, n)) => *n += 1,
            None => classes.push((&row.class, 1)),
        }
    }
    outln!("{} for {}: {} regions classified, {} excluded", run.spec, run.year, run.rows.len(), run.excluded.len());
    for (class, n) in classes {
        outln!("  {class}: {n}");
    }
    for warning in &run.warnings {
        outln!("  warning: {warning}");
    }
    for e in run.excluded.iter().take(10) {
        outln!("  excluded {} {}: {}", e.code, e.name, e.reason);
    }
    Ok(())
}

/// Commits a run as an official designation list, within the jurisdiction
/// the acting user may decide in, and audits it.
async fn commit_list(
    app: &App,
    actor: &Option<revita_app::auth::Actor>,
    spec: &revita_app::designate::DesignationSpec,
    run: &revita_app::designate::DesignationRun,
    category: &str,
    args: &DesignateArgs,
) -> anyhow::Result<()> {
    let date =
        |text: &str| revita_methods::Date::parse(text).with_context(|| format!("'{text}' is not a date (YYYY-MM-DD)"));
    let decision = revita_app::designate::ListDecision {
        category: category.to_string(),
        classes: args.classes.clone(),
        basis_title: args.basis.clone().unwrap_or_default(),
        basis_number: args.basis_number.clone(),
        effective_from: date(args.effective.as_deref().unwrap_or_default())?,
        transition_until: args.transition_until.as_deref().map(date).transpose()?,
    };
    let within = scope(app, actor, revita_methods::access::Action::EditDecisions).await?;
    let Some(confirm) = &args.confirm else {
        let preview = app.preview_designation_list(run, &decision, &within).await?;
        if args.run.json {
            outln!("{}", serde_json::to_string_pretty(&preview)?);
            return Ok(());
        }
        let codes = |list: &[String]| if list.is_empty() { "—".to_string() } else { list.join(", ") };
        outln!("the list would put {} regions in {category} from {}:", preview.members, decision.effective_from);
        outln!("  joining ({}): {}", preview.joining.len(), codes(&preview.joining));
        outln!("  leaving ({}): {}", preview.leaving.len(), codes(&preview.leaving));
        outln!("  staying ({}): {}", preview.staying.len(), codes(&preview.staying));
        outln!("  designations left as they are (outside the run or excluded): {}", preview.untouched);
        outln!("nothing was written; to commit this list, run the same command with --confirm {}", preview.fingerprint);
        return Ok(());
    };
    let by = revita_app::auth::ChangeBy { actor: actor.clone(), origin: cli_origin() };
    let committed = app.commit_designation_list(spec, run, &decision, &by, &within, confirm).await?;
    if args.run.json {
        outln!("{}", serde_json::to_string_pretty(&committed)?);
        return Ok(());
    }
    outln!(
        "list {} committed: {} regions in {category} from {}; {} join, {} leave",
        committed.id,
        committed.members,
        decision.effective_from,
        committed.joining.len(),
        committed.leaving.len()
    );
    outln!("  spec sha256 {}\n  input sha256 {}", committed.spec_sha256, committed.input_sha256);
    Ok(())
}

/// Prints a comparison of two runs: the transition matrix and the regions
/// that changed class.
fn print_comparison(
    comparison: &revita_app::designate::RunComparison,
    out: Option<(&std::path::PathBuf, ExportFormat)>,
    json: bool,
) -> anyhow::Result<()> {
    if let Some((out, format)) = out {
        std::fs::write(out, comparison.table(format)?).with_context(|| format!("writing {}", out.display()))?;
    }
    if json {
        outln!("{}", serde_json::to_string_pretty(comparison)?);
        return Ok(());
    }
    outln!("from {} (rows) to {} (columns):", comparison.from, comparison.to);
    outln!("  \t{}", comparison.to_classes.join("\t"));
    for (class, counts) in comparison.from_classes.iter().zip(&comparison.matrix) {
        let counts: Vec<String> = counts.iter().map(usize::to_string).collect();
        outln!("  {class}\t{}", counts.join("\t"));
    }
    let class = |c: &Option<String>| c.clone().unwrap_or_else(|| "not classified".into());
    let mut listed: Vec<&revita_app::designate::Transition> = comparison.unmatched.iter().collect();
    if comparison.same_classes {
        let changed: Vec<_> = comparison.regions.iter().filter(|t| t.changed()).collect();
        outln!("{} of {} regions changed class", changed.len(), comparison.regions.len());
        listed.splice(0..0, changed);
    }
    for t in listed.iter().take(20) {
        outln!("  {} {}: {} → {}", t.code, t.name, class(&t.from), class(&t.to));
    }
    Ok(())
}

async fn case(args: CaseArgs) -> anyhow::Result<()> {
    use revita_methods::monitoring::{Category, Channel, IncomeCheck, Step, TimeLimit};
    let date =
        |text: &str| revita_methods::Date::parse(text).with_context(|| format!("'{text}' is not a date (YYYY-MM-DD)"));
    let app = open(&args.db).await?;
    let acting_as = acting(&app, &args.db).await?;
    let within = scope(&app, &acting_as, revita_methods::access::Action::EditData).await?;
    let name = acting_as.as_ref().map_or("cli", |a| a.name.as_str());
    let origin = revita_app::auth::Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
    let actor = revita_app::cases::CaseActor { name, within: &within, origin: &origin };
    match args.action {
        CaseAction::Open { household, category, channel, on, evidence } => {
            let category =
                Category::parse(&category).context("--category is unstable_exited, marginal or sudden_difficulty")?;
            let channel =
                Channel::parse(&channel).context("--channel is self_declared, cadre_visit or data_screening")?;
            let id = app.open_case(&actor, &household, category, channel, date(&on)?, evidence).await?;
            outln!("case {id} opened for household {household}");
        }
        CaseAction::Move { id, to, on, case_version, evidence, notice_end } => {
            let to = Step::parse(&to).with_context(|| format!("'{to}' is not a step"))?;
            let step = revita_app::cases::Move {
                to,
                on: date(&on)?,
                version: case_version,
                evidence,
                notice_end: notice_end.as_deref().map(date).transpose()?,
            };
            let case = app.move_case(&actor, id, &step).await?;
            outln!("case {id} is at {} since {} (version {})", case.step.as_str(), case.step_since, case.version);
        }
        CaseAction::Measure { id, kind, description, amount, start, end } => {
            let kind = revita_methods::monitoring::MeasureKind::parse(&kind)
                .with_context(|| format!("'{kind}' is not a kind of assistance"))?;
            let measure = revita_methods::monitoring::Measure {
                kind,
                description,
                amount,
                start: date(&start)?,
                end: end.as_deref().map(date).transpose()?,
                actor: String::new(),
                at: 0,
            };
            app.record_measure(&actor, id, &measure).await?;
            outln!("measure recorded for case {id}");
        }
        CaseAction::Income { id, on, income } => {
            app.record_income_check(&actor, id, IncomeCheck { on: date(&on)?, income_pc: income }).await?;
            outln!("income check recorded for case {id}");
        }
        CaseAction::Show { id } => {
            let (case, events) = app.case_with_events(&actor, id).await?;
            outln!(
                "case {} household {} ({}, {}): {} since {}, version {}",
                case.id,
                case.household_id,
                case.category.as_str(),
                case.channel.as_str(),
                case.step.as_str(),
                case.step_since,
                case.version
            );
            for e in events {
                let notice = e.notice_end.map(|d| format!(", notice to {d}")).unwrap_or_default();
                outln!("  {} {} by {}{notice}: {}", e.on, e.step.as_str(), e.actor, e.evidence.unwrap_or_default());
            }
            for m in app.case_measures(&actor, id).await? {
                let end = m.end.map(|d| d.to_string()).unwrap_or_else(|| "open".into());
                outln!(
                    "  measure {} {} yuan {}–{end} by {}: {}",
                    m.kind.as_str(),
                    m.amount,
                    m.start,
                    m.actor,
                    m.description
                );
            }
        }
        CaseAction::Overdue { today, limits } => {
            let today = match today {
                Some(text) => date(&text)?,
                None => revita_methods::Date::from_days_since_epoch(now().div_euclid(86_400)),
            };
            // The same limits as the web page's unless others are given.
            let mut parsed = Vec::new();
            if limits.is_empty() {
                parsed.extend(revita_methods::monitoring::DEFAULT_TIME_LIMITS);
            }
            for limit in &limits {
                let (step, days) =
                    limit.split_once('=').with_context(|| format!("--limit '{limit}' is not STEP=DAYS"))?;
                let step = Step::parse(step).with_context(|| format!("'{step}' is not a step"))?;
                let days = days.trim().parse().with_context(|| format!("'{days}' is not a number of days"))?;
                parsed.push(TimeLimit { step, days });
            }
            for (case, late) in app.overdue_cases(&actor, today, &parsed).await? {
                outln!(
                    "case {} household {}: {} due {} ({} days late)",
                    case.id,
                    case.household_id,
                    late.step.as_str(),
                    late.due,
                    late.days_late
                );
            }
        }
    }
    Ok(())
}

async fn lists(args: ListsArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    let actor = acting(&app, &args.db).await?;
    if !scope(&app, &actor, revita_methods::access::Action::Read).await?.is_everywhere() {
        bail!("designation lists are national decisions; listing them is for national users");
    }
    if let Some(id) = args.id {
        if let Some(out) = &args.out {
            let format = match ExportFormat::from_path(out) {
                Some(f @ (ExportFormat::Csv | ExportFormat::Xlsx)) => f,
                _ => bail!("{}: write .csv or .xlsx", out.display()),
            };
            let bytes = app.designation_list_table(id, format).await?;
            std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
            outln!("list {id} written to {}", out.display());
            return Ok(());
        }
        let bytes = app.designation_list_table(id, ExportFormat::Csv).await?;
        out!("{}", String::from_utf8_lossy(&bytes));
        return Ok(());
    }
    let lists = app.designation_lists(args.category.as_deref()).await?;
    if args.json {
        let json: Vec<serde_json::Value> = lists
            .iter()
            .map(|l| {
                serde_json::json!({"id": l.id, "category": l.category.as_str(), "method": l.name, "run_year": l.run_year,
                "classes": l.classes, "basis": l.basis.title, "basis_number": l.basis.number,
                "effective_from": l.effective_from.to_string(),
                "transition_until": l.transition_until.map(|d| d.to_string()), "members": l.members,
                "joining": l.joining, "leaving": l.leaving, "spec_sha256": l.spec_sha256,
                "input_sha256": l.input_sha256, "approved_by": l.approved_by, "approved_at": l.approved_at})
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(());
    }
    for l in &lists {
        outln!(
            "{}\t{}\tfrom {}\t{} regions (+{} −{})\t{}\t{}",
            l.id,
            l.category.as_str(),
            l.effective_from,
            l.members,
            l.joining,
            l.leaving,
            l.basis.title,
            l.name
        );
    }
    Ok(())
}

/// A scratch store holding the observations of `files`, when any are given
/// (the database's reference data, those observations instead of its own).
async fn from_files(app: &App, files: &[std::path::PathBuf]) -> anyhow::Result<Option<revita_app::scratch::Scratch>> {
    if files.is_empty() {
        return Ok(None);
    }
    let paths: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
    Ok(Some(app.with_observation_files(&paths).await?))
}

async fn allocate(args: AllocateArgs) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(&args.run.spec).with_context(|| format!("reading {}", args.run.spec.display()))?;
    let spec = revita_app::allocate::AllocationSpec::from_json(&text)
        .with_context(|| format!("{}", args.run.spec.display()))?;
    let app = open(&args.db).await?;
    let actor = acting(&app, &args.db).await?;
    let visible = scope(&app, &actor, revita_methods::access::Action::Read).await?;
    let scratch = from_files(&app, &args.run.observations).await?;
    let run = scratch.as_ref().map_or(&app, |s| &s.app).allocate(&spec, args.run.year, &visible).await?;
    if let Some(out) = &args.run.out {
        let format = match ExportFormat::from_path(out) {
            Some(f @ (ExportFormat::Csv | ExportFormat::Xlsx)) => f,
            _ => bail!("{}: write .csv or .xlsx", out.display()),
        };
        std::fs::write(out, run.bytes(format)?).with_context(|| format!("writing {}", out.display()))?;
    }
    if args.run.json {
        outln!("{}", serde_json::to_string_pretty(&run)?);
        return Ok(());
    }
    outln!(
        "{} for {}: {} allocated to {} regions, {} excluded",
        run.spec,
        run.year,
        run.total,
        run.rows.len(),
        run.excluded.len()
    );
    let mut largest: Vec<&revita_app::allocate::AllocationRow> = run.rows.iter().collect();
    largest.sort_by(|a, b| b.amount.total_cmp(&a.amount).then_with(|| a.code.cmp(&b.code)));
    for row in largest.iter().take(10) {
        let change = row.change_pct.map(|c| format!(", {c:+.1}% on last year")).unwrap_or_default();
        let scenarios: Vec<String> =
            run.scenarios.iter().zip(&row.scenarios).map(|(name, v)| format!("{name}: {v}")).collect();
        let scenarios = if scenarios.is_empty() { String::new() } else { format!(" [{}]", scenarios.join("; ")) };
        outln!("  {} {}: {}{change}{scenarios}", row.code, row.name, row.amount);
    }
    for e in run.excluded.iter().take(10) {
        outln!("  excluded {} {}: {}", e.code, e.name, e.reason);
    }
    for note in run.notes.iter().take(10) {
        outln!("  note: {note}");
    }
    Ok(())
}

async fn screen(args: ScreenArgs) -> anyhow::Result<()> {
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
fn screen_progress_bar(hidden: bool, path: &std::path::Path) -> ProgressBar {
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

async fn rollup(args: RollupArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    let region = app.parse_region_code(&args.region)?;
    let actor = acting(&app, &args.db).await?;
    let visible = scope(&app, &actor, revita_methods::access::Action::Read).await?;
    let r = app.rollup(&region, &args.indicator, &args.period, args.level.as_deref(), &visible).await?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    let value = r.value.map(|v| v.to_string()).unwrap_or_else(|| "no value".into());
    let completeness = if r.complete { "complete" } else { "PARTIAL" };
    outln!(
        "{} {} {} ({}): {value} from {} of {} children — {completeness}",
        r.region,
        r.indicator,
        r.period,
        r.method,
        r.reported,
        r.expected
    );
    if r.outside_jurisdiction > 0 {
        outln!(
            "{} of the children lie outside your jurisdiction: this value covers only your part",
            r.outside_jurisdiction
        );
    }
    if let Some(stored) = r.stored_value {
        outln!("stored value for {}: {stored}", r.region);
    }
    Ok(())
}
