//! The subcommands, one file each: resolve the settings, open the store, run
//! the use case, print the result (text, or JSON with `--json`). What they
//! share (opening the store, the acting user, printing) is here.

/// `println!` that returns the write error instead of panicking, so that a
/// closed pipe (`revita … | head`) ends the command quietly (see `main`).
macro_rules! outln {
    ($($arg:tt)*) => {
        std::io::Write::write_fmt(&mut std::io::stdout(), format_args!("{}\n", format_args!($($arg)*)))?
    };
}

/// `eprintln!` that returns the write error instead of panicking: what a
/// batch job tells the person running it, beside its output.
macro_rules! errln {
    ($($arg:tt)*) => {
        std::io::Write::write_fmt(&mut std::io::stderr(), format_args!("{}\n", format_args!($($arg)*)))?
    };
}

/// `print!` that returns the write error instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        std::io::Write::write_fmt(&mut std::io::stdout(), format_args!($($arg)*))?
    };
}

mod allocate;
mod audit;
mod bench;
mod brief;
mod case;
mod demo;
mod designate;
mod disaster;
mod eco;
mod export;
mod health;
mod import;
mod lists;
mod pairing;
mod plan;
mod region;
mod relocate;
mod rollup;
mod sae;
mod screen;
mod serve;
mod subsidence;
mod user;

use allocate::allocate;
use audit::audit;
use case::case;
use demo::{create_demo_users, load_demo, load_demo_examples};
use designate::designate;
use export::export;
use import::import;
use lists::lists;
use region::region;
use rollup::rollup;
use screen::screen;
use serve::serve;
use user::user;

use anyhow::{Context, bail};
use revita_app::{App, DatabaseUrl, Profile};

use crate::cli::{Cli, Command, DatabaseArgs};

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(db) => {
            open(&db).await?;
            outln!("database {} is up to date", DatabaseUrl::new(&db.database_url));
            Ok(())
        }
        Command::Demo(mut db) => {
            // The demo's regions are China's: its database says so.
            db.profile.get_or_insert_with(|| "china".into());
            let app = open(&db).await?;
            load_demo(&app).await?;
            create_demo_users(&app).await?;
            load_demo_examples(&app).await
        }
        Command::Audit(args) => audit(args).await,
        Command::Import(args) => import(args).await,
        Command::Export(args) => export(args).await,
        Command::Region(args) => region(args).await,
        Command::Rollup(args) => rollup(args).await,
        Command::Designate(args) => designate(args).await,
        Command::Screen(args) => screen(args).await,
        Command::Allocate(args) => allocate(args).await,
        Command::Eco(args) => eco::run(args).await,
        Command::Pairing(args) => pairing::run(args).await,
        Command::Brief(args) => brief::run(args).await,
        Command::Disaster(args) => disaster::run(args).await,
        Command::Subsidence(args) => subsidence::run(args).await,
        Command::Relocate(args) => relocate::run(args).await,
        Command::WorkRelief(args) => relocate::work_relief(args).await,
        Command::Sae(args) => sae::run(args).await,
        Command::Lists(args) => lists(args).await,
        Command::Case(args) => case(args).await,
        Command::Plan(args) => plan::run(args).await,
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
        Command::Healthcheck(args) => health::check(&args.url),
        Command::Bench(args) => bench::run(args).await,
        Command::User(args) => user(args).await,
    }
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
    let requested = db.profile.as_deref().map(Profile::parse).transpose()?;
    let owner = revita_app::auth::ChangeBy { actor: None, origin: cli_origin() };
    Ok(App::open(store, requested.as_ref(), &owner).await?)
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
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
